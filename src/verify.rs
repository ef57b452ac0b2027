//! Stateless verification: is this code valid near this counter or time?
//!
//! A malformed code (empty, wrong length, anything but ASCII digits) is simply not valid: it
//! returns `Ok(None)`, never an error. Only bad *options* are errors. Candidate codes are all
//! computed and compared in constant time, so the time taken does not depend on how many
//! leading digits of a guess were right. Replay protection and throttling need state: see the
//! verifier-policy layer ([`crate::verify_code`]), which builds on the offsets returned here.

use crate::error::{Error, ErrorKind, Result, decimal, msg};
use crate::hotp::{Code, OtpOptions, check_digits, check_key, code_at};
use crate::totp::counter_at;

/// Largest TOTP window accepted, in steps either side (±10 steps is ±5 minutes at 30 s).
///
/// ```
/// use totp_wasm::{MAX_WINDOW, OtpOptions, verify_totp};
/// assert!(verify_totp(b"12345678901234567890", "287082", 59, MAX_WINDOW + 1, &OtpOptions::default()).is_err());
/// ```
pub const MAX_WINDOW: u64 = 10;
/// Largest HOTP look-ahead accepted: how many presses of the button ahead of the server's
/// counter a code may be.
///
/// ```
/// use totp_wasm::{MAX_LOOK_AHEAD, OtpOptions, verify_hotp};
/// assert!(verify_hotp(b"12345678901234567890", "287082", 0, MAX_LOOK_AHEAD + 1, &OtpOptions::default()).is_err());
/// ```
pub const MAX_LOOK_AHEAD: u64 = 100;

/// The step offset in `-window..=window` at which `code` is the TOTP code for `time`, or `None`.
///
/// Offsets nearer 0 win when two steps happen to share a code.
///
/// ```
/// use totp_wasm::{verify_totp, OtpOptions};
/// let key = b"12345678901234567890";
/// let options = OtpOptions::default();
/// assert_eq!(verify_totp(key, "287082", 59, 1, &options).unwrap(), Some(0));
/// assert_eq!(verify_totp(key, "287082", 89, 1, &options).unwrap(), Some(-1));
/// assert_eq!(verify_totp(key, "28708", 59, 1, &options).unwrap(), None); // malformed: not valid
/// ```
pub fn verify_totp(
    key: impl AsRef<[u8]>,
    code: &str,
    time: i64,
    window: u64,
    options: &OtpOptions,
) -> Result<Option<i64>> {
    let key = key.as_ref();
    check_key(key)?;
    options.validate()?;
    check_range("window", window, MAX_WINDOW)?;
    let step = counter_at(time, options.period)?;
    if !well_formed(code, options.digits) {
        return Ok(None);
    }
    let mut found: Option<i64> = None;
    // 0, -1, +1, -2, +2, …: the first match is the one nearest the current step. Every
    // candidate is computed, whether or not an earlier one matched.
    let offsets = core::iter::once(0).chain((1..=window as i64).flat_map(|d| [-d, d]));
    for offset in offsets {
        let Some(counter) = step.checked_add_signed(offset) else { continue };
        let candidate = code_at(key, counter, options.algorithm, options.digits)?;
        if ct_eq(&candidate, code.as_bytes()) && found.is_none() {
            found = Some(offset);
        }
    }
    Ok(found)
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
        if ct_eq(&candidate, code.as_bytes()) && found.is_none() {
            found = Some(offset);
        }
    }
    Ok(found)
}

fn check_range(name: &str, value: u64, max: u64) -> Result<()> {
    if value <= max {
        return Ok(());
    }
    Err(Error::new(
        ErrorKind::InvalidArgument,
        msg(&[name, " must be between 0 and ", &decimal(max), ", got ", &decimal(value)]),
    ))
}

/// Exactly `digits` ASCII digits. Fullwidth or other Unicode digits are not codes.
fn well_formed(code: &str, digits: u32) -> bool {
    code.len() == digits as usize && code.bytes().all(|b| b.is_ascii_digit())
}

/// Constant-time equality for equal-length inputs (lengths are public: the digit count).
fn ct_eq(candidate: &Code, given: &[u8]) -> bool {
    let expected = candidate.as_bytes();
    if expected.len() != given.len() {
        return false;
    }
    let diff = expected.iter().zip(given).fold(0u8, |acc, (a, b)| acc | (a ^ b));
    core::hint::black_box(diff) == 0
}
