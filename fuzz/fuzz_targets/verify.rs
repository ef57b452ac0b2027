//! `verify_totp` / `verify_hotp` (and `Totp::verify`) with arbitrary keys, code strings, times,
//! counters, windows, look-aheads and options.
//!
//! Never panics; an error happens exactly for invalid arguments (empty key, digits outside
//! 6..=10, period 0, window > MAX_WINDOW, look-ahead > MAX_LOOK_AHEAD, time before 1970),
//! never for a malformed code; `Ok(Some(offset))` is within the window (look-ahead) and the
//! code really is the one at that offset; a correct code at an offset inside the window is
//! always found, at that offset or a nearer one (two steps can share a code).
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use totp_wasm::{
    Algorithm, MAX_LOOK_AHEAD, MAX_WINDOW, OtpOptions, Secret, Totp, counter_at, hotp, verify_hotp, verify_totp,
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
