//! Google Authenticator's export: `otpauth-migration://offline?data=BASE64`, the QR codes its
//! "Transfer accounts" screen shows. One URI carries several accounts; each becomes an
//! [`OtpAuthUri`], the same shape [`OtpAuthUri::parse`] returns for `otpauth://` URIs.
//!
//! `data` is percent-encoded standard base64 (`+` and `/`, padding optional; the URL-safe
//! `-` and `_` are accepted too) of a protocol buffer:
//!
//! ```text
//! message MigrationPayload {
//!   repeated OtpParameters otp_parameters = 1;
//!   int32 version = 2; int32 batch_size = 3; int32 batch_index = 4; int32 batch_id = 5;
//! }
//! message OtpParameters {
//!   bytes secret = 1; string name = 2; string issuer = 3;
//!   Algorithm algorithm = 4;  // 0 unspecified (SHA1), 1 SHA1, 2 SHA256, 3 SHA512, 4 MD5
//!   DigitCount digits = 5;    // 0 unspecified (6), 1 six, 2 eight
//!   OtpType type = 6;         // 0 unspecified (TOTP), 1 HOTP, 2 TOTP
//!   int64 counter = 7;        // HOTP
//! }
//! ```
//!
//! The reader is written out here (varints and length-delimited fields, unknown fields
//! skipped) rather than taken from a protobuf library. Every length is checked against what
//! is left, so truncated or garbage data is an [`ErrorKind::InvalidUri`] error, never a panic.
//! MD5 (which no HOTP/TOTP verifier uses) and enum values this reader does not know are
//! refused, not guessed. Google Authenticator always uses a 30 s period.

use crate::algorithm::Algorithm;
use crate::error::{Error, ErrorKind, Result, decimal, msg};
use crate::secret::Secret;
use crate::uri::{OtpAuthUri, OtpKind};
use alloc::string::String;
use alloc::vec::Vec;

/// Reads every account of an `otpauth-migration://offline?data=…` URI (Google Authenticator's
/// "Transfer accounts" QR codes), in order, each in the shape [`OtpAuthUri::parse`] returns,
/// with a 30 s period and, for HOTP, the counter. `data` may be standard or URL-safe base64,
/// padded or not, percent-encoded or not.
///
/// ```
/// use totp_wasm::{Algorithm, OtpKind, parse_migration_uri};
/// # fn main() -> Result<(), totp_wasm::Error> {
/// // One TOTP account: secret "Hello!\xde\xad\xbe\xef", name "alice@example.com", issuer "Example".
/// let uri = "otpauth-migration://offline?data=Ci4KCkhlbGxvId6tvu8SEWFsaWNlQGV4YW1wbGUuY29tGgdF\
///            eGFtcGxlIAEoATACEAEYASAAKAA%3D";
/// let accounts = parse_migration_uri(uri)?;
/// assert_eq!(accounts.len(), 1);
/// assert_eq!(accounts[0].kind, OtpKind::Totp);
/// assert_eq!(accounts[0].secret, "JBSWY3DPEHPK3PXP");
/// assert_eq!(accounts[0].account, "alice@example.com");
/// assert_eq!(accounts[0].issuer.as_deref(), Some("Example"));
/// assert_eq!(accounts[0].algorithm, Algorithm::Sha1);
/// # Ok(()) }
/// ```
///
/// # Errors
/// [`ErrorKind::InvalidUri`] for another scheme, a missing or malformed `data` parameter,
/// truncated or malformed protocol-buffer data, MD5, unknown algorithm/digits/type values, a
/// negative HOTP counter, text that is not UTF-8, an account without a name or issuer, or a
/// payload without accounts; [`ErrorKind::InvalidSecret`] for an empty secret.
pub fn parse_migration_uri(uri: &str) -> Result<Vec<OtpAuthUri>> {
    let payload = payload_bytes(uri)?;
    let mut accounts = Vec::new();
    let mut reader = Reader(&payload);
    while let Some((field, value)) = reader.field()? {
        if let (1, Value::Bytes(bytes)) = (field, value) {
            accounts.push(account(bytes)?);
        }
        // version, batch_size, batch_index, batch_id and unknown fields: not needed here.
    }
    if accounts.is_empty() {
        return Err(invalid("the export holds no accounts"));
    }
    Ok(accounts)
}

fn invalid(message: &str) -> Error {
    Error::new(ErrorKind::InvalidUri, msg(&["invalid otpauth-migration URI: ", message]))
}

/// The protocol-buffer bytes of the `data` parameter.
fn payload_bytes(uri: &str) -> Result<Vec<u8>> {
    let uri = uri.trim();
    const SCHEME: &str = "otpauth-migration://";
    let rest = uri
        .get(..SCHEME.len())
        .filter(|head| head.eq_ignore_ascii_case(SCHEME))
        .and_then(|_| uri.get(SCHEME.len()..))
        .ok_or_else(|| invalid("it must start with otpauth-migration://offline?data="))?;
    let rest = rest.split_once('#').map_or(rest, |(before, _)| before);
    let (host, query) = rest.split_once('?').unwrap_or((rest, ""));
    if !host.trim_end_matches('/').eq_ignore_ascii_case("offline") {
        return Err(invalid("it must start with otpauth-migration://offline?data="));
    }
    let mut data = None;
    for pair in query.split('&') {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        if key.eq_ignore_ascii_case("data") {
            if data.is_some() {
                return Err(invalid("the data parameter appears twice"));
            }
            data = Some(value);
        }
    }
    let data = data.filter(|d| !d.is_empty()).ok_or_else(|| invalid("it has no data= parameter"))?;
    base64_decode(&percent_decode(data)?).ok_or_else(|| invalid("the data parameter is not base64"))
}

/// `%XX` escapes decoded. A literal `+` stays a `+` (base64 has no spaces, and copies of these
/// links often lose their escaping); a space, what a form decoder makes of `+`, becomes `+`.
fn percent_decode(text: &str) -> Result<String> {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = |at: usize| bytes.get(at).and_then(|&h| char::from(h).to_digit(16));
            let (Some(hi), Some(lo)) = (hex(i + 1), hex(i + 2)) else {
                return Err(invalid("a '%' in the data parameter is not followed by two hex digits").at(i));
            };
            out.push(char::from((hi * 16 + lo) as u8));
            i += 3;
        } else {
            out.push(if b == b' ' { '+' } else { char::from(b) });
            i += 1;
        }
    }
    Ok(out)
}

/// Standard or URL-safe base64, padded or not (padding only at the end, at most two `=`).
fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let body = text.trim_end_matches('=');
    if text.len() - body.len() > 2 {
        return None;
    }
    let url_safe: String = body
        .chars()
        .map(|c| match c {
            '+' => '-',
            '/' => '_',
            c => c,
        })
        .collect();
    crate::codec::base64url_decode(&url_safe)
}

/// One `OtpParameters` message.
fn account(bytes: &[u8]) -> Result<OtpAuthUri> {
    let mut secret: &[u8] = &[];
    let (mut name, mut issuer) = (String::new(), String::new());
    let (mut algorithm, mut digits, mut kind, mut counter) = (0u64, 0u64, 0u64, 0u64);
    let mut reader = Reader(bytes);
    while let Some((field, value)) = reader.field()? {
        match (field, value) {
            (1, Value::Bytes(b)) => secret = b,
            (2, Value::Bytes(b)) => name = text(b, "name")?,
            (3, Value::Bytes(b)) => issuer = text(b, "issuer")?,
            (4, Value::Varint(v)) => algorithm = v,
            (5, Value::Varint(v)) => digits = v,
            (6, Value::Varint(v)) => kind = v,
            (7, Value::Varint(v)) => counter = v,
            (1..=7, _) => return Err(invalid("an account field has the wrong wire type")),
            _ => {} // unknown fields are skipped, as protobuf readers do
        }
    }
    let secret = Secret::from_bytes(secret)?.to_base32();
    let algorithm = match algorithm {
        0 | 1 => Algorithm::Sha1,
        2 => Algorithm::Sha256,
        3 => Algorithm::Sha512,
        4 => return Err(invalid("an account uses MD5, which HOTP/TOTP does not support")),
        n => return Err(invalid(&msg(&["unknown algorithm value ", &decimal(n)]))),
    };
    let digits = match digits {
        0 | 1 => 6,
        2 => 8,
        n => return Err(invalid(&msg(&["unknown digit count value ", &decimal(n)]))),
    };
    let (kind, counter) = match kind {
        0 | 2 => (OtpKind::Totp, None),
        // int64 on the wire: a negative counter is a 10-byte varint with the top bit set.
        1 if counter > i64::MAX as u64 => return Err(invalid("an HOTP account has a negative counter")),
        1 => (OtpKind::Hotp, Some(counter)),
        n => return Err(invalid(&msg(&["unknown OTP type value ", &decimal(n)]))),
    };
    // Google Authenticator keeps the label of the original URI as the name: "Issuer:account".
    let (label_issuer, account) = match name.split_once(':') {
        Some((prefix, rest)) if issuer.is_empty() || prefix.trim() == issuer.trim() => (prefix.trim(), rest.trim()),
        _ => ("", name.trim()),
    };
    let issuer = if issuer.trim().is_empty() { label_issuer } else { issuer.trim() };
    let account = if account.is_empty() { issuer } else { account };
    if account.is_empty() {
        return Err(invalid("an account has neither a name nor an issuer"));
    }
    Ok(OtpAuthUri {
        kind,
        secret,
        account: account.into(),
        issuer: (!issuer.is_empty()).then(|| issuer.into()),
        algorithm,
        digits,
        period: 30,
        counter,
        extra: Vec::new(),
    })
}

fn text(bytes: &[u8], what: &str) -> Result<String> {
    String::from_utf8(bytes.to_vec()).map_err(|_| invalid(&msg(&["an account's ", what, " is not UTF-8 text"])))
}

/// A field's value: varints (wire type 0) and length-delimited bytes (wire type 2) are kept,
/// fixed-size values (wire types 1 and 5) only skipped.
enum Value<'a> {
    Varint(u64),
    Bytes(&'a [u8]),
    Fixed,
}

/// A protocol-buffer reader over a byte slice; every read is bounds-checked.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    /// The next field number and value, `None` at the end.
    fn field(&mut self) -> Result<Option<(u64, Value<'a>)>> {
        if self.0.is_empty() {
            return Ok(None);
        }
        let key = self.varint()?;
        let number = key >> 3;
        if number == 0 {
            return Err(invalid("the data has a field number 0 (not protocol-buffer data)"));
        }
        let value = match key & 7 {
            0 => Value::Varint(self.varint()?),
            1 => self.take(8).map(|_| Value::Fixed)?,
            2 => {
                let len = usize::try_from(self.varint()?).unwrap_or(usize::MAX);
                Value::Bytes(self.take(len)?)
            }
            5 => self.take(4).map(|_| Value::Fixed)?,
            _ => return Err(invalid("the data uses an unsupported protocol-buffer wire type")),
        };
        Ok(Some((number, value)))
    }

    /// A base-128 varint of at most 10 bytes that fits in 64 bits.
    fn varint(&mut self) -> Result<u64> {
        let mut value = 0u64;
        for i in 0..10 {
            let (&byte, rest) = self.0.split_first().ok_or_else(|| invalid("the data is cut short"))?;
            self.0 = rest;
            if i == 9 && byte > 1 {
                return Err(invalid("the data has a number larger than 64 bits"));
            }
            value |= u64::from(byte & 0x7f) << (7 * i);
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(invalid("the data has a number larger than 64 bits"))
    }

    fn take(&mut self, len: usize) -> Result<&'a [u8]> {
        if len > self.0.len() {
            return Err(invalid("the data is cut short"));
        }
        let (head, rest) = self.0.split_at(len);
        self.0 = rest;
        Ok(head)
    }
}
