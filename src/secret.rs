//! Shared secrets: generation from a CSPRNG, and base32 (RFC 4648) in and out.
//!
//! Encoding is canonical: uppercase, unpadded. Decoding is lenient the way people type keys;
//! the rules are tabled on [`Secret::from_base32`] (this module is private, so its
//! documentation is not rendered).

use crate::error::{Error, ErrorKind, Result, decimal, msg};
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

/// Default size of generated secrets: 20 bytes = 160 bits, the length RFC 4226 §4 recommends
/// (and SHA-1's output size).
///
/// ```
/// use totp_wasm::{DEFAULT_SECRET_BYTES, OsRandom, Secret};
/// # fn main() -> Result<(), totp_wasm::Error> {
/// let secret = Secret::generate(DEFAULT_SECRET_BYTES, &mut OsRandom)?;
/// assert_eq!(secret.to_base32().len(), 32); // what a person types when they cannot scan
/// # Ok(()) }
/// ```
pub const DEFAULT_SECRET_BYTES: usize = 20;
/// Fewest bytes [`Secret::generate`] issues: 128 bits (RFC 4226 §4 requirement R6).
///
/// ```
/// use totp_wasm::{MIN_GENERATED_BYTES, OsRandom, Secret};
/// assert!(Secret::generate(MIN_GENERATED_BYTES - 1, &mut OsRandom).is_err());
/// ```
pub const MIN_GENERATED_BYTES: usize = 16;
/// Most bytes [`Secret::generate`] issues: 512 bits, SHA-512's output size (the key length of
/// RFC 6238's SHA-512 test vectors); a longer key adds no strength.
///
/// ```
/// use totp_wasm::{MAX_GENERATED_BYTES, OsRandom, Secret};
/// assert!(Secret::generate(MAX_GENERATED_BYTES + 1, &mut OsRandom).is_err());
/// ```
pub const MAX_GENERATED_BYTES: usize = 64;

/// A source of cryptographically secure random bytes, passed in so the core has no global RNG.
/// [`OsRandom`] is the one to use; implement it yourself for a fixed source in tests.
///
/// ```
/// use totp_wasm::{RandomSource, Secret};
/// # fn main() -> Result<(), totp_wasm::Error> {
/// // A fixed source makes tests repeatable. Never use one outside tests.
/// struct Zeros;
/// impl RandomSource for Zeros {
///     fn fill(&mut self, dest: &mut [u8]) -> totp_wasm::Result<()> {
///         dest.fill(0);
///         Ok(())
///     }
/// }
/// assert_eq!(Secret::generate(20, &mut Zeros)?.to_base32(), "A".repeat(32));
/// # Ok(()) }
/// ```
pub trait RandomSource {
    /// Fills `dest` with random bytes, or fails with [`ErrorKind::RandomUnavailable`].
    ///
    /// ```
    /// use totp_wasm::{OsRandom, RandomSource};
    /// # fn main() -> Result<(), totp_wasm::Error> {
    /// let mut salt = [0u8; 16];
    /// OsRandom.fill(&mut salt)?;
    /// assert_ne!(salt, [0; 16]); // all zeros: a 2^-128 chance
    /// # Ok(()) }
    /// ```
    fn fill(&mut self, dest: &mut [u8]) -> Result<()>;
}

/// The operating system's CSPRNG (`getrandom`; `crypto.getRandomValues` in wasm).
///
/// ```
/// use totp_wasm::{OsRandom, Secret};
/// # fn main() -> Result<(), totp_wasm::Error> {
/// // 160 fresh random bits each time: two secrets are never equal in practice.
/// let a = Secret::generate(20, &mut OsRandom)?;
/// let b = Secret::generate(20, &mut OsRandom)?;
/// assert_ne!(a, b);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct OsRandom;

impl RandomSource for OsRandom {
    fn fill(&mut self, dest: &mut [u8]) -> Result<()> {
        getrandom::fill(dest).map_err(|_| {
            Error::new(ErrorKind::RandomUnavailable, "no secure random number generator is available on this platform")
        })
    }
}

/// The shared secret (HMAC key) of an OTP account. Its `Debug` output never shows the bytes.
///
/// ```
/// use totp_wasm::{OtpOptions, Secret, totp};
/// # fn main() -> Result<(), totp_wasm::Error> {
/// let secret = Secret::from_base32("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")?;
/// assert_eq!(totp(&secret, 59, &OtpOptions::default())?, "287082"); // RFC 6238, T = 59
/// // A secret in a log line or a panic message does not leak the key.
/// assert_eq!(format!("{secret:?}"), "Secret(<redacted>)");
/// # Ok(()) }
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Vec<u8>);

impl core::fmt::Debug for Secret {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl AsRef<[u8]> for Secret {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl Secret {
    /// A new random secret of `bytes` bytes (16..=64; use [`DEFAULT_SECRET_BYTES`]).
    ///
    /// ```
    /// use totp_wasm::{OsRandom, Secret};
    /// let secret = Secret::generate(20, &mut OsRandom).unwrap();
    /// assert_eq!(secret.as_bytes().len(), 20);
    /// assert_eq!(secret.to_base32().len(), 32);
    /// assert!(Secret::generate(10, &mut OsRandom).is_err()); // fewer than 128 bits
    /// ```
    pub fn generate(bytes: usize, rng: &mut impl RandomSource) -> Result<Self> {
        if !(MIN_GENERATED_BYTES..=MAX_GENERATED_BYTES).contains(&bytes) {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                msg(&["secret size must be between 16 and 64 bytes (20 is the default), got ", &decimal(bytes as u64)]),
            ));
        }
        let mut buf = vec![0u8; bytes];
        rng.fill(&mut buf)?;
        Ok(Self(buf))
    }

    /// Wraps raw key bytes; any non-empty key is accepted (some services issue 80-bit keys).
    ///
    /// ```
    /// use totp_wasm::Secret;
    /// # fn main() -> Result<(), totp_wasm::Error> {
    /// // RFC 4226's test key, as raw bytes rather than base32.
    /// let secret = Secret::from_bytes(b"12345678901234567890")?;
    /// assert_eq!(secret.to_base32(), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    /// assert!(Secret::from_bytes(b"").is_err());
    /// # Ok(()) }
    /// ```
    pub fn from_bytes(bytes: impl Into<Vec<u8>>) -> Result<Self> {
        let bytes = bytes.into();
        if bytes.is_empty() {
            return Err(Error::new(ErrorKind::InvalidSecret, "the secret is empty"));
        }
        Ok(Self(bytes))
    }

    /// Decodes base32 leniently, the way people type keys:
    ///
    /// | input                         | accepted | note                                           |
    /// |-------------------------------|----------|------------------------------------------------|
    /// | `jbswy3dpehpk3pxp`            | yes      | case is ignored                                |
    /// | `JBSW Y3DP-EHPK 3PXP`         | yes      | spaces, tabs, newlines and hyphens are ignored |
    /// | `JBSWY3DPEHPK3PXP====`        | yes      | trailing `=` padding is ignored                |
    /// | `GEZDGNB` (non-zero pad bits) | yes      | unused trailing bits are ignored               |
    /// | `JBSW1Y3D`                    | no       | `1` is not base32: error names it, index 4     |
    /// | `JB=SW`                       | no       | `=` only at the end                            |
    /// | `A`, `ABC`, `ABCDEF`          | no       | lengths that cannot hold whole bytes           |
    /// | empty or only separators      | no       | a secret cannot be empty                       |
    ///
    /// ```
    /// use totp_wasm::Secret;
    /// let a = Secret::from_base32("jbsw y3dp-ehpk 3pxp====").unwrap();
    /// assert_eq!(a.as_bytes(), b"Hello!\xde\xad\xbe\xef");
    /// assert_eq!(a.to_base32(), "JBSWY3DPEHPK3PXP");
    /// // The last `B` carries bits past the 4th byte; authenticator apps ignore them too.
    /// assert_eq!(Secret::from_base32("GEZDGNB").unwrap().as_bytes(), b"1234");
    /// ```
    pub fn from_base32(text: &str) -> Result<Self> {
        let clean = normalize_base32(text)?;
        decode_clean(&clean).map(Self)
    }

    /// The raw key bytes.
    ///
    /// ```
    /// use totp_wasm::Secret;
    /// # fn main() -> Result<(), totp_wasm::Error> {
    /// // What to encrypt and store: 10 bytes here, not the 16 characters of base32.
    /// assert_eq!(Secret::from_base32("JBSWY3DPEHPK3PXP")?.as_bytes(), b"Hello!\xde\xad\xbe\xef");
    /// # Ok(()) }
    /// ```
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// Canonical base32: uppercase, unpadded.
    ///
    /// ```
    /// use totp_wasm::Secret;
    /// # fn main() -> Result<(), totp_wasm::Error> {
    /// // However it was typed, it is written back one way.
    /// assert_eq!(Secret::from_base32("jbsw-y3dp ehpk 3pxp==")?.to_base32(), "JBSWY3DPEHPK3PXP");
    /// # Ok(()) }
    /// ```
    pub fn to_base32(&self) -> String {
        crate::codec::base32_encode(&self.0)
    }

    /// The base32 key in groups of four for people to read and type: `JBSW Y3DP EHPK 3PXP`.
    ///
    /// ```
    /// use totp_wasm::Secret;
    /// # fn main() -> Result<(), totp_wasm::Error> {
    /// let secret = Secret::from_base32("JBSWY3DPEHPK3PXP")?;
    /// let shown = secret.to_grouped_base32();
    /// assert_eq!(shown, "JBSW Y3DP EHPK 3PXP");
    /// assert_eq!(Secret::from_base32(&shown)?, secret); // typed back in as shown, it still works
    /// # Ok(()) }
    /// ```
    pub fn to_grouped_base32(&self) -> String {
        group(&self.to_base32(), 4, ' ')
    }
}

/// Splits `text` into groups of `size` characters joined by `sep`.
pub(crate) fn group(text: &str, size: usize, sep: char) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / size.max(1));
    for (i, c) in text.chars().enumerate() {
        if i > 0 && i % size.max(1) == 0 {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

/// Canonical form of a base32 secret (uppercase, no separators, no padding), validated by the
/// rules of [`Secret::from_base32`].
///
/// ```
/// assert_eq!(totp_wasm::normalize_base32("jbsw-y3dp ehpk 3pxp==").unwrap(), "JBSWY3DPEHPK3PXP");
/// ```
pub fn normalize_base32(text: &str) -> Result<String> {
    let mut clean = String::with_capacity(text.len());
    let mut padding_from: Option<usize> = None;
    for (index, c) in text.chars().enumerate() {
        match c {
            ' ' | '\t' | '\n' | '\r' | '-' => {}
            '=' => {
                padding_from.get_or_insert(index);
            }
            'a'..='z' | 'A'..='Z' | '2'..='7' => {
                if let Some(at) = padding_from {
                    return Err(Error::new(
                        ErrorKind::InvalidSecret,
                        msg(&["padding '=' at index ", &decimal(at as u64), " may only appear at the end of the secret"]),
                    )
                    .at(at));
                }
                clean.push(c.to_ascii_uppercase());
            }
            _ => return Err(bad_character(c, index)),
        }
    }
    if clean.is_empty() {
        return Err(Error::new(ErrorKind::InvalidSecret, "the secret is empty"));
    }
    // 8 base32 characters carry 5 bytes; remainders of 1, 3 or 6 characters cannot end on a byte.
    if matches!(clean.len() % 8, 1 | 3 | 6) {
        return Err(Error::new(
            ErrorKind::InvalidSecret,
            msg(&[
                "the secret has an impossible length for base32 (",
                &decimal(clean.len() as u64),
                "): a character is missing or extra",
            ]),
        ));
    }
    Ok(clean)
}

fn bad_character(c: char, index: usize) -> Error {
    let hint = match c {
        '0' => " (did you mean the letter O?)",
        '1' => " (did you mean the letter I or L?)",
        '8' => " (did you mean the letter B?)",
        _ => "",
    };
    let mut shown = String::new();
    shown.push(c);
    Error::new(
        ErrorKind::InvalidSecret,
        msg(&[
            "invalid character '",
            &shown,
            "' at index ",
            &decimal(index as u64),
            " of the secret: base32 uses only the letters A-Z and the digits 2-7",
            hint,
        ]),
    )
    .at(index)
}

/// Decodes validated canonical base32, ignoring unused trailing bits as authenticator apps do.
fn decode_clean(clean: &str) -> Result<Vec<u8>> {
    crate::codec::base32_decode(clean).ok_or_else(|| Error::new(ErrorKind::InvalidSecret, "the secret is not valid base32"))
}
