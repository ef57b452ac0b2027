//! Verification with policy: replay rejection and throttling over a [`UserState`].
//!
//! `(state, secrets, code, now, policy) → (outcome, new state)`: pure, so the caller decides
//! where the state lives and must write the new state back before answering (atomically with
//! the read, e.g. inside one Durable Object request) for replay protection to hold.
//!
//! ## The default policy, and why
//! - **Window ±1 step** (±30 s): absorbs clock drift and the time it takes to type, no more.
//! - **Replay**: a code is accepted only for a time step after that factor's last accepted step
//!   (NIST SP 800-63B §5.1.4.2), so a code seen over a shoulder or phished is worthless once used,
//!   and so is any older code.
//! - **Throttle** (RFC 4226 §7.3: "increasing delays"): 5 free consecutive failures, then each
//!   further failure locks for 1 min, 2 min, 4 min, … doubling up to 24 h. A success resets it.
//!   Guesses made while locked are refused without being evaluated (and do not extend the lock).
//!   Recovery- and removal-code guesses count towards the same throttle.
//!
//! ## What this bounds
//! An attacker who already has the password makes at most 5 + 11 guesses in the first ~17 hours
//! (the lock doubles 1, 2, … 1024 min), then one per day: about 16 + 364 = 380 guesses in a year.
//! A guess succeeds when it equals one of the 2w+1 = 3 codes in the window. Six-digit codes take
//! 10^6 values, so the chance per guess is 3 / 10^6 and the chance over a year is at most
//! 380 × 3 / 10^6 ≈ 0.11 %. (For 10-digit codes the space is not 10^10 but the 2^31 values a
//! 31-bit truncation can produce: 3 / 2^31 per guess.) See [`Policy::attack_bound`].

use crate::error::{Error, ErrorKind, Result, decimal, msg};
use crate::hotp::OtpOptions;
use crate::state::UserState;
use crate::totp::counter_at;
use crate::verify::{MAX_WINDOW, verify_totp};

/// The adjustable rules of [`verify_code`] and the recovery-code checks.
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
}

impl Default for Policy {
    fn default() -> Self {
        Self { window: 1, free_failures: 5, base_lockout: 60, max_lockout: 86_400 }
    }
}

/// What an attacker can achieve under a policy, for documentation and tests.
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
        Ok(())
    }

    /// The lock (seconds) after the `failures`-th consecutive failure: 0 while failures are free.
    pub fn lockout_after(&self, failures: u32) -> u64 {
        let Some(excess) = failures.checked_sub(self.free_failures.saturating_add(1)) else { return 0 };
        let doubled = self.base_lockout.checked_shl(excess.min(63)).filter(|d| d >> excess.min(63) == self.base_lockout);
        doubled.unwrap_or(u64::MAX).min(self.max_lockout)
    }

    /// Guesses an attacker can make in the first day and in a year, and the resulting success
    /// probability for codes of `digits` digits (code space `min(10^digits, 2^31)`).
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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The code is valid: `factor` matched at `offset` steps from now. Failures were reset.
    Accepted {
        /// Id of the factor whose code it was.
        factor: u32,
        /// Step offset (−window..=window).
        offset: i64,
    },
    /// The code is not valid (wrong, or malformed). One failure was counted.
    Invalid {
        /// Failures left before a lock starts (0 when the next failure locks).
        attempts_left: u32,
        /// When this failure started a lock: the Unix second it ends.
        locked_until: Option<u64>,
    },
    /// The code was valid but its step was already used: a replay. Nothing was counted.
    Replayed {
        /// Id of the factor whose used code it was.
        factor: u32,
    },
    /// Too many failures: nothing was checked. Try again at `retry_at` (Unix seconds).
    Locked {
        /// The Unix second the lock ends.
        retry_at: u64,
    },
}

/// A secret passed in for a factor id.
pub type FactorSecret<'a> = (u32, &'a [u8]);

/// Checks `code` against every factor of `state` under `policy` at `now` (Unix seconds).
///
/// `secrets` holds each factor's key by id (the caller stores them, encrypted). A factor whose
/// secret is missing is an `INVALID_ARGUMENT` error, so a storage bug cannot look like a wrong
/// code. Returns the outcome and the state to store.
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
    if now_u < state.locked_until {
        return Ok((Outcome::Locked { retry_at: state.locked_until }, next));
    }
    if state.factors.is_empty() {
        return Err(Error::new(ErrorKind::InvalidArgument, "two-factor authentication is not enabled for this user"));
    }
    let mut accepted: Option<(usize, i64, u64)> = None;
    let mut replayed: Option<u32> = None;
    for (index, factor) in state.factors.iter().enumerate() {
        let key = secret_for(secrets, factor.id)?;
        let Some(offset) = verify_totp(key, code, now, policy.window, &factor.options)? else { continue };
        let step = counter_at(now, factor.options.period)?.saturating_add_signed(offset);
        if factor.last_step.is_some_and(|last| step <= last) {
            replayed.get_or_insert(factor.id);
        } else if accepted.is_none() {
            accepted = Some((index, offset, step));
        }
    }
    if let Some((index, offset, step)) = accepted {
        let factor = next.factors.get_mut(index).ok_or_else(|| Error::new(ErrorKind::InvalidState, "factor vanished"))?;
        factor.last_step = Some(step);
        let id = factor.id;
        reset(&mut next);
        return Ok((Outcome::Accepted { factor: id, offset }, next));
    }
    if let Some(factor) = replayed {
        return Ok((Outcome::Replayed { factor }, next));
    }
    Ok((fail(&mut next, now_u, policy), next))
}

/// Confirms an enrollment: when `code` is valid for `key`, the factor is added with that code's
/// step already used (so the enrollment code cannot be replayed at login). Returns
/// `Accepted { factor: new id, offset }` or `Invalid` (confirmation guesses are not throttled:
/// they cannot unlock anything, and the person is already signed in).
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
        let attempts_left = policy.free_failures.saturating_sub(state.failures);
        return Ok((Outcome::Invalid { attempts_left, locked_until: None }, next));
    };
    let step = counter_at(now, options.period)?.saturating_add_signed(offset);
    let id = next.add_factor(label, now_u, *options, step)?;
    Ok((Outcome::Accepted { factor: id, offset }, next))
}

/// Counts a failure and starts a lock when the free failures are used up.
pub(crate) fn fail(state: &mut UserState, now: u64, policy: &Policy) -> Outcome {
    state.failures = state.failures.saturating_add(1);
    let lock = policy.lockout_after(state.failures);
    let locked_until = (lock > 0).then(|| now.saturating_add(lock));
    if let Some(until) = locked_until {
        state.locked_until = until;
    }
    Outcome::Invalid { attempts_left: policy.free_failures.saturating_sub(state.failures), locked_until }
}

/// Clears the throttle after a success.
pub(crate) fn reset(state: &mut UserState) {
    state.failures = 0;
    state.locked_until = 0;
}

pub(crate) fn now_seconds(now: i64) -> Result<u64> {
    u64::try_from(now).map_err(|_| Error::new(ErrorKind::InvalidTime, "time is before 1970"))
}

fn secret_for<'a>(secrets: &[FactorSecret<'a>], id: u32) -> Result<&'a [u8]> {
    secrets
        .iter()
        .find(|(fid, _)| *fid == id)
        .map(|(_, key)| *key)
        .ok_or_else(|| Error::new(ErrorKind::InvalidArgument, msg(&["no secret was passed for authenticator ", &decimal(id.into())])))
}
