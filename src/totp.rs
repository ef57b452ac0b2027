//! TOTP, RFC 6238: HOTP over the number of whole periods since the Unix epoch (T0 = 0).
//! Times are Unix seconds as `i64`: negative times (before 1970) are rejected, and times past
//! 2038 (2^31 s) and 2286 (10^10 s) work because the counter is 64-bit. Checking a code in a
//! window of steps around a time ([`verify_totp`]) lives here too.

use crate::error::{Error, ErrorKind, Result};
use crate::hotp::{OtpOptions, check_digits, check_key, check_period, check_range, code_at, ct_eq, well_formed};
use crate::secret::Secret;
use alloc::string::String;

/// Largest TOTP window accepted, in steps either side (±10 steps is ±5 minutes at 30 s).
///
/// ```
/// use totp_wasm::{MAX_WINDOW, OtpOptions, verify_totp};
/// assert!(verify_totp(b"12345678901234567890", "287082", 59, MAX_WINDOW + 1, &OtpOptions::default()).is_err());
/// ```
pub const MAX_WINDOW: u64 = 10;

/// The time step containing `time`: `floor(time / period)` (RFC 6238 §4.2).
///
/// ```
/// use totp_wasm::counter_at;
/// assert_eq!(counter_at(59, 30).unwrap(), 1);
/// assert!(counter_at(-1, 30).is_err()); // before 1970
/// ```
pub fn counter_at(time: i64, period: u64) -> Result<u64> {
    check_period(period)?;
    let time = u64::try_from(time).map_err(|_| {
        Error::new(ErrorKind::InvalidTime, "time is before 1970: pass Unix seconds, which are never negative")
    })?;
    Ok(time / period)
}

/// Seconds until the code at `time` changes: an integer in `1..=period`.
///
/// ```
/// use totp_wasm::remaining_seconds;
/// assert_eq!(remaining_seconds(59, 30).unwrap(), 1);
/// assert_eq!(remaining_seconds(60, 30).unwrap(), 30);
/// ```
pub fn remaining_seconds(time: i64, period: u64) -> Result<u64> {
    let step = counter_at(time, period)?;
    // time ≥ 0 here, and (step + 1) * period > time, so this neither overflows nor underflows
    // except when the next step boundary lies beyond u64::MAX seconds.
    let elapsed = time.unsigned_abs() - step * period;
    Ok(period - elapsed)
}

/// The TOTP code at `time` (Unix seconds).
///
/// ```
/// use totp_wasm::{totp, OtpOptions};
/// // RFC 6238 Appendix B, T = 59, SHA-1, 8 digits.
/// let options = OtpOptions { digits: 8, ..OtpOptions::default() };
/// assert_eq!(totp(b"12345678901234567890", 59, &options).unwrap(), "94287082");
/// ```
pub fn totp(key: impl AsRef<[u8]>, time: i64, options: &OtpOptions) -> Result<String> {
    let key = key.as_ref();
    check_key(key)?;
    check_digits(options.digits)?;
    let counter = counter_at(time, options.period)?;
    Ok(code_at(key, counter, options.algorithm, options.digits)?.into_string())
}

/// A TOTP generator and verifier for one secret, with its options checked once.
///
/// ```
/// use totp_wasm::{OtpOptions, Secret, Totp};
/// let secret = Secret::from_base32("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ").unwrap();
/// let totp = Totp::new(secret, OtpOptions::default()).unwrap();
/// let code = totp.generate(1_111_111_109).unwrap();
/// assert_eq!(code, "081804");
/// assert_eq!(totp.verify(&code, 1_111_111_109 + 30, 1).unwrap(), Some(-1));
/// assert_eq!(totp.verify("000000", 1_111_111_109, 1).unwrap(), None);
/// ```
#[derive(Debug, Clone)]
pub struct Totp {
    secret: Secret,
    options: OtpOptions,
}

impl Totp {
    /// Checks the options and keeps the secret.
    ///
    /// ```
    /// use totp_wasm::{OtpOptions, Secret, Totp};
    /// # fn main() -> Result<(), totp_wasm::Error> {
    /// let secret = Secret::from_base32("JBSWY3DPEHPK3PXP")?;
    /// // Bad options fail here, once, rather than on every code.
    /// assert!(Totp::new(secret.clone(), OtpOptions { digits: 4, ..OtpOptions::default() }).is_err());
    /// assert!(Totp::new(secret, OtpOptions::default()).is_ok());
    /// # Ok(()) }
    /// ```
    pub fn new(secret: Secret, options: OtpOptions) -> Result<Self> {
        options.validate()?;
        Ok(Self { secret, options })
    }

    /// The options codes are computed with.
    ///
    /// ```
    /// use totp_wasm::{OtpOptions, Secret, Totp, remaining_seconds};
    /// # fn main() -> Result<(), totp_wasm::Error> {
    /// let totp = Totp::new(Secret::from_base32("JBSWY3DPEHPK3PXP")?, OtpOptions::default())?;
    /// // E.g. for the countdown next to the code.
    /// assert_eq!(remaining_seconds(1_700_000_000, totp.options().period)?, 10);
    /// # Ok(()) }
    /// ```
    pub fn options(&self) -> &OtpOptions {
        &self.options
    }

    /// The secret.
    ///
    /// ```
    /// use totp_wasm::{OtpOptions, Secret, Totp, UriBuilder};
    /// # fn main() -> Result<(), totp_wasm::Error> {
    /// let totp = Totp::new(Secret::from_base32("JBSWY3DPEHPK3PXP")?, OtpOptions::default())?;
    /// // E.g. to show the enrollment URI again.
    /// let uri = UriBuilder::totp(totp.secret(), "alice").options(totp.options()).build()?;
    /// assert_eq!(uri, "otpauth://totp/alice?secret=JBSWY3DPEHPK3PXP");
    /// # Ok(()) }
    /// ```
    pub fn secret(&self) -> &Secret {
        &self.secret
    }

    /// The code at `time` (Unix seconds).
    ///
    /// ```
    /// use totp_wasm::{OtpOptions, Secret, Totp};
    /// # fn main() -> Result<(), totp_wasm::Error> {
    /// // RFC 6238 Appendix B, SHA-1, T = 1234567890 (2009-02-13 23:31:30 UTC).
    /// let secret = Secret::from_bytes(b"12345678901234567890")?;
    /// let totp = Totp::new(secret, OtpOptions { digits: 8, ..OtpOptions::default() })?;
    /// assert_eq!(totp.generate(1_234_567_890)?, "89005924");
    /// # Ok(()) }
    /// ```
    pub fn generate(&self, time: i64) -> Result<String> {
        totp(&self.secret, time, &self.options)
    }

    /// The step offset (in `-window..=window`) whose code equals `code`, or `None`.
    /// Stateless: use [`crate::verify_code`] for replay rejection and throttling.
    ///
    /// ```
    /// use totp_wasm::{OtpOptions, Secret, Totp};
    /// # fn main() -> Result<(), totp_wasm::Error> {
    /// let totp = Totp::new(Secret::from_bytes(b"12345678901234567890")?, OtpOptions::default())?;
    /// // Step 1's code, typed just after the step ended: only a window of 1 still accepts it.
    /// assert_eq!(totp.verify("287082", 61, 0)?, None);
    /// assert_eq!(totp.verify("287082", 61, 1)?, Some(-1));
    /// # Ok(()) }
    /// ```
    pub fn verify(&self, code: &str, time: i64, window: u64) -> Result<Option<i64>> {
        verify_totp(&self.secret, code, time, window, &self.options)
    }
}

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
    verify_totp_at(key, code, step, window, options)
}

/// [`verify_totp`] around a given step rather than a time (the policy centres the window on a
/// factor's learned drift). Options and window must be checked by the caller.
pub(crate) fn verify_totp_at(key: &[u8], code: &str, step: u64, window: u64, options: &OtpOptions) -> Result<Option<i64>> {
    if !well_formed(code, options.digits) {
        return Ok(None);
    }
    let mut found: Option<i64> = None;
    // 0, -1, +1, -2, +2, …: the first match is the one nearest the centre. Every candidate is
    // computed, whether or not an earlier one matched.
    let offsets = core::iter::once(0).chain((1..=window.min(MAX_WINDOW) as i64).flat_map(|d| [-d, d]));
    for offset in offsets {
        let Some(counter) = step.checked_add_signed(offset) else { continue };
        let candidate = code_at(key, counter, options.algorithm, options.digits)?;
        if ct_eq(candidate.as_bytes(), code.as_bytes()) && found.is_none() {
            found = Some(offset);
        }
    }
    Ok(found)
}
