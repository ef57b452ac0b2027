//! The crate's one error type: a stable [`ErrorKind`] plus the detail a person needs to fix it.
//!
//! Messages are built by concatenation rather than `format!`, so the wasm build does not carry
//! `core::fmt` just to report bad input.

use alloc::string::String;

/// What went wrong, as a stable category. [`ErrorKind::code`] is the string JS callers see.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A parameter has the wrong type or is out of its documented range.
    InvalidArgument,
    /// The secret is empty, not base32, or has an impossible length.
    InvalidSecret,
    /// The number of digits is outside 6..=10.
    InvalidDigits,
    /// The period is zero or too large.
    InvalidPeriod,
    /// The hash algorithm is not SHA1, SHA256 or SHA512.
    InvalidAlgorithm,
    /// The time is negative (before 1970), not finite, or too large.
    InvalidTime,
    /// The counter is negative, not an integer, or does not fit in 64 bits.
    InvalidCounter,
    /// An `otpauth://` URI could not be parsed or built.
    InvalidUri,
    /// The text does not fit in the largest QR code at the chosen error-correction level.
    QrDataTooLong,
    /// A stored 2FA state is corrupt, truncated, or from a newer version of this library.
    InvalidState,
    /// The platform's CSPRNG failed (no `crypto.getRandomValues`, for example).
    RandomUnavailable,
}

impl ErrorKind {
    /// The stable code, e.g. `"INVALID_SECRET"`: switch on this, never on the message.
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
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self { kind, message: message.into(), position: None }
    }

    /// Attaches the character index (0-based, in `char`s of the original input) of the problem.
    pub fn at(mut self, position: usize) -> Self {
        self.position = Some(position);
        self
    }

    /// The stable category.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// Shorthand for `self.kind().code()`.
    pub fn code(&self) -> &'static str {
        self.kind.code()
    }

    /// What was wrong and what to do about it.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Index of the offending character in the input, where one is to blame.
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
