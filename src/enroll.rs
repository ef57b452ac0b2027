//! Enrollment: a new secret with everything the setup screen shows (the otpauth URI for the QR
//! code, and for manual entry the account name, the key in groups of four and the type).
//! Confirmation, which adds the factor to a user's state, is [`crate::confirm_enrollment`].

use crate::error::{Error, ErrorKind, Result};
use crate::hotp::OtpOptions;
use crate::secret::{DEFAULT_SECRET_BYTES, RandomSource, Secret};
use crate::uri::UriBuilder;
use alloc::string::String;

/// What a setup screen shows for a new authenticator. The secret must be kept (encrypted, with
/// an expiry) until the person confirms a code, then stored with the factor.
///
/// ```
/// use totp_wasm::{OsRandom, OtpOptions, Secret, start_enrollment};
/// # fn main() -> Result<(), totp_wasm::Error> {
/// let e = start_enrollment(" Example ", "alice@example.com", &OtpOptions::default(), &mut OsRandom)?;
/// // Manual entry for people who cannot scan: trimmed names, the key in 8 groups of four.
/// assert_eq!((e.issuer.as_str(), e.account.as_str()), ("Example", "alice@example.com"));
/// assert_eq!(e.key.split(' ').count(), 8);
/// // Typed back in, the grouped key is the same secret.
/// assert_eq!(Secret::from_base32(&e.key)?, e.secret);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Enrollment {
    /// The new secret (160 bits).
    pub secret: Secret,
    /// The `otpauth://totp/…` URI to show as a QR code.
    pub uri: String,
    /// Manual entry: the account name.
    pub account: String,
    /// Manual entry: the issuer.
    pub issuer: String,
    /// Manual entry: the key in groups of four, `ABCD EFGH …`.
    pub key: String,
    /// Manual entry: the type, `"Time based"` or `"Counter based"`.
    pub kind: &'static str,
}

/// Starts the enrollment of an HOTP (counter-based) authenticator, counter 0, with a new
/// 160-bit secret from `rng`. Confirm it with [`crate::confirm_hotp_enrollment`].
///
/// ```
/// use totp_wasm::{OsRandom, OtpOptions, start_hotp_enrollment};
/// let e = start_hotp_enrollment("Example", "alice@example.com", &OtpOptions::default(), &mut OsRandom).unwrap();
/// assert!(e.uri.starts_with("otpauth://hotp/Example:alice@example.com?secret="));
/// assert!(e.uri.ends_with("&counter=0"));
/// assert_eq!(e.kind, "Counter based");
/// ```
pub fn start_hotp_enrollment(
    issuer: &str,
    account: &str,
    options: &OtpOptions,
    rng: &mut impl RandomSource,
) -> Result<Enrollment> {
    let mut e = start_enrollment(issuer, account, options, rng)?;
    e.uri = UriBuilder::hotp(&e.secret, &e.account, 0).issuer(&e.issuer).options(options).build()?;
    e.kind = "Counter based";
    Ok(e)
}

/// Starts an enrollment with a new 160-bit secret from `rng`.
///
/// ```
/// use totp_wasm::{OsRandom, OtpOptions, start_enrollment};
/// let e = start_enrollment("Example", "alice@example.com", &OtpOptions::default(), &mut OsRandom).unwrap();
/// assert!(e.uri.starts_with("otpauth://totp/Example:alice@example.com?secret="));
/// assert_eq!(e.key.replace(' ', ""), e.secret.to_base32());
/// assert_eq!(e.kind, "Time based");
/// ```
pub fn start_enrollment(
    issuer: &str,
    account: &str,
    options: &OtpOptions,
    rng: &mut impl RandomSource,
) -> Result<Enrollment> {
    options.validate()?;
    let (issuer, account) = (issuer.trim(), account.trim());
    if issuer.is_empty() || account.is_empty() {
        return Err(Error::new(ErrorKind::InvalidArgument, "issuer and account are required for enrollment"));
    }
    let secret = Secret::generate(DEFAULT_SECRET_BYTES, rng)?;
    let uri = UriBuilder::totp(&secret, account).issuer(issuer).options(options).build()?;
    Ok(Enrollment {
        key: secret.to_grouped_base32(),
        secret,
        uri,
        account: account.into(),
        issuer: issuer.into(),
        kind: "Time based",
    })
}
