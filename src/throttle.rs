//! Failure counting with increasing locks (RFC 4226 §7.3), shared by authenticator codes,
//! resync attempts, recovery codes and removal codes.
//!
//! A [`UserState`](crate::UserState) keeps two throttles: one for authenticator codes (TOTP,
//! HOTP, resync) and one for the high-entropy recovery and removal codes. Guessing 6-digit codes
//! with a phished password therefore cannot lock the person out of their recovery codes, and
//! both kinds of guess still meet their own doubling locks.

use crate::policy::Policy;

/// Consecutive failures and the lock they caused.
///
/// ```
/// use totp_wasm::{Policy, Throttle};
/// let mut t = Throttle::default();
/// for _ in 0..6 {
///     t.fail(1_000, &Policy::default());
/// }
/// // The 6th failure in a row locks for a minute.
/// assert_eq!((t.failures, t.locked_until), (6, 1_060));
/// assert_eq!(t.locked_at(1_059), Some(1_060));
/// assert_eq!(t.locked_at(1_060), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Throttle {
    /// Consecutive failed guesses since the last success.
    pub failures: u32,
    /// Unix second until which guesses are refused (0 = not locked).
    pub locked_until: u64,
}

/// What a counted failure reports: embedded in [`Outcome::Invalid`](crate::Outcome::Invalid)
/// and [`RecoveryOutcome::Invalid`](crate::RecoveryOutcome::Invalid).
///
/// ```
/// use totp_wasm::{Failure, Policy, Throttle};
/// let mut t = Throttle::default();
/// assert_eq!(t.fail(0, &Policy::default()), Failure { attempts_left: 4, locked_until: None });
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Failure {
    /// Failures left before a lock starts (0 when the next failure locks).
    pub attempts_left: u32,
    /// When this failure started a lock: the Unix second it ends.
    pub locked_until: Option<u64>,
}

impl Throttle {
    /// The Unix second the lock ends, when `now` is inside a lock.
    ///
    /// ```
    /// use totp_wasm::Throttle;
    /// let t = Throttle { failures: 6, locked_until: 100 };
    /// assert_eq!((t.locked_at(99), t.locked_at(100)), (Some(100), None));
    /// ```
    pub fn locked_at(&self, now: u64) -> Option<u64> {
        (now < self.locked_until).then_some(self.locked_until)
    }

    /// Counts one failure at `now` and starts a lock when the free failures are used up.
    ///
    /// ```
    /// use totp_wasm::{Policy, Throttle};
    /// let mut t = Throttle { failures: 5, locked_until: 0 };
    /// let f = t.fail(10, &Policy::default());
    /// assert_eq!((f.attempts_left, f.locked_until), (0, Some(70)));
    /// ```
    pub fn fail(&mut self, now: u64, policy: &Policy) -> Failure {
        self.failures = self.failures.saturating_add(1);
        let lock = policy.lockout_after(self.failures);
        let locked_until = (lock > 0).then(|| now.saturating_add(lock));
        if let Some(until) = locked_until {
            self.locked_until = until;
        }
        Failure { attempts_left: policy.free_failures.saturating_sub(self.failures), locked_until }
    }

    /// Clears failures and lock after a success.
    ///
    /// ```
    /// use totp_wasm::Throttle;
    /// let mut t = Throttle { failures: 9, locked_until: 500 };
    /// t.reset();
    /// assert_eq!(t, Throttle::default());
    /// ```
    pub fn reset(&mut self) {
        *self = Self::default();
    }

    /// Failures left before a lock, without counting one.
    pub(crate) fn attempts_left(&self, policy: &Policy) -> u32 {
        policy.free_failures.saturating_sub(self.failures)
    }
}
