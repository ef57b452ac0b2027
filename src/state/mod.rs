//! A user's second-factor state: the authenticators (TOTP factors) with their replay marks, the
//! throttle, and the recovery-code hashes. The caller stores it (a Durable Object, KV, a SQL
//! row); the policy functions take a state and return a new one.
//!
//! The state holds no secret: TOTP secrets are kept by the caller (encrypted at rest) and passed
//! in by factor id, and recovery codes are only present as keyed hashes.
//!
//! ## Serialised form
//! Compact, versioned binary ([`UserState::to_bytes`], which documents the layouts; the code is
//! in `state/wire.rs`, apart from this model), carried as
//! unpadded base64url text ([`UserState::encode`]; safe in JSON, KV and SQL). Readers
//! ([`UserState::from_bytes`], [`UserState::decode`]) accept every version up to
//! [`STATE_VERSION`]; anything else is an `INVALID_STATE` error, never a silent reset.

use crate::error::{Error, ErrorKind, Result, decimal, msg};
use crate::hotp::OtpOptions;
use crate::throttle::Throttle;
use alloc::string::String;
use alloc::vec::Vec;

mod wire;

/// The version [`UserState::to_bytes`] writes.
///
/// ```
/// use totp_wasm::{STATE_VERSION, UserState};
/// assert_eq!(UserState::new().to_bytes()[0], STATE_VERSION); // the first byte of every state
/// ```
pub const STATE_VERSION: u8 = 3;
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

/// One authenticator of a user (TOTP or HOTP).
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
    /// Time based (TOTP) or counter based (HOTP).
    pub kind: FactorKind,
    /// TOTP: the last time step whose code was accepted; codes for this step or earlier are
    /// replays. HOTP: the last counter value accepted; only later counters are accepted.
    pub last_step: Option<u64>,
    /// TOTP: the learned clock offset of this authenticator, in steps (RFC 6238 §6): the window
    /// is centred on it. Bounded by [`Policy::max_drift`](crate::Policy::max_drift); 0 for HOTP.
    pub drift: i64,
}

/// What kind of codes a factor makes.
///
/// ```
/// use totp_wasm::{FactorKind, OtpOptions, Policy, UserState, confirm_enrollment};
/// # fn main() -> Result<(), totp_wasm::Error> {
/// let (_, state) = confirm_enrollment(&UserState::new(), b"12345678901234567890", "287082", "Phone", 59,
///     &OtpOptions::default(), &Policy::default())?;
/// assert_eq!(state.factors[0].kind, FactorKind::Totp);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FactorKind {
    /// Time-based codes (RFC 6238).
    #[default]
    Totp,
    /// Counter-based codes (RFC 4226): one per button press.
    Hotp,
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
    /// Failed authenticator codes (and resync attempts) since the last success, and their lock.
    pub code_throttle: Throttle,
    /// Failed recovery and removal codes since the last success, and their lock: apart from
    /// [`UserState::code_throttle`], so guessing 6-digit codes cannot lock the recovery codes.
    pub recovery_throttle: Throttle,
    /// HMAC-SHA-256 hashes of the unused recovery codes.
    pub(crate) recovery: Vec<[u8; 32]>,
    /// The unused removal code, if one was issued.
    pub(crate) removal: Option<Removal>,
}

/// The stored removal code: its keyed hash, and whether it ends in a check digit (codes issued
/// from state version 2 on) so a typo can be told from a wrong code. Codes issued before carry
/// no check digit and are still accepted as they were issued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Removal {
    pub(crate) hash: [u8; 32],
    pub(crate) checked: bool,
}

impl UserState {
    /// An empty state: no factor, no recovery code, not locked.
    ///
    /// ```
    /// use totp_wasm::UserState;
    /// // Every user starts here, 2FA off, until an enrollment is confirmed.
    /// let state = UserState::new();
    /// assert!(!state.enabled() && state.code_throttle.failures == 0 && state.recovery_throttle.locked_until == 0);
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
    pub(crate) fn add_factor(
        &mut self,
        label: &str,
        created: u64,
        options: OtpOptions,
        kind: FactorKind,
        last_step: u64,
    ) -> Result<u32> {
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
        self.factors.push(Factor { id, label, created, options, kind, last_step: Some(last_step), drift: 0 });
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

    /// Forgets a TOTP factor's learned clock offset: its window is centred on the server's
    /// time again (e.g. after the person fixed the phone's clock). Replay marks are kept.
    ///
    /// ```
    /// use totp_wasm::{OtpOptions, Policy, UserState, confirm_enrollment, totp, verify_code};
    /// # fn main() -> Result<(), totp_wasm::Error> {
    /// let key = b"12345678901234567890";
    /// let (_, state) = confirm_enrollment(&UserState::new(), key, "287082", "Phone", 59,
    ///     &OtpOptions::default(), &Policy::default())?;
    /// // The phone runs a step fast: its code for the next step signs in, and is learned.
    /// let code = totp(key, 90 + 30, &OtpOptions::default())?;
    /// let (_, mut state) = verify_code(&state, &[(1, key)], &code, 90, &Policy::default())?;
    /// assert_eq!(state.factors[0].drift, 1);
    /// state.reset_drift(1)?;
    /// assert_eq!((state.factors[0].drift, state.factors[0].last_step), (0, Some(4)));
    /// # Ok(()) }
    /// ```
    pub fn reset_drift(&mut self, id: u32) -> Result<()> {
        let factor = self.factors.iter_mut().find(|f| f.id == id).ok_or_else(|| unknown_factor(id))?;
        factor.drift = 0;
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
