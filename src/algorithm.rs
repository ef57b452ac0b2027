//! The HMAC hash functions of RFC 6238 §1.2: SHA-1 (the only one every authenticator app
//! honours), SHA-256 and SHA-512.

use crate::error::{Error, ErrorKind, Result, msg};
use hmac::{Hmac, KeyInit, Mac};

/// The HMAC hash function used to compute codes. `Sha1` is the default and the only choice that
/// Google Authenticator and many other apps honour; they silently use SHA-1 whatever the URI says.
///
/// ```
/// use totp_wasm::{Algorithm, OtpOptions};
/// # fn main() -> Result<(), totp_wasm::Error> {
/// assert_eq!(OtpOptions::default().algorithm, Algorithm::Sha1);
/// // The names round-trip, as they do through an otpauth URI's `algorithm=`.
/// for algorithm in [Algorithm::Sha1, Algorithm::Sha256, Algorithm::Sha512] {
///     assert_eq!(Algorithm::parse(algorithm.name())?, algorithm);
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Algorithm {
    /// HMAC-SHA-1 (RFC 4226; 20-byte MAC).
    ///
    /// ```
    /// use totp_wasm::{Algorithm, OtpOptions, totp};
    /// # fn main() -> Result<(), totp_wasm::Error> {
    /// // RFC 6238 Appendix B, T = 59: the SHA-1 vectors use a 20-byte key.
    /// let options = OtpOptions { algorithm: Algorithm::Sha1, digits: 8, period: 30 };
    /// assert_eq!(totp(b"12345678901234567890", 59, &options)?, "94287082");
    /// # Ok(()) }
    /// ```
    #[default]
    Sha1,
    /// HMAC-SHA-256 (RFC 6238; 32-byte MAC).
    ///
    /// ```
    /// use totp_wasm::{Algorithm, OtpOptions, totp};
    /// # fn main() -> Result<(), totp_wasm::Error> {
    /// // RFC 6238 Appendix B, T = 59: the SHA-256 vectors use a 32-byte key.
    /// let options = OtpOptions { algorithm: Algorithm::Sha256, digits: 8, period: 30 };
    /// assert_eq!(totp(b"12345678901234567890123456789012", 59, &options)?, "46119246");
    /// # Ok(()) }
    /// ```
    Sha256,
    /// HMAC-SHA-512 (RFC 6238; 64-byte MAC).
    ///
    /// ```
    /// use totp_wasm::{Algorithm, OtpOptions, totp};
    /// # fn main() -> Result<(), totp_wasm::Error> {
    /// // RFC 6238 Appendix B, T = 59: the SHA-512 vectors use a 64-byte key.
    /// let key = b"1234567890123456789012345678901234567890123456789012345678901234";
    /// let options = OtpOptions { algorithm: Algorithm::Sha512, digits: 8, period: 30 };
    /// assert_eq!(totp(key, 59, &options)?, "90693936");
    /// # Ok(()) }
    /// ```
    Sha512,
}

/// An HMAC output of any of the three algorithms, kept on the stack.
#[derive(Clone)]
pub(crate) struct MacOutput {
    bytes: [u8; 64],
    len: usize,
}

impl MacOutput {
    pub(crate) fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..self.len).unwrap_or(&[])
    }
}

impl Algorithm {
    /// The name used in otpauth URIs and the JS API: `"SHA1"`, `"SHA256"` or `"SHA512"`.
    ///
    /// ```
    /// use totp_wasm::Algorithm;
    /// assert_eq!(Algorithm::Sha256.name(), "SHA256"); // no hyphen, as in `algorithm=SHA256`
    /// ```
    pub const fn name(self) -> &'static str {
        match self {
            Self::Sha1 => "SHA1",
            Self::Sha256 => "SHA256",
            Self::Sha512 => "SHA512",
        }
    }

    /// Parses a name case-insensitively; `SHA-256` style hyphens are accepted too.
    ///
    /// ```
    /// use totp_wasm::Algorithm;
    /// assert_eq!(Algorithm::parse("sha256").unwrap(), Algorithm::Sha256);
    /// assert_eq!(Algorithm::parse("SHA-512").unwrap(), Algorithm::Sha512);
    /// assert!(Algorithm::parse("MD5").is_err());
    /// ```
    pub fn parse(name: &str) -> Result<Self> {
        let mut compact = [0u8; 6];
        let mut n = 0;
        for b in name.bytes().filter(|&b| b != b'-') {
            match compact.get_mut(n) {
                Some(slot) => *slot = b.to_ascii_uppercase(),
                None => return Err(unknown(name)),
            }
            n += 1;
        }
        match compact.get(..n) {
            Some(b"SHA1") => Ok(Self::Sha1),
            Some(b"SHA256") => Ok(Self::Sha256),
            Some(b"SHA512") => Ok(Self::Sha512),
            _ => Err(unknown(name)),
        }
    }

    /// HMAC of `message` under `key`.
    pub(crate) fn hmac(self, key: &[u8], message: &[u8]) -> Result<MacOutput> {
        match self {
            Self::Sha1 => mac::<Hmac<sha1::Sha1>>(key, message),
            Self::Sha256 => mac::<Hmac<sha2::Sha256>>(key, message),
            Self::Sha512 => mac::<Hmac<sha2::Sha512>>(key, message),
        }
    }
}

fn unknown(name: &str) -> Error {
    let shown: alloc::string::String = name.chars().take(16).collect();
    Error::new(
        ErrorKind::InvalidAlgorithm,
        msg(&["unknown algorithm \"", &shown, "\": use \"SHA1\", \"SHA256\" or \"SHA512\""]),
    )
}

fn mac<M: Mac + KeyInit>(key: &[u8], message: &[u8]) -> Result<MacOutput> {
    // HMAC accepts keys of every length (long ones are hashed first), so the error arm is
    // unreachable in practice; it still maps to a typed error rather than a panic.
    let mut m = <M as KeyInit>::new_from_slice(key)
        .map_err(|_| Error::new(ErrorKind::InvalidSecret, "the secret cannot be used as an HMAC key"))?;
    m.update(message);
    let tag = m.finalize().into_bytes();
    let mut out = MacOutput { bytes: [0; 64], len: tag.len().min(64) };
    for (dst, src) in out.bytes.iter_mut().zip(tag.iter()) {
        *dst = *src;
    }
    Ok(out)
}
