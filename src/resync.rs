//! Resynchronisation by two consecutive codes: a TOTP authenticator whose clock jumped (RFC 6238
//! §6) or an HOTP token pressed far ahead (RFC 4226 §7.4).
//!
//! One code in a wide window is a many-fold easier guess than one in the normal window, so a
//! resync needs two codes of *consecutive* steps (counters): the chance that a guessed pair
//! matches is about (positions) / 10^12 for 6 digits. A failed resync counts one failure in
//! the authenticator-code throttle, and a lock refuses resyncs like codes. Both steps must be
//! after the factor's last accepted one, and the second becomes the last accepted, so neither
//! code (nor any earlier one) can be used again.

use crate::error::{Error, ErrorKind, Result};
use crate::hotp::{Code, code_at, ct_eq, well_formed};
use crate::policy::{Fresh, Outcome, Policy, accept, now_seconds, secret_for};
use crate::state::{Factor, FactorKind, UserState};
use crate::totp::counter_at;
use alloc::vec::Vec;

/// Resynchronises a factor from two consecutive codes, `codes[0]` then `codes[1]`.
///
/// `factor`: the authenticator to resync (settings), or `None` to try every one (at sign-in,
/// where the person only has codes). TOTP: the pair may sit anywhere within
/// `policy.resync_window` steps of the server's time; on success the second code's offset is
/// learned as the factor's drift and signs in. HOTP: the pair may start up to
/// `policy.resync_look_ahead` counter values after the expected one; the counter moves to the
/// second. Outcomes are those of [`verify_code`](crate::verify_code): `Accepted` (offset: the
/// second code's offset), `Replayed` (a pair of already used steps; nothing counted),
/// `Invalid` (one failure counted) or `Locked`.
///
/// ```
/// use totp_wasm::{Outcome, OtpOptions, Policy, UserState, confirm_enrollment, resync, totp, verify_code};
/// # fn main() -> Result<(), totp_wasm::Error> {
/// let (key, o, p) = (b"12345678901234567890", OtpOptions::default(), Policy::default());
/// let (_, state) = confirm_enrollment(&UserState::new(), key, &totp(key, 1_000, &o)?, "Phone", 1_000, &o, &p)?;
/// // A week later the phone's clock is 4 minutes fast (8 steps): one code is refused …
/// let (now, ahead) = (1_000 + 7 * 86_400, 240);
/// let first = totp(key, now + ahead, &o)?;
/// assert!(matches!(verify_code(&state, &[(1, key)], &first, now, &p)?.0, Outcome::Invalid(_)));
/// // … but it and the next one, together, repair it (the failed try above counted once).
/// let second = totp(key, now + ahead + 30, &o)?;
/// let (outcome, state) = resync(&state, &[(1, key)], None, [&first, &second], now + 10, &p)?;
/// assert_eq!(outcome, Outcome::Accepted { factor: 1, offset: 9 });
/// assert_eq!(state.factors[0].drift, 9);
/// # Ok(()) }
/// ```
pub fn resync(
    state: &UserState,
    secrets: &[crate::FactorSecret<'_>],
    factor: Option<u32>,
    codes: [&str; 2],
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
    if let Some(id) = factor
        && state.factor(id).is_none()
    {
        return Err(Error::new(ErrorKind::InvalidArgument, "there is no authenticator with this id"));
    }
    let mut accepted: Option<(usize, Fresh)> = None;
    let mut replayed = None;
    for (index, f) in state.factors.iter().enumerate() {
        if factor.is_some_and(|id| id != f.id) {
            continue;
        }
        let key = secret_for(secrets, f.id)?;
        match find_pair(f, key, codes, now, policy)? {
            Pair::None => {}
            Pair::Used => {
                replayed.get_or_insert(f.id);
            }
            Pair::Fresh(fresh) => {
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

enum Pair {
    None,
    Used,
    Fresh(Fresh),
}

/// Where `codes` are the codes of two consecutive steps (counters) of `factor`, if anywhere.
fn find_pair(factor: &Factor, key: &[u8], codes: [&str; 2], now: i64, policy: &Policy) -> Result<Pair> {
    let o = &factor.options;
    if !codes.iter().all(|c| well_formed(c, o.digits)) {
        return Ok(Pair::None);
    }
    let (first, base, positions) = match factor.kind {
        FactorKind::Totp => {
            let now_step = counter_at(now, o.period)?;
            let r = policy.resync_window;
            // Second code's step in now−r..=now+r, so the first's in now−r−1..now+r.
            let first = now_step.saturating_sub(r.saturating_add(1));
            (first, now_step, now_step.saturating_add(r) - first)
        }
        FactorKind::Hotp => {
            let expected = match factor.last_step {
                None => 0,
                Some(u64::MAX) => return Ok(Pair::None),
                Some(last) => last + 1,
            };
            (expected, expected, policy.resync_look_ahead.saturating_add(1))
        }
    };
    // Every candidate code is computed and compared, in order; the match nearest the server's
    // time (the expected counter) wins.
    let candidates: Vec<Code> = (0..=positions)
        .map_while(|i| first.checked_add(i))
        .map(|c| code_at(key, c, o.algorithm, o.digits))
        .collect::<Result<_>>()?;
    let mut best: Option<u64> = None;
    for (i, pair) in candidates.windows(2).enumerate() {
        let [a, b] = pair else { continue };
        let hit = ct_eq(a.as_bytes(), codes[0].as_bytes()) & ct_eq(b.as_bytes(), codes[1].as_bytes());
        let second = first + i as u64 + 1;
        if hit && best.is_none_or(|s| second.abs_diff(base) < s.abs_diff(base)) {
            best = Some(second);
        }
    }
    let Some(second) = best else { return Ok(Pair::None) };
    if factor.last_step.is_some_and(|last| second - 1 <= last) {
        return Ok(Pair::Used);
    }
    let offset = second as i128 - base as i128;
    let fresh = Fresh { step: second, offset: offset as i64, drift: if factor.kind == FactorKind::Totp { offset as i64 } else { 0 } };
    Ok(Pair::Fresh(fresh))
}

