//! Stateless verification: windows, offsets, and malformed codes that are answers, not errors.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use totp_wasm::{Algorithm, OtpOptions, totp, verify_hotp, verify_totp};

const KEY: &[u8] = b"12345678901234567890";

#[test]
fn malformed_codes_are_not_valid_rather_than_errors() {
    let o = OtpOptions::default();
    for code in ["", "28708", "2870820", "28708a", "２８７０８２", "287 082", "+87082", "-87082", "٢٨٧٠٨٢"] {
        assert_eq!(verify_totp(KEY, code, 59, 1, &o).unwrap(), None, "{code:?}");
        assert_eq!(verify_hotp(KEY, code, 1, 0, &o).unwrap(), None, "{code:?}");
    }
}

#[test]
fn the_window_is_symmetric_in_steps_and_reports_the_offset() {
    let o = OtpOptions::default();
    let now = 1_700_000_000;
    for offset in -3i64..=3 {
        let code = totp(KEY, now + offset * 30, &o).unwrap();
        let found = verify_totp(KEY, &code, now, 3, &o).unwrap();
        assert_eq!(found, Some(offset));
        let narrow = verify_totp(KEY, &code, now, 1, &o).unwrap();
        assert_eq!(narrow, (offset.abs() <= 1).then_some(offset));
    }
}

#[test]
fn near_1970_the_window_does_not_go_below_step_0() {
    let o = OtpOptions::default();
    let code = totp(KEY, 0, &o).unwrap();
    assert_eq!(verify_totp(KEY, &code, 0, 10, &o).unwrap(), Some(0));
    assert_eq!(verify_totp(KEY, &code, 31, 10, &o).unwrap(), Some(-1));
}

#[test]
fn window_and_look_ahead_are_bounded() {
    let o = OtpOptions::default();
    assert!(verify_totp(KEY, "000000", 59, 10, &o).is_ok());
    assert_eq!(verify_totp(KEY, "000000", 59, 11, &o).unwrap_err().code(), "INVALID_ARGUMENT");
    assert!(verify_hotp(KEY, "000000", 0, 100, &o).is_ok());
    assert_eq!(verify_hotp(KEY, "000000", 0, 101, &o).unwrap_err().code(), "INVALID_ARGUMENT");
}

#[test]
fn codes_of_other_lengths_and_algorithms_verify_only_with_their_options() {
    let sha256 = OtpOptions { algorithm: Algorithm::Sha256, digits: 8, period: 60 };
    let code = totp(KEY, 1_000_000, &sha256).unwrap();
    assert_eq!(verify_totp(KEY, &code, 1_000_000, 0, &sha256).unwrap(), Some(0));
    assert_eq!(verify_totp(KEY, &code, 1_000_000, 1, &OtpOptions::default()).unwrap(), None);
    let sha1_8 = OtpOptions { digits: 8, period: 60, ..OtpOptions::default() };
    assert_eq!(verify_totp(KEY, &code, 1_000_000, 1, &sha1_8).unwrap(), None);
}

#[test]
fn bad_options_are_errors_even_for_malformed_codes() {
    let o = OtpOptions { digits: 4, ..OtpOptions::default() };
    assert_eq!(verify_totp(KEY, "", 59, 1, &o).unwrap_err().code(), "INVALID_DIGITS");
    assert_eq!(verify_totp(b"", "123456", 59, 1, &OtpOptions::default()).unwrap_err().code(), "INVALID_SECRET");
}
