//! HOTP, RFC 4226: HMAC over a big-endian 8-byte counter, dynamic truncation (§5.3), and the
//! decimal code zero-padded to the chosen number of digits; and its check with a look-ahead
//! (§7.4). A malformed code (empty, wrong length, anything but ASCII digits) is simply not
//! valid: `Ok(None)`, never an error. Candidates are all computed and compared in constant time,
//! so the time taken does not depend on how many leading digits of a guess were right. Replay
//! protection and throttling need state: see [`crate::verify_code`].

use crate::algorithm::Algorithm;
use crate::error::{Error, ErrorKind, Result, decimal, msg};
use alloc::string::String;

/// Shortest code allowed (RFC 4226 §5.3 requires at least 6 digits).
///
/// ```
/// use totp_wasm::{MIN_DIGITS, OtpOptions};
/// assert!(OtpOptions { digits: MIN_DIGITS - 1, ..OtpOptions::default() }.validate().is_err());
/// ```
pub const MIN_DIGITS: u32 = 6;
/// Longest code allowed: a 31-bit truncated value has at most 10 decimal digits.
///
/// ```
/// use totp_wasm::{MAX_DIGITS, OtpOptions, hotp};
/// # fn main() -> Result<(), totp_wasm::Error> {
/// // RFC 4226 Appendix D, counter 1: at 10 digits the code is the whole truncated value.
/// let options = OtpOptions { digits: MAX_DIGITS, ..OtpOptions::default() };
/// assert_eq!(hotp(b"12345678901234567890", 1, &options)?, "1094287082");
/// # Ok(()) }
/// ```
pub const MAX_DIGITS: u32 = 10;
/// Largest HOTP look-ahead accepted: how many presses of the button ahead of the server's
/// counter a code may be.
///
/// ```
/// use totp_wasm::{MAX_LOOK_AHEAD, OtpOptions, verify_hotp};
/// assert!(verify_hotp(b"12345678901234567890", "287082", 0, MAX_LOOK_AHEAD + 1, &OtpOptions::default()).is_err());
/// ```
pub const MAX_LOOK_AHEAD: u64 = 100;


/// How codes are computed: algorithm, length and (for TOTP) the time step.
///
/// The default, SHA-1 / 6 digits / 30 s, is the only combination every authenticator app
/// honours (Google Authenticator ignores the URI's `algorithm`, `digits` and `period`).
///
/// ```
/// use totp_wasm::{Algorithm, OtpOptions, totp};
/// # fn main() -> Result<(), totp_wasm::Error> {
/// let options = OtpOptions::default();
/// assert_eq!((options.algorithm, options.digits, options.period), (Algorithm::Sha1, 6, 30));
/// // Eight digits: the same HMAC, truncated less (RFC 6238 Appendix B, T = 59).
/// let eight = OtpOptions { digits: 8, ..options };
/// assert_eq!(totp(b"12345678901234567890", 59, &eight)?, "94287082");
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct OtpOptions {
    /// HMAC hash function.
    pub algorithm: Algorithm,
    /// Number of digits, 6..=10.
    pub digits: u32,
    /// TOTP time step in seconds, ≥ 1 (ignored by HOTP).
    pub period: u64,
}

impl Default for OtpOptions {
    fn default() -> Self {
        Self { algorithm: Algorithm::Sha1, digits: 6, period: 30 }
    }
}

impl OtpOptions {
    /// Checks the digit count and the period.
    ///
    /// ```
    /// use totp_wasm::{ErrorKind, OtpOptions};
    /// // Options from a configuration file or a form: check them once, up front.
    /// assert!(OtpOptions::default().validate().is_ok());
    /// let options = OtpOptions { period: 0, ..OtpOptions::default() };
    /// assert_eq!(options.validate().unwrap_err().kind(), ErrorKind::InvalidPeriod);
    /// ```
    pub fn validate(&self) -> Result<()> {
        check_digits(self.digits)?;
        check_period(self.period)
    }
}

/// Rejects digit counts outside 6..=10.
pub(crate) fn check_digits(digits: u32) -> Result<()> {
    if (MIN_DIGITS..=MAX_DIGITS).contains(&digits) {
        return Ok(());
    }
    Err(Error::new(
        ErrorKind::InvalidDigits,
        msg(&["digits must be between 6 and 10 (6 is the usual choice), got ", &decimal(digits.into())]),
    ))
}

/// Rejects a zero period.
pub(crate) fn check_period(period: u64) -> Result<()> {
    if period >= 1 {
        return Ok(());
    }
    Err(Error::new(ErrorKind::InvalidPeriod, "period must be at least 1 second (30 is the usual choice)"))
}

/// Rejects an empty key: every real service issues at least 80 bits.
pub(crate) fn check_key(key: &[u8]) -> Result<()> {
    if key.is_empty() {
        return Err(Error::new(ErrorKind::InvalidSecret, "the secret is empty"));
    }
    Ok(())
}

/// A code as fixed-size ASCII digits, so verification compares without allocating.
#[derive(Clone, Copy)]
pub(crate) struct Code {
    digits: [u8; MAX_DIGITS as usize],
    len: usize,
}

impl Code {
    pub(crate) fn as_bytes(&self) -> &[u8] {
        self.digits.get(..self.len).unwrap_or(&[])
    }

    pub(crate) fn into_string(self) -> String {
        self.as_bytes().iter().map(|&b| b as char).collect()
    }
}

/// Computes the code for `counter` without validating options (callers have).
pub(crate) fn code_at(key: &[u8], counter: u64, algorithm: Algorithm, digits: u32) -> Result<Code> {
    let mac = algorithm.hmac(key, &counter.to_be_bytes())?;
    let mut value = u64::from(truncate(mac.as_bytes())?);
    let mut code = Code { digits: [b'0'; MAX_DIGITS as usize], len: digits as usize };
    // Write the decimal value right-aligned; the leading '0's are the zero padding.
    for slot in code.digits.iter_mut().take(code.len).rev() {
        *slot = b'0' + (value % 10) as u8;
        value /= 10;
    }
    Ok(code)
}

/// Dynamic truncation, RFC 4226 §5.3: the low 4 bits of the last byte pick 4 bytes of the MAC,
/// read big-endian with the top bit cleared (a 31-bit value).
fn truncate(mac: &[u8]) -> Result<u32> {
    let last = mac.last().copied().unwrap_or(0);
    let offset = usize::from(last & 0x0f);
    match mac.get(offset..offset + 4) {
        Some(&[a, b, c, d]) => Ok(u32::from_be_bytes([a & 0x7f, b, c, d])),
        _ => Err(Error::new(ErrorKind::InvalidArgument, "HMAC output too short to truncate")),
    }
}

/// The HOTP code for `counter` (RFC 4226).
///
/// ```
/// use totp_wasm::{hotp, OtpOptions};
/// // RFC 4226 Appendix D, counter 1.
/// assert_eq!(hotp(b"12345678901234567890", 1, &OtpOptions::default()).unwrap(), "287082");
/// ```
pub fn hotp(key: impl AsRef<[u8]>, counter: u64, options: &OtpOptions) -> Result<String> {
    let key = key.as_ref();
    check_key(key)?;
    check_digits(options.digits)?;
    Ok(code_at(key, counter, options.algorithm, options.digits)?.into_string())
}

/// The offset in `0..=look_ahead` past `counter` at which `code` is the HOTP code, or `None`.
///
/// ```
/// use totp_wasm::{verify_hotp, OtpOptions};
/// let key = b"12345678901234567890";
/// let options = OtpOptions::default();
/// assert_eq!(verify_hotp(key, "359152", 2, 0, &options).unwrap(), Some(0));
/// assert_eq!(verify_hotp(key, "969429", 2, 1, &options).unwrap(), Some(1));
/// assert_eq!(verify_hotp(key, "969429", 2, 0, &options).unwrap(), None);
/// ```
pub fn verify_hotp(
    key: impl AsRef<[u8]>,
    code: &str,
    counter: u64,
    look_ahead: u64,
    options: &OtpOptions,
) -> Result<Option<u64>> {
    let key = key.as_ref();
    check_key(key)?;
    check_digits(options.digits)?;
    check_range("lookAhead", look_ahead, MAX_LOOK_AHEAD)?;
    if !well_formed(code, options.digits) {
        return Ok(None);
    }
    let mut found = None;
    for offset in 0..=look_ahead {
        let Some(c) = counter.checked_add(offset) else { break };
        let candidate = code_at(key, c, options.algorithm, options.digits)?;
        if ct_eq(candidate.as_bytes(), code.as_bytes()) && found.is_none() {
            found = Some(offset);
        }
    }
    Ok(found)
}

pub(crate) fn check_range(name: &str, value: u64, max: u64) -> Result<()> {
    if value <= max {
        return Ok(());
    }
    Err(Error::new(
        ErrorKind::InvalidArgument,
        msg(&[name, " must be between 0 and ", &decimal(max), ", got ", &decimal(value)]),
    ))
}

/// Exactly `digits` ASCII digits. Fullwidth or other Unicode digits are not codes.
pub(crate) fn well_formed(code: &str, digits: u32) -> bool {
    code.len() == digits as usize && code.bytes().all(|b| b.is_ascii_digit())
}

/// Constant-time equality: the one compare for codes and code hashes. Lengths are public (the
/// digit count, or 32 for a hash), so only the content is compared without early exit.
pub(crate) fn ct_eq(expected: &[u8], given: &[u8]) -> bool {
    if expected.len() != given.len() {
        return false;
    }
    let diff = expected.iter().zip(given).fold(0u8, |acc, (a, b)| acc | (a ^ b));
    core::hint::black_box(diff) == 0
}
