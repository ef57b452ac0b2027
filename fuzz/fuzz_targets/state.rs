//! The stored per-user state: `UserState::from_bytes` and `UserState::decode` on arbitrary
//! input (a corrupted or forged database row).
//!
//! The first input byte picks the mode: 0 the bytes as they are; 1 the bytes as a body with a
//! valid checksum appended (so the fuzzer reaches the field reader behind the SHA-256 check);
//! 2 the bytes as text for `decode`. Never panics; a state that reads back writes back
//! exactly the bytes it was read from (modes 0 and 1), re-reads to an equal value in both
//! forms, and stays usable: enrolling, verifying, renaming and removing on it give states that
//! round-trip too.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sha2::{Digest, Sha256};
use totp_wasm::{MAX_FACTORS, MAX_LABEL_BYTES, OtpOptions, Outcome, Policy, UserState, confirm_enrollment, verify_code};

/// RFC 4226's key; its TOTP code at T = 59 is 287082 (step 1), at T = 89 359152 (step 2).
const KEY: &[u8] = b"12345678901234567890";

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else { return };
    match mode % 3 {
        0 => from_bytes(rest),
        1 => {
            let mut bytes = rest.to_vec();
            bytes.extend_from_slice(&Sha256::digest(rest)[..4]);
            from_bytes(&bytes);
        }
        _ => {
            let Ok(text) = std::str::from_utf8(rest) else { return };
            if let Ok(state) = UserState::decode(text) {
                check(&state);
            }
        }
    }
});

fn from_bytes(bytes: &[u8]) {
    let Ok(state) = UserState::from_bytes(bytes) else { return };
    let written = state.to_bytes();
    assert!(written == bytes, "read {bytes:02x?}\n but writes {written:02x?}\n state {state:?}");
    check(&state);
}

/// A state that was read (or derived from one) is consistent and round-trips.
fn check(state: &UserState) {
    round_trip(state);
    assert!(state.factors.len() <= MAX_FACTORS);
    for (i, f) in state.factors.iter().enumerate() {
        assert!(f.options.validate().is_ok());
        assert!(f.label.len() <= MAX_LABEL_BYTES);
        assert!(state.factors[..i].iter().all(|g| g.id != f.id), "duplicate id {}", f.id);
    }
    use_it(state);
}

fn round_trip(state: &UserState) {
    let bytes = state.to_bytes();
    match UserState::from_bytes(&bytes) {
        Ok(back) => assert_eq!(&back, state, "to_bytes/from_bytes changed the state"),
        Err(e) => panic!("a state's own bytes do not read back ({e})\n state {state:?}\n bytes {bytes:02x?}"),
    }
    match UserState::decode(&state.encode()) {
        Ok(back) => assert_eq!(&back, state, "encode/decode changed the state"),
        Err(e) => panic!("a state's own text does not read back ({e})\n state {state:?}"),
    }
}

/// What a server does with a state it read: enrol (twice), verify, rename, remove.
fn use_it(state: &UserState) {
    let policy = Policy::default();
    let options = OtpOptions::default();
    let mut state = state.clone();
    for (code, now) in [("287082", 59), ("359152", 89)] {
        let before = state.factors.len();
        match confirm_enrollment(&state, KEY, code, "fuzz", now, &options, &policy) {
            Ok((Outcome::Accepted { factor, .. }, next)) => {
                assert_eq!(next.factors.len(), before + 1);
                assert!(state.factor(factor).is_none(), "enrolment reused id {factor}\n state {state:?}");
                round_trip(&next);
                state = next;
            }
            Ok((outcome, _)) => panic!("a correct enrolment code gave {outcome:?}"),
            // The documented refusals: 32 authenticators already, or (only in a forged state
            // whose next id is u32::MAX) no id left to issue.
            Err(e) if before == MAX_FACTORS => assert_eq!(e.code(), "INVALID_ARGUMENT"),
            Err(e) => assert_eq!(e.code(), "INVALID_STATE", "enrolment refused with {before} factors: {e}"),
        }
    }
    let secrets: Vec<(u32, &[u8])> = state.factors.iter().map(|f| (f.id, KEY)).collect();
    if !state.factors.is_empty() {
        for now in [119, 1_000_000_000] {
            if let Ok((_, next)) = verify_code(&state, &secrets, "969429", now, &policy) {
                round_trip(&next);
            }
        }
    }
    if let Some(first) = state.factors.first().map(|f| f.id) {
        let mut renamed = state.clone();
        renamed.rename_factor(first, "renamed").expect("renaming an existing factor");
        round_trip(&renamed);
        let mut removed = state.clone();
        removed.remove_factor(first).expect("removing an existing factor");
        assert!(removed.factor(first).is_none());
        round_trip(&removed);
    }
}
