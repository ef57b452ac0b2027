//! Verification with policy: replay rejection, throttling and learned clock drift over a
//! [`UserState`], for TOTP and HOTP factors.
//!
//! `(state, secrets, code, now, policy) → (outcome, new state)`: pure, so the caller decides
//! where the state lives and must write the new state back before answering (atomically with
//! the read, e.g. inside one Durable Object request) for replay protection to hold.
//!
//! The default rules, why they were chosen and what they bound are documented on [`Policy`]
//! (this module is private, so its documentation is not rendered).

use crate::error::{Error, ErrorKind, Result, decimal, msg};
use crate::hotp::{MAX_LOOK_AHEAD, OtpOptions, check_range, hotp, verify_hotp};
use crate::state::{Factor, FactorKind, UserState};
use crate::throttle::Failure;
use crate::totp::{MAX_WINDOW, counter_at, verify_totp, verify_totp_at};

/// Largest learned clock offset a policy may allow, in steps (60 steps = 30 min at 30 s).
///
/// ```
/// use totp_wasm::{MAX_DRIFT, Policy};
/// assert!(Policy { max_drift: MAX_DRIFT + 1, ..Policy::default() }.validate().is_err());
/// ```
pub const MAX_DRIFT: u64 = 60;
/// Largest HOTP resync look-ahead a policy may allow, in counter values.
///
/// ```
/// use totp_wasm::{MAX_RESYNC_LOOK_AHEAD, Policy};
/// assert!(Policy { resync_look_ahead: MAX_RESYNC_LOOK_AHEAD + 1, ..Policy::default() }.validate().is_err());
/// ```
pub const MAX_RESYNC_LOOK_AHEAD: u64 = 1000;

/// The adjustable rules of [`verify_code`] and the recovery-code checks.
///
/// ## The default policy, and why
/// - **Window ±1 step** (±30 s): absorbs clock drift and the time it takes to type, no more.
/// - **Replay**: a code is accepted only for a time step after that factor's last accepted step
///   (NIST SP 800-63B §5.1.4.2), so a code seen over a shoulder or phished is worthless once used,
///   and so is any older code.
/// - **Throttle** (RFC 4226 §7.3: "increasing delays"): 5 free consecutive failures, then each
///   further failure locks for 1 min, 2 min, 4 min, … doubling up to 24 h. A success resets it.
///   Guesses made while locked are refused without being evaluated (and do not extend the lock).
///   Recovery- and removal-code guesses have a throttle of their own with the same rules, so
///   guessing 6-digit codes cannot lock the recovery codes; a success of either resets both.
/// - **Learned drift ±20 steps** (RFC 6238 §6): each accepted TOTP code records its offset from
///   the server's time, and later windows are centred on it, so a phone whose clock drifts keeps
///   working with the ±1 window. The window stays 3 codes wide wherever it is centred, so the
///   guessing odds do not change. The bound (20 steps = ±10 min) limits how long a code noted
///   ahead of time on a phone set to a future time stays usable, and equals the resync window,
///   so an offset a resync can find can also be kept.
/// - **Resync ±20 steps, two consecutive codes**: a clock that jumped is repaired only by two
///   codes of consecutive steps within ±20 steps of the server's time. One code in a 41-step
///   window would be a 41 / 10^6 guess, 14 times the normal odds; two consecutive ones are at
///   most 40 / 10^12. A failed resync counts one failure.
/// - **HOTP look-ahead 2** (RFC 4226 §7.4): the 3 counter values after the last accepted one
///   are accepted (the same 3 codes per guess as TOTP's ±1 window); `verify_hotp`'s own default
///   is 0, its maximum [`MAX_LOOK_AHEAD`]. Beyond that a **resync of two consecutive codes
///   within 100 presses** moves the counter; the counter only moves forward and each value is
///   accepted once.
///
/// ## What this bounds
/// An attacker who already has the password makes at most 5 + 11 guesses in the first ~17 hours
/// (the lock doubles 1, 2, … 1024 min), then one per day: about 16 + 364 = 380 guesses in a year.
/// A guess succeeds when it equals one of the 2w+1 = 3 codes in the window. Six-digit codes take
/// 10^6 values, so the chance per guess is 3 / 10^6 and the chance over a year is at most
/// 380 × 3 / 10^6 ≈ 0.11 %. (For 10-digit codes the space is not 10^10 but the 2^31 values a
/// 31-bit truncation can produce: 3 / 2^31 per guess.) See [`Policy::attack_bound`].
///
/// ```
/// use totp_wasm::Policy;
/// # fn main() -> Result<(), totp_wasm::Error> {
/// // Stricter than the default: no drift allowed, 3 free failures, locks from 5 minutes.
/// let strict = Policy { window: 0, free_failures: 3, base_lockout: 300, ..Policy::default() };
/// strict.validate()?;
/// assert_eq!(strict.lockout_after(4), 300);
/// // Fewer guesses per year, and one code in the window instead of three.
/// assert!(strict.attack_bound(6).per_year < Policy::default().attack_bound(6).per_year / 3.0);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Steps accepted either side of the current one (0..=10; default 1).
    pub window: u64,
    /// Consecutive failures allowed before the first lock (default 5).
    pub free_failures: u32,
    /// Length of the first lock in seconds (default 60); each further failure doubles it.
    pub base_lockout: u64,
    /// Longest lock in seconds (default 86 400 = 24 h).
    pub max_lockout: u64,
    /// Largest learned TOTP clock offset in steps (0..=[`MAX_DRIFT`]; default 20). 0 turns
    /// drift learning off.
    pub max_drift: u64,
    /// How far from the server's time a two-code TOTP resync looks, in steps (at most
    /// `max_drift`; default 20 = ±10 min at 30 s).
    pub resync_window: u64,
    /// HOTP counter values accepted past the next one (0..=[`MAX_LOOK_AHEAD`]; default 2).
    pub look_ahead: u64,
    /// How far past the next counter a two-code HOTP resync looks (0..=[`MAX_RESYNC_LOOK_AHEAD`];
    /// default 100).
    pub resync_look_ahead: u64,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            window: 1,
            free_failures: 5,
            base_lockout: 60,
            max_lockout: 86_400,
            max_drift: 20,
            resync_window: 20,
            look_ahead: 2,
            resync_look_ahead: 100,
        }
    }
}

/// What an attacker can achieve under a policy, for documentation and tests.
///
/// ```
/// use totp_wasm::Policy;
/// let six = Policy::default().attack_bound(6);
/// let eight = Policy::default().attack_bound(8);
/// // The throttle fixes the number of guesses; longer codes only make each one less likely.
/// assert_eq!(six.guesses_per_year, eight.guesses_per_year);
/// assert!((six.per_year / eight.per_year - 100.0).abs() < 1e-9);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AttackBound {
    /// Guesses possible in the first 24 hours at full speed.
    pub guesses_first_day: u64,
    /// Guesses possible in 365 days at full speed.
    pub guesses_per_year: u64,
    /// Probability that one guess is accepted.
    pub per_guess: f64,
    /// Upper bound on the probability of success within a year (union bound).
    pub per_year: f64,
}

impl Policy {
    /// Checks the fields.
    ///
    /// ```
    /// use totp_wasm::Policy;
    /// assert!(Policy::default().validate().is_ok());
    /// assert!(Policy { window: 11, ..Policy::default() }.validate().is_err()); // over MAX_WINDOW
    /// assert!(Policy { base_lockout: 0, ..Policy::default() }.validate().is_err()); // no lock at all
    /// ```
    pub fn validate(&self) -> Result<()> {
        if self.window > MAX_WINDOW {
            return Err(Error::new(ErrorKind::InvalidArgument, "policy.window must be between 0 and 10"));
        }
        if self.base_lockout == 0 || self.max_lockout < self.base_lockout {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                "policy.baseLockout must be at least 1 second and policy.maxLockout at least baseLockout",
            ));
        }
        check_range("policy.maxDrift", self.max_drift, MAX_DRIFT)?;
        check_range("policy.resyncWindow (at most policy.maxDrift)", self.resync_window, self.max_drift)?;
        check_range("policy.lookAhead", self.look_ahead, MAX_LOOK_AHEAD)?;
        check_range("policy.resyncLookAhead", self.resync_look_ahead, MAX_RESYNC_LOOK_AHEAD)
    }

    /// The lock (seconds) after the `failures`-th consecutive failure: 0 while failures are free.
    ///
    /// ```
    /// use totp_wasm::Policy;
    /// let policy = Policy::default();
    /// assert_eq!(policy.lockout_after(5), 0); // the 5 free failures
    /// // Then 1 minute, 2 minutes, … doubling up to a day.
    /// assert_eq!((policy.lockout_after(6), policy.lockout_after(7)), (60, 120));
    /// assert_eq!(policy.lockout_after(30), 86_400);
    /// ```
    pub fn lockout_after(&self, failures: u32) -> u64 {
        let Some(excess) = failures.checked_sub(self.free_failures.saturating_add(1)) else { return 0 };
        let doubled = self.base_lockout.checked_shl(excess.min(63)).filter(|d| d >> excess.min(63) == self.base_lockout);
        doubled.unwrap_or(u64::MAX).min(self.max_lockout)
    }

    /// Guesses an attacker can make in the first day and in a year, and the resulting success
    /// probability for codes of `digits` digits (code space `min(10^digits, 2^31)`).
    ///
    /// ```
    /// use totp_wasm::Policy;
    /// let bound = Policy::default().attack_bound(6);
    /// // 5 free guesses, then locks of 1, 2, 4, … minutes, then one a day.
    /// assert_eq!((bound.guesses_first_day, bound.guesses_per_year), (16, 380));
    /// // Each guess hits one of 3 codes out of 10^6: at most 0.114 % in a year.
    /// assert!((bound.per_year - 380.0 * 3.0 / 1e6).abs() < 1e-12);
    /// ```
    pub fn attack_bound(&self, digits: u32) -> AttackBound {
        let guesses_within = |horizon: u64| {
            // Free failures go at one guess a second; then each failure waits out its lock.
            let free = u64::from(self.free_failures);
            if free > horizon {
                return horizon + 1;
            }
            let (mut t, mut n, mut failures) = (free, free, self.free_failures);
            while t <= horizon {
                n += 1;
                failures = failures.saturating_add(1);
                let wait = self.lockout_after(failures).max(1);
                if wait >= self.max_lockout {
                    // From here every guess waits the longest lock: count them in one step.
                    n += (horizon - t) / wait;
                    break;
                }
                t += wait;
            }
            n
        };
        let space = 10f64.powi(digits as i32).min(2f64.powi(31));
        let per_guess = (2 * self.window + 1) as f64 / space;
        let guesses_per_year = guesses_within(365 * 86_400);
        AttackBound {
            guesses_first_day: guesses_within(86_400),
            guesses_per_year,
            per_guess,
            per_year: (per_guess * guesses_per_year as f64).min(1.0),
        }
    }
}

/// The result of checking a code.
///
/// ```
/// use totp_wasm::{Failure, Outcome, Policy, verify_code};
/// # use totp_wasm::{OtpOptions, UserState, confirm_enrollment};
/// # fn main() -> Result<(), totp_wasm::Error> {
/// # let key: &[u8] = b"12345678901234567890";
/// # let (_, state) = confirm_enrollment(&UserState::new(), key, "287082", "Phone", 59,
/// #     &OtpOptions::default(), &Policy::default())?;
/// // `state`: one factor (id 1) with RFC 4226's key, enrolled at T = 59 with step 1's code.
/// let (outcome, _state) = verify_code(&state, &[(1, key)], "359152", 89, &Policy::default())?;
/// let message = match outcome {
///     Outcome::Accepted { .. } => "signed in",
///     Outcome::Invalid(Failure { locked_until: None, .. }) => "wrong code",
///     Outcome::Invalid(Failure { locked_until: Some(_), .. }) | Outcome::Locked { .. } => "too many tries",
///     Outcome::Replayed { .. } => "that code was used already: wait for the next one",
/// };
/// assert_eq!(message, "signed in");
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The code is valid: `factor` matched at `offset` steps from now. Failures were reset.
    ///
    /// ```
    /// use totp_wasm::{Outcome, Policy, verify_code};
    /// # use totp_wasm::{OtpOptions, UserState, confirm_enrollment};
    /// # fn main() -> Result<(), totp_wasm::Error> {
    /// # let key: &[u8] = b"12345678901234567890";
    /// # let (_, state) = confirm_enrollment(&UserState::new(), key, "287082", "Phone", 59,
    /// #     &OtpOptions::default(), &Policy::default())?;
    /// // `state`: one factor (id 1) with RFC 4226's key, enrolled at T = 59 with step 1's code.
    /// // At T = 119 (step 3), step 2's code is one step behind: a slow typist or a late clock.
    /// let (outcome, state) = verify_code(&state, &[(1, key)], "359152", 119, &Policy::default())?;
    /// assert_eq!(outcome, Outcome::Accepted { factor: 1, offset: -1 });
    /// assert_eq!(state.factors[0].last_step, Some(2)); // from now on, step 2's code is a replay
    /// # Ok(()) }
    /// ```
    Accepted {
        /// Id of the factor whose code it was.
        factor: u32,
        /// TOTP: the code's step offset from the server's time (within the window around the
        /// learned drift). HOTP: how many counter values past the expected one it was.
        offset: i64,
    },
    /// The code is not valid (wrong, or malformed). One failure was counted.
    ///
    /// ```
    /// use totp_wasm::{Failure, Outcome, Policy, verify_code};
    /// # use totp_wasm::{OtpOptions, UserState, confirm_enrollment};
    /// # fn main() -> Result<(), totp_wasm::Error> {
    /// # let key: &[u8] = b"12345678901234567890";
    /// # let (_, state) = confirm_enrollment(&UserState::new(), key, "287082", "Phone", 59,
    /// #     &OtpOptions::default(), &Policy::default())?;
    /// // `state`: one factor (id 1) with RFC 4226's key, enrolled at T = 59 with step 1's code.
    /// let (outcome, state) = verify_code(&state, &[(1, key)], "000000", 89, &Policy::default())?;
    /// assert_eq!(outcome, Outcome::Invalid(Failure { attempts_left: 4, locked_until: None }));
    /// // A malformed code is just as invalid, and counts too.
    /// let (outcome, _) = verify_code(&state, &[(1, key)], "35915", 89, &Policy::default())?;
    /// assert_eq!(outcome, Outcome::Invalid(Failure { attempts_left: 3, locked_until: None }));
    /// # Ok(()) }
    /// ```
    Invalid(Failure),
    /// The code was valid but its step was already used: a replay. Nothing was counted.
    ///
    /// ```
    /// use totp_wasm::{Outcome, Policy, verify_code};
    /// # use totp_wasm::{OtpOptions, UserState, confirm_enrollment};
    /// # fn main() -> Result<(), totp_wasm::Error> {
    /// # let key: &[u8] = b"12345678901234567890";
    /// # let (_, state) = confirm_enrollment(&UserState::new(), key, "287082", "Phone", 59,
    /// #     &OtpOptions::default(), &Policy::default())?;
    /// // `state`: one factor (id 1) with RFC 4226's key, enrolled at T = 59 with step 1's code.
    /// // The code typed at enrollment (step 1), seen over a shoulder and tried at once.
    /// let (outcome, state) = verify_code(&state, &[(1, key)], "287082", 60, &Policy::default())?;
    /// assert_eq!(outcome, Outcome::Replayed { factor: 1 });
    /// assert_eq!(state.code_throttle.failures, 0);
    /// # Ok(()) }
    /// ```
    Replayed {
        /// Id of the factor whose used code it was.
        factor: u32,
    },
    /// Too many failures: nothing was checked. Try again at `retry_at` (Unix seconds).
    ///
    /// ```
    /// use totp_wasm::{Outcome, Policy, verify_code};
    /// # use totp_wasm::{OtpOptions, UserState, confirm_enrollment};
    /// # fn main() -> Result<(), totp_wasm::Error> {
    /// # let key: &[u8] = b"12345678901234567890";
    /// # let (_, mut state) = confirm_enrollment(&UserState::new(), key, "287082", "Phone", 59,
    /// #     &OtpOptions::default(), &Policy::default())?;
    /// // `state`: one factor (id 1) with RFC 4226's key, enrolled at T = 59 with step 1's code.
    /// for _ in 0..6 {
    ///     state = verify_code(&state, &[(1, key)], "000000", 100, &Policy::default())?.1;
    /// }
    /// // The 6th failure locked for a minute: even the right code is not checked until then.
    /// let (outcome, _) = verify_code(&state, &[(1, key)], "969429", 101, &Policy::default())?;
    /// assert_eq!(outcome, Outcome::Locked { retry_at: 160 });
    /// # Ok(()) }
    /// ```
    Locked {
        /// The Unix second the lock ends.
        retry_at: u64,
    },
}

/// A secret passed in for a factor id.
///
/// ```
/// use totp_wasm::{ErrorKind, FactorSecret, Policy, verify_code};
/// # use totp_wasm::{OtpOptions, UserState, confirm_enrollment};
/// # fn main() -> Result<(), totp_wasm::Error> {
/// # let key: &[u8] = b"12345678901234567890";
/// # let (_, state) = confirm_enrollment(&UserState::new(), key, "287082", "Phone", 59,
/// #     &OtpOptions::default(), &Policy::default())?;
/// // `state`: one factor (id 1) with RFC 4226's key, enrolled at T = 59 with step 1's code.
/// // The caller keeps the secrets (encrypted) and passes each in with its factor's id.
/// let secrets: Vec<FactorSecret<'_>> = state.factors.iter().map(|f| (f.id, key)).collect();
/// assert!(verify_code(&state, &secrets, "359152", 89, &Policy::default()).is_ok());
/// // A missing secret is an error, so a storage bug cannot pass for a wrong code.
/// let err = verify_code(&state, &[], "359152", 89, &Policy::default()).unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::InvalidArgument);
/// # Ok(()) }
/// ```
pub type FactorSecret<'a> = (u32, &'a [u8]);

/// Checks `code` against every factor of `state` under `policy` at `now` (Unix seconds).
///
/// `secrets` holds each factor's key by id (the caller stores them, encrypted). A factor whose
/// secret is missing is an `INVALID_ARGUMENT` error, so a storage bug cannot look like a wrong
/// code. Returns the outcome and the state to store: write it back before answering, atomically
/// with the read (e.g. inside one Durable Object request), or the same code can be accepted twice
/// and failures go uncounted.
///
/// ```
/// use totp_wasm::{Outcome, OtpOptions, Policy, UserState, confirm_enrollment, totp, verify_code};
/// let key = b"12345678901234567890";
/// let (enrolled, state) = confirm_enrollment(&UserState::new(), key, "287082", "Phone", 59,
///     &OtpOptions::default(), &Policy::default()).unwrap();
/// let Outcome::Accepted { factor, .. } = enrolled else { panic!() };
/// // The enrollment code cannot be replayed at login …
/// let (outcome, state) = verify_code(&state, &[(factor, key)], "287082", 60, &Policy::default()).unwrap();
/// assert_eq!(outcome, Outcome::Replayed { factor });
/// // … but the next code is accepted, once.
/// let next = totp(key, 60, &OtpOptions::default()).unwrap();
/// let (outcome, state) = verify_code(&state, &[(factor, key)], &next, 60, &Policy::default()).unwrap();
/// assert_eq!(outcome, Outcome::Accepted { factor, offset: 0 });
/// let (outcome, _) = verify_code(&state, &[(factor, key)], &next, 61, &Policy::default()).unwrap();
/// assert_eq!(outcome, Outcome::Replayed { factor });
/// ```
pub fn verify_code(
    state: &UserState,
    secrets: &[FactorSecret<'_>],
    code: &str,
    now: i64,
    policy: &Policy,
) -> Result<(Outcome, UserState)> {
    policy.validate()?;
    let now_u = now_seconds(now)?;
    let mut next = state.clone();
    if let Some(retry_at) = state.code_throttle.locked_at(now_u) {
        return Ok((Outcome::Locked { retry_at }, next));
    }
    if state.factors.is_empty() {
        return Err(Error::new(ErrorKind::InvalidArgument, "two-factor authentication is not enabled for this user"));
    }
    let mut accepted: Option<(usize, Fresh)> = None;
    let mut replayed: Option<u32> = None;
    for (index, factor) in state.factors.iter().enumerate() {
        let key = secret_for(secrets, factor.id)?;
        match check_factor(factor, key, code, now, policy)? {
            Match::None => {}
            Match::Replayed => {
                replayed.get_or_insert(factor.id);
            }
            Match::Fresh(fresh) => {
                accepted.get_or_insert((index, fresh));
            }
        }
    }
    if let Some((index, fresh)) = accepted {
        return Ok((accept(&mut next, index, fresh, policy)?, next));
    }
    if let Some(factor) = replayed {
        return Ok((Outcome::Replayed { factor }, next));
    }
    Ok((Outcome::Invalid(next.code_throttle.fail(now_u, policy)), next))
}

/// Confirms an enrollment: when `code` is valid for `key`, the factor is added with that code's
/// step already used (so the enrollment code cannot be replayed at login). Returns
/// `Accepted { factor: new id, offset }` or `Invalid` (confirmation guesses are not throttled:
/// they cannot unlock anything, and the person is already signed in).
///
/// ```
/// use totp_wasm::{Failure, Outcome, OtpOptions, Policy, UserState, confirm_enrollment};
/// # fn main() -> Result<(), totp_wasm::Error> {
/// let (key, options, policy) = (b"12345678901234567890", OtpOptions::default(), Policy::default());
/// // A wrong first code adds nothing (and counts nothing).
/// let (outcome, state) = confirm_enrollment(&UserState::new(), key, "000000", "Phone", 59, &options, &policy)?;
/// assert_eq!(outcome, Outcome::Invalid(Failure { attempts_left: 5, locked_until: None }));
/// assert!(!state.enabled());
/// // The right one adds the factor, with that code's step (59 / 30 = 1) already used.
/// let (outcome, state) = confirm_enrollment(&state, key, "287082", "Phone", 59, &options, &policy)?;
/// assert_eq!(outcome, Outcome::Accepted { factor: 1, offset: 0 });
/// assert_eq!(state.factor(1).and_then(|f| f.last_step), Some(1));
/// # Ok(()) }
/// ```
pub fn confirm_enrollment(
    state: &UserState,
    key: &[u8],
    code: &str,
    label: &str,
    now: i64,
    options: &OtpOptions,
    policy: &Policy,
) -> Result<(Outcome, UserState)> {
    policy.validate()?;
    let now_u = now_seconds(now)?;
    let mut next = state.clone();
    let Some(offset) = verify_totp(key, code, now, policy.window, options)? else {
        let attempts_left = state.code_throttle.attempts_left(policy);
        return Ok((Outcome::Invalid(Failure { attempts_left, locked_until: None }), next));
    };
    let step = counter_at(now, options.period)?.saturating_add_signed(offset);
    let id = next.add_factor(label, now_u, *options, FactorKind::Totp, step)?;
    Ok((Outcome::Accepted { factor: id, offset }, next))
}

/// Confirms the enrollment of an HOTP (counter-based) authenticator: `code` must be its code
/// for `counter` or one of the policy's look-ahead values after it. The factor is added with
/// that counter used, so only later codes sign in. Like [`confirm_enrollment`], not throttled.
///
/// ```
/// use totp_wasm::{FactorKind, Outcome, OtpOptions, Policy, UserState, confirm_hotp_enrollment, verify_code};
/// # fn main() -> Result<(), totp_wasm::Error> {
/// let key = b"12345678901234567890";
/// // RFC 4226 Appendix D: counter 0 is 755224, 1 is 287082, 2 is 359152.
/// let (outcome, state) = confirm_hotp_enrollment(&UserState::new(), key, "755224", "Token", 0, 100,
///     &OtpOptions::default(), &Policy::default())?;
/// assert_eq!(outcome, Outcome::Accepted { factor: 1, offset: 0 });
/// assert_eq!((state.factors[0].kind, state.factors[0].last_step), (FactorKind::Hotp, Some(0)));
/// let (outcome, _) = verify_code(&state, &[(1, key)], "359152", 200, &Policy::default())?;
/// assert_eq!(outcome, Outcome::Accepted { factor: 1, offset: 1 }); // one press skipped
/// # Ok(()) }
/// ```
#[allow(clippy::too_many_arguments)]
pub fn confirm_hotp_enrollment(
    state: &UserState,
    key: &[u8],
    code: &str,
    label: &str,
    counter: u64,
    now: i64,
    options: &OtpOptions,
    policy: &Policy,
) -> Result<(Outcome, UserState)> {
    policy.validate()?;
    let now_u = now_seconds(now)?;
    options.validate()?;
    let mut next = state.clone();
    let Some(offset) = verify_hotp(key, code, counter, policy.look_ahead, options)? else {
        let attempts_left = state.code_throttle.attempts_left(policy);
        return Ok((Outcome::Invalid(Failure { attempts_left, locked_until: None }), next));
    };
    let used = counter.saturating_add(offset);
    let id = next.add_factor(label, now_u, *options, FactorKind::Hotp, used)?;
    Ok((Outcome::Accepted { factor: id, offset: offset as i64 }, next))
}

/// A right code for a factor at a step (counter) not used before.
#[derive(Clone, Copy)]
pub(crate) struct Fresh {
    /// The step (TOTP) or counter (HOTP) the code is for.
    pub(crate) step: u64,
    /// Reported offset: from the server's time (TOTP) or the expected counter (HOTP).
    pub(crate) offset: i64,
    /// TOTP: the clock offset to learn.
    pub(crate) drift: i64,
}

/// What one factor makes of a code.
pub(crate) enum Match {
    None,
    Replayed,
    Fresh(Fresh),
}

/// Checks `code` against one factor: TOTP in the window around its learned drift, HOTP in
/// the look-ahead after its last counter.
fn check_factor(factor: &Factor, key: &[u8], code: &str, now: i64, policy: &Policy) -> Result<Match> {
    match factor.kind {
        FactorKind::Totp => {
            let now_step = counter_at(now, factor.options.period)?;
            // A drift learned under a looser policy is held to this one's bound.
            let bound = policy.max_drift.min(i64::MAX as u64) as i64;
            let center = now_step.saturating_add_signed(factor.drift.clamp(-bound, bound));
            let Some(found) = verify_totp_at(key, code, center, policy.window, &factor.options)? else {
                return Ok(Match::None);
            };
            let step = center.saturating_add_signed(found);
            if factor.last_step.is_some_and(|last| step <= last) {
                return Ok(Match::Replayed);
            }
            let offset = step as i128 - now_step as i128;
            let max = policy.max_drift as i128;
            let drift = offset.clamp(-max, max) as i64;
            Ok(Match::Fresh(Fresh { step, offset: offset.clamp(i64::MIN.into(), i64::MAX.into()) as i64, drift }))
        }
        FactorKind::Hotp => {
            let next = match factor.last_step {
                None => 0,
                Some(u64::MAX) => return Ok(Match::None), // every counter value is used up
                Some(last) => last + 1,
            };
            if let Some(k) = verify_hotp(key, code, next, policy.look_ahead, &factor.options)? {
                return Ok(Match::Fresh(Fresh { step: next.saturating_add(k), offset: k as i64, drift: 0 }));
            }
            // The code of the last accepted press, sent again: a replay, not a guess.
            let again = factor.last_step.map(|last| hotp(key, last, &factor.options)).transpose()?;
            Ok(if again.is_some_and(|c| crate::hotp::ct_eq(c.as_bytes(), code.as_bytes())) { Match::Replayed } else { Match::None })
        }
    }
}

/// Records an accepted code: the factor's step (counter) and learned drift, and the reset.
pub(crate) fn accept(next: &mut UserState, index: usize, fresh: Fresh, policy: &Policy) -> Result<Outcome> {
    let factor = next.factors.get_mut(index).ok_or_else(|| Error::new(ErrorKind::InvalidState, "factor vanished"))?;
    factor.last_step = Some(fresh.step);
    if factor.kind == FactorKind::Totp && policy.max_drift > 0 {
        factor.drift = fresh.drift;
    }
    let id = factor.id;
    reset(next);
    Ok(Outcome::Accepted { factor: id, offset: fresh.offset })
}

/// Clears both throttles after a success: whoever just proved a second factor is the owner.
pub(crate) fn reset(state: &mut UserState) {
    state.code_throttle.reset();
    state.recovery_throttle.reset();
}

pub(crate) fn now_seconds(now: i64) -> Result<u64> {
    u64::try_from(now).map_err(|_| Error::new(ErrorKind::InvalidTime, "time is before 1970"))
}

pub(crate) fn secret_for<'a>(secrets: &[FactorSecret<'a>], id: u32) -> Result<&'a [u8]> {
    secrets
        .iter()
        .find(|(fid, _)| *fid == id)
        .map(|(_, key)| *key)
        .ok_or_else(|| Error::new(ErrorKind::InvalidArgument, msg(&["no secret was passed for authenticator ", &decimal(id.into())])))
}
