//! Learned clock drift (RFC 6238 §6), resynchronisation by two consecutive codes, and HOTP
//! authenticators with a bounded look-ahead (RFC 4226 §7.4), without weakening replay rejection
//! or throttling.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use totp_wasm::{
    ErrorKind, Failure, FactorKind, OtpOptions, Outcome, Policy, UserState, confirm_enrollment, confirm_hotp_enrollment, hotp,
    resync, totp, verify_code,
};

const KEY: &[u8] = b"12345678901234567890";
const T0: i64 = 1_700_000_010;
const DAY: i64 = 86_400;

fn code(time: i64) -> String {
    totp(KEY, time, &OtpOptions::default()).unwrap()
}

fn press(counter: u64) -> String {
    hotp(KEY, counter, &OtpOptions::default()).unwrap()
}

fn enrolled(policy: &Policy) -> UserState {
    let (outcome, state) = confirm_enrollment(&UserState::new(), KEY, &code(T0), "Phone", T0, &OtpOptions::default(), policy).unwrap();
    assert!(matches!(outcome, Outcome::Accepted { factor: 1, .. }));
    state
}

fn login(state: &UserState, typed: &str, now: i64, policy: &Policy) -> (Outcome, UserState) {
    verify_code(state, &[(1, KEY)], typed, now, policy).unwrap()
}

/// Signs in once a day with a phone that loses 10 s a day; returns the first day that failed.
fn daily_logins(policy: &Policy, days: i64) -> Option<i64> {
    let mut state = enrolled(policy);
    for day in 1..=days {
        let now = T0 + day * DAY + (day * 7) % 30; // a different moment of the step each day
        let phone = now - 10 * day;
        let (outcome, next) = login(&state, &code(phone), now, policy);
        if !matches!(outcome, Outcome::Accepted { .. }) {
            return Some(day);
        }
        state = next;
    }
    None
}

#[test]
fn a_phone_losing_10_s_a_day_keeps_working_for_40_days_with_the_default_window() {
    let policy = Policy::default();
    assert_eq!(policy.window, 1);
    assert_eq!(daily_logins(&policy, 40), None);
    // The same phone without learning: refused within the first week.
    let fixed = Policy { max_drift: 0, resync_window: 0, ..Policy::default() };
    let failed = daily_logins(&fixed, 40).expect("without learning the drift wins");
    assert!(failed <= 7, "day {failed}");
}

#[test]
fn the_learned_offset_is_shown_bounded_and_can_be_reset() {
    let policy = Policy::default();
    let mut state = enrolled(&policy);
    for day in 1..=40 {
        let now = T0 + day * DAY;
        state = login(&state, &code(now - 10 * day), now, &policy).1;
    }
    // 400 s slow: about 13 steps, learned.
    let drift = state.factors[0].drift;
    assert!((-14..=-12).contains(&drift), "{drift}");
    // The bound: a phone 30 minutes slow is never learned past max_drift, even one step at a time.
    let small = Policy { max_drift: 3, resync_window: 3, ..Policy::default() };
    let mut s = enrolled(&small);
    for day in 1..=10 {
        let now = T0 + day * DAY;
        s = login(&s, &code(now - 10 * day), now, &small).1;
    }
    assert_eq!(s.factors[0].drift, -3);
    state.reset_drift(1).unwrap();
    assert_eq!(state.factors[0].drift, 0);
    assert_eq!(state.reset_drift(9).unwrap_err().kind(), ErrorKind::InvalidArgument);
}

#[test]
fn codes_on_the_far_side_of_the_learned_offset_and_from_before_it_moved_are_refused() {
    let policy = Policy::default();
    let mut state = enrolled(&policy);
    // The phone runs 2 minutes fast (4 steps); it is learned in steps of one window.
    let mut now = T0 + 60;
    for ahead in 1..=4 {
        now += 60;
        let (outcome, next) = login(&state, &code(now + 30 * ahead), now, &policy);
        assert_eq!(outcome, Outcome::Accepted { factor: 1, offset: ahead });
        state = next;
    }
    assert_eq!(state.factors[0].drift, 4);
    now += 60;
    // The window is now steps +3..=+5: the code of the server's own time (what a phone with a
    // right clock, or a code noted before the offset moved, shows) is refused and counted.
    let (outcome, next) = login(&state, &code(now), now, &policy);
    assert!(matches!(outcome, Outcome::Invalid(_)), "{outcome:?}");
    assert_eq!(next.code_throttle.failures, 1);
    // So are the codes the phone showed before and at its last accepted one.
    for earlier in [now - 60 + 30 * 3, now - 60 + 30 * 4] {
        let (outcome, _) = login(&state, &code(earlier), now, &policy);
        assert!(!matches!(outcome, Outcome::Accepted { .. }), "{outcome:?}");
    }
    // Within the window, the last accepted step itself is a replay.
    let (outcome, _) = login(&state, &code(now - 60 + 30 * 4), now - 60, &policy);
    assert_eq!(outcome, Outcome::Replayed { factor: 1 });
    // The phone's current code still signs in.
    let (outcome, _) = login(&state, &code(now + 120), now, &policy);
    assert_eq!(outcome, Outcome::Accepted { factor: 1, offset: 4 });
}

#[test]
fn a_code_is_accepted_once_under_a_learned_offset() {
    let policy = Policy::default();
    let mut state = enrolled(&policy);
    let mut now = T0;
    for day in 1..=9 {
        now = T0 + day * DAY;
        state = login(&state, &code(now - 10 * day), now, &policy).1;
    }
    assert_eq!(state.factors[0].drift, -3);
    let typed = code(now + 30 - 90);
    let (first, state) = login(&state, &typed, now + 30, &policy);
    assert!(matches!(first, Outcome::Accepted { .. }));
    for later in [now + 31, now + 45, now + 59] {
        let (again, _) = login(&state, &typed, later, &policy);
        assert_eq!(again, Outcome::Replayed { factor: 1 }, "at {later}");
    }
}

#[test]
fn a_clock_that_jumped_is_repaired_by_two_consecutive_codes_never_by_one() {
    let policy = Policy::default();
    let state = enrolled(&policy);
    let now = T0 + 3600;
    let phone = now + 8 * 60; // 8 minutes fast: 16 steps
    let (c1, c2, c3) = (code(phone), code(phone + 30), code(phone + 60));
    let secrets = [(1, KEY)];
    let (outcome, _) = login(&state, &c1, now, &policy);
    assert!(matches!(outcome, Outcome::Invalid(_)), "one code outside the window is refused");
    // Not two consecutive codes: the same one twice, a gap, the wrong order, garbage.
    for pair in [[&c1, &c1], [&c1, &c3], [&c2, &c1], [&c1, &"12345".to_string()]] {
        let (outcome, next) = resync(&state, &secrets, None, [pair[0], pair[1]], now, &policy).unwrap();
        assert_eq!(outcome, Outcome::Invalid(Failure { attempts_left: 4, locked_until: None }), "{pair:?}");
        assert_eq!(next.code_throttle.failures, 1, "a failed resync counts one failure");
    }
    let (outcome, state) = resync(&state, &secrets, Some(1), [&c1, &c2], now + 5, &policy).unwrap();
    assert_eq!(outcome, Outcome::Accepted { factor: 1, offset: 17 });
    assert_eq!(state.factors[0].drift, 17);
    // From now on the normal ±1 window follows the phone; c1 and c2 are used.
    let (outcome, state) = login(&state, &code(phone + 90), now + 60, &policy);
    assert_eq!(outcome, Outcome::Accepted { factor: 1, offset: 17 });
    for used in [&c1, &c2] {
        assert!(!matches!(login(&state, used, now + 60, &policy).0, Outcome::Accepted { .. }));
    }
}

#[test]
fn a_resync_beyond_its_window_is_refused() {
    let policy = Policy::default(); // ±20 steps = ±10 minutes
    let state = enrolled(&policy);
    let now = T0 + 3600;
    for minutes in [11, -11, 60] {
        let phone = now + minutes * 60;
        let (outcome, _) = resync(&state, &[(1, KEY)], None, [&code(phone), &code(phone + 30)], now, &policy).unwrap();
        assert!(matches!(outcome, Outcome::Invalid(_)), "{minutes} min: {outcome:?}");
    }
    let phone = now - 9 * 60;
    let (outcome, _) = resync(&state, &[(1, KEY)], None, [&code(phone), &code(phone + 30)], now, &policy).unwrap();
    assert_eq!(outcome, Outcome::Accepted { factor: 1, offset: -17 });
}

#[test]
fn the_throttle_counts_every_failed_resync_and_locks_them_too() {
    let policy = Policy::default();
    let mut state = enrolled(&policy);
    let now = T0 + 3600;
    let (c1, c2) = (code(now + 300), code(now + 330));
    let (w1, w2) = ("000000", "000001");
    let mut lock = None;
    for attempt in 1..=6u32 {
        let (outcome, next) = resync(&state, &[(1, KEY)], None, [w1, w2], now, &policy).unwrap();
        assert_eq!(next.code_throttle.failures, attempt);
        match outcome {
            Outcome::Invalid(Failure { locked_until: None, attempts_left }) => assert_eq!(attempts_left, 5 - attempt),
            Outcome::Invalid(Failure { locked_until: Some(until), .. }) => lock = Some(until),
            other => panic!("{other:?}"),
        }
        state = next;
    }
    let until = lock.expect("the 6th failed resync locks");
    assert_eq!(until, now as u64 + 60);
    // While locked even the right pair is refused unchecked, and normal codes too.
    let (outcome, same) = resync(&state, &[(1, KEY)], None, [&c1, &c2], now + 30, &policy).unwrap();
    assert_eq!((outcome, &same), (Outcome::Locked { retry_at: until }, &state));
    assert_eq!(login(&state, &code(now + 30), now + 30, &policy).0, Outcome::Locked { retry_at: until });
    let (outcome, state) = resync(&state, &[(1, KEY)], None, [&c1, &c2], until as i64, &policy).unwrap();
    assert!(matches!(outcome, Outcome::Accepted { .. }));
    assert_eq!(state.code_throttle.failures, 0);
}

/// A resync applied to a state that already recorded either code, or the same resync applied
/// twice in a row, accepts nothing the second time (the caller writes each result back).
#[test]
fn a_resync_never_accepts_a_step_twice() {
    let policy = Policy::default();
    let s0 = enrolled(&policy);
    let now = T0 + 3600;
    let (c1, c2) = (code(now + 270), code(now + 300));
    let (accepted, s1) = resync(&s0, &[(1, KEY)], None, [&c1, &c2], now, &policy).unwrap();
    assert!(matches!(accepted, Outcome::Accepted { .. }));
    let (again, s2) = resync(&s1, &[(1, KEY)], None, [&c1, &c2], now + 1, &policy).unwrap();
    assert_eq!(again, Outcome::Replayed { factor: 1 });
    assert_eq!(s2, s1, "a replayed resync changes nothing");
    assert_eq!(login(&s1, &c2, now + 1, &policy).0, Outcome::Replayed { factor: 1 });
    // The other order: the second code signed in normally first (its request committed first).
    let near = Policy::default();
    let (c1, c2) = (code(now - 30), code(now));
    let (_, signed_in) = login(&s0, &c2, now, &near);
    assert_eq!(resync(&signed_in, &[(1, KEY)], None, [&c1, &c2], now, &near).unwrap().0, Outcome::Replayed { factor: 1 });
}

#[test]
fn resync_arguments_are_checked() {
    let policy = Policy::default();
    let state = enrolled(&policy);
    let err = resync(&state, &[(1, KEY)], Some(7), ["000000", "000000"], T0, &policy).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    assert_eq!(resync(&state, &[], None, ["000000", "000000"], T0, &policy).unwrap_err().kind(), ErrorKind::InvalidArgument);
    assert_eq!(resync(&UserState::new(), &[], None, ["0", "0"], T0, &policy).unwrap_err().kind(), ErrorKind::InvalidArgument);
    let loose = Policy { resync_window: 30, ..Policy::default() };
    assert_eq!(resync(&state, &[(1, KEY)], None, ["0", "0"], T0, &loose).unwrap_err().kind(), ErrorKind::InvalidArgument);
    assert_eq!(resync(&state, &[(1, KEY)], None, ["0", "0"], -1, &policy).unwrap_err().kind(), ErrorKind::InvalidTime);
}

fn hotp_enrolled(policy: &Policy) -> UserState {
    let (outcome, state) =
        confirm_hotp_enrollment(&UserState::new(), KEY, &press(0), "Token", 0, T0, &OtpOptions::default(), policy).unwrap();
    assert_eq!(outcome, Outcome::Accepted { factor: 1, offset: 0 });
    assert_eq!(state.factors[0].kind, FactorKind::Hotp);
    state
}

#[test]
fn hotp_codes_within_the_look_ahead_are_accepted_once_and_the_counter_only_moves_forward() {
    let policy = Policy::default(); // look-ahead 2: counters last+1 ..= last+3
    let state = hotp_enrolled(&policy);
    assert_eq!(login(&state, &press(0), T0, &policy).0, Outcome::Replayed { factor: 1 });
    assert!(matches!(login(&state, &press(4), T0, &policy).0, Outcome::Invalid(_)), "beyond the look-ahead");
    let (outcome, state) = login(&state, &press(3), T0, &policy);
    assert_eq!(outcome, Outcome::Accepted { factor: 1, offset: 2 });
    assert_eq!(state.factors[0].last_step, Some(3));
    // Skipped presses are not accepted afterwards: the counter only moves forward.
    for skipped in [1, 2] {
        assert!(matches!(login(&state, &press(skipped), T0, &policy).0, Outcome::Invalid(_)));
    }
    assert_eq!(login(&state, &press(3), T0, &policy).0, Outcome::Replayed { factor: 1 });
    // Each counter value once, in a long run of presses.
    let mut state = state;
    for counter in 4..40 {
        let (outcome, next) = login(&state, &press(counter), T0, &policy);
        assert_eq!(outcome, Outcome::Accepted { factor: 1, offset: 0 });
        assert_eq!(login(&next, &press(counter), T0, &policy).0, Outcome::Replayed { factor: 1 });
        state = next;
    }
}

#[test]
fn two_consecutive_hotp_codes_far_ahead_resync_the_counter() {
    let policy = Policy::default(); // resync look-ahead 100
    let state = hotp_enrolled(&policy);
    // The token was pressed 60 times in a pocket.
    assert!(matches!(login(&state, &press(61), T0, &policy).0, Outcome::Invalid(_)));
    let (outcome, state) = resync(&state, &[(1, KEY)], None, [&press(61), &press(62)], T0, &policy).unwrap();
    assert_eq!(outcome, Outcome::Accepted { factor: 1, offset: 61 });
    assert_eq!(state.factors[0].last_step, Some(62));
    assert_eq!(login(&state, &press(63), T0, &policy).0, Outcome::Accepted { factor: 1, offset: 0 });
    for old in [0, 30, 61, 62] {
        assert!(!matches!(login(&state, &press(old), T0, &policy).0, Outcome::Accepted { .. }), "counter {old}");
    }
    // Beyond the resync look-ahead: refused, counted.
    let (outcome, next) = resync(&state, &[(1, KEY)], None, [&press(300), &press(301)], T0, &policy).unwrap();
    assert!(matches!(outcome, Outcome::Invalid(_)));
    assert_eq!(next.code_throttle.failures, 1);
}

#[test]
fn totp_and_hotp_factors_live_side_by_side() {
    let policy = Policy::default();
    let state = hotp_enrolled(&policy);
    let (outcome, state) = confirm_enrollment(&state, KEY, &code(T0), "Phone", T0, &OtpOptions::default(), &policy).unwrap();
    assert!(matches!(outcome, Outcome::Accepted { factor: 2, .. }));
    let secrets = [(1, KEY), (2, KEY)];
    let (outcome, state) = verify_code(&state, &secrets, &press(1), T0 + 30, &policy).unwrap();
    assert_eq!(outcome, Outcome::Accepted { factor: 1, offset: 0 });
    let (outcome, state) = verify_code(&state, &secrets, &code(T0 + 30), T0 + 30, &policy).unwrap();
    assert_eq!(outcome, Outcome::Accepted { factor: 2, offset: 0 });
    assert_eq!(UserState::decode(&state.encode()).unwrap(), state);
}

#[test]
fn policy_bounds_for_drift_resync_and_look_ahead_are_checked() {
    assert!(Policy::default().validate().is_ok());
    for bad in [
        Policy { max_drift: 61, resync_window: 20, ..Policy::default() },
        Policy { max_drift: 10, resync_window: 11, ..Policy::default() },
        Policy { look_ahead: 101, ..Policy::default() },
        Policy { resync_look_ahead: 1001, ..Policy::default() },
    ] {
        assert_eq!(bad.validate().unwrap_err().kind(), ErrorKind::InvalidArgument, "{bad:?}");
    }
}
