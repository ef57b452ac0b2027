//! RFC 4226 Appendix D (HOTP), walked from tests/data/rfc4226.txt, plus §5.3 behaviour.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

#[path = "common/vectors.rs"]
mod vectors;

use totp_wasm::{Algorithm, OtpOptions, hotp, verify_hotp};

fn options(v: &vectors::Vector) -> OtpOptions {
    OtpOptions { algorithm: Algorithm::parse(&v.algorithm).unwrap(), digits: v.digits, period: v.period }
}

fn walk(file: &str) -> usize {
    let mut n = 0;
    for v in vectors::load(file).into_iter().filter(|v| !v.totp) {
        let o = options(&v);
        assert_eq!(hotp(&v.secret, v.moment, &o).unwrap(), v.code, "{}", v.origin);
        assert_eq!(verify_hotp(&v.secret, &v.code, v.moment, 0, &o).unwrap(), Some(0), "{}", v.origin);
        if let Some(before) = v.moment.checked_sub(3) {
            assert_eq!(verify_hotp(&v.secret, &v.code, before, 3, &o).unwrap(), Some(3), "{}", v.origin);
        }
        n += 1;
    }
    n
}

#[test]
fn appendix_d_all_ten_values_at_6_and_10_digits() {
    assert_eq!(walk("rfc4226.txt"), 20);
}

#[test]
fn counters_past_2_32_2_53_and_up_to_2_64_minus_1() {
    assert_eq!(walk("limits.txt"), 7);
}

#[test]
fn look_ahead_stops_at_the_end_of_the_counter_space() {
    let key = b"12345678901234567890";
    let o = OtpOptions::default();
    // 094451 is the code at u64::MAX; a look-ahead past it must not wrap to counter 0.
    assert_eq!(verify_hotp(key, "094451", u64::MAX - 2, 5, &o).unwrap(), Some(2));
    assert_eq!(verify_hotp(key, "755224", u64::MAX, 5, &o).unwrap(), None);
}

#[test]
fn section_5_3_digits_outside_6_to_10_are_errors() {
    let key = b"12345678901234567890";
    for digits in [0, 5, 11, 100] {
        let o = OtpOptions { digits, ..OtpOptions::default() };
        assert_eq!(hotp(key, 0, &o).unwrap_err().code(), "INVALID_DIGITS", "{digits}");
    }
}

#[test]
fn an_empty_key_is_an_error() {
    assert_eq!(hotp(b"", 0, &OtpOptions::default()).unwrap_err().code(), "INVALID_SECRET");
}
