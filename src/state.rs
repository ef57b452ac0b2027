//! A user's second-factor state: the authenticators (TOTP factors) with their replay marks, the
//! throttle, and the recovery-code hashes. The caller stores it (a Durable Object, KV, a SQL
//! row); the policy functions take a state and return a new one.
//!
//! The state holds no secret: TOTP secrets are kept by the caller (encrypted at rest) and passed
//! in by factor id, and recovery codes are only present as keyed hashes.
//!
//! ## Serialised form
//! Compact, versioned binary ([`UserState::to_bytes`], which documents the layout), carried as
//! unpadded base64url text ([`UserState::encode`]; safe in JSON, KV and SQL). Readers
//! ([`UserState::from_bytes`], [`UserState::decode`]) accept every version up to
//! [`STATE_VERSION`]; anything else is an `INVALID_STATE` error, never a silent reset.

use crate::algorithm::Algorithm;
use crate::error::{Error, ErrorKind, Result, decimal, msg};
use crate::hotp::OtpOptions;
use alloc::string::String;
use alloc::vec::Vec;
use sha2::{Digest, Sha256};

/// The version [`UserState::to_bytes`] writes.
///
/// ```
/// use totp_wasm::{STATE_VERSION, UserState};
/// assert_eq!(UserState::new().to_bytes()[0], STATE_VERSION); // the first byte of every state
/// ```
pub const STATE_VERSION: u8 = 1;
/// Longest factor label kept, in bytes.
///
/// ```
/// use totp_wasm::MAX_LABEL_BYTES;
/// # use totp_wasm::{OtpOptions, Policy, UserState, confirm_enrollment};
/// # fn main() -> Result<(), totp_wasm::Error> {
/// # let (_, mut state) = confirm_enrollment(&UserState::new(), b"12345678901234567890", "287082", "Phone", 59,
/// #     &OtpOptions::default(), &Policy::default())?;
/// // `state`: a user with one authenticator, "Phone" (id 1).
/// assert!(state.rename_factor(1, &"x".repeat(MAX_LABEL_BYTES + 1)).is_err());
/// # Ok(()) }
/// ```
pub const MAX_LABEL_BYTES: usize = 64;
/// Most factors a state may hold.
///
/// ```
/// use totp_wasm::{MAX_FACTORS, OtpOptions, Policy, UserState, confirm_enrollment};
/// # fn main() -> Result<(), totp_wasm::Error> {
/// let (key, options, policy) = (b"12345678901234567890", OtpOptions::default(), Policy::default());
/// let mut state = UserState::new();
/// for _ in 0..MAX_FACTORS {
///     state = confirm_enrollment(&state, key, "287082", "Phone", 59, &options, &policy)?.1;
/// }
/// // One more is refused: the person must remove one first.
/// assert!(confirm_enrollment(&state, key, "287082", "Phone", 59, &options, &policy).is_err());
/// # Ok(()) }
/// ```
pub const MAX_FACTORS: usize = 32;

/// One TOTP authenticator of a user.
///
/// ```
/// use totp_wasm::{OtpOptions, Policy, UserState, confirm_enrollment};
/// # fn main() -> Result<(), totp_wasm::Error> {
/// let (_, state) = confirm_enrollment(&UserState::new(), b"12345678901234567890", "287082", " Phone ", 59,
///     &OtpOptions::default(), &Policy::default())?;
/// let factor = &state.factors[0];
/// assert_eq!((factor.id, factor.label.as_str(), factor.created), (1, "Phone", 59));
/// // The confirmation code's step (59 / 30 = 1) is used already: it cannot sign in.
/// assert_eq!(factor.last_step, Some(1));
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Factor {
    /// Stable id, unique within the state (never reused after removal).
    pub id: u32,
    /// The name the person gave it ("Phone", "1Password").
    pub label: String,
    /// When it was added (Unix seconds).
    pub created: u64,
    /// Algorithm, digits and period its codes use.
    pub options: OtpOptions,
    /// The last time step whose code was accepted; codes for this step or earlier are replays.
    pub last_step: Option<u64>,
}

/// A user's second-factor state.
///
/// ```
/// use totp_wasm::{OtpOptions, Policy, UserState, confirm_enrollment};
/// # fn main() -> Result<(), totp_wasm::Error> {
/// let (_, state) = confirm_enrollment(&UserState::new(), b"12345678901234567890", "287082", "Phone", 59,
///     &OtpOptions::default(), &Policy::default())?;
/// // Store the text form with the user (it holds no secret); read it back on the next request.
/// let stored: String = state.encode();
/// assert_eq!(UserState::decode(&stored)?, state);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UserState {
    /// The user's authenticators.
    pub factors: Vec<Factor>,
    pub(crate) next_id: u32,
    /// Consecutive failed guesses (codes, recovery codes, removal codes) since the last success.
    pub failures: u32,
    /// Unix second until which guesses are refused (0 = not locked).
    pub locked_until: u64,
    /// HMAC-SHA-256 hashes of the unused recovery codes.
    pub(crate) recovery: Vec<[u8; 32]>,
    /// HMAC-SHA-256 hash of the unused removal code, if one was issued.
    pub(crate) removal: Option<[u8; 32]>,
}

impl UserState {
    /// An empty state: no factor, no recovery code, not locked.
    ///
    /// ```
    /// use totp_wasm::UserState;
    /// // Every user starts here, 2FA off, until an enrollment is confirmed.
    /// let state = UserState::new();
    /// assert!(!state.enabled() && state.failures == 0 && state.locked_until == 0);
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether two-factor authentication is on (at least one authenticator).
    ///
    /// ```
    /// use totp_wasm::UserState;
    /// # use totp_wasm::{OtpOptions, Policy, confirm_enrollment};
    /// # fn main() -> Result<(), totp_wasm::Error> {
    /// # let (_, state) = confirm_enrollment(&UserState::new(), b"12345678901234567890", "287082", "Phone", 59,
    /// #     &OtpOptions::default(), &Policy::default())?;
    /// // `state`: a user with one authenticator, "Phone" (id 1).
    /// assert!(state.enabled()); // ask for a code after the password
    /// assert!(!UserState::new().enabled()); // the password alone signs in
    /// # Ok(()) }
    /// ```
    pub fn enabled(&self) -> bool {
        !self.factors.is_empty()
    }

    /// How many recovery codes are left.
    ///
    /// ```
    /// use totp_wasm::{OsRandom, Policy, generate_recovery_codes, use_recovery_code};
    /// # use totp_wasm::{OtpOptions, UserState, confirm_enrollment};
    /// # fn main() -> Result<(), totp_wasm::Error> {
    /// # let (_, state) = confirm_enrollment(&UserState::new(), b"12345678901234567890", "287082", "Phone", 59,
    /// #     &OtpOptions::default(), &Policy::default())?;
    /// // `state`: a user with one authenticator, "Phone" (id 1).
    /// let (issued, state) = generate_recovery_codes(&state, &[7; 32], &mut OsRandom, false)?;
    /// let (_, state) = use_recovery_code(&state, &[7; 32], &issued.codes[0], 100, &Policy::default())?;
    /// // Worth a warning ("generate new codes") when it runs low.
    /// assert_eq!(state.recovery_remaining(), 9);
    /// # Ok(()) }
    /// ```
    pub fn recovery_remaining(&self) -> usize {
        self.recovery.len()
    }

    /// Whether an unused removal code exists.
    ///
    /// ```
    /// use totp_wasm::{OsRandom, generate_recovery_codes};
    /// # use totp_wasm::{OtpOptions, Policy, UserState, confirm_enrollment};
    /// # fn main() -> Result<(), totp_wasm::Error> {
    /// # let (_, state) = confirm_enrollment(&UserState::new(), b"12345678901234567890", "287082", "Phone", 59,
    /// #     &OtpOptions::default(), &Policy::default())?;
    /// // `state`: a user with one authenticator, "Phone" (id 1).
    /// assert!(!state.has_removal_code());
    /// let (_, state) = generate_recovery_codes(&state, &[7; 32], &mut OsRandom, true)?;
    /// assert!(state.has_removal_code());
    /// # Ok(()) }
    /// ```
    pub fn has_removal_code(&self) -> bool {
        self.removal.is_some()
    }

    /// The factor with this id.
    ///
    /// ```
    /// # use totp_wasm::{OtpOptions, Policy, UserState, confirm_enrollment};
    /// # fn main() -> Result<(), totp_wasm::Error> {
    /// # let (_, state) = confirm_enrollment(&UserState::new(), b"12345678901234567890", "287082", "Phone", 59,
    /// #     &OtpOptions::default(), &Policy::default())?;
    /// // `state`: a user with one authenticator, "Phone" (id 1).
    /// assert_eq!(state.factor(1).map(|f| f.label.as_str()), Some("Phone"));
    /// assert!(state.factor(2).is_none());
    /// # Ok(()) }
    /// ```
    pub fn factor(&self, id: u32) -> Option<&Factor> {
        self.factors.iter().find(|f| f.id == id)
    }

    /// Adds a factor and returns its id.
    pub(crate) fn add_factor(&mut self, label: &str, created: u64, options: OtpOptions, last_step: u64) -> Result<u32> {
        if self.factors.len() >= MAX_FACTORS {
            return Err(Error::new(ErrorKind::InvalidArgument, "too many authenticators: remove one first (at most 32)"));
        }
        let label = check_label(label)?;
        // Ids are never reused: the next one is above every id ever issued. u32::MAX itself is
        // never issued, so `id < next_id` (which the reader checks) always holds.
        let floor = self.factors.iter().map(|f| f.id.saturating_add(1)).max().unwrap_or(1);
        let id = self.next_id.max(floor).max(1);
        if id == u32::MAX {
            return Err(Error::new(ErrorKind::InvalidState, "this state has used up its authenticator ids"));
        }
        self.next_id = id + 1;
        self.factors.push(Factor { id, label, created, options, last_step: Some(last_step) });
        Ok(id)
    }

    /// Renames a factor. The label is trimmed and must be 1 to [`MAX_LABEL_BYTES`] bytes
    /// without control characters.
    ///
    /// ```
    /// # use totp_wasm::{OtpOptions, Policy, UserState, confirm_enrollment};
    /// # fn main() -> Result<(), totp_wasm::Error> {
    /// # let (_, mut state) = confirm_enrollment(&UserState::new(), b"12345678901234567890", "287082", "Phone", 59,
    /// #     &OtpOptions::default(), &Policy::default())?;
    /// // `state`: a user with one authenticator, "Phone" (id 1).
    /// state.rename_factor(1, " Work phone ")?;
    /// assert_eq!(state.factors[0].label, "Work phone");
    /// assert!(state.rename_factor(1, "Work\nphone").is_err());
    /// # Ok(()) }
    /// ```
    pub fn rename_factor(&mut self, id: u32, label: &str) -> Result<()> {
        let label = check_label(label)?;
        let factor = self.factors.iter_mut().find(|f| f.id == id).ok_or_else(|| unknown_factor(id))?;
        factor.label = label;
        Ok(())
    }

    /// Removes a factor. Removing the last one turns two-factor authentication off and revokes
    /// the recovery and removal codes with it (they only make sense alongside a factor).
    ///
    /// ```
    /// use totp_wasm::{OsRandom, generate_recovery_codes};
    /// # use totp_wasm::{OtpOptions, Policy, UserState, confirm_enrollment};
    /// # fn main() -> Result<(), totp_wasm::Error> {
    /// # let (_, state) = confirm_enrollment(&UserState::new(), b"12345678901234567890", "287082", "Phone", 59,
    /// #     &OtpOptions::default(), &Policy::default())?;
    /// // `state`: a user with one authenticator, "Phone" (id 1).
    /// let (_, mut state) = generate_recovery_codes(&state, &[7; 32], &mut OsRandom, false)?;
    /// state.remove_factor(1)?;
    /// assert!(!state.enabled());
    /// assert_eq!(state.recovery_remaining(), 0);
    /// assert!(state.remove_factor(1).is_err()); // no such factor any more
    /// # Ok(()) }
    /// ```
    pub fn remove_factor(&mut self, id: u32) -> Result<()> {
        let before = self.factors.len();
        self.factors.retain(|f| f.id != id);
        if self.factors.len() == before {
            return Err(unknown_factor(id));
        }
        if self.factors.is_empty() {
            self.disable();
        }
        Ok(())
    }

    /// Turns two-factor authentication off: every factor, recovery and removal code goes.
    /// Factor ids are not reused, and the throttle is kept.
    ///
    /// ```
    /// use totp_wasm::{OtpOptions, Outcome, Policy, confirm_enrollment};
    /// # use totp_wasm::UserState;
    /// # fn main() -> Result<(), totp_wasm::Error> {
    /// # let (_, mut state) = confirm_enrollment(&UserState::new(), b"12345678901234567890", "287082", "Phone", 59,
    /// #     &OtpOptions::default(), &Policy::default())?;
    /// // `state`: a user with one authenticator, "Phone" (id 1).
    /// state.disable();
    /// assert!(!state.enabled());
    /// // Enrolling again gives a new id, so a stale secret stored under id 1 cannot be used for it.
    /// let (outcome, _) = confirm_enrollment(&state, b"12345678901234567890", "287082", "Phone", 59,
    ///     &OtpOptions::default(), &Policy::default())?;
    /// assert_eq!(outcome, Outcome::Accepted { factor: 2, offset: 0 });
    /// # Ok(()) }
    /// ```
    pub fn disable(&mut self) {
        self.factors.clear();
        self.recovery.clear();
        self.removal = None;
    }

    /// The binary form, version [`STATE_VERSION`]. Version 1 layout (integers are LEB128 varints
    /// unless noted):
    ///
    /// ```text
    /// u8 version = 1
    /// next_factor_id, failures, locked_until
    /// factor count, then per factor:
    ///     id, created, u8 algorithm (0 SHA1, 1 SHA256, 2 SHA512), u8 digits, period,
    ///     last_step + 1 (0 = no code accepted yet), label length, label (UTF-8)
    /// recovery hash count, then 32 bytes per hash
    /// u8 removal flag (0/1), then 32 bytes when 1
    /// 4 bytes: the first bytes of SHA-256 over everything before (detects corruption)
    /// ```
    ///
    /// ```
    /// use totp_wasm::UserState;
    /// // An empty state: the version, six zero fields and the 4-byte checksum.
    /// assert_eq!(UserState::new().to_bytes(), [1, 0, 0, 0, 0, 0, 0, 132, 123, 104, 224]);
    /// ```
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(64 + self.factors.len() * 32 + self.recovery.len() * 32);
        out.push(STATE_VERSION);
        varint(&mut out, self.next_id.into());
        varint(&mut out, self.failures.into());
        varint(&mut out, self.locked_until);
        varint(&mut out, self.factors.len() as u64);
        for f in &self.factors {
            varint(&mut out, f.id.into());
            varint(&mut out, f.created);
            out.push(match f.options.algorithm {
                Algorithm::Sha1 => 0,
                Algorithm::Sha256 => 1,
                Algorithm::Sha512 => 2,
            });
            out.push(f.options.digits as u8);
            varint(&mut out, f.options.period);
            varint(&mut out, f.last_step.map_or(0, |s| s.saturating_add(1)));
            varint(&mut out, f.label.len() as u64);
            out.extend_from_slice(f.label.as_bytes());
        }
        varint(&mut out, self.recovery.len() as u64);
        for hash in &self.recovery {
            out.extend_from_slice(hash);
        }
        match &self.removal {
            Some(hash) => {
                out.push(1);
                out.extend_from_slice(hash);
            }
            None => out.push(0),
        }
        let sum = Sha256::digest(&out);
        out.extend_from_slice(sum.get(..4).unwrap_or(&[]));
        out
    }

    /// Reads the binary form of any version up to [`STATE_VERSION`]. An unknown version, a bad
    /// checksum, truncation or trailing bytes are `INVALID_STATE` errors, never a silent reset (a
    /// reset would reopen used codes and drop the lockout).
    ///
    /// ```
    /// use totp_wasm::{ErrorKind, UserState};
    /// # use totp_wasm::{OtpOptions, Policy, confirm_enrollment};
    /// # fn main() -> Result<(), totp_wasm::Error> {
    /// # let (_, state) = confirm_enrollment(&UserState::new(), b"12345678901234567890", "287082", "Phone", 59,
    /// #     &OtpOptions::default(), &Policy::default())?;
    /// // `state`: a user with one authenticator, "Phone" (id 1).
    /// let mut bytes = state.to_bytes();
    /// assert_eq!(UserState::from_bytes(&bytes)?, state);
    /// bytes[2] ^= 1; // one flipped bit: the checksum no longer matches
    /// assert_eq!(UserState::from_bytes(&bytes).unwrap_err().kind(), ErrorKind::InvalidState);
    /// # Ok(()) }
    /// ```
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let Some((body, sum)) = bytes.split_last_chunk::<4>() else {
            return Err(corrupt("it is too short"));
        };
        if Sha256::digest(body).get(..4) != Some(&sum[..]) {
            return Err(corrupt("its checksum does not match"));
        }
        let mut r = Reader { bytes: body, at: 0 };
        let state = match r.byte()? {
            1 => read_v1(&mut r)?,
            v => {
                return Err(Error::new(
                    ErrorKind::InvalidState,
                    msg(&["the stored state has version ", &decimal(v.into()), ", newer than this library reads (1): upgrade totp-wasm"]),
                ));
            }
        };
        if r.at != body.len() {
            return Err(corrupt("it has trailing bytes"));
        }
        Ok(state)
    }

    /// The text form: unpadded base64url of [`UserState::to_bytes`].
    ///
    /// ```
    /// use totp_wasm::UserState;
    /// // Only A-Z, a-z, 0-9, '-' and '_': nothing to escape in JSON, URLs or SQL.
    /// assert_eq!(UserState::new().encode(), "AQAAAAAAAIR7aOA");
    /// ```
    pub fn encode(&self) -> String {
        crate::codec::base64url_encode(&self.to_bytes())
    }

    /// Reads the text form.
    ///
    /// ```
    /// use totp_wasm::UserState;
    /// let state = UserState::new();
    /// assert_eq!(UserState::decode(&state.encode()).unwrap(), state);
    /// assert_eq!(UserState::decode("not a state").unwrap_err().code(), "INVALID_STATE");
    /// ```
    pub fn decode(text: &str) -> Result<Self> {
        let bytes = crate::codec::base64url_decode(text.trim()).ok_or_else(|| corrupt("it is not base64url text"))?;
        Self::from_bytes(&bytes)
    }
}

fn read_v1(r: &mut Reader<'_>) -> Result<UserState> {
    let next_id = r.u32()?;
    let failures = r.u32()?;
    let locked_until = r.varint()?;
    let count = r.count(MAX_FACTORS)?;
    let mut factors = Vec::with_capacity(count);
    for _ in 0..count {
        let id = r.u32()?;
        let created = r.varint()?;
        let algorithm = match r.byte()? {
            0 => Algorithm::Sha1,
            1 => Algorithm::Sha256,
            2 => Algorithm::Sha512,
            _ => return Err(corrupt("a factor has an unknown algorithm")),
        };
        let options = OtpOptions { algorithm, digits: r.byte()?.into(), period: r.varint()? };
        options.validate().map_err(|_| corrupt("a factor has invalid options"))?;
        let last_step = r.varint()?.checked_sub(1);
        let len = r.count(MAX_LABEL_BYTES)?;
        let label = String::from_utf8(r.take(len)?.to_vec()).map_err(|_| corrupt("a label is not UTF-8"))?;
        if factors.iter().any(|f: &Factor| f.id == id) || id >= next_id {
            return Err(corrupt("factor ids are inconsistent"));
        }
        factors.push(Factor { id, label, created, options, last_step });
    }
    let count = r.count(1024)?;
    let mut recovery = Vec::with_capacity(count);
    for _ in 0..count {
        recovery.push(r.hash()?);
    }
    let removal = match r.byte()? {
        0 => None,
        1 => Some(r.hash()?),
        _ => return Err(corrupt("the removal flag is neither 0 nor 1")),
    };
    Ok(UserState { factors, next_id, failures, locked_until, recovery, removal })
}

fn check_label(label: &str) -> Result<String> {
    let label = label.trim();
    if label.is_empty() || label.len() > MAX_LABEL_BYTES || label.chars().any(char::is_control) {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            "an authenticator's name must be 1 to 64 bytes of text without control characters",
        ));
    }
    Ok(label.into())
}

fn unknown_factor(id: u32) -> Error {
    Error::new(ErrorKind::InvalidArgument, msg(&["there is no authenticator with id ", &decimal(id.into())]))
}

fn corrupt(why: &str) -> Error {
    Error::new(ErrorKind::InvalidState, msg(&["the stored 2FA state cannot be read: ", why]))
}

fn varint(out: &mut Vec<u8>, mut n: u64) {
    loop {
        let low = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(low);
            return;
        }
        out.push(low | 0x80);
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn byte(&mut self) -> Result<u8> {
        let b = self.bytes.get(self.at).copied().ok_or_else(|| corrupt("it is truncated"))?;
        self.at += 1;
        Ok(b)
    }

    fn take(&mut self, n: usize) -> Result<&[u8]> {
        let slice = self.bytes.get(self.at..self.at + n).ok_or_else(|| corrupt("it is truncated"))?;
        self.at += n;
        Ok(slice)
    }

    /// A LEB128 number in its one canonical form: every state has exactly one encoding, so a
    /// state read back writes back the same bytes (no padded `0x80 0x00` forms, no bits past 64).
    fn varint(&mut self) -> Result<u64> {
        let mut n = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            let low = u64::from(b & 0x7f);
            if shift == 63 && low > 1 {
                return Err(corrupt("a number is larger than 64 bits"));
            }
            n |= low << shift;
            if b & 0x80 == 0 {
                if b == 0 && shift > 0 {
                    return Err(corrupt("a number is not in its shortest form"));
                }
                return Ok(n);
            }
        }
        Err(corrupt("a number is too long"))
    }

    fn u32(&mut self) -> Result<u32> {
        u32::try_from(self.varint()?).map_err(|_| corrupt("a number is out of range"))
    }

    fn count(&mut self, max: usize) -> Result<usize> {
        usize::try_from(self.varint()?).ok().filter(|&n| n <= max).ok_or_else(|| corrupt("a count is out of range"))
    }

    fn hash(&mut self) -> Result<[u8; 32]> {
        let mut out = [0u8; 32];
        out.copy_from_slice(self.take(32)?);
        Ok(out)
    }
}
