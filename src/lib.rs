//! # totp-wasm
//!
//! One-time passwords for two-factor authentication: HOTP ([RFC 4226]) and TOTP ([RFC 6238])
//! with SHA-1, SHA-256 and SHA-512, `otpauth://` enrollment URIs, and enrollment QR codes
//! rendered locally, as a pure Rust core that also compiles to WebAssembly (the npm package
//! `totp-wasm`).
//!
//! The core has no clock and no global random source: times (Unix seconds) and randomness
//! ([`RandomSource`]) are arguments, so everything is testable with fixed values.
//!
//! Beyond codes, it has what a server needs around them: verification with replay rejection
//! and throttling over a stored per-user [`UserState`] ([`verify_code`], [`Policy`]), recovery
//! and removal codes ([`generate_recovery_codes`]), and the import of Google Authenticator's
//! export ([`parse_migration_uri`]). Features: `qr` (default) renders QR codes (`qr_svg`);
//! `scan` reads them from images (`scan_rgba`, `scan_gray`).
//!
//! ```
//! use totp_wasm::{OsRandom, OtpOptions, Secret, Totp, UriBuilder, totp};
//!
//! // Enrollment: a new 160-bit secret and the URI an authenticator app scans.
//! let secret = Secret::generate(20, &mut OsRandom).unwrap();
//! let uri = UriBuilder::totp(&secret, "alice@example.com").issuer("Example").build().unwrap();
//! assert!(uri.starts_with("otpauth://totp/Example:alice@example.com?secret="));
//!
//! // Login: verify the code the person typed, one step either side for clock drift.
//! let now = 1_700_000_000;
//! let code = totp(&secret, now, &OtpOptions::default()).unwrap();
//! let totp = Totp::new(secret, OtpOptions::default()).unwrap();
//! assert_eq!(totp.verify(&code, now, 1).unwrap(), Some(0));
//! ```
//!
//! [RFC 4226]: https://www.rfc-editor.org/rfc/rfc4226
//! [RFC 6238]: https://www.rfc-editor.org/rfc/rfc6238


extern crate alloc;

mod algorithm;
mod codec;
mod enroll;
mod error;
mod hotp;
mod migration;
mod policy;
#[cfg(feature = "qr")]
mod qr;
mod recovery;
mod resync;
#[cfg(feature = "scan")]
mod scan;
mod secret;
mod state;
mod throttle;
mod totp;
mod uri;
#[cfg(target_arch = "wasm32")]
pub mod wasm;

pub use algorithm::Algorithm;
pub use enroll::{Enrollment, start_enrollment, start_hotp_enrollment};
pub use error::{Error, ErrorKind, Result};
pub use hotp::{MAX_DIGITS, MAX_LOOK_AHEAD, MIN_DIGITS, OtpOptions, hotp, verify_hotp};
pub use migration::parse_migration_uri;
#[cfg(feature = "qr")]
pub use qr::{Ecc, MAX_QUIET_ZONE, QrMatrix, SvgOptions, qr_matrix, qr_svg};
pub use policy::{
    AttackBound, FactorSecret, MAX_DRIFT, MAX_RESYNC_LOOK_AHEAD, Outcome, Policy, confirm_enrollment, confirm_hotp_enrollment,
    verify_code,
};
pub use resync::resync;
pub use recovery::{
    IssuedCodes, MIN_SERVER_KEY_BYTES, RECOVERY_ALPHABET, RECOVERY_CODE_COUNT, RecoveryOutcome, generate_recovery_codes,
    normalise_recovery_code, use_recovery_code, use_removal_code,
};
#[cfg(feature = "scan")]
pub use scan::{MAX_SCAN_PIXELS, scan_gray, scan_rgba};
pub use secret::{
    DEFAULT_SECRET_BYTES, MAX_GENERATED_BYTES, MIN_GENERATED_BYTES, OsRandom, RandomSource, Secret,
    normalize_base32,
};
pub use state::{Factor, FactorKind, MAX_FACTORS, MAX_LABEL_BYTES, STATE_VERSION, UserState};
pub use throttle::{Failure, Throttle};
pub use totp::{MAX_WINDOW, Totp, counter_at, remaining_seconds, totp, verify_totp};
pub use uri::{OtpAuthUri, OtpKind, UriBuilder};
