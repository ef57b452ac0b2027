//! `otpauth://` URIs, the Key Uri Format that authenticator apps scan:
//! `otpauth://TYPE/ISSUER:ACCOUNT?secret=BASE32&issuer=ISSUER&algorithm=…&digits=…&period=…`.
//!
//! Building writes one canonical form ([`OtpAuthUri::to_uri`], [`UriBuilder`]); parsing
//! ([`OtpAuthUri::parse`]) accepts the variations services send. The rules are documented on
//! those items (this module is private, so its documentation is not rendered).

use crate::algorithm::Algorithm;
use crate::error::{Error, ErrorKind, Result, decimal, msg};
use crate::hotp::{OtpOptions, check_digits, check_period};
use crate::secret::{Secret, normalize_base32};
use alloc::string::String;
use alloc::vec::Vec;

/// The two OTP types of the Key Uri Format.
///
/// ```
/// use totp_wasm::{OtpAuthUri, OtpKind};
/// # fn main() -> Result<(), totp_wasm::Error> {
/// let uri = OtpAuthUri::parse("otpauth://hotp/bob?secret=JBSWY3DPEHPK3PXP")?;
/// // An HOTP URI carries a counter (0 when absent); a TOTP URI has none.
/// assert_eq!((uri.kind, uri.counter), (OtpKind::Hotp, Some(0)));
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OtpKind {
    /// Time-based (RFC 6238): the code changes every `period` seconds.
    ///
    /// ```
    /// use totp_wasm::{OtpAuthUri, OtpKind};
    /// # fn main() -> Result<(), totp_wasm::Error> {
    /// let uri = OtpAuthUri::parse("otpauth://TOTP/alice?secret=JBSWY3DPEHPK3PXP")?; // any case
    /// assert_eq!((uri.kind, uri.period, uri.counter), (OtpKind::Totp, 30, None));
    /// # Ok(()) }
    /// ```
    Totp,
    /// Counter-based (RFC 4226): the code changes each time one is used.
    ///
    /// ```
    /// use totp_wasm::{OtpAuthUri, OtpKind};
    /// # fn main() -> Result<(), totp_wasm::Error> {
    /// // The counter is where the app starts; the period means nothing to HOTP and is ignored.
    /// let uri = OtpAuthUri::parse("otpauth://hotp/bob?secret=JBSWY3DPEHPK3PXP&counter=7&period=60")?;
    /// assert_eq!((uri.kind, uri.counter, uri.period), (OtpKind::Hotp, Some(7), 30));
    /// # Ok(()) }
    /// ```
    Hotp,
}

impl OtpKind {
    /// `"totp"` or `"hotp"`.
    ///
    /// ```
    /// use totp_wasm::OtpKind;
    /// assert_eq!(OtpKind::Hotp.name(), "hotp"); // as in otpauth://hotp/…
    /// ```
    pub const fn name(self) -> &'static str {
        match self {
            Self::Totp => "totp",
            Self::Hotp => "hotp",
        }
    }
}

/// The content of an `otpauth://` URI.
///
/// ```
/// use totp_wasm::{OtpAuthUri, OtpKind};
/// let uri = OtpAuthUri::parse(
///     "otpauth://totp/ACME%20Co:john.doe@email.com?secret=hxdmvjecjjwsrb3hwizr4ifugftmxboz\
///      &issuer=ACME%20Co&algorithm=SHA1&digits=6&period=30&image=x",
/// ).unwrap();
/// assert_eq!(uri.kind, OtpKind::Totp);
/// assert_eq!(uri.issuer.as_deref(), Some("ACME Co"));
/// assert_eq!(uri.account, "john.doe@email.com");
/// assert_eq!(uri.secret, "HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ");
/// assert_eq!(uri.extra, vec![("image".to_string(), "x".to_string())]);
/// assert_eq!(
///     uri.to_uri().unwrap(),
///     "otpauth://totp/ACME%20Co:john.doe@email.com?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ&issuer=ACME%20Co&image=x",
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OtpAuthUri {
    /// `totp` or `hotp`.
    pub kind: OtpKind,
    /// The secret as canonical base32 (uppercase, unpadded).
    pub secret: String,
    /// The account name (e.g. an email address).
    pub account: String,
    /// The service's name, if given.
    pub issuer: Option<String>,
    /// HMAC hash function (default SHA1).
    pub algorithm: Algorithm,
    /// Code length (default 6).
    pub digits: u32,
    /// TOTP period in seconds (default 30).
    pub period: u64,
    /// HOTP counter (`Some` for HOTP, `None` for TOTP).
    pub counter: Option<u64>,
    /// Parameters this crate does not interpret (e.g. `image`), in their original order.
    pub extra: Vec<(String, String)>,
}

impl OtpAuthUri {
    /// Parses an `otpauth://` URI.
    ///
    /// It accepts what services send: any case in scheme, type and parameter names, the label
    /// colon literal or as `%3A`, spaces after the colon, `+` for a space in parameter values,
    /// padded or lowercase secrets, and parameters it does not know (kept in `extra`, in order).
    /// It rejects a label issuer that disagrees with `issuer=`, repeated parameters, a missing
    /// secret or account, and malformed percent-escapes.
    ///
    /// ```
    /// use totp_wasm::OtpAuthUri;
    /// # fn main() -> Result<(), totp_wasm::Error> {
    /// let uri = OtpAuthUri::parse("otpauth://totp/Example%3A%20alice?secret=jbsw+y3dp&issuer=Example")?;
    /// assert_eq!((uri.issuer.as_deref(), uri.account.as_str()), (Some("Example"), "alice"));
    /// assert_eq!(uri.secret, "JBSWY3DP");
    /// // Two different issuers: refused rather than guessed.
    /// assert!(OtpAuthUri::parse("otpauth://totp/Example:alice?secret=JBSWY3DP&issuer=Other").is_err());
    /// # Ok(()) }
    /// ```
    pub fn parse(text: &str) -> Result<Self> {
        let text = text.trim();
        let rest = strip_prefix_ignore_case(text, "otpauth://")
            .ok_or_else(|| invalid("the URI must start with otpauth://"))?;
        let rest = rest.split_once('#').map_or(rest, |(before, _)| before);
        let (kind, rest) = rest.split_once('/').ok_or_else(|| invalid("the URI has no label (otpauth://totp/LABEL?…)"))?;
        let kind = if kind.eq_ignore_ascii_case("totp") {
            OtpKind::Totp
        } else if kind.eq_ignore_ascii_case("hotp") {
            OtpKind::Hotp
        } else {
            return Err(invalid("the type must be totp or hotp"));
        };
        let (label, query) = rest.split_once('?').unwrap_or((rest, ""));
        let label = percent_decode(label, false)?;
        let (label_issuer, account) = match label.split_once(':') {
            Some((issuer, account)) => (Some(issuer.trim()), account.trim_start()),
            None => (None, label.trim_start()),
        };
        if account.is_empty() {
            return Err(invalid("the label has no account name"));
        }

        let mut uri = Self {
            kind,
            secret: String::new(),
            account: account.into(),
            issuer: label_issuer.filter(|i| !i.is_empty()).map(String::from),
            algorithm: Algorithm::Sha1,
            digits: 6,
            period: 30,
            counter: None,
            extra: Vec::new(),
        };
        let mut seen: Vec<String> = Vec::new();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let key = percent_decode(key, true)?;
            let value = percent_decode(value, true)?;
            let lower = key.to_ascii_lowercase();
            if seen.contains(&lower) {
                return Err(invalid(&msg(&["the parameter '", &key, "' appears twice"])));
            }
            seen.push(lower.clone());
            uri.set_parameter(&lower, key, value)?;
        }
        if uri.secret.is_empty() {
            return Err(invalid("the URI has no secret= parameter"));
        }
        if uri.kind == OtpKind::Hotp && uri.counter.is_none() {
            uri.counter = Some(0);
        }
        Ok(uri)
    }

    fn set_parameter(&mut self, lower: &str, key: String, value: String) -> Result<()> {
        match lower {
            "secret" => self.secret = normalize_base32(&value)?,
            "issuer" => match &self.issuer {
                Some(label) if *label != value.trim() => {
                    return Err(invalid(&msg(&[
                        "the issuer in the label (\"",
                        label,
                        "\") differs from the issuer parameter (\"",
                        &value,
                        "\")",
                    ])));
                }
                _ if !value.trim().is_empty() => self.issuer = Some(value.trim().into()),
                _ => {}
            },
            "algorithm" => self.algorithm = Algorithm::parse(&value)?,
            "digits" => {
                let digits = value.parse::<u32>().map_err(|_| {
                    Error::new(ErrorKind::InvalidDigits, msg(&["digits must be a number from 6 to 10, got \"", &value, "\""]))
                })?;
                check_digits(digits)?;
                self.digits = digits;
            }
            "period" if self.kind == OtpKind::Totp => {
                let period = value.parse::<u64>().map_err(|_| {
                    Error::new(ErrorKind::InvalidPeriod, msg(&["period must be a whole number of seconds, got \"", &value, "\""]))
                })?;
                check_period(period)?;
                self.period = period;
            }
            "counter" if self.kind == OtpKind::Hotp => {
                let counter = value.parse::<u64>().map_err(|_| {
                    Error::new(ErrorKind::InvalidCounter, msg(&["counter must be a whole number from 0 to 2^64-1, got \"", &value, "\""]))
                })?;
                self.counter = Some(counter);
            }
            _ => self.extra.push((key, value)),
        }
        Ok(())
    }

    /// The decoded secret.
    ///
    /// ```
    /// use totp_wasm::{OtpAuthUri, totp};
    /// # fn main() -> Result<(), totp_wasm::Error> {
    /// let uri = OtpAuthUri::parse("otpauth://totp/alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")?;
    /// // What an authenticator does with a scanned URI (RFC 6238's key, T = 59).
    /// assert_eq!(totp(uri.secret()?, 59, &uri.options())?, "287082");
    /// # Ok(()) }
    /// ```
    pub fn secret(&self) -> Result<Secret> {
        Secret::from_base32(&self.secret)
    }

    /// Algorithm, digits and period as options for [`crate::totp`] / [`crate::hotp`].
    ///
    /// ```
    /// use totp_wasm::{Algorithm, OtpAuthUri, OtpOptions};
    /// # fn main() -> Result<(), totp_wasm::Error> {
    /// let uri = OtpAuthUri::parse("otpauth://totp/a?secret=JBSWY3DP&algorithm=SHA256&digits=8&period=60")?;
    /// assert_eq!(uri.options(), OtpOptions { algorithm: Algorithm::Sha256, digits: 8, period: 60 });
    /// # Ok(()) }
    /// ```
    pub fn options(&self) -> OtpOptions {
        OtpOptions { algorithm: self.algorithm, digits: self.digits, period: self.period }
    }

    /// Writes the canonical URI: issuer and account percent-encoded, the label's colon literal,
    /// the issuer both in the label and as a parameter (old apps read one, new apps the other),
    /// and only the parameters that differ from SHA1 / 6 / 30 (plus `counter` for HOTP), then
    /// `extra` in order.
    ///
    /// ```
    /// use totp_wasm::OtpAuthUri;
    /// # fn main() -> Result<(), totp_wasm::Error> {
    /// let uri = OtpAuthUri::parse("OTPAUTH://totp/Example%3Aalice?SECRET=jbswy3dpehpk3pxp====&digits=6")?;
    /// assert_eq!(uri.to_uri()?, "otpauth://totp/Example:alice?secret=JBSWY3DPEHPK3PXP&issuer=Example");
    /// # Ok(()) }
    /// ```
    pub fn to_uri(&self) -> Result<String> {
        let secret = normalize_base32(&self.secret)?;
        check_digits(self.digits)?;
        check_period(self.period)?;
        if self.account.is_empty() {
            return Err(Error::new(ErrorKind::InvalidArgument, "the account name is empty"));
        }
        let issuer = self.issuer.as_deref().filter(|i| !i.is_empty());
        let mut out = String::with_capacity(64 + secret.len() + self.account.len() * 3);
        out.push_str("otpauth://");
        out.push_str(self.kind.name());
        out.push('/');
        match issuer {
            Some(issuer) if issuer.contains(':') => {
                return Err(Error::new(ErrorKind::InvalidArgument, "the issuer must not contain ':'"));
            }
            Some(issuer) => {
                percent_encode(issuer, &mut out);
                out.push(':');
            }
            None if self.account.contains(':') => {
                return Err(Error::new(
                    ErrorKind::InvalidArgument,
                    "an account name containing ':' needs an issuer, or it would be read as one",
                ));
            }
            None => {}
        }
        percent_encode(&self.account, &mut out);
        out.push_str("?secret=");
        out.push_str(&secret);
        if let Some(issuer) = issuer {
            push_param(&mut out, "issuer", issuer);
        }
        if self.algorithm != Algorithm::Sha1 {
            push_param(&mut out, "algorithm", self.algorithm.name());
        }
        if self.digits != 6 {
            push_param(&mut out, "digits", &decimal(self.digits.into()));
        }
        match self.kind {
            OtpKind::Totp if self.period != 30 => push_param(&mut out, "period", &decimal(self.period)),
            OtpKind::Hotp => push_param(&mut out, "counter", &decimal(self.counter.unwrap_or(0))),
            OtpKind::Totp => {}
        }
        for (key, value) in &self.extra {
            push_param(&mut out, key, value);
        }
        Ok(out)
    }
}

/// Builds an `otpauth://` URI from a secret and an account name.
///
/// ```
/// use totp_wasm::{Algorithm, Secret, UriBuilder};
/// let secret = Secret::from_base32("JBSWY3DPEHPK3PXP").unwrap();
/// let uri = UriBuilder::totp(&secret, "alice@example.com").issuer("Big Corp").build().unwrap();
/// assert_eq!(uri, "otpauth://totp/Big%20Corp:alice@example.com?secret=JBSWY3DPEHPK3PXP&issuer=Big%20Corp");
/// let uri = UriBuilder::hotp(&secret, "bob", 7).algorithm(Algorithm::Sha256).digits(8).build().unwrap();
/// assert_eq!(uri, "otpauth://hotp/bob?secret=JBSWY3DPEHPK3PXP&algorithm=SHA256&digits=8&counter=7");
/// ```
#[derive(Debug, Clone)]
pub struct UriBuilder(OtpAuthUri);

impl UriBuilder {
    fn new(kind: OtpKind, secret: &Secret, account: &str, counter: Option<u64>) -> Self {
        Self(OtpAuthUri {
            kind,
            secret: secret.to_base32(),
            account: account.into(),
            issuer: None,
            algorithm: Algorithm::Sha1,
            digits: 6,
            period: 30,
            counter,
            extra: Vec::new(),
        })
    }

    /// A TOTP URI.
    ///
    /// ```
    /// use totp_wasm::{Secret, UriBuilder};
    /// # fn main() -> Result<(), totp_wasm::Error> {
    /// let secret = Secret::from_base32("JBSWY3DPEHPK3PXP")?;
    /// let uri = UriBuilder::totp(&secret, "alice@example.com").build()?;
    /// assert_eq!(uri, "otpauth://totp/alice@example.com?secret=JBSWY3DPEHPK3PXP");
    /// # Ok(()) }
    /// ```
    pub fn totp(secret: &Secret, account: &str) -> Self {
        Self::new(OtpKind::Totp, secret, account, None)
    }

    /// An HOTP URI starting at `counter`.
    ///
    /// ```
    /// use totp_wasm::{Secret, UriBuilder};
    /// # fn main() -> Result<(), totp_wasm::Error> {
    /// let secret = Secret::from_base32("JBSWY3DPEHPK3PXP")?;
    /// // The counter is always written for HOTP, even 0.
    /// let uri = UriBuilder::hotp(&secret, "bob", 0).build()?;
    /// assert_eq!(uri, "otpauth://hotp/bob?secret=JBSWY3DPEHPK3PXP&counter=0");
    /// # Ok(()) }
    /// ```
    pub fn hotp(secret: &Secret, account: &str, counter: u64) -> Self {
        Self::new(OtpKind::Hotp, secret, account, Some(counter))
    }

    /// The service's name, shown by the app above the account.
    ///
    /// ```
    /// use totp_wasm::{Secret, UriBuilder};
    /// # fn main() -> Result<(), totp_wasm::Error> {
    /// let secret = Secret::from_base32("JBSWY3DPEHPK3PXP")?;
    /// let uri = UriBuilder::totp(&secret, "alice").issuer("Example").build()?;
    /// // In the label for old apps and as a parameter for new ones.
    /// assert_eq!(uri, "otpauth://totp/Example:alice?secret=JBSWY3DPEHPK3PXP&issuer=Example");
    /// # Ok(()) }
    /// ```
    pub fn issuer(mut self, issuer: &str) -> Self {
        self.0.issuer = Some(issuer.into());
        self
    }

    /// The hash function (many apps ignore it: keep SHA1 unless every user's app supports it).
    ///
    /// ```
    /// use totp_wasm::{Algorithm, Secret, UriBuilder};
    /// # fn main() -> Result<(), totp_wasm::Error> {
    /// let secret = Secret::from_base32("JBSWY3DPEHPK3PXP")?;
    /// let uri = UriBuilder::totp(&secret, "alice").algorithm(Algorithm::Sha512).build()?;
    /// assert_eq!(uri, "otpauth://totp/alice?secret=JBSWY3DPEHPK3PXP&algorithm=SHA512");
    /// # Ok(()) }
    /// ```
    pub fn algorithm(mut self, algorithm: Algorithm) -> Self {
        self.0.algorithm = algorithm;
        self
    }

    /// The code length, 6..=10, checked by [`UriBuilder::build`].
    ///
    /// ```
    /// use totp_wasm::{Secret, UriBuilder};
    /// # fn main() -> Result<(), totp_wasm::Error> {
    /// let secret = Secret::from_base32("JBSWY3DPEHPK3PXP")?;
    /// let uri = UriBuilder::totp(&secret, "alice").digits(8).build()?;
    /// assert_eq!(uri, "otpauth://totp/alice?secret=JBSWY3DPEHPK3PXP&digits=8");
    /// assert!(UriBuilder::totp(&secret, "alice").digits(4).build().is_err());
    /// # Ok(()) }
    /// ```
    pub fn digits(mut self, digits: u32) -> Self {
        self.0.digits = digits;
        self
    }

    /// The TOTP period in seconds (not written for HOTP).
    ///
    /// ```
    /// use totp_wasm::{Secret, UriBuilder};
    /// # fn main() -> Result<(), totp_wasm::Error> {
    /// let secret = Secret::from_base32("JBSWY3DPEHPK3PXP")?;
    /// let uri = UriBuilder::totp(&secret, "alice").period(60).build()?;
    /// assert_eq!(uri, "otpauth://totp/alice?secret=JBSWY3DPEHPK3PXP&period=60");
    /// # Ok(()) }
    /// ```
    pub fn period(mut self, period: u64) -> Self {
        self.0.period = period;
        self
    }

    /// Algorithm, digits and period at once.
    ///
    /// ```
    /// use totp_wasm::{OtpOptions, Secret, UriBuilder};
    /// # fn main() -> Result<(), totp_wasm::Error> {
    /// let secret = Secret::from_base32("JBSWY3DPEHPK3PXP")?;
    /// let options = OtpOptions { digits: 8, ..OtpOptions::default() };
    /// // Only what differs from the defaults is written.
    /// let uri = UriBuilder::totp(&secret, "alice").options(&options).build()?;
    /// assert_eq!(uri, "otpauth://totp/alice?secret=JBSWY3DPEHPK3PXP&digits=8");
    /// # Ok(()) }
    /// ```
    pub fn options(self, options: &OtpOptions) -> Self {
        self.algorithm(options.algorithm).digits(options.digits).period(options.period)
    }

    /// The URI's fields, before writing.
    ///
    /// ```
    /// use totp_wasm::{Secret, UriBuilder};
    /// # fn main() -> Result<(), totp_wasm::Error> {
    /// let secret = Secret::from_base32("JBSWY3DPEHPK3PXP")?;
    /// let mut uri = UriBuilder::totp(&secret, "alice").issuer("Example").into_inner();
    /// // A parameter the builder has no method for: some apps show an `image`.
    /// uri.extra.push(("image".into(), "https://example.com/logo.png".into()));
    /// assert!(uri.to_uri()?.ends_with("&issuer=Example&image=https%3A%2F%2Fexample.com%2Flogo.png"));
    /// # Ok(()) }
    /// ```
    pub fn into_inner(self) -> OtpAuthUri {
        self.0
    }

    /// Writes the URI (see [`OtpAuthUri::to_uri`]).
    ///
    /// ```
    /// use totp_wasm::{Secret, UriBuilder};
    /// # fn main() -> Result<(), totp_wasm::Error> {
    /// let secret = Secret::from_base32("JBSWY3DPEHPK3PXP")?;
    /// assert!(UriBuilder::totp(&secret, "").build().is_err()); // an account name is required
    /// // Without an issuer, a ':' in the account would be read as one.
    /// assert!(UriBuilder::totp(&secret, "a:b").build().is_err());
    /// assert!(UriBuilder::totp(&secret, "a:b").issuer("Example").build().is_ok());
    /// # Ok(()) }
    /// ```
    pub fn build(&self) -> Result<String> {
        self.0.to_uri()
    }
}

fn invalid(message: &str) -> Error {
    Error::new(ErrorKind::InvalidUri, msg(&["invalid otpauth URI: ", message]))
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix).then(|| text.get(prefix.len()..)).flatten()
}

fn push_param(out: &mut String, key: &str, value: &str) {
    out.push('&');
    percent_encode(key, out);
    out.push('=');
    percent_encode(value, out);
}

/// Percent-encodes everything but RFC 3986 unreserved characters and `@`.
fn percent_encode(text: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &b in text.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'@') {
            out.push(b as char);
        } else {
            out.push('%');
            for nibble in [b >> 4, b & 15] {
                out.push(char::from(HEX.get(usize::from(nibble)).copied().unwrap_or(b'0')));
            }
        }
    }
}

/// Decodes `%XX` escapes (and `+` as a space in query parts); the result must be UTF-8.
fn percent_decode(text: &str, plus_is_space: bool) -> Result<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'%' => {
                let hi = bytes.get(i + 1).and_then(|&h| hex_value(h));
                let lo = bytes.get(i + 2).and_then(|&l| hex_value(l));
                let (Some(hi), Some(lo)) = (hi, lo) else {
                    return Err(invalid("a '%' is not followed by two hex digits").at(i));
                };
                out.push(hi << 4 | lo);
                i += 3;
            }
            b'+' if plus_is_space => {
                out.push(b' ');
                i += 1;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).map_err(|_| invalid("percent-escapes do not form UTF-8 text"))
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}
