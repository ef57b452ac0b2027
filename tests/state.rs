//! The stored state: compact, versioned, checksummed. Every older version must stay readable
//! (tests/data/state-v1.txt is a version-1 state written by the first release); corrupt or
//! unknown values are `INVALID_STATE` errors, never a silent reset.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use totp_wasm::{
    Algorithm, OtpOptions, Outcome, Policy, RandomSource, RecoveryOutcome, UserState, confirm_enrollment, generate_recovery_codes,
    totp, use_recovery_code, verify_code,
};

const KEY: &[u8] = b"server key: 32 bytes of secret!!";
const PHONE: &[u8] = b"12345678901234567890";
const TOKEN: &[u8] = b"abcdefghijabcdefghij";
const T0: i64 = 1_700_000_000;

struct Counter(u8);
impl RandomSource for Counter {
    fn fill(&mut self, dest: &mut [u8]) -> totp_wasm::Result<()> {
        for b in dest {
            self.0 = self.0.wrapping_mul(5).wrapping_add(17);
            *b = self.0;
        }
        Ok(())
    }
}

/// The state the fixture was written from: two factors (one SHA-256/8/60), a recovery set with
/// a removal code, one code used, two failures.
fn sample() -> (UserState, Vec<String>) {
    let sha256 = OtpOptions { algorithm: Algorithm::Sha256, digits: 8, period: 60 };
    let c = totp(PHONE, T0, &OtpOptions::default()).unwrap();
    let (_, s) = confirm_enrollment(&UserState::new(), PHONE, &c, "Phone", T0, &OtpOptions::default(), &Policy::default()).unwrap();
    let c = totp(TOKEN, T0 + 60, &sha256).unwrap();
    let (_, s) = confirm_enrollment(&s, TOKEN, &c, "Clé USB ✓", T0 + 60, &sha256, &Policy::default()).unwrap();
    let (issued, s) = generate_recovery_codes(&s, KEY, &mut Counter(1), true).unwrap();
    let (_, s) = use_recovery_code(&s, KEY, &issued.codes[0], T0 + 100, &Policy::default()).unwrap();
    let (_, s) = verify_code(&s, &[(1, PHONE), (2, TOKEN)], "000000", T0 + 200, &Policy::default()).unwrap();
    let (_, s) = verify_code(&s, &[(1, PHONE), (2, TOKEN)], "000000", T0 + 201, &Policy::default()).unwrap();
    (s, issued.codes)
}

#[test]
fn states_round_trip_through_bytes_and_text() {
    let (state, _) = sample();
    assert_eq!(UserState::from_bytes(&state.to_bytes()).unwrap(), state);
    assert_eq!(UserState::decode(&state.encode()).unwrap(), state);
    assert!(state.encode().bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
    assert!(state.to_bytes().len() < 450, "{} bytes", state.to_bytes().len());
    assert_eq!(UserState::decode(&UserState::new().encode()).unwrap(), UserState::new());
}

#[test]
fn version_1_fixture_is_still_read() {
    let fixture = include_str!("data/state-v1.txt").trim();
    let state = UserState::decode(fixture).expect("a version-1 state must stay readable");
    let (expected, codes) = sample();
    assert_eq!(state, expected);
    assert_eq!(state.factors.len(), 2);
    assert_eq!(state.factors[1].label, "Clé USB ✓");
    assert_eq!(state.factors[1].options.algorithm, Algorithm::Sha256);
    assert_eq!(state.recovery_remaining(), 9);
    assert!(state.has_removal_code());
    assert_eq!(state.failures, 2);
    // What it protects still holds after reading: the used code stays used, the others work.
    let (used, _) = use_recovery_code(&state, KEY, &codes[0], T0 + 300, &Policy::default()).unwrap();
    assert!(matches!(used, RecoveryOutcome::Invalid { .. }));
    let (fresh, _) = use_recovery_code(&state, KEY, &codes[1], T0 + 300, &Policy::default()).unwrap();
    assert_eq!(fresh, RecoveryOutcome::Accepted { remaining: 8 });
    let replay = totp(PHONE, T0, &OtpOptions::default()).unwrap();
    let (outcome, _) = verify_code(&state, &[(1, PHONE), (2, TOKEN)], &replay, T0 + 1, &Policy::default()).unwrap();
    assert_eq!(outcome, Outcome::Replayed { factor: 1 });
    // The current writer produces the same bytes.
    assert_eq!(state.encode(), fixture);
}

#[test]
fn every_single_bit_flip_is_detected() {
    let bytes = sample().0.to_bytes();
    for i in 0..bytes.len() * 8 {
        let mut bad = bytes.clone();
        bad[i / 8] ^= 1 << (i % 8);
        let err = UserState::from_bytes(&bad).expect_err("a flipped bit must not read");
        assert_eq!(err.code(), "INVALID_STATE");
    }
}

#[test]
fn truncation_trailing_bytes_unknown_versions_and_garbage_are_errors() {
    let bytes = sample().0.to_bytes();
    for len in 0..bytes.len() {
        assert_eq!(UserState::from_bytes(&bytes[..len]).unwrap_err().code(), "INVALID_STATE", "{len}");
    }
    let mut longer = bytes.clone();
    longer.push(0);
    assert_eq!(UserState::from_bytes(&longer).unwrap_err().code(), "INVALID_STATE");
    // A version from the future, with a valid checksum: the message says to upgrade.
    let mut future = bytes[..bytes.len() - 4].to_vec();
    future[0] = 2;
    let sum = sha256_prefix(&future);
    future.extend_from_slice(&sum);
    let err = UserState::from_bytes(&future).unwrap_err();
    assert_eq!(err.code(), "INVALID_STATE");
    assert!(err.message().contains("upgrade"), "{err}");
    for text in ["", "!!!!", "AAAA", "not a state", &"A".repeat(10_000)] {
        assert_eq!(UserState::decode(text).unwrap_err().code(), "INVALID_STATE", "{text:.20}");
    }
}

fn sha256_prefix(bytes: &[u8]) -> [u8; 4] {
    use sha2::{Digest, Sha256};
    let d = Sha256::digest(bytes);
    [d[0], d[1], d[2], d[3]]
}

/// Found by `cargo xtask fuzz` (target `state`): a padded number (`f0 ff ff ff 00`) read as the
/// same value as its short form, so one state had two encodings. Numbers must be canonical.
#[test]
fn numbers_in_a_longer_form_than_needed_are_refused() {
    let with_sum = |body: &[u8]| {
        let mut bytes = body.to_vec();
        bytes.extend_from_slice(&sha256_prefix(body));
        bytes
    };
    let empty = UserState::new().to_bytes();
    let body = &empty[..empty.len() - 4];
    assert!(UserState::from_bytes(&with_sum(body)).is_ok());
    // next_factor_id 0 written as two bytes instead of one.
    let mut padded = vec![body[0], 0x80, 0x00];
    padded.extend_from_slice(&body[2..]);
    assert_eq!(UserState::from_bytes(&with_sum(&padded)).unwrap_err().code(), "INVALID_STATE");
    // The fuzzer's input: a 5-byte number ending in a zero byte.
    let fuzzed = [0x01, 0xf0, 0xff, 0xff, 0xff, 0x00, 0x0f, 0x00, 0x00, 0x00, 0x00];
    assert_eq!(UserState::from_bytes(&with_sum(&fuzzed)).unwrap_err().code(), "INVALID_STATE");
    // Ten bytes whose last carries more than the 64th bit.
    let mut huge = vec![0x01, 0x00, 0x00];
    huge.extend_from_slice(&[0xff; 9]);
    huge.push(0x02);
    huge.extend_from_slice(&[0x00, 0x00, 0x00]);
    assert_eq!(UserState::from_bytes(&with_sum(&huge)).unwrap_err().code(), "INVALID_STATE");
}


/// Found by reading the code behind the fuzz target `state`: a forged state whose ids are near
/// u32::MAX must not overflow, duplicate an id, or produce a state that no longer reads back.
#[test]
fn authenticator_ids_never_overflow() {
    // Version 1, next_id = u32::MAX, no failures, not locked, one factor with id u32::MAX - 1.
    let mut body = vec![0x01, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x00, 0x00, 0x01];
    body.extend_from_slice(&[0xfe, 0xff, 0xff, 0xff, 0x0f]); // id
    body.extend_from_slice(&[0x00, 0x00, 0x06, 0x1e, 0x00]); // created, SHA1, 6 digits, 30 s, no step
    body.extend_from_slice(&[0x01, b'P', 0x00, 0x00]); // label "P", no recovery, no removal
    body.extend_from_slice(&sha256_prefix(&body));
    let state = UserState::from_bytes(&body).unwrap();
    let code = totp(PHONE, T0, &OtpOptions::default()).unwrap();
    let err = confirm_enrollment(&state, PHONE, &code, "New", T0, &OtpOptions::default(), &Policy::default()).unwrap_err();
    assert_eq!(err.code(), "INVALID_STATE");
    assert_eq!(UserState::from_bytes(&state.to_bytes()).unwrap(), state);
}
