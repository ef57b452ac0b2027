//! RFC 6238 Appendix B (TOTP), walked from tests/data/rfc6238.txt, plus time handling.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

#[path = "common/vectors.rs"]
mod vectors;

use totp_wasm::{Algorithm, OtpOptions, Secret, Totp, counter_at, remaining_seconds, totp, verify_totp};

fn walk(file: &str) -> usize {
    let mut n = 0;
    for v in vectors::load(file).into_iter().filter(|v| v.totp) {
        let o = OtpOptions { algorithm: Algorithm::parse(&v.algorithm).unwrap(), digits: v.digits, period: v.period };
        let time = i64::try_from(v.moment).unwrap();
        assert_eq!(totp(&v.secret, time, &o).unwrap(), v.code, "{}", v.origin);
        let t = Totp::new(Secret::from_bytes(v.secret.clone()).unwrap(), o).unwrap();
        assert_eq!(t.generate(time).unwrap(), v.code, "{}", v.origin);
        assert_eq!(t.verify(&v.code, time, 0).unwrap(), Some(0), "{}", v.origin);
        // One period later the same code is the previous step's.
        let later = time + i64::try_from(v.period).unwrap();
        assert_eq!(verify_totp(&v.secret, &v.code, later, 1, &o).unwrap(), Some(-1), "{}", v.origin);
        assert_eq!(verify_totp(&v.secret, &v.code, later, 0, &o).unwrap(), None, "{}", v.origin);
        n += 1;
    }
    n
}

#[test]
fn appendix_b_all_18_values_sha1_sha256_sha512() {
    assert_eq!(walk("rfc6238.txt"), 18);
}

#[test]
fn times_after_2038_and_2286_and_other_periods() {
    assert_eq!(walk("limits.txt"), 4);
}

#[test]
fn times_before_1970_are_errors() {
    let err = totp(b"12345678901234567890", -1, &OtpOptions::default()).unwrap_err();
    assert_eq!(err.code(), "INVALID_TIME");
    assert!(err.message().contains("1970"));
    assert_eq!(remaining_seconds(-30, 30).unwrap_err().code(), "INVALID_TIME");
    assert_eq!(verify_totp(b"k", "123456", i64::MIN, 1, &OtpOptions::default()).unwrap_err().code(), "INVALID_TIME");
}

#[test]
fn the_largest_time_still_has_a_code() {
    let o = OtpOptions::default();
    assert_eq!(counter_at(i64::MAX, 30).unwrap(), i64::MAX as u64 / 30);
    assert_eq!(totp(b"12345678901234567890", i64::MAX, &o).unwrap().len(), 6);
    assert!(verify_totp(b"12345678901234567890", "000000", i64::MAX, 10, &o).is_ok());
}

#[test]
fn remaining_seconds_is_in_1_to_period() {
    assert_eq!(remaining_seconds(0, 30).unwrap(), 30);
    assert_eq!(remaining_seconds(29, 30).unwrap(), 1);
    assert_eq!(remaining_seconds(30, 30).unwrap(), 30);
    assert_eq!(remaining_seconds(1_700_000_000, 1).unwrap(), 1);
    assert_eq!(remaining_seconds(i64::MAX, 30).unwrap(), 30 - (i64::MAX as u64 % 30));
    for t in 0..200 {
        let r = remaining_seconds(t, 7).unwrap();
        assert!((1..=7).contains(&r));
        assert_eq!((t as u64 + r) % 7, 0);
    }
}

#[test]
fn period_zero_is_an_error() {
    let o = OtpOptions { period: 0, ..OtpOptions::default() };
    assert_eq!(totp(b"k", 0, &o).unwrap_err().code(), "INVALID_PERIOD");
    assert_eq!(remaining_seconds(0, 0).unwrap_err().code(), "INVALID_PERIOD");
    assert_eq!(Totp::new(Secret::from_bytes(*b"k").unwrap(), o).unwrap_err().code(), "INVALID_PERIOD");
}
