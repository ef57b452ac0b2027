//! `verify_totp` / `verify_hotp` (and `Totp::verify`) with arbitrary keys, code strings, times,
//! counters, windows, look-aheads and options.
//!
//! Never panics; an error happens exactly for invalid arguments (empty key, digits outside
//! 6..=10, period 0, window > MAX_WINDOW, look-ahead > MAX_LOOK_AHEAD, time before 1970),
//! never for a malformed code; `Ok(Some(offset))` is within the window (look-ahead) and the
//! code really is the one at that offset; a correct code at an offset inside the window is
//! always found, at that offset or a nearer one (two steps can share a code).
//!
//! Resync mode (`Input::resync`): one TOTP factor with a fuzzed learned drift, or one HOTP
//! factor at a fuzzed counter, and two codes at fuzzed offsets. `resync` accepts exactly when
//! they are the codes of two consecutive fresh steps (counters) inside the resync range; once
//! accepted, neither step is accepted again, by the same resync or by `verify_code`, and the
//! HOTP counter never moves back. No (factor, step/counter) is ever accepted twice.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use totp_wasm::{
    Algorithm, FactorKind, MAX_LOOK_AHEAD, MAX_WINDOW, OtpOptions, Outcome, Policy, Secret, Totp, UserState, confirm_enrollment,
    confirm_hotp_enrollment, counter_at, hotp, resync, verify_code, verify_hotp, verify_totp,
};

#[derive(Arbitrary, Debug)]
struct Input {
    key: Vec<u8>,
    code: Code,
    time: Time,
    counter: u64,
    /// Window (TOTP) or look-ahead (HOTP): mostly small, sometimes anything.
    range: Range,
    algorithm: u8,
    digits: Digits,
    period: Period,
    hotp: bool,
    resync: Option<ResyncCase>,
}

#[derive(Arbitrary, Debug)]
struct ResyncCase {
    hotp: bool,
    /// TOTP: the learned drift to start from; HOTP: the enrolment counter.
    start: i8,
    /// Offsets of the two codes from the server's step (TOTP) or the expected counter (HOTP).
    first: i16,
    second: i16,
    window: u8,
    time: u32,
}

#[derive(Arbitrary, Debug)]
enum Code {
    /// Any text: wrong lengths, non-digits, fullwidth digits, empty.
    Text(String),
    /// The right code at this many steps (counters) from the current one.
    Correct(i8),
}

#[derive(Arbitrary, Debug)]
enum Time {
    Recent(u32),
    Any(i64),
}

#[derive(Arbitrary, Debug)]
enum Range {
    Small(u8),
    Any(u64),
}

#[derive(Arbitrary, Debug)]
enum Digits {
    Usual(u8),
    Any(u32),
}

#[derive(Arbitrary, Debug)]
enum Period {
    Usual(u8),
    Any(u64),
}

fuzz_target!(|input: Input| {
    let options = OtpOptions {
        algorithm: match input.algorithm % 3 {
            0 => Algorithm::Sha1,
            1 => Algorithm::Sha256,
            _ => Algorithm::Sha512,
        },
        digits: match input.digits {
            Digits::Usual(d) => 5 + u32::from(d % 7), // 5..=11: both edges
            Digits::Any(d) => d,
        },
        period: match input.period {
            Period::Usual(p) => u64::from(p % 121), // 0..=120
            Period::Any(p) => p,
        },
    };
    let range = match input.range {
        Range::Small(r) => u64::from(r % 128),
        Range::Any(r) => r,
    };
    let time = match input.time {
        Time::Recent(t) => i64::from(t),
        Time::Any(t) => t,
    };
    let key = &input.key[..];
    if let Some(case) = &input.resync {
        if !key.is_empty() {
            check_resync(key, case);
        }
        return;
    }
    let digits_ok = (6..=10).contains(&options.digits);
    if input.hotp {
        check_hotp(key, &input.code, input.counter, range, &options, digits_ok);
    } else {
        check_totp(key, &input.code, time, range, &options, digits_ok);
    }
});

fn check_totp(key: &[u8], code: &Code, time: i64, window: u64, options: &OtpOptions, digits_ok: bool) {
    let valid = !key.is_empty() && digits_ok && options.period >= 1 && window <= MAX_WINDOW && time >= 0;
    let (code, correct_at) = match code {
        Code::Text(text) => (text.clone(), None),
        Code::Correct(k) => {
            let Some(code) = (valid)
                .then(|| counter_at(time, options.period).ok()?.checked_add_signed(i64::from(*k)))
                .flatten()
                .and_then(|step| hotp(key, step, options).ok())
            else {
                return;
            };
            (code, Some(i64::from(*k)))
        }
    };
    let result = verify_totp(key, &code, time, window, options);
    assert_eq!(result.is_err(), !valid, "verify_totp: error {result:?} for valid={valid}, window {window}, time {time}, {options:?}");
    let Ok(found) = result else { return };
    if let Some(offset) = found {
        assert!(offset.unsigned_abs() <= window, "offset {offset} outside window {window}");
        let step = counter_at(time, options.period).expect("valid time").checked_add_signed(offset).expect("matched step");
        assert_eq!(hotp(key, step, options).ok().as_deref(), Some(code.as_str()), "accepted a wrong code");
    }
    if let Some(k) = correct_at.filter(|k| k.unsigned_abs() <= window) {
        let offset = found.unwrap_or_else(|| panic!("the right code at offset {k} (window {window}) was refused"));
        assert!(offset.unsigned_abs() <= k.unsigned_abs(), "found at {offset}, farther than {k}");
    }
    // The Totp type agrees with the function.
    if let Ok(secret) = Secret::from_bytes(key)
        && let Ok(totp) = Totp::new(secret, *options)
    {
        assert_eq!(totp.verify(&code, time, window).ok(), Some(found), "Totp::verify disagrees");
    }
}

fn check_hotp(key: &[u8], code: &Code, counter: u64, look_ahead: u64, options: &OtpOptions, digits_ok: bool) {
    let valid = !key.is_empty() && digits_ok && look_ahead <= MAX_LOOK_AHEAD;
    let (code, correct_at) = match code {
        Code::Text(text) => (text.clone(), None),
        Code::Correct(k) => {
            let k = u64::from(k.unsigned_abs());
            let Some(code) = counter.checked_add(k).filter(|_| valid).and_then(|c| hotp(key, c, options).ok()) else {
                return;
            };
            (code, Some(k))
        }
    };
    let result = verify_hotp(key, &code, counter, look_ahead, options);
    assert_eq!(result.is_err(), !valid, "verify_hotp: error {result:?} for valid={valid}, look-ahead {look_ahead}, {options:?}");
    let Ok(found) = result else { return };
    if let Some(offset) = found {
        assert!(offset <= look_ahead, "offset {offset} beyond look-ahead {look_ahead}");
        let at = counter.checked_add(offset).expect("matched counter");
        assert_eq!(hotp(key, at, options).ok().as_deref(), Some(code.as_str()), "accepted a wrong code");
    }
    if let Some(k) = correct_at.filter(|&k| k <= look_ahead) {
        let offset = found.unwrap_or_else(|| panic!("the right code at +{k} (look-ahead {look_ahead}) was refused"));
        assert!(offset <= k, "found at +{offset}, after +{k}");
    }
}

fn check_resync(key: &[u8], case: &ResyncCase) {
    let o = OtpOptions::default();
    let r = u64::from(case.window % 25);
    let policy = Policy { max_drift: 24, resync_window: r, resync_look_ahead: u64::from(case.window % 250) * 4, ..Policy::default() };
    let now = 1_000_000 + i64::from(case.time % 1_000_000);
    let step = counter_at(now, 30).expect("valid");
    let (state, base) = if case.hotp {
        let start = u64::from(case.start.unsigned_abs());
        let code = hotp(key, start, &o).expect("valid");
        let (_, s) = confirm_hotp_enrollment(&UserState::new(), key, &code, "T", start, now, &o, &policy).expect("enrols");
        (s, start + 1)
    } else {
        // Enrolled an hour ago; the drift is set as a login would have learned it.
        let code = totp(key, now - 3600);
        let (_, mut s) = confirm_enrollment(&UserState::new(), key, &code, "P", now - 3600, &o, &policy).expect("enrols");
        s.factors[0].drift = i64::from(case.start % 25);
        (s, step)
    };
    let at = |off: i16| base.checked_add_signed(i64::from(off));
    let (Some(a), Some(b)) = (at(case.first), at(case.second)) else { return };
    let codes = [hotp(key, a, &o).expect("valid"), hotp(key, b, &o).expect("valid")];
    let last = state.factors[0].last_step.expect("enrolled");
    let (lo, hi) = if case.hotp {
        (base + 1, base + policy.resync_look_ahead + 1)
    } else {
        (step.saturating_sub(r).max(1), step + r)
    };
    let fits = b == a + 1 && a > last && (lo..=hi).contains(&b);
    let (outcome, next) = resync(&state, &[(1, key)], None, [&codes[0], &codes[1]], now, &policy).expect("valid arguments");
    match outcome {
        Outcome::Accepted { factor: 1, .. } => {
            let second = next.factors[0].last_step.expect("recorded");
            assert!(second > last, "the counter/step moved back: {last} -> {second}");
            let (x, y) = (hotp(key, second - 1, &o).ok(), hotp(key, second, &o).ok());
            assert_eq!((x.as_deref(), y.as_deref()), (Some(codes[0].as_str()), Some(codes[1].as_str())), "accepted a wrong pair");
            assert!((lo..=hi).contains(&second), "accepted outside the resync range");
            // Never twice: the same resync, or either code alone, is not accepted again.
            let (again, _) = resync(&next, &[(1, key)], None, [&codes[0], &codes[1]], now, &policy).expect("valid");
            assert!(!matches!(again, Outcome::Accepted { .. }), "a resync pair was accepted twice");
            for c in &codes {
                let (o2, _) = verify_code(&next, &[(1, key)], c, now, &policy).expect("valid");
                if let Outcome::Accepted { offset, .. } = o2 {
                    let s2 = if case.hotp { second + 1 + offset as u64 } else { step.checked_add_signed(offset).expect("step") };
                    assert!(s2 > second, "step {s2} accepted again after resync to {second}");
                }
            }
            if !case.hotp {
                assert_eq!(next.factors[0].drift, second as i64 - step as i64);
            } else {
                assert_eq!(next.factors[0].kind, FactorKind::Hotp);
            }
        }
        Outcome::Invalid(_) => assert!(!fits, "a fitting pair at {a}, {b} was refused (last {last}, range {lo}..={hi})"),
        Outcome::Replayed { .. } => assert_eq!(next, state),
        other => panic!("resync gave {other:?}"),
    }
}

fn totp(key: &[u8], time: i64) -> String {
    totp_wasm::totp(key, time, &OtpOptions::default()).expect("valid")
}
