//! Recovery codes and the removal code: once each, typos caught, regeneration revokes, stored
//! only as keyed hashes, throttled, and uniformly random (chi-square per position, fixed seed).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use totp_wasm::{
    Failure, OsRandom, OtpOptions, Outcome, Policy, RECOVERY_ALPHABET, RandomSource, RecoveryOutcome, UserState, confirm_enrollment,
    generate_recovery_codes, normalise_recovery_code, totp, use_recovery_code, use_removal_code, verify_code,
};

const KEY: &[u8] = b"server key: 32 bytes of secret!!";
const T0: i64 = 1_700_000_000;

/// SplitMix64: a fixed-seed generator, so statistical tests are reproducible.
struct Seeded(u64);
impl RandomSource for Seeded {
    fn fill(&mut self, dest: &mut [u8]) -> totp_wasm::Result<()> {
        for chunk in dest.chunks_mut(8) {
            self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^= z >> 31;
            chunk.copy_from_slice(&z.to_le_bytes()[..chunk.len()]);
        }
        Ok(())
    }
}

fn enabled() -> UserState {
    let secret = b"12345678901234567890";
    let code = totp(secret, T0, &OtpOptions::default()).unwrap();
    let (outcome, state) = confirm_enrollment(&UserState::new(), secret, &code, "Phone", T0, &OtpOptions::default(), &Policy::default()).unwrap();
    assert!(matches!(outcome, Outcome::Accepted { .. }));
    state
}

#[test]
fn ten_codes_in_groups_from_the_unambiguous_alphabet() {
    let (issued, state) = generate_recovery_codes(&enabled(), KEY, &mut OsRandom, false).unwrap();
    assert_eq!(issued.codes.len(), 10);
    assert_eq!(issued.removal_code, None);
    assert_eq!(state.recovery_remaining(), 10);
    for code in &issued.codes {
        assert_eq!(code.len(), 14, "{code}");
        assert_eq!(code.matches('-').count(), 2, "{code}");
        assert!(code.replace('-', "").bytes().all(|b| RECOVERY_ALPHABET.contains(&b)), "{code}");
        assert!(!code.contains(['i', 'l', 'o', 'u']), "{code}");
    }
    let mut unique = issued.codes.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 10);
    // Shown once: neither the state nor the debug output contains a code.
    let encoded = state.encode();
    let debug = format!("{state:?} {issued:?}");
    for code in &issued.codes {
        assert!(!encoded.contains(&code.replace('-', "")) && !debug.contains(code.as_str()));
    }
}

#[test]
fn each_recovery_code_works_once_then_the_set_is_used_up() {
    let (issued, mut state) = generate_recovery_codes(&enabled(), KEY, &mut OsRandom, false).unwrap();
    for (i, code) in issued.codes.iter().enumerate() {
        let (outcome, next) = use_recovery_code(&state, KEY, code, T0, &Policy::default()).unwrap();
        assert_eq!(outcome, RecoveryOutcome::Accepted { remaining: 9 - i });
        let (again, _) = use_recovery_code(&next, KEY, code, T0, &Policy::default()).unwrap();
        assert!(matches!(again, RecoveryOutcome::Invalid(_)), "code {i} worked twice");
        state = next;
    }
    assert_eq!(state.recovery_remaining(), 0);
    assert!(state.enabled(), "using recovery codes does not turn 2FA off");
}

#[test]
fn input_is_normalised_for_case_spaces_hyphens_and_look_alikes() {
    let (issued, state) = generate_recovery_codes(&enabled(), KEY, &mut Seeded(7), false).unwrap();
    let code = &issued.codes[0];
    let typed = code.to_uppercase().replace('-', " ").replace('0', "O").replace('1', "l");
    let (outcome, _) = use_recovery_code(&state, KEY, &format!("  {typed} "), T0, &Policy::default()).unwrap();
    assert_eq!(outcome, RecoveryOutcome::Accepted { remaining: 9 });
}

#[test]
fn the_check_symbol_reports_typos_without_burning_an_attempt() {
    let (issued, state) = generate_recovery_codes(&enabled(), KEY, &mut Seeded(11), false).unwrap();
    let compact: Vec<u8> = issued.codes[0].replace('-', "").into_bytes();
    let mut typos = 0;
    // Every single-symbol substitution, at every position.
    for pos in 0..compact.len() {
        for &sym in RECOVERY_ALPHABET.iter().filter(|&&s| s != compact[pos]) {
            let mut typo = compact.clone();
            typo[pos] = sym;
            let typo = String::from_utf8(typo).unwrap();
            assert_eq!(normalise_recovery_code(&typo), None, "{typo}");
            let (outcome, next) = use_recovery_code(&state, KEY, &typo, T0, &Policy::default()).unwrap();
            assert_eq!(outcome, RecoveryOutcome::Typo);
            assert_eq!(next, state, "a typo changes nothing");
            typos += 1;
        }
    }
    assert_eq!(typos, 12 * 31);
    for bad in ["", "abcd", "abcd-efgh-jkmn-p", "abcd-efgh-jk!n", "ａbcd-efgh-jkmn"] {
        assert_eq!(use_recovery_code(&state, KEY, bad, T0, &Policy::default()).unwrap().0, RecoveryOutcome::Typo, "{bad}");
    }
}

#[test]
fn regenerating_revokes_the_old_set() {
    let (old, state) = generate_recovery_codes(&enabled(), KEY, &mut OsRandom, true).unwrap();
    let (new, state) = generate_recovery_codes(&state, KEY, &mut OsRandom, false).unwrap();
    for code in &old.codes {
        assert!(matches!(use_recovery_code(&state, KEY, code, T0, &Policy::default()).unwrap().0, RecoveryOutcome::Invalid(_)));
    }
    let removal = old.removal_code.unwrap();
    assert!(matches!(use_removal_code(&state, KEY, &removal, T0, &Policy::default()).unwrap().0, RecoveryOutcome::Invalid(_)));
    assert_eq!(use_recovery_code(&state, KEY, &new.codes[3], T0, &Policy::default()).unwrap().0, RecoveryOutcome::Accepted { remaining: 9 });
}

#[test]
fn codes_hashed_under_another_server_key_do_not_match() {
    let (issued, state) = generate_recovery_codes(&enabled(), KEY, &mut OsRandom, false).unwrap();
    let other = b"another server key, 32 bytes....";
    assert!(matches!(use_recovery_code(&state, other, &issued.codes[0], T0, &Policy::default()).unwrap().0, RecoveryOutcome::Invalid(_)));
    assert_eq!(generate_recovery_codes(&state, b"short", &mut OsRandom, false).unwrap_err().code(), "INVALID_ARGUMENT");
    assert_eq!(generate_recovery_codes(&UserState::new(), KEY, &mut OsRandom, false).unwrap_err().code(), "INVALID_ARGUMENT");
}

#[test]
fn the_removal_code_is_16_digits_works_once_and_turns_2fa_off() {
    let (issued, state) = generate_recovery_codes(&enabled(), KEY, &mut OsRandom, true).unwrap();
    let removal = issued.removal_code.unwrap();
    assert_eq!(removal.len(), 19);
    assert!(removal.split(' ').all(|g| g.len() == 4 && g.bytes().all(|b| b.is_ascii_digit())), "{removal}");
    assert!(state.has_removal_code());
    let (typo, _) = use_removal_code(&state, KEY, &removal[..18], T0, &Policy::default()).unwrap();
    assert_eq!(typo, RecoveryOutcome::Typo);
    let (outcome, off) = use_removal_code(&state, KEY, &removal.replace(' ', "-"), T0, &Policy::default()).unwrap();
    assert_eq!(outcome, RecoveryOutcome::Accepted { remaining: 0 });
    assert!(!off.enabled() && !off.has_removal_code() && off.recovery_remaining() == 0);
    let (again, _) = use_removal_code(&off, KEY, &removal, T0, &Policy::default()).unwrap();
    assert!(matches!(again, RecoveryOutcome::Invalid(_)));
}

#[test]
fn recovery_and_removal_guesses_share_their_own_throttle() {
    let (_, mut state) = generate_recovery_codes(&enabled(), KEY, &mut OsRandom, true).unwrap();
    let guess = "0000-0000-0000"; // well-formed: its check symbol is right
    assert!(normalise_recovery_code(guess).is_some());
    for i in 1..=5 {
        let (outcome, next) = use_recovery_code(&state, KEY, guess, T0, &Policy::default()).unwrap();
        assert_eq!(outcome, RecoveryOutcome::Invalid(Failure { attempts_left: 5 - i, locked_until: None }));
        state = next;
    }
    // "0000 0000 0000 0000" passes the Luhn check (all zeros): a counted wrong guess, not a typo.
    let (outcome, state) = use_removal_code(&state, KEY, "0000 0000 0000 0000", T0, &Policy::default()).unwrap();
    assert_eq!(outcome, RecoveryOutcome::Invalid(Failure { attempts_left: 0, locked_until: Some(T0 as u64 + 60) }));
    let (outcome, _) = use_recovery_code(&state, KEY, guess, T0 + 59, &Policy::default()).unwrap();
    assert_eq!(outcome, RecoveryOutcome::Locked { retry_at: T0 as u64 + 60 });
    let (outcome, _) = use_removal_code(&state, KEY, "0000 0000 0000 0000", T0 + 59, &Policy::default()).unwrap();
    assert_eq!(outcome, RecoveryOutcome::Locked { retry_at: T0 as u64 + 60 });
    // The authenticator codes have their own count: untouched by the recovery guesses.
    assert_eq!(state.code_throttle.failures, 0);
}

/// Issue #10: with a phished password, guessing 6-digit codes until locked must not lock the
/// high-entropy recovery codes (one shared counter did, for up to 24 h).
#[test]
fn recovery_codes_stay_usable_after_a_totp_lockout() {
    let (issued, mut state) = generate_recovery_codes(&enabled(), KEY, &mut OsRandom, true).unwrap();
    let secret: &[u8] = b"12345678901234567890";
    let right = totp(secret, T0 + 60, &OtpOptions::default()).unwrap();
    let wrong = if right == "000000" { "000001" } else { "000000" };
    let mut now = T0 + 60;
    for _ in 0..12 {
        let (outcome, next) = verify_code(&state, &[(1, secret)], wrong, now, &Policy::default()).unwrap();
        if let Outcome::Invalid(Failure { locked_until: Some(until), .. }) = outcome {
            now = until as i64 - 1; // guess again at the last second of each lock: still locked
            let (locked, _) = verify_code(&next, &[(1, secret)], &right, now, &Policy::default()).unwrap();
            assert!(matches!(locked, Outcome::Locked { .. }));
            now += 1;
        }
        state = next;
    }
    // One more wrong code: locked now, for longer than the last lock.
    let (outcome, state) = verify_code(&state, &[(1, secret)], wrong, now, &Policy::default()).unwrap();
    assert!(matches!(outcome, Outcome::Invalid(Failure { locked_until: Some(_), .. })), "{outcome:?}");
    assert!(state.code_throttle.failures == 13 && state.code_throttle.locked_at(now as u64).is_some());
    assert_eq!(state.recovery_throttle.failures, 0);
    let (outcome, state) = use_recovery_code(&state, KEY, &issued.codes[0], now, &Policy::default()).unwrap();
    assert_eq!(outcome, RecoveryOutcome::Accepted { remaining: 9 });
    // Signing in with a recovery code proves the owner: both throttles are cleared.
    assert_eq!((state.code_throttle.failures, state.code_throttle.locked_until), (0, 0));
    // And the removal code still works too, from a TOTP-locked state.
    let (_, mut locked) = generate_recovery_codes(&enabled(), KEY, &mut OsRandom, true).unwrap();
    locked.code_throttle = totp_wasm::Throttle { failures: 20, locked_until: now as u64 + 86_400 };
    let (issued, locked) = generate_recovery_codes(&locked, KEY, &mut OsRandom, true).unwrap();
    let (outcome, off) = use_removal_code(&locked, KEY, issued.removal_code.as_deref().unwrap(), now, &Policy::default()).unwrap();
    assert_eq!(outcome, RecoveryOutcome::Accepted { remaining: 0 });
    assert!(!off.enabled());
}

/// Issue #12: the removal code's 16th digit is a Luhn check digit, so a mistyped digit or two
/// swapped neighbours answer `Typo` and count nothing.
#[test]
fn the_removal_code_check_digit_catches_typos_without_counting() {
    let (issued, state) = generate_recovery_codes(&enabled(), KEY, &mut Seeded(5), true).unwrap();
    let digits: Vec<u8> = issued.removal_code.unwrap().replace(' ', "").into_bytes();
    let mut typos = 0;
    for pos in 0..16 {
        for d in b'0'..=b'9' {
            if d == digits[pos] {
                continue;
            }
            let mut typo = digits.clone();
            typo[pos] = d;
            let (outcome, next) = use_removal_code(&state, KEY, std::str::from_utf8(&typo).unwrap(), T0, &Policy::default()).unwrap();
            assert_eq!(outcome, RecoveryOutcome::Typo, "digit {pos} -> {}", d as char);
            assert_eq!(next, state, "a typo changes nothing");
            typos += 1;
        }
    }
    assert_eq!(typos, 16 * 9);
    // Neighbours swapped: caught unless they are 0 and 9 (Luhn's one blind spot) or equal.
    for pos in 0..15 {
        let (a, b) = (digits[pos], digits[pos + 1]);
        if a == b || (a, b) == (b'0', b'9') || (a, b) == (b'9', b'0') {
            continue;
        }
        let mut swapped = digits.clone();
        swapped.swap(pos, pos + 1);
        let (outcome, _) = use_removal_code(&state, KEY, std::str::from_utf8(&swapped).unwrap(), T0, &Policy::default()).unwrap();
        assert_eq!(outcome, RecoveryOutcome::Typo, "swap at {pos}");
    }
    // A well-formed wrong code (its check digit right) is a counted failure.
    let (outcome, next) = use_removal_code(&state, KEY, "4111 1111 1111 1111", T0, &Policy::default()).unwrap();
    assert_eq!(outcome, RecoveryOutcome::Invalid(Failure { attempts_left: 4, locked_until: None }));
    assert_eq!(next.recovery_throttle.failures, 1);
}
/// Pearson's chi-square of observed counts against a uniform expectation.
fn chi_square(counts: &[u64]) -> f64 {
    let total: u64 = counts.iter().sum();
    let expected = total as f64 / counts.len() as f64;
    counts.iter().map(|&c| (c as f64 - expected).powi(2) / expected).sum()
}

#[test]
fn symbols_are_uniform_at_every_position() {
    // 10 000 sets = 100 000 codes: 3125 expected per symbol and position; 10 000 removal codes,
    // whose 160 000 digits are also pooled. Critical values at p = 0.001: 61.10 for 31 degrees of
    // freedom (recovery symbols), 27.88 for 9 (removal digits). The pooled digits would show a
    // `byte % 10` modulo bias (see the next test, same sample size).
    let mut state = enabled();
    let mut rng = Seeded(2026);
    let mut recovery = vec![[0u64; 32]; 11];
    let mut removal = vec![[0u64; 10]; 16];
    for _ in 0..10_000 {
        let (issued, next) = generate_recovery_codes(&state, KEY, &mut rng, true).unwrap();
        state = next;
        for code in &issued.codes {
            for (pos, b) in code.replace('-', "").bytes().take(11).enumerate() {
                recovery[pos][RECOVERY_ALPHABET.iter().position(|&a| a == b).unwrap()] += 1;
            }
        }
        for (pos, b) in issued.removal_code.unwrap().replace(' ', "").bytes().enumerate() {
            removal[pos][usize::from(b - b'0')] += 1;
        }
    }
    for (pos, counts) in recovery.iter().enumerate() {
        let x2 = chi_square(counts);
        assert!(x2 < 61.10, "recovery position {pos}: chi-square {x2:.1}");
    }
    for (pos, counts) in removal.iter().enumerate() {
        let x2 = chi_square(counts);
        assert!(x2 < 27.88, "removal digit {pos}: chi-square {x2:.1}");
    }
    let pooled: Vec<u64> = (0..10).map(|d| removal.iter().map(|c| c[d]).sum()).collect();
    assert!(chi_square(&pooled) < 27.88, "pooled removal digits: {:.1}", chi_square(&pooled));
}

/// The same statistic catches a biased generator: `byte % 10` without rejection favours 0–5.
#[test]
fn the_chi_square_check_detects_modulo_bias() {
    let mut rng = Seeded(2026);
    let mut counts = [0u64; 10];
    let mut buf = [0u8; 64];
    // The bias is 26/256 against 25/256; with the 160 000 samples pooled above it shows.
    for _ in 0..2_500 {
        rng.fill(&mut buf).unwrap();
        for b in buf {
            counts[usize::from(b % 10)] += 1;
        }
    }
    assert!(chi_square(&counts) > 27.88, "{}", chi_square(&counts));
}
