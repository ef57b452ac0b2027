//! The crate's one error type: a stable [`ErrorKind`] plus the detail a person needs to fix it.
//!
//! Messages are built by concatenation rather than `format!`, so the wasm build does not carry
//! `core::fmt` just to report bad input.

use alloc::string::String;

/// What went wrong, as a stable category. [`ErrorKind::code`] is the string JS callers see.
///
/// ```
/// use totp_wasm::{ErrorKind, Secret};
/// let err = Secret::from_base32("JBSW0Y3D").unwrap_err();
/// // Branch on the kind, never on the message. New kinds may come (the enum is
/// // non-exhaustive), so keep a catch-all arm.
/// let advice = match err.kind() {
///     ErrorKind::InvalidSecret => "check the key for typos",
///     ErrorKind::RandomUnavailable => "try another browser",
///     _ => "contact support",
/// };
/// assert_eq!(advice, "check the key for typos");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A parameter has the wrong type or is out of its documented range.
    ///
    /// ```
    /// use totp_wasm::{ErrorKind, OtpOptions, verify_totp};
    /// // A window of ±11 steps is beyond `MAX_WINDOW`.
    /// let err = verify_totp(b"12345678901234567890", "287082", 59, 11, &OtpOptions::default()).unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    /// ```
    InvalidArgument,
    /// The secret is empty, not base32, or has an impossible length.
    ///
    /// ```
    /// use totp_wasm::{ErrorKind, Secret};
    /// // Eight characters hold 5 bytes; three cannot end on a whole byte.
    /// assert_eq!(Secret::from_base32("JBS").unwrap_err().kind(), ErrorKind::InvalidSecret);
    /// ```
    InvalidSecret,
    /// The number of digits is outside 6..=10.
    ///
    /// ```
    /// use totp_wasm::{ErrorKind, OtpOptions};
    /// let options = OtpOptions { digits: 4, ..OtpOptions::default() }; // RFC 4226 asks for 6 or more
    /// assert_eq!(options.validate().unwrap_err().kind(), ErrorKind::InvalidDigits);
    /// ```
    InvalidDigits,
    /// The period is zero or too large.
    ///
    /// ```
    /// use totp_wasm::{ErrorKind, counter_at};
    /// assert_eq!(counter_at(59, 0).unwrap_err().kind(), ErrorKind::InvalidPeriod); // a zero-second step
    /// ```
    InvalidPeriod,
    /// The hash algorithm is not SHA1, SHA256 or SHA512.
    ///
    /// ```
    /// use totp_wasm::{Algorithm, ErrorKind};
    /// assert_eq!(Algorithm::parse("MD5").unwrap_err().kind(), ErrorKind::InvalidAlgorithm);
    /// ```
    InvalidAlgorithm,
    /// The time is negative (before 1970), not finite, or too large.
    ///
    /// ```
    /// use totp_wasm::{ErrorKind, OtpOptions, totp};
    /// // Unix seconds are never negative: a negative time is a bug in the caller's clock code.
    /// let err = totp(b"12345678901234567890", -1, &OtpOptions::default()).unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::InvalidTime);
    /// ```
    InvalidTime,
    /// The counter is negative, not an integer, or does not fit in 64 bits.
    ///
    /// ```
    /// use totp_wasm::{ErrorKind, OtpAuthUri};
    /// let err = OtpAuthUri::parse("otpauth://hotp/bob?secret=JBSWY3DPEHPK3PXP&counter=-1").unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::InvalidCounter);
    /// ```
    InvalidCounter,
    /// An `otpauth://` URI could not be parsed or built.
    ///
    /// ```
    /// use totp_wasm::{ErrorKind, OtpAuthUri};
    /// let err = OtpAuthUri::parse("otpauth://totp/alice").unwrap_err(); // no secret
    /// assert_eq!(err.kind(), ErrorKind::InvalidUri);
    /// ```
    InvalidUri,
    /// The text does not fit in the largest QR code at the chosen error-correction level.
    ///
    /// ```
    /// # #[cfg(feature = "qr")] {
    /// use totp_wasm::{Ecc, ErrorKind, qr_matrix};
    /// // The largest symbol holds 2953 bytes at level L, fewer at higher levels.
    /// let err = qr_matrix(&"x".repeat(3000), Ecc::L).unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::QrDataTooLong);
    /// # }
    /// ```
    QrDataTooLong,
    /// A stored 2FA state is corrupt, truncated, or from a newer version of this library.
    ///
    /// ```
    /// use totp_wasm::{ErrorKind, UserState};
    /// // Never a silent reset: that would reopen used codes and drop the lockout.
    /// assert_eq!(UserState::decode("AQAA").unwrap_err().kind(), ErrorKind::InvalidState);
    /// ```
    InvalidState,
    /// The platform's CSPRNG failed (no `crypto.getRandomValues`, for example).
    ///
    /// ```
    /// use totp_wasm::{Error, ErrorKind, RandomSource, Secret};
    /// // A RandomSource of your own reports its failure with this kind.
    /// struct Broken;
    /// impl RandomSource for Broken {
    ///     fn fill(&mut self, _: &mut [u8]) -> totp_wasm::Result<()> {
    ///         Err(Error::new(ErrorKind::RandomUnavailable, "the entropy service is down"))
    ///     }
    /// }
    /// assert_eq!(Secret::generate(20, &mut Broken).unwrap_err().kind(), ErrorKind::RandomUnavailable);
    /// ```
    RandomUnavailable,
}

impl ErrorKind {
    /// The stable code, e.g. `"INVALID_SECRET"`: switch on this, never on the message.
    ///
    /// ```
    /// use totp_wasm::ErrorKind;
    /// assert_eq!(ErrorKind::QrDataTooLong.code(), "QR_DATA_TOO_LONG"); // JS: `OtpError.code`
    /// ```
    pub const fn code(self) -> &'static str {
        match self {
            Self::InvalidArgument => "INVALID_ARGUMENT",
            Self::InvalidSecret => "INVALID_SECRET",
            Self::InvalidDigits => "INVALID_DIGITS",
            Self::InvalidPeriod => "INVALID_PERIOD",
            Self::InvalidAlgorithm => "INVALID_ALGORITHM",
            Self::InvalidTime => "INVALID_TIME",
            Self::InvalidCounter => "INVALID_COUNTER",
            Self::InvalidUri => "INVALID_URI",
            Self::QrDataTooLong => "QR_DATA_TOO_LONG",
            Self::InvalidState => "INVALID_STATE",
            Self::RandomUnavailable => "RANDOM_UNAVAILABLE",
        }
    }
}

/// An error with a kind, a message a person can act on and, for bad characters, the position.
///
/// ```
/// use totp_wasm::{ErrorKind, Secret};
/// let err = Secret::from_base32("JBSW1").unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::InvalidSecret);
/// assert_eq!(err.position(), Some(4));
/// assert!(err.message().contains("'1'"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    message: String,
    position: Option<usize>,
}

impl Error {
    /// An error of `kind` with a ready message.
    ///
    /// ```
    /// use totp_wasm::{Error, ErrorKind};
    /// // For a RandomSource of your own, or to report your own checks the way the crate does.
    /// let err = Error::new(ErrorKind::InvalidArgument, "the label is too long");
    /// assert_eq!(err.to_string(), "INVALID_ARGUMENT: the label is too long");
    /// ```
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self { kind, message: message.into(), position: None }
    }

    /// Attaches the character index (0-based, in `char`s of the original input) of the problem.
    ///
    /// ```
    /// use totp_wasm::{Error, ErrorKind};
    /// let err = Error::new(ErrorKind::InvalidArgument, "a label may not contain a tab").at(5);
    /// assert_eq!(err.position(), Some(5)); // a form can put the cursor there
    /// ```
    pub fn at(mut self, position: usize) -> Self {
        self.position = Some(position);
        self
    }

    /// The stable category.
    ///
    /// ```
    /// use totp_wasm::{ErrorKind, OtpOptions};
    /// let err = OtpOptions { period: 0, ..OtpOptions::default() }.validate().unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::InvalidPeriod);
    /// ```
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// Shorthand for `self.kind().code()`.
    ///
    /// ```
    /// use totp_wasm::Algorithm;
    /// assert_eq!(Algorithm::parse("MD5").unwrap_err().code(), "INVALID_ALGORITHM");
    /// ```
    pub fn code(&self) -> &'static str {
        self.kind.code()
    }

    /// What was wrong and what to do about it.
    ///
    /// ```
    /// use totp_wasm::Secret;
    /// // Separators are ignored, so this is empty, not malformed.
    /// assert_eq!(Secret::from_base32(" - ").unwrap_err().message(), "the secret is empty");
    /// ```
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Index of the offending character in the input, where one is to blame.
    ///
    /// ```
    /// use totp_wasm::Secret;
    /// // Counted in the input as typed, separators included.
    /// let err = Secret::from_base32("JBSW Y3D8").unwrap_err();
    /// assert_eq!(err.position(), Some(8));
    /// assert!(err.message().contains("did you mean the letter B?"));
    /// ```
    pub fn position(&self) -> Option<usize> {
        self.position
    }
}

impl core::fmt::Display for Error {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.code())?;
        f.write_str(": ")?;
        f.write_str(&self.message)
    }
}

impl core::error::Error for Error {}

/// The crate's result type.
///
/// ```
/// use totp_wasm::{Result, Secret};
/// // Helpers of your own can return it and use `?` on every call of the crate.
/// fn key_bytes(base32: &str) -> Result<usize> {
///     Ok(Secret::from_base32(base32)?.as_bytes().len())
/// }
/// assert_eq!(key_bytes("JBSWY3DPEHPK3PXP").unwrap(), 10);
/// assert!(key_bytes("JBSW1").is_err());
/// ```
pub type Result<T> = core::result::Result<T, Error>;

/// Decimal text of `n` without `core::fmt` (keeps error paths small in wasm).
pub(crate) fn decimal(mut n: u64) -> String {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        if let Some(slot) = buf.get_mut(i) {
            *slot = b'0' + (n % 10) as u8;
        }
        n /= 10;
        if n == 0 || i == 0 {
            break;
        }
    }
    buf.get(i..).map(|d| d.iter().map(|&b| b as char).collect()).unwrap_or_default()
}

/// Builds a message from parts: `msg(&["digits must be 6..=10, got ", &decimal(4)])`.
pub(crate) fn msg(parts: &[&str]) -> String {
    let mut s = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for p in parts {
        s.push_str(p);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn decimal_matches_std() {
        for n in [0u64, 7, 10, 99, 1_000_000, u64::MAX] {
            assert_eq!(decimal(n), n.to_string());
        }
    }

    #[test]
    fn codes_are_stable() {
        assert_eq!(ErrorKind::InvalidSecret.code(), "INVALID_SECRET");
        assert_eq!(ErrorKind::QrDataTooLong.code(), "QR_DATA_TOO_LONG");
    }
}
