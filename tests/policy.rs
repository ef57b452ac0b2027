//! Verification with policy: replay (NIST SP 800-63B §5.1.4.2), throttling (RFC 4226 §7.3),
//! several authenticators, enrollment confirmation.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use totp_wasm::{Algorithm, Failure, OtpOptions, Outcome, Policy, UserState, confirm_enrollment, totp, verify_code};

const PHONE: &[u8] = b"12345678901234567890";
const LAPTOP: &[u8] = b"abcdefghijabcdefghij";
const T0: i64 = 1_700_000_010; // 10 s into a step

fn code(key: &[u8], time: i64) -> String {
    totp(key, time, &OtpOptions::default()).unwrap()
}

/// A state with one factor enrolled at T0 (so T0's step is already used).
fn enrolled() -> (UserState, u32) {
    let (outcome, state) =
        confirm_enrollment(&UserState::new(), PHONE, &code(PHONE, T0), "Phone", T0, &OtpOptions::default(), &Policy::default())
            .unwrap();
    let Outcome::Accepted { factor, offset: 0 } = outcome else { panic!("{outcome:?}") };
    (state, factor)
}

#[test]
fn the_enrollment_code_cannot_be_replayed_at_login() {
    let (state, phone) = enrolled();
    let (outcome, _) = verify_code(&state, &[(phone, PHONE)], &code(PHONE, T0), T0 + 5, &Policy::default()).unwrap();
    assert_eq!(outcome, Outcome::Replayed { factor: phone });
}

#[test]
fn the_same_code_twice_is_a_replay() {
    let (state, phone) = enrolled();
    let now = T0 + 30;
    let (first, state) = verify_code(&state, &[(phone, PHONE)], &code(PHONE, now), now, &Policy::default()).unwrap();
    assert_eq!(first, Outcome::Accepted { factor: phone, offset: 0 });
    let (second, state) = verify_code(&state, &[(phone, PHONE)], &code(PHONE, now), now + 1, &Policy::default()).unwrap();
    assert_eq!(second, Outcome::Replayed { factor: phone });
    assert_eq!(state.code_throttle.failures, 0, "a replay is not counted as a guess");
}

#[test]
fn an_older_step_after_a_newer_one_is_a_replay() {
    let (state, phone) = enrolled();
    let now = T0 + 90;
    // The person uses the code of the next step (their phone runs fast) …
    let (outcome, state) = verify_code(&state, &[(phone, PHONE)], &code(PHONE, now + 30), now, &Policy::default()).unwrap();
    assert_eq!(outcome, Outcome::Accepted { factor: phone, offset: 1 });
    // … so the current step's code, valid by time, is now older than the last accepted step.
    let (outcome, _) = verify_code(&state, &[(phone, PHONE)], &code(PHONE, now), now, &Policy::default()).unwrap();
    assert_eq!(outcome, Outcome::Replayed { factor: phone });
}

#[test]
fn two_factors_keep_independent_replay_state() {
    let (state, phone) = enrolled();
    let (outcome, state) = confirm_enrollment(&state, LAPTOP, &code(LAPTOP, T0 + 30), "Laptop", T0 + 30, &OtpOptions::default(), &Policy::default()).unwrap();
    let Outcome::Accepted { factor: laptop, .. } = outcome else { panic!() };
    assert_ne!(phone, laptop);
    let secrets = [(phone, PHONE), (laptop, LAPTOP)];
    let now = T0 + 60;
    let (a, state) = verify_code(&state, &secrets, &code(LAPTOP, now), now, &Policy::default()).unwrap();
    assert_eq!(a, Outcome::Accepted { factor: laptop, offset: 0 });
    // The phone's code for the same step is still fresh: its factor has its own last step.
    let (b, state) = verify_code(&state, &secrets, &code(PHONE, now), now, &Policy::default()).unwrap();
    assert_eq!(b, Outcome::Accepted { factor: phone, offset: 0 });
    let (c, _) = verify_code(&state, &secrets, &code(LAPTOP, now), now, &Policy::default()).unwrap();
    assert_eq!(c, Outcome::Replayed { factor: laptop });
}

#[test]
fn a_factor_with_other_options_verifies_with_its_own() {
    let opts = OtpOptions { algorithm: Algorithm::Sha256, digits: 8, period: 60 };
    let c = totp(LAPTOP, T0, &opts).unwrap();
    let (outcome, state) = confirm_enrollment(&UserState::new(), LAPTOP, &c, "Token", T0, &opts, &Policy::default()).unwrap();
    let Outcome::Accepted { factor, .. } = outcome else { panic!() };
    assert_eq!(state.factor(factor).unwrap().options, opts);
    let later = totp(LAPTOP, T0 + 60, &opts).unwrap();
    let (outcome, _) = verify_code(&state, &[(factor, LAPTOP)], &later, T0 + 60, &Policy::default()).unwrap();
    assert_eq!(outcome, Outcome::Accepted { factor, offset: 0 });
}

#[test]
fn a_missing_secret_is_an_error_not_a_wrong_code() {
    let (state, _) = enrolled();
    let err = verify_code(&state, &[], "123456", T0, &Policy::default()).unwrap_err();
    assert_eq!(err.code(), "INVALID_ARGUMENT");
    let err = verify_code(&UserState::new(), &[], "123456", T0, &Policy::default()).unwrap_err();
    assert_eq!(err.code(), "INVALID_ARGUMENT");
}

/// A scripted brute force at fixed times: the lock sequence of the default policy, then a reset.
#[test]
fn brute_force_meets_doubling_locks_and_a_success_resets_them() {
    let (mut state, phone) = enrolled();
    let policy = Policy::default();
    let secrets = [(phone, PHONE)];
    let mut now = T0 + 30;
    let mut wrong = "000000".to_string();
    if wrong == code(PHONE, now) {
        wrong = "000001".into();
    }
    let mut locks = Vec::new();
    for guess in 1..=9u32 {
        let (outcome, next) = verify_code(&state, &secrets, &wrong, now, &policy).unwrap();
        match outcome {
            Outcome::Invalid(Failure { attempts_left, locked_until: None }) => {
                assert!(guess <= 5, "guess {guess} should have locked");
                assert_eq!(attempts_left, 5 - guess);
            }
            Outcome::Invalid(Failure { locked_until: Some(until), .. }) => {
                locks.push(until - now as u64);
                // While locked, even the right code is refused without being checked.
                let (locked, same) = verify_code(&next, &secrets, &code(PHONE, now + 1), now + 1, &policy).unwrap();
                assert_eq!(locked, Outcome::Locked { retry_at: until });
                assert_eq!(same, next, "a refused guess changes nothing");
                now = until as i64;
            }
            other => panic!("guess {guess}: {other:?}"),
        }
        state = next;
    }
    assert_eq!(locks, [60, 120, 240, 480]);
    assert_eq!(state.code_throttle.failures, 9);
    // The lock has just ended: the right code is accepted and everything resets.
    let (outcome, state) = verify_code(&state, &secrets, &code(PHONE, now), now, &policy).unwrap();
    assert!(matches!(outcome, Outcome::Accepted { .. }), "{outcome:?}");
    assert_eq!(state.code_throttle, totp_wasm::Throttle::default());
}

#[test]
fn locks_double_up_to_the_cap() {
    let p = Policy::default();
    let locks: Vec<u64> = (1..=20).map(|f| p.lockout_after(f)).collect();
    assert_eq!(&locks[..5], [0, 0, 0, 0, 0]);
    assert_eq!(&locks[5..12], [60, 120, 240, 480, 960, 1920, 3840]);
    assert_eq!(locks[15], 61_440);
    assert_eq!(&locks[16..], [86_400; 4]);
    assert_eq!(p.lockout_after(u32::MAX), 86_400);
}

/// The numbers the README states for the default policy.
#[test]
fn the_attack_bound_of_the_default_policy() {
    let bound = Policy::default().attack_bound(6);
    assert_eq!(bound.guesses_first_day, 16);
    assert_eq!(bound.guesses_per_year, 380);
    assert!((bound.per_guess - 3e-6).abs() < 1e-12);
    assert!((bound.per_year - 0.00114).abs() < 1e-5, "{}", bound.per_year);
    // 10 digits: the code space is the 2^31 values of the truncation, not 10^10.
    let ten = Policy::default().attack_bound(10);
    assert!((ten.per_guess - 3.0 / 2f64.powi(31)).abs() < 1e-18);
    // Without a throttle (a lock of 1 s), a year of guessing finds the code.
    let weak = Policy { free_failures: 0, base_lockout: 1, max_lockout: 1, window: 1, ..Policy::default() };
    assert_eq!(weak.attack_bound(6).per_year, 1.0);
}

#[test]
fn invalid_policies_are_errors() {
    let (state, phone) = enrolled();
    for p in [
        Policy { window: 11, ..Policy::default() },
        Policy { base_lockout: 0, ..Policy::default() },
        Policy { max_lockout: 10, ..Policy::default() },
    ] {
        let err = verify_code(&state, &[(phone, PHONE)], "123456", T0, &p).unwrap_err();
        assert_eq!(err.code(), "INVALID_ARGUMENT");
    }
}

#[test]
fn a_wrong_enrollment_code_adds_nothing() {
    let c = code(PHONE, T0);
    let wrong = if c == "999999" { "999998" } else { "999999" };
    let (outcome, state) = confirm_enrollment(&UserState::new(), PHONE, wrong, "Phone", T0, &OtpOptions::default(), &Policy::default()).unwrap();
    assert!(matches!(outcome, Outcome::Invalid(_)));
    assert!(!state.enabled());
}

#[test]
fn factors_are_renamed_and_removed_one_by_one() {
    let (state, phone) = enrolled();
    let (_, mut state) = confirm_enrollment(&state, LAPTOP, &code(LAPTOP, T0), "Laptop", T0, &OtpOptions::default(), &Policy::default()).unwrap();
    state.rename_factor(phone, "  Work phone ").unwrap();
    assert_eq!(state.factor(phone).unwrap().label, "Work phone");
    assert_eq!(state.rename_factor(phone, "").unwrap_err().code(), "INVALID_ARGUMENT");
    assert_eq!(state.rename_factor(phone, &"x".repeat(65)).unwrap_err().code(), "INVALID_ARGUMENT");
    assert_eq!(state.rename_factor(99, "x").unwrap_err().code(), "INVALID_ARGUMENT");
    state.remove_factor(phone).unwrap();
    assert!(state.enabled());
    let last = state.factors[0].id;
    state.remove_factor(last).unwrap();
    assert!(!state.enabled(), "removing the last authenticator turns 2FA off");
    assert_eq!(state.remove_factor(last).unwrap_err().code(), "INVALID_ARGUMENT");
}
