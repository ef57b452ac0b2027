//! The verifier policy as a state machine: a sequence of operations decoded from the input
//! (enrol TOTP or HOTP, verify, resync with two codes, reset a drift, issue / use recovery and
//! removal codes, rename, remove, disable, store and reload) at increasing or arbitrary times,
//! with small keys (1..=8 bytes, some shared between factors) and a random small policy,
//! starting from an empty state or from a fuzzed stored one.
//!
//! Invariants checked after every operation, against a model kept beside the state:
//! - no (factor, step/counter) is ever accepted twice, by a code or a resync, and an accepted
//!   step is always after that factor's last accepted one (replay rejection); the accepted code
//!   is the real code of that factor at that step, inside the window around its learned drift
//!   (TOTP) or the look-ahead after its counter (HOTP); a resync's two codes are the real codes
//!   of two consecutive fresh steps within the resync window;
//! - a learned drift never exceeds the policy's bound; an HOTP counter only moves forward;
//! - a failed resync counts exactly one failure, like a wrong code;
//! - a right, unused code outside a lock is always accepted (for recovery and removal codes:
//!   one of the current set, never one of an earlier set, never twice);
//! - the failure count and the lock only go down on an acceptance; a failure adds exactly one
//!   to its own throttle (codes, or recovery/removal codes) and locks exactly as
//!   `Policy::lockout_after` says, leaving the other throttle alone; replays and typos count
//!   nothing;
//! - while locked, every guess is refused as `Locked { retry_at }` without changing the state;
//! - errors only for the documented reasons (time before 1970, 2FA off, bad options or label,
//!   too many factors), and an error never changes the state;
//! - factor ids are never reused; removing the last factor turns 2FA off with its codes;
//! - every state written reads back equal (binary and text).
#![no_main]

use std::collections::{HashMap, HashSet};

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use sha2::{Digest, Sha256};
use totp_wasm::{
    Algorithm, ErrorKind, Factor, FactorKind, Failure, MAX_FACTORS, OtpOptions, Outcome, Policy, RandomSource, RecoveryOutcome,
    Throttle, UserState, confirm_enrollment, confirm_hotp_enrollment, counter_at, generate_recovery_codes, hotp,
    normalise_recovery_code, resync, use_recovery_code, use_removal_code, verify_code,
};

const SERVER_KEY: &[u8] = b"fuzzing server key, 32 bytes ok!";
const KEYS: usize = 3;

#[derive(Arbitrary, Debug)]
struct Input {
    keys: [Vec<u8>; KEYS],
    window: u8,
    free_failures: u8,
    base_lockout: u16,
    max_factor: u8,
    drift: u8,
    look_ahead: u8,
    start: u32,
    seed: u64,
    /// A stored state to start from (a body; a valid checksum is appended), or an empty one.
    initial: Option<Vec<u8>>,
    ops: Vec<Op>,
}

#[derive(Arbitrary, Debug)]
enum Time {
    Same,
    Seconds(u8),
    Steps(u8),
    Jump(u32),
    Back(u16),
    Any(i64),
}

#[derive(Arbitrary, Debug)]
enum Code {
    /// The code of an enrolled factor (by index) at this many steps from now.
    Factor(u8, i8),
    /// The code of one of the keys under default options at this many steps from now.
    Key(u8, i8),
    Digits(u32),
    Text(String),
}

#[derive(Arbitrary, Debug)]
enum Label {
    Usual(u8),
    Text(String),
}

#[derive(Arbitrary, Debug)]
enum Options {
    Default,
    Custom { algorithm: u8, digits: u8, period: u8 },
}

#[derive(Arbitrary, Debug)]
enum Typed {
    /// A code of the current set (by index), as issued.
    Current(u8),
    /// A code of the current set retyped: uppercase, without separators, with look-alikes.
    Retyped(u8),
    /// A code of an earlier set.
    Old(u8),
    Text(String),
}

#[derive(Arbitrary, Debug)]
enum Op {
    Enroll { key: u8, code: Code, label: Label, options: Options, time: Time },
    EnrollHotp { key: u8, counter: u8, press: u8, label: Label },
    Verify { code: Code, time: Time },
    Resync { factor: Option<u8>, first: Code, second: Code, time: Time },
    ResetDrift { factor: u8 },
    Generate { with_removal: bool },
    Recovery { typed: Typed, time: Time },
    Removal { typed: Typed, time: Time },
    Rename { factor: u8, label: Label },
    Remove { factor: u8 },
    Disable,
    Reload,
}

/// A deterministic random source (splitmix64) for recovery codes.
struct Rng(u64);

impl RandomSource for Rng {
    fn fill(&mut self, dest: &mut [u8]) -> totp_wasm::Result<()> {
        for b in dest {
            self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            *b = (z ^ (z >> 31)) as u8;
        }
        Ok(())
    }
}

/// What the state should be, tracked beside it.
struct Model {
    keys: Vec<Vec<u8>>,
    policy: Policy,
    now: i64,
    /// Key index of each factor id.
    key_of: HashMap<u32, usize>,
    /// Every (factor, step) ever accepted.
    accepted: HashSet<(u32, u64)>,
    /// The highest id ever seen: new factors get larger ones.
    max_id: u32,
    current: Vec<String>,
    used: HashSet<String>,
    old: Vec<String>,
    removal: Option<String>,
    old_removals: Vec<String>,
}

fuzz_target!(|input: Input| {
    let max_drift = u64::from(input.drift % 24);
    let policy = Policy {
        window: u64::from(input.window % 4),
        free_failures: u32::from(input.free_failures % 8),
        base_lockout: 1 + u64::from(input.base_lockout),
        max_lockout: (1 + u64::from(input.base_lockout)) * (1 + u64::from(input.max_factor % 64)),
        max_drift,
        resync_window: max_drift.min(u64::from(input.drift / 24 % 24)),
        look_ahead: u64::from(input.look_ahead % 8),
        resync_look_ahead: u64::from(input.look_ahead / 8 % 32),
    };
    assert!(policy.validate().is_ok());
    let keys: Vec<Vec<u8>> = input
        .keys
        .iter()
        .enumerate()
        .map(|(i, k)| if k.is_empty() { vec![i as u8 + 1] } else { k[..k.len().min(8)].to_vec() })
        .collect();
    let mut state = match &input.initial {
        None => UserState::new(),
        Some(body) => {
            let mut bytes = body.clone();
            bytes.extend_from_slice(&Sha256::digest(body)[..4]);
            match UserState::from_bytes(&bytes) {
                Ok(state) => state,
                Err(_) => return,
            }
        }
    };
    let mut model = Model {
        keys,
        policy,
        now: i64::from(input.start),
        key_of: state.factors.iter().map(|f| (f.id, f.id as usize % KEYS)).collect(),
        accepted: HashSet::new(),
        max_id: state.factors.iter().map(|f| f.id).max().unwrap_or(0),
        current: Vec::new(),
        used: HashSet::new(),
        old: Vec::new(),
        removal: None,
        old_removals: Vec::new(),
    };
    // Codes of a fuzzed state are unknown: the model only tracks codes it issued.
    let mut rng = Rng(input.seed);
    for op in input.ops.iter().take(64) {
        let next = step(&mut model, &state, op, &mut rng);
        let (back, text) = (UserState::from_bytes(&next.to_bytes()), UserState::decode(&next.encode()));
        assert_eq!(back.as_ref().ok(), Some(&next), "binary round trip after {op:?}: {back:?}");
        assert_eq!(text.as_ref().ok(), Some(&next), "text round trip after {op:?}");
        for f in &next.factors {
            model.key_of.entry(f.id).or_insert(f.id as usize % KEYS);
        }
        state = next;
    }
});

fn advance(model: &mut Model, time: &Time) {
    model.now = match *time {
        Time::Same => model.now,
        Time::Seconds(s) => model.now.saturating_add(i64::from(s)),
        Time::Steps(n) => model.now.saturating_add(30 * i64::from(n)),
        Time::Jump(s) => model.now.saturating_add(i64::from(s)),
        Time::Back(s) => model.now.saturating_sub(i64::from(s)),
        Time::Any(t) => t,
    };
}

/// The code of `key` under `options` `delta` steps from `now`, if there is one.
fn code_at(key: &[u8], options: &OtpOptions, now: i64, delta: i8) -> Option<String> {
    let step = counter_at(now, options.period).ok()?.checked_add_signed(i64::from(delta))?;
    hotp(key, step, options).ok()
}

fn code_text(model: &Model, state: &UserState, code: &Code) -> String {
    let fallback = || "000000".to_string();
    match code {
        Code::Factor(i, delta) => {
            let Some(f) = state.factors.get(usize::from(*i) % state.factors.len().max(1)) else { return fallback() };
            let key = &model.keys[model.key_of[&f.id]];
            let at = match f.kind {
                // Around the factor's learned drift, where its codes are looked for.
                FactorKind::Totp => counter_at(model.now, f.options.period)
                    .ok()
                    .and_then(|s| s.checked_add_signed(f.drift)?.checked_add_signed(i64::from(*delta))),
                FactorKind::Hotp => next_counter(f).and_then(|n| n.checked_add_signed(i64::from(*delta))),
            };
            at.and_then(|c| hotp(key, c, &f.options).ok()).unwrap_or_else(fallback)
        }
        Code::Key(k, delta) => code_at(&model.keys[usize::from(*k) % KEYS], &OtpOptions::default(), model.now, *delta)
            .unwrap_or_else(fallback),
        Code::Digits(d) => format!("{d:06}"),
        Code::Text(t) => t.clone(),
    }
}

fn label_text(label: &Label) -> String {
    match label {
        Label::Usual(n) => format!("Phone {n}"),
        Label::Text(t) => t.clone(),
    }
}

fn recovery_text(model: &Model, typed: &Typed) -> String {
    let pick = |codes: &[String], i: u8| codes.get(usize::from(i) % codes.len().max(1)).cloned();
    match typed {
        Typed::Current(i) => pick(&model.current, *i).unwrap_or_default(),
        Typed::Retyped(i) => pick(&model.current, *i)
            .map(|c| c.replace(['-', ' '], "").to_uppercase().replace('0', "O").replace('1', "l"))
            .unwrap_or_default(),
        Typed::Old(i) => pick(&model.old, *i).unwrap_or_default(),
        Typed::Text(t) => t.clone(),
    }
}

fn removal_text(model: &Model, typed: &Typed) -> String {
    match typed {
        Typed::Current(_) => model.removal.clone().unwrap_or_default(),
        Typed::Retyped(_) => model.removal.as_ref().map(|c| c.replace(' ', "-")).unwrap_or_default(),
        Typed::Old(i) => {
            model.old_removals.get(usize::from(*i) % model.old_removals.len().max(1)).cloned().unwrap_or_default()
        }
        Typed::Text(t) => t.clone(),
    }
}

/// Failures and lock of `throttle` after one more failure at `now`.
fn after_failure(policy: &Policy, throttle: &Throttle, now: u64) -> (u32, u64, Option<u64>) {
    let failures = throttle.failures.saturating_add(1);
    let lock = policy.lockout_after(failures);
    let until = (lock > 0).then(|| now.saturating_add(lock));
    (failures, until.unwrap_or(throttle.locked_until), until)
}

fn locked(throttle: &Throttle, now: i64) -> bool {
    now >= 0 && (now as u64) < throttle.locked_until
}

/// The HOTP counter a factor expects next, if any is left.
fn next_counter(f: &Factor) -> Option<u64> {
    match f.last_step {
        None => Some(0),
        Some(last) => last.checked_add(1),
    }
}

/// The steps (counters) where `code` is a fresh right code of `f`: in the window around its
/// drift (TOTP) or the look-ahead after its counter (HOTP).
fn fresh_steps(model: &Model, f: &Factor, code: &str, now: i64) -> Vec<u64> {
    let key = &model.keys[model.key_of[&f.id]];
    let (first, last) = match f.kind {
        FactorKind::Totp => {
            let bound = model.policy.max_drift as i64;
            let now_step = counter_at(now, f.options.period).expect("valid");
            let center = now_step.saturating_add_signed(f.drift.clamp(-bound, bound));
            let w = model.policy.window;
            (center.saturating_sub(w), center.saturating_add(w))
        }
        FactorKind::Hotp => match next_counter(f) {
            Some(n) => (n, n.saturating_add(model.policy.look_ahead)),
            None => return Vec::new(),
        },
    };
    (first..=last)
        .filter(|&s| hotp(key, s, &f.options).ok().as_deref() == Some(code))
        .filter(|&s| f.last_step.is_none_or(|l| s > l))
        .collect()
}

/// Checks what an acceptance did to the factor, and records its step(s) as used.
fn check_accepted(model: &mut Model, state: &UserState, next: &UserState, factor: u32, steps: &[u64]) {
    let before = state.factor(factor).expect("accepted factor exists");
    let after = next.factor(factor).expect("accepted factor is kept");
    for &step in steps {
        assert!(before.last_step.is_none_or(|last| step > last), "replay accepted: ({factor}, {step})");
        assert!(model.accepted.insert((factor, step)), "(factor {factor}, step {step}) accepted twice");
    }
    assert_eq!(after.last_step, steps.last().copied(), "the last accepted step is recorded");
    assert!(after.drift.unsigned_abs() <= model.policy.max_drift.max(before.drift.unsigned_abs()), "drift {} beyond bound", after.drift);
    if after.kind == FactorKind::Hotp {
        assert_eq!(after.drift, 0);
    }
    assert_eq!((next.code_throttle, next.recovery_throttle), (Throttle::default(), Throttle::default()), "acceptance resets");
    for (a, b) in state.factors.iter().zip(&next.factors) {
        if a.id != factor {
            assert_eq!(a, b, "another factor changed");
        }
    }
}

fn check_failure(model: &Model, state: &UserState, next: &UserState, failure: Failure, now: i64) {
    let (failures, until, new_lock) = after_failure(&model.policy, &state.code_throttle, now as u64);
    assert_eq!((next.code_throttle.failures, next.code_throttle.locked_until, failure.locked_until), (failures, until, new_lock));
    assert_eq!(failure.attempts_left, model.policy.free_failures.saturating_sub(failures));
    assert_eq!(next.recovery_throttle, state.recovery_throttle, "a code failure touched the recovery throttle");
    assert_eq!(next.factors, state.factors);
}

/// Runs one operation, checks it against the model and returns the new state.
fn step(model: &mut Model, state: &UserState, op: &Op, rng: &mut Rng) -> UserState {
    match op {
        Op::Enroll { key, code, label, options, time } => {
            advance(model, time);
            let key_index = usize::from(*key) % KEYS;
            let options = match *options {
                Options::Default => OtpOptions::default(),
                Options::Custom { algorithm, digits, period } => OtpOptions {
                    algorithm: [Algorithm::Sha1, Algorithm::Sha256, Algorithm::Sha512][usize::from(algorithm % 3)],
                    digits: 5 + u32::from(digits % 7),
                    period: u64::from(period % 91),
                },
            };
            let key_bytes = model.keys[key_index].clone();
            let code = match code {
                // For enrolment, "the factor's code" is the code of the key being enrolled.
                Code::Factor(_, delta) | Code::Key(_, delta) => {
                    code_at(&key_bytes, &options, model.now, *delta).unwrap_or_default()
                }
                other => code_text(model, state, other),
            };
            let label = label_text(label);
            let result = confirm_enrollment(state, &key_bytes, &code, &label, model.now, &options, &model.policy);
            let (outcome, next) = match result {
                Ok(ok) => ok,
                Err(e) => {
                    let why = e.kind();
                    let expected = if model.now < 0 {
                        why == ErrorKind::InvalidTime
                    } else if options.validate().is_err() {
                        matches!(why, ErrorKind::InvalidDigits | ErrorKind::InvalidPeriod)
                    } else {
                        why == ErrorKind::InvalidArgument
                            && (state.factors.len() >= MAX_FACTORS || label.trim().is_empty() || label.trim().len() > 64
                                || label.chars().any(char::is_control))
                    };
                    assert!(expected, "confirm_enrollment failed unexpectedly: {e} ({op:?})");
                    return state.clone();
                }
            };
            match outcome {
                Outcome::Accepted { factor, offset } => {
                    assert!(offset.unsigned_abs() <= model.policy.window);
                    assert!(factor > model.max_id, "factor id {factor} reused (max seen {})", model.max_id);
                    assert!(state.factor(factor).is_none());
                    model.max_id = factor;
                    let step = counter_at(model.now, options.period).expect("valid").checked_add_signed(offset).expect("step");
                    assert_eq!(hotp(&key_bytes, step, &options).ok().as_deref(), Some(code.as_str()), "accepted a wrong code");
                    assert!(model.accepted.insert((factor, step)), "enrolment reused ({factor}, {step})");
                    let f = next.factor(factor).expect("the new factor");
                    assert_eq!((f.last_step, f.options, f.label.as_str()), (Some(step), options, label.trim()));
                    assert_eq!((f.kind, f.drift), (FactorKind::Totp, 0));
                    assert_eq!(next.factors.len(), state.factors.len() + 1);
                    assert_eq!((next.code_throttle, next.recovery_throttle), (state.code_throttle, state.recovery_throttle));
                    model.key_of.insert(factor, key_index);
                }
                Outcome::Invalid(Failure { locked_until: None, .. }) => {
                    assert_eq!(&next, state, "a refused enrolment changed the state");
                    let window = model.policy.window as i8;
                    for d in -window..=window {
                        let right = code_at(&key_bytes, &options, model.now, d);
                        assert_ne!(right.as_deref(), Some(code.as_str()), "a right enrolment code (offset {d}) was refused");
                    }
                }
                other => panic!("confirm_enrollment gave {other:?}"),
            }
            next
        }
        Op::EnrollHotp { key, counter, press, label } => {
            let key_index = usize::from(*key) % KEYS;
            let key_bytes = model.keys[key_index].clone();
            let (start, at) = (u64::from(*counter), u64::from(*counter) + u64::from(*press % 12));
            let code = hotp(&key_bytes, at, &OtpOptions::default()).expect("valid");
            let label = label_text(label);
            let options = OtpOptions::default();
            let (outcome, next) = match confirm_hotp_enrollment(state, &key_bytes, &code, &label, start, model.now, &options, &model.policy) {
                Ok(ok) => ok,
                Err(e) => {
                    let label_bad = label.trim().is_empty() || label.trim().len() > 64 || label.chars().any(char::is_control);
                    let expected = model.now < 0 || state.factors.len() >= MAX_FACTORS || label_bad;
                    assert!(expected, "confirm_hotp_enrollment failed unexpectedly: {e}");
                    return state.clone();
                }
            };
            match outcome {
                Outcome::Accepted { factor, offset } => {
                    // The nearest counter with this code (an earlier one may share it).
                    let used = start + offset as u64;
                    assert!(offset >= 0 && used <= at && offset as u64 <= model.policy.look_ahead, "offset {offset}");
                    assert_eq!(hotp(&key_bytes, used, &options).ok().as_deref(), Some(code.as_str()), "accepted a wrong code");
                    assert!(factor > model.max_id);
                    model.max_id = factor;
                    assert!(model.accepted.insert((factor, used)));
                    let f = next.factor(factor).expect("the new factor");
                    assert_eq!((f.kind, f.last_step, f.drift), (FactorKind::Hotp, Some(used), 0));
                    model.key_of.insert(factor, key_index);
                }
                Outcome::Invalid(_) => {
                    assert!(at - start > model.policy.look_ahead, "a right HOTP enrolment code was refused");
                    assert_eq!(&next, state);
                }
                other => panic!("confirm_hotp_enrollment gave {other:?}"),
            }
            next
        }
        Op::Verify { code, time } => {
            advance(model, time);
            let code = code_text(model, state, code);
            let secrets: Vec<(u32, &[u8])> =
                state.factors.iter().map(|f| (f.id, &model.keys[model.key_of[&f.id]][..])).collect();
            let now = model.now;
            let result = verify_code(state, &secrets, &code, now, &model.policy);
            let (outcome, next) = match result {
                Ok(ok) => ok,
                Err(e) => {
                    let expected = if now < 0 {
                        e.kind() == ErrorKind::InvalidTime
                    } else {
                        !locked(&state.code_throttle, now) && state.factors.is_empty() && e.kind() == ErrorKind::InvalidArgument
                    };
                    assert!(expected, "verify_code failed unexpectedly: {e} (now {now}, {state:?})");
                    return state.clone();
                }
            };
            if locked(&state.code_throttle, now) {
                assert_eq!(outcome, Outcome::Locked { retry_at: state.code_throttle.locked_until });
                assert_eq!(&next, state, "a locked verify changed the state");
                return next;
            }
            let fresh: Vec<(u32, u64)> =
                state.factors.iter().flat_map(|f| fresh_steps(model, f, &code, now).into_iter().map(move |s| (f.id, s))).collect();
            match outcome {
                Outcome::Accepted { factor, offset } => {
                    let f = state.factor(factor).expect("accepted factor exists");
                    let step = match f.kind {
                        FactorKind::Totp => counter_at(now, f.options.period).expect("valid").checked_add_signed(offset),
                        FactorKind::Hotp => next_counter(f).and_then(|n| n.checked_add(offset as u64)),
                    }
                    .expect("step");
                    assert!(fresh.contains(&(factor, step)), "accepted ({factor}, {step}) which is not a fresh right code");
                    check_accepted(model, state, &next, factor, &[step]);
                    if f.kind == FactorKind::Totp && model.policy.max_drift > 0 {
                        let max = model.policy.max_drift as i64;
                        assert_eq!(next.factor(factor).map(|g| g.drift), Some(offset.clamp(-max, max)), "the offset is learned");
                    }
                }
                Outcome::Replayed { .. } => {
                    assert!(fresh.is_empty(), "a fresh right code {fresh:?} was called a replay");
                    assert_eq!(&next, state, "a replay changed the state");
                }
                Outcome::Invalid(failure) => {
                    assert!(fresh.is_empty(), "a fresh right code {fresh:?} was refused");
                    check_failure(model, state, &next, failure, now);
                }
                Outcome::Locked { .. } => panic!("Locked while not locked (now {now}, {:?})", state.code_throttle),
            }
            next
        }
        Op::Resync { factor, first, second, time } => {
            advance(model, time);
            let codes = [code_text(model, state, first), code_text(model, state, second)];
            let only = factor.map(|i| pick_id(state, i));
            let secrets: Vec<(u32, &[u8])> =
                state.factors.iter().map(|f| (f.id, &model.keys[model.key_of[&f.id]][..])).collect();
            let now = model.now;
            let (outcome, next) = match resync(state, &secrets, only, [&codes[0], &codes[1]], now, &model.policy) {
                Ok(ok) => ok,
                Err(e) => {
                    let expected = now < 0
                        || (!locked(&state.code_throttle, now)
                            && (state.factors.is_empty() || only.is_some_and(|id| state.factor(id).is_none())));
                    assert!(expected, "resync failed unexpectedly: {e}");
                    assert_eq!(e.kind(), if now < 0 { ErrorKind::InvalidTime } else { ErrorKind::InvalidArgument });
                    return state.clone();
                }
            };
            if locked(&state.code_throttle, now) {
                assert_eq!(outcome, Outcome::Locked { retry_at: state.code_throttle.locked_until });
                assert_eq!(&next, state, "a locked resync changed the state");
                return next;
            }
            let fresh_pair = |f: &Factor| -> Vec<u64> { resync_seconds(model, f, &codes, now) };
            match outcome {
                Outcome::Accepted { factor, .. } => {
                    assert!(only.is_none_or(|id| id == factor), "resync of {only:?} accepted factor {factor}");
                    let f = state.factor(factor).expect("accepted factor exists");
                    let second = next.factor(factor).and_then(|g| g.last_step).expect("a step was recorded");
                    assert!(fresh_pair(f).contains(&second), "resync accepted ({factor}, {second}) without a fresh pair");
                    check_accepted(model, state, &next, factor, &[second - 1, second]);
                }
                Outcome::Replayed { .. } => assert_eq!(&next, state, "a replayed resync changed the state"),
                Outcome::Invalid(failure) => {
                    for f in state.factors.iter().filter(|f| only.is_none_or(|id| id == f.id)) {
                        assert!(fresh_pair(f).is_empty(), "a fresh resync pair of factor {} was refused", f.id);
                    }
                    check_failure(model, state, &next, failure, now);
                }
                Outcome::Locked { .. } => panic!("resync Locked while not locked"),
            }
            next
        }
        Op::ResetDrift { factor } => {
            let id = pick_id(state, *factor);
            let mut next = state.clone();
            match next.reset_drift(id) {
                Ok(()) => {
                    let (a, b) = (state.factor(id).expect("existing"), next.factor(id).expect("kept"));
                    assert_eq!((b.drift, b.last_step), (0, a.last_step), "a reset keeps the replay mark");
                }
                Err(_) => assert!(state.factor(id).is_none() && &next == state),
            }
            next
        }
        Op::Generate { with_removal } => {
            match generate_recovery_codes(state, SERVER_KEY, rng, *with_removal) {
                Err(e) => {
                    assert!(!state.enabled(), "generate_recovery_codes failed with 2FA on: {e}");
                    state.clone()
                }
                Ok((issued, next)) => {
                    assert!(state.enabled());
                    assert_eq!(issued.codes.len(), 10);
                    assert_eq!(next.recovery_remaining(), 10);
                    assert_eq!(next.has_removal_code(), *with_removal);
                    assert_eq!(issued.removal_code.is_some(), *with_removal);
                    let distinct: HashSet<_> = issued.codes.iter().filter_map(|c| normalise_recovery_code(c)).collect();
                    assert_eq!(distinct.len(), 10, "codes not distinct or not well-formed: {issued:?}");
                    assert_eq!(
                        (&next.factors, next.code_throttle, next.recovery_throttle),
                        (&state.factors, state.code_throttle, state.recovery_throttle)
                    );
                    model.old.append(&mut model.current);
                    model.old_removals.extend(model.removal.take());
                    model.current = issued.codes;
                    model.removal = issued.removal_code;
                    next
                }
            }
        }
        Op::Recovery { typed, time } => {
            advance(model, time);
            let code = recovery_text(model, typed);
            let now = model.now;
            let (outcome, next) = match use_recovery_code(state, SERVER_KEY, &code, now, &model.policy) {
                Ok(ok) => ok,
                Err(e) => {
                    assert!(now < 0 && e.kind() == ErrorKind::InvalidTime, "use_recovery_code failed: {e}");
                    return state.clone();
                }
            };
            let normalised = normalise_recovery_code(&code);
            let current: Vec<String> = model.current.iter().filter_map(|c| normalise_recovery_code(c)).collect();
            let unused = normalised.as_ref().is_some_and(|n| current.contains(n) && !model.used.contains(n));
            if locked(&state.recovery_throttle, now) {
                assert_eq!(outcome, RecoveryOutcome::Locked { retry_at: state.recovery_throttle.locked_until });
                assert_eq!(&next, state, "a locked recovery attempt changed the state");
                return next;
            }
            match outcome {
                RecoveryOutcome::Accepted { remaining } => {
                    assert!(unused, "accepted {code:?}, not an unused code of the current set");
                    model.used.insert(normalised.expect("normalised"));
                    assert_eq!(remaining, state.recovery_remaining() - 1);
                    assert_eq!(next.recovery_remaining(), remaining);
                    assert_eq!((next.code_throttle, next.recovery_throttle), (Throttle::default(), Throttle::default()));
                    assert_eq!(next.factors, state.factors);
                }
                RecoveryOutcome::Typo => {
                    assert!(normalised.is_none(), "a well-formed code {code:?} was called a typo");
                    assert_eq!(&next, state, "a typo changed the state");
                }
                RecoveryOutcome::Invalid(Failure { attempts_left, locked_until }) => {
                    assert!(!unused, "an unused current code {code:?} was refused");
                    let (failures, until, new_lock) = after_failure(&model.policy, &state.recovery_throttle, now as u64);
                    let t = next.recovery_throttle;
                    assert_eq!((t.failures, t.locked_until, locked_until), (failures, until, new_lock));
                    assert_eq!(attempts_left, model.policy.free_failures.saturating_sub(failures));
                    assert_eq!(next.code_throttle, state.code_throttle, "a recovery failure touched the code throttle");
                    assert_eq!(next.recovery_remaining(), state.recovery_remaining());
                }
                RecoveryOutcome::Locked { .. } => panic!("Locked while not locked"),
            }
            next
        }
        Op::Removal { typed, time } => {
            advance(model, time);
            let code = removal_text(model, typed);
            let now = model.now;
            let (outcome, next) = match use_removal_code(state, SERVER_KEY, &code, now, &model.policy) {
                Ok(ok) => ok,
                Err(e) => {
                    assert!(now < 0 && e.kind() == ErrorKind::InvalidTime, "use_removal_code failed: {e}");
                    return state.clone();
                }
            };
            let digits = |c: &str| c.chars().filter(|c| c.is_ascii_digit()).collect::<String>();
            let is_current = model.removal.as_deref().is_some_and(|r| {
                digits(r) == digits(&code) && code.chars().all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '\t'))
            });
            if locked(&state.recovery_throttle, now) {
                assert_eq!(outcome, RecoveryOutcome::Locked { retry_at: state.recovery_throttle.locked_until });
                assert_eq!(&next, state, "a locked removal attempt changed the state");
                return next;
            }
            match outcome {
                RecoveryOutcome::Accepted { remaining } => {
                    assert!(is_current, "accepted removal code {code:?}, not the current one");
                    assert_eq!(remaining, 0);
                    assert!(!next.enabled() && next.recovery_remaining() == 0 && !next.has_removal_code());
                    assert_eq!((next.code_throttle, next.recovery_throttle), (Throttle::default(), Throttle::default()));
                    model.old_removals.extend(model.removal.take());
                    model.old.append(&mut model.current);
                }
                RecoveryOutcome::Typo => assert_eq!(&next, state, "a typo changed the state"),
                RecoveryOutcome::Invalid(Failure { attempts_left, locked_until }) => {
                    assert!(!is_current, "the current removal code {code:?} was refused");
                    let (failures, until, new_lock) = after_failure(&model.policy, &state.recovery_throttle, now as u64);
                    let t = next.recovery_throttle;
                    assert_eq!((t.failures, t.locked_until, locked_until), (failures, until, new_lock));
                    assert_eq!(attempts_left, model.policy.free_failures.saturating_sub(failures));
                    assert!(next.enabled() == state.enabled());
                }
                RecoveryOutcome::Locked { .. } => panic!("Locked while not locked"),
            }
            next
        }
        Op::Rename { factor, label } => {
            let id = pick_id(state, *factor);
            let label = label_text(label);
            let mut next = state.clone();
            match next.rename_factor(id, &label) {
                Ok(()) => {
                    let f = next.factor(id).expect("renamed factor");
                    assert_eq!(f.label, label.trim());
                    assert_eq!(next.factors.len(), state.factors.len());
                    assert_eq!((next.code_throttle, next.recovery_throttle), (state.code_throttle, state.recovery_throttle));
                }
                Err(_) => assert_eq!(&next, state, "a failed rename changed the state"),
            }
            next
        }
        Op::Remove { factor } => {
            let id = pick_id(state, *factor);
            let mut next = state.clone();
            match next.remove_factor(id) {
                Ok(()) => {
                    assert!(state.factor(id).is_some() && next.factor(id).is_none());
                    assert_eq!(next.factors.len(), state.factors.len() - 1);
                    if next.factors.is_empty() {
                        assert!(!next.enabled() && next.recovery_remaining() == 0 && !next.has_removal_code());
                        model.old.append(&mut model.current);
                        model.old_removals.extend(model.removal.take());
                    } else {
                        assert_eq!(next.recovery_remaining(), state.recovery_remaining());
                    }
                    assert_eq!((next.code_throttle, next.recovery_throttle), (state.code_throttle, state.recovery_throttle));
                }
                Err(_) => {
                    assert!(state.factor(id).is_none(), "removing an existing factor failed");
                    assert_eq!(&next, state, "a failed remove changed the state");
                }
            }
            next
        }
        Op::Disable => {
            let mut next = state.clone();
            next.disable();
            assert!(!next.enabled() && next.recovery_remaining() == 0 && !next.has_removal_code());
            assert_eq!((next.code_throttle, next.recovery_throttle), (state.code_throttle, state.recovery_throttle));
            model.old.append(&mut model.current);
            model.old_removals.extend(model.removal.take());
            next
        }
        Op::Reload => {
            let next = UserState::from_bytes(&state.to_bytes()).expect("a state's bytes read back");
            assert_eq!(&next, state);
            next
        }
    }
}

/// An existing factor id (by index) or, for odd choices past the end, an unknown one.
fn pick_id(state: &UserState, choice: u8) -> u32 {
    let i = usize::from(choice);
    state.factors.get(i).map_or(u32::from(choice).wrapping_mul(7919), |f| f.id)
}

/// The second steps (counters) of every fresh pair `codes` forms for `f` within the resync
/// range: TOTP seconds within `resync_window` of the server's step, HOTP seconds after the
/// expected counter within `resync_look_ahead + 1`; both steps after the last accepted one.
fn resync_seconds(model: &Model, f: &Factor, codes: &[String; 2], now: i64) -> Vec<u64> {
    let key = &model.keys[model.key_of[&f.id]];
    let (lo, hi) = match f.kind {
        FactorKind::Totp => {
            let s = counter_at(now, f.options.period).expect("valid");
            let r = model.policy.resync_window;
            (s.saturating_sub(r).max(1), s.saturating_add(r))
        }
        FactorKind::Hotp => match next_counter(f) {
            Some(n) => (n.saturating_add(1), n.saturating_add(model.policy.resync_look_ahead).saturating_add(1)),
            None => return Vec::new(),
        },
    };
    let code = |c: u64| hotp(key, c, &f.options).ok();
    (lo..=hi)
        .filter(|&s| f.last_step.is_none_or(|l| s - 1 > l))
        .filter(|&s| code(s - 1).as_deref() == Some(codes[0].as_str()) && code(s).as_deref() == Some(codes[1].as_str()))
        .collect()
}
