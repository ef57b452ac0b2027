//! The verifier policy as a state machine: a sequence of operations decoded from the input
//! (enrol, verify, issue / use recovery and removal codes, rename, remove, disable, store and
//! reload) at increasing or arbitrary times, with small keys (1..=8 bytes, some shared between
//! factors) and a random small policy, starting from an empty state or from a fuzzed stored one.
//!
//! Invariants checked after every operation, against a model kept beside the state:
//! - no code is accepted twice for the same (factor, step), and an accepted step is always
//!   after that factor's last accepted one (replay rejection); the accepted code is the real
//!   code of that factor at that step, at an offset inside the window;
//! - a right, unused code outside a lock is always accepted (for recovery and removal codes:
//!   one of the current set, never one of an earlier set, never twice);
//! - the failure count and the lock only go down on an acceptance; a failure adds exactly one
//!   and locks exactly as `Policy::lockout_after` says; replays and typos count nothing;
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
    Algorithm, ErrorKind, MAX_FACTORS, OtpOptions, Outcome, Policy, RandomSource, RecoveryOutcome, UserState,
    confirm_enrollment, counter_at, generate_recovery_codes, hotp, normalise_recovery_code, use_recovery_code,
    use_removal_code, verify_code,
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
    Verify { code: Code, time: Time },
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
    let policy = Policy {
        window: u64::from(input.window % 4),
        free_failures: u32::from(input.free_failures % 8),
        base_lockout: 1 + u64::from(input.base_lockout),
        max_lockout: (1 + u64::from(input.base_lockout)) * (1 + u64::from(input.max_factor % 64)),
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
            code_at(key, &f.options, model.now, *delta).unwrap_or_else(fallback)
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

/// Failures and lock after one more failure at `now`.
fn after_failure(policy: &Policy, state: &UserState, now: u64) -> (u32, u64, Option<u64>) {
    let failures = state.failures.saturating_add(1);
    let lock = policy.lockout_after(failures);
    let until = (lock > 0).then(|| now.saturating_add(lock));
    (failures, until.unwrap_or(state.locked_until), until)
}

fn locked(state: &UserState, now: i64) -> bool {
    now >= 0 && (now as u64) < state.locked_until
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
                    assert_eq!(next.factors.len(), state.factors.len() + 1);
                    assert_eq!((next.failures, next.locked_until), (state.failures, state.locked_until));
                    model.key_of.insert(factor, key_index);
                }
                Outcome::Invalid { locked_until: None, .. } => {
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
                        !locked(state, now) && state.factors.is_empty() && e.kind() == ErrorKind::InvalidArgument
                    };
                    assert!(expected, "verify_code failed unexpectedly: {e} (now {now}, {state:?})");
                    return state.clone();
                }
            };
            if locked(state, now) {
                assert_eq!(outcome, Outcome::Locked { retry_at: state.locked_until });
                assert_eq!(&next, state, "a locked verify changed the state");
                return next;
            }
            // Which factors the code is right for, unused, inside the window.
            let window = model.policy.window as i64;
            let fresh: Vec<(u32, u64)> = state
                .factors
                .iter()
                .flat_map(|f| {
                    let key = &model.keys[model.key_of[&f.id]];
                    let base = counter_at(now, f.options.period).expect("valid");
                    (-window..=window)
                        .filter_map(move |d| base.checked_add_signed(d))
                        .filter(|&s| hotp(key, s, &f.options).ok().as_deref() == Some(code.as_str()))
                        .filter(|&s| f.last_step.is_none_or(|last| s > last))
                        .map(|s| (f.id, s))
                        .collect::<Vec<_>>()
                })
                .collect();
            match outcome {
                Outcome::Accepted { factor, offset } => {
                    assert!(offset.unsigned_abs() <= model.policy.window, "offset {offset} outside the window");
                    let f = state.factor(factor).expect("accepted factor exists");
                    let step = counter_at(now, f.options.period).expect("valid").checked_add_signed(offset).expect("step");
                    assert!(fresh.contains(&(factor, step)), "accepted ({factor}, {step}) which is not a fresh right code");
                    assert!(model.accepted.insert((factor, step)), "code accepted twice for ({factor}, {step})");
                    assert!(f.last_step.is_none_or(|last| step > last), "replay accepted");
                    assert_eq!(next.factor(factor).and_then(|f| f.last_step), Some(step));
                    assert_eq!((next.failures, next.locked_until), (0, 0), "acceptance did not reset the throttle");
                    for (a, b) in state.factors.iter().zip(&next.factors) {
                        if a.id != factor {
                            assert_eq!(a, b, "another factor changed");
                        }
                    }
                }
                Outcome::Replayed { .. } => {
                    assert!(fresh.is_empty(), "a fresh right code {fresh:?} was called a replay");
                    assert_eq!(&next, state, "a replay changed the state");
                }
                Outcome::Invalid { attempts_left, locked_until } => {
                    assert!(fresh.is_empty(), "a fresh right code {fresh:?} was refused");
                    let (failures, until, new_lock) = after_failure(&model.policy, state, now as u64);
                    assert_eq!((next.failures, next.locked_until, locked_until), (failures, until, new_lock));
                    assert_eq!(attempts_left, model.policy.free_failures.saturating_sub(failures));
                    assert_eq!(next.factors, state.factors);
                }
                Outcome::Locked { .. } => panic!("Locked while not locked (now {now}, until {})", state.locked_until),
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
                        (&next.factors, next.failures, next.locked_until),
                        (&state.factors, state.failures, state.locked_until)
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
            if locked(state, now) {
                assert_eq!(outcome, RecoveryOutcome::Locked { retry_at: state.locked_until });
                assert_eq!(&next, state, "a locked recovery attempt changed the state");
                return next;
            }
            match outcome {
                RecoveryOutcome::Accepted { remaining } => {
                    assert!(unused, "accepted {code:?}, not an unused code of the current set");
                    model.used.insert(normalised.expect("normalised"));
                    assert_eq!(remaining, state.recovery_remaining() - 1);
                    assert_eq!(next.recovery_remaining(), remaining);
                    assert_eq!((next.failures, next.locked_until), (0, 0));
                    assert_eq!(next.factors, state.factors);
                }
                RecoveryOutcome::Typo => {
                    assert!(normalised.is_none(), "a well-formed code {code:?} was called a typo");
                    assert_eq!(&next, state, "a typo changed the state");
                }
                RecoveryOutcome::Invalid { attempts_left, locked_until } => {
                    assert!(!unused, "an unused current code {code:?} was refused");
                    let (failures, until, new_lock) = after_failure(&model.policy, state, now as u64);
                    assert_eq!((next.failures, next.locked_until, locked_until), (failures, until, new_lock));
                    assert_eq!(attempts_left, model.policy.free_failures.saturating_sub(failures));
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
            if locked(state, now) {
                assert_eq!(outcome, RecoveryOutcome::Locked { retry_at: state.locked_until });
                assert_eq!(&next, state, "a locked removal attempt changed the state");
                return next;
            }
            match outcome {
                RecoveryOutcome::Accepted { remaining } => {
                    assert!(is_current, "accepted removal code {code:?}, not the current one");
                    assert_eq!(remaining, 0);
                    assert!(!next.enabled() && next.recovery_remaining() == 0 && !next.has_removal_code());
                    assert_eq!((next.failures, next.locked_until), (0, 0));
                    model.old_removals.extend(model.removal.take());
                    model.old.append(&mut model.current);
                }
                RecoveryOutcome::Typo => assert_eq!(&next, state, "a typo changed the state"),
                RecoveryOutcome::Invalid { attempts_left, locked_until } => {
                    assert!(!is_current, "the current removal code {code:?} was refused");
                    let (failures, until, new_lock) = after_failure(&model.policy, state, now as u64);
                    assert_eq!((next.failures, next.locked_until, locked_until), (failures, until, new_lock));
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
                    assert_eq!((next.failures, next.locked_until), (state.failures, state.locked_until));
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
                    assert_eq!((next.failures, next.locked_until), (state.failures, state.locked_until));
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
            assert_eq!((next.failures, next.locked_until), (state.failures, state.locked_until));
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

