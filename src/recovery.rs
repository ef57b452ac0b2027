//! Recovery codes: ten one-time codes for when the authenticator is lost, and optionally one
//! 16-digit removal code that turns two-factor authentication off (the IONOS style).
//!
//! A recovery code is 11 random symbols (55 bits) plus a check symbol, from Crockford's base32
//! alphabet in lowercase (no `i`, `l`, `o`, `u`), shown as `xxxx-xxxx-xxxx`. Input is normalised:
//! case, spaces and hyphens are ignored and the look-alikes `o`→`0`, `i`/`l`→`1`, `u`→`v` are
//! mapped, and the check symbol (Luhn mod 32: every single-symbol typo and most swaps of
//! neighbours) reports a typo as a typo *without* counting a failed attempt. Removal codes are 16
//! decimal digits in four groups of four: 15 random (49.8 bits) and a Luhn check digit (every
//! single-digit typo and every swap of neighbours but 09/90 is a typo, not a counted failure).
//! Removal codes issued before the check digit (state version 1: 16 random digits) are marked
//! as such in the state and keep working, without typo detection. Symbols are drawn by
//! rejection sampling, so no value is more likely than another.
//!
//! Recovery- and removal-code guesses have their own throttle
//! ([`UserState::recovery_throttle`]), apart from authenticator codes.
//!
//! Codes are shown once; the state keeps only HMAC-SHA-256 hashes under a server key, so a leaked
//! database does not reveal them. Each works once; generating a new set revokes the old one.

use crate::error::{Error, ErrorKind, Result};
use crate::hotp::ct_eq;
use crate::policy::{Policy, now_seconds, reset};
use crate::secret::{RandomSource, group};
use crate::state::{Removal, UserState};
use crate::throttle::Failure;
use alloc::string::String;
use alloc::vec::Vec;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// Crockford's base32 alphabet, lowercase.
///
/// ```
/// use totp_wasm::RECOVERY_ALPHABET;
/// // No i, l, o or u: nothing to misread as 1, 0 or v (input maps those look-alikes).
/// assert!(!RECOVERY_ALPHABET.iter().any(|c| b"ilou".contains(c)));
/// ```
pub const RECOVERY_ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";
/// Codes issued per set.
///
/// ```
/// use totp_wasm::{OsRandom, RECOVERY_CODE_COUNT, generate_recovery_codes};
/// # use totp_wasm::{OtpOptions, Policy, UserState, confirm_enrollment};
/// # fn main() -> Result<(), totp_wasm::Error> {
/// # let (_, state) = confirm_enrollment(&UserState::new(), b"12345678901234567890", "287082", "Phone", 59,
/// #     &OtpOptions::default(), &Policy::default())?;
/// // `state`: a user with one authenticator.
/// let (issued, state) = generate_recovery_codes(&state, &[7; 32], &mut OsRandom, false)?;
/// assert_eq!(issued.codes.len(), RECOVERY_CODE_COUNT);
/// assert_eq!(state.recovery_remaining(), RECOVERY_CODE_COUNT);
/// # Ok(()) }
/// ```
pub const RECOVERY_CODE_COUNT: usize = 10;
/// Random symbols per recovery code (5 bits each: 55 bits).
const DATA_SYMBOLS: usize = 11;
/// Digits in a removal code.
const REMOVAL_DIGITS: usize = 16;
/// Shortest server key accepted for hashing codes.
///
/// ```
/// use totp_wasm::{MIN_SERVER_KEY_BYTES, Policy, UserState, use_recovery_code};
/// // The key keeps leaked hashes from being brute-forced, so it must be at least 128 bits.
/// let short = [7u8; MIN_SERVER_KEY_BYTES - 1];
/// assert!(use_recovery_code(&UserState::new(), &short, "0000-0000-0000", 0, &Policy::default()).is_err());
/// ```
pub const MIN_SERVER_KEY_BYTES: usize = 16;

/// Codes to show the person exactly once.
///
/// ```
/// use totp_wasm::{OsRandom, generate_recovery_codes};
/// # use totp_wasm::{OtpOptions, Policy, UserState, confirm_enrollment};
/// # fn main() -> Result<(), totp_wasm::Error> {
/// # let (_, state) = confirm_enrollment(&UserState::new(), b"12345678901234567890", "287082", "Phone", 59,
/// #     &OtpOptions::default(), &Policy::default())?;
/// // `state`: a user with one authenticator.
/// let (issued, _) = generate_recovery_codes(&state, &[7; 32], &mut OsRandom, true)?;
/// assert!(issued.codes.iter().all(|c| c.len() == 14 && c.matches('-').count() == 2));
/// assert_eq!(issued.removal_code.as_ref().map(String::len), Some(19)); // dddd dddd dddd dddd
/// // Its Debug output hides the codes, so logging it by mistake leaks nothing.
/// assert_eq!(format!("{issued:?}"), "IssuedCodes(<redacted>)");
/// # Ok(()) }
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct IssuedCodes {
    /// Ten recovery codes, `xxxx-xxxx-xxxx`.
    pub codes: Vec<String>,
    /// The removal code, `dddd dddd dddd dddd`, when one was asked for.
    pub removal_code: Option<String>,
}

impl core::fmt::Debug for IssuedCodes {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("IssuedCodes(<redacted>)")
    }
}

/// The result of using a recovery or removal code.
///
/// ```
/// use totp_wasm::{OsRandom, Policy, RecoveryOutcome, generate_recovery_codes, use_recovery_code};
/// # use totp_wasm::{OtpOptions, UserState, confirm_enrollment};
/// # fn main() -> Result<(), totp_wasm::Error> {
/// # let (_, state) = confirm_enrollment(&UserState::new(), b"12345678901234567890", "287082", "Phone", 59,
/// #     &OtpOptions::default(), &Policy::default())?;
/// // `state`: a user with one authenticator.
/// let server_key = [7u8; 32]; // in production: 32 random bytes from your secret store
/// let (issued, state) = generate_recovery_codes(&state, &server_key, &mut OsRandom, false)?;
/// let typed = "0000-0000-0001"; // a typo: the check symbol does not match
/// let (outcome, _) = use_recovery_code(&state, &server_key, typed, 100, &Policy::default())?;
/// let message = match outcome {
///     RecoveryOutcome::Accepted { remaining } => format!("signed in; {remaining} codes left"),
///     RecoveryOutcome::Typo => "check the code for typos".into(),
///     RecoveryOutcome::Invalid { .. } => "that is not one of your codes".into(),
///     RecoveryOutcome::Locked { .. } => "too many tries".into(),
/// };
/// assert_eq!(message, "check the code for typos");
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecoveryOutcome {
    /// The code was valid and is now used up. For a removal code, 2FA is now off.
    ///
    /// ```
    /// use totp_wasm::{OsRandom, Policy, RecoveryOutcome, generate_recovery_codes, use_recovery_code};
    /// # use totp_wasm::{OtpOptions, UserState, confirm_enrollment};
    /// # fn main() -> Result<(), totp_wasm::Error> {
    /// # let (_, state) = confirm_enrollment(&UserState::new(), b"12345678901234567890", "287082", "Phone", 59,
    /// #     &OtpOptions::default(), &Policy::default())?;
    /// // `state`: a user with one authenticator.
    /// let server_key = [7u8; 32]; // in production: 32 random bytes from your secret store
    /// let (issued, state) = generate_recovery_codes(&state, &server_key, &mut OsRandom, false)?;
    /// let (outcome, state) = use_recovery_code(&state, &server_key, &issued.codes[0], 100, &Policy::default())?;
    /// assert_eq!(outcome, RecoveryOutcome::Accepted { remaining: 9 });
    /// assert_eq!(state.recovery_remaining(), 9);
    /// # Ok(()) }
    /// ```
    Accepted {
        /// Recovery codes left.
        remaining: usize,
    },
    /// Not a code of this user. One failure was counted.
    ///
    /// ```
    /// use totp_wasm::{Failure, OsRandom, Policy, RecoveryOutcome, generate_recovery_codes, use_recovery_code};
    /// # use totp_wasm::{OtpOptions, UserState, confirm_enrollment};
    /// # fn main() -> Result<(), totp_wasm::Error> {
    /// # let (_, state) = confirm_enrollment(&UserState::new(), b"12345678901234567890", "287082", "Phone", 59,
    /// #     &OtpOptions::default(), &Policy::default())?;
    /// // `state`: a user with one authenticator.
    /// let server_key = [7u8; 32]; // in production: 32 random bytes from your secret store
    /// let (issued, state) = generate_recovery_codes(&state, &server_key, &mut OsRandom, false)?;
    /// // Well-formed (its check symbol matches), but not one of the ten issued.
    /// let (outcome, _) = use_recovery_code(&state, &server_key, "0000-0000-0000", 100, &Policy::default())?;
    /// assert_eq!(outcome, RecoveryOutcome::Invalid(Failure { attempts_left: 4, locked_until: None }));
    /// # Ok(()) }
    /// ```
    Invalid(Failure),
    /// Not a well-formed code (wrong length, wrong symbols, or the check symbol does not match):
    /// a typo. Nothing was counted.
    ///
    /// ```
    /// use totp_wasm::{OsRandom, Policy, RecoveryOutcome, generate_recovery_codes, use_recovery_code};
    /// # use totp_wasm::{OtpOptions, UserState, confirm_enrollment};
    /// # fn main() -> Result<(), totp_wasm::Error> {
    /// # let (_, state) = confirm_enrollment(&UserState::new(), b"12345678901234567890", "287082", "Phone", 59,
    /// #     &OtpOptions::default(), &Policy::default())?;
    /// // `state`: a user with one authenticator.
    /// let server_key = [7u8; 32]; // in production: 32 random bytes from your secret store
    /// let (issued, state) = generate_recovery_codes(&state, &server_key, &mut OsRandom, false)?;
    /// // One symbol mistyped: the check symbol catches it, and no failure is counted.
    /// let mut typed = issued.codes[0].clone();
    /// let wrong = if typed.ends_with('0') { "1" } else { "0" };
    /// typed.replace_range(13.., wrong);
    /// let (outcome, state) = use_recovery_code(&state, &server_key, &typed, 100, &Policy::default())?;
    /// assert_eq!((outcome, state.recovery_throttle.failures), (RecoveryOutcome::Typo, 0));
    /// # Ok(()) }
    /// ```
    Typo,
    /// Too many failures: nothing was checked.
    ///
    /// ```
    /// use totp_wasm::{OsRandom, Policy, RecoveryOutcome, generate_recovery_codes, use_recovery_code};
    /// # use totp_wasm::{OtpOptions, UserState, confirm_enrollment};
    /// # fn main() -> Result<(), totp_wasm::Error> {
    /// # let (_, state) = confirm_enrollment(&UserState::new(), b"12345678901234567890", "287082", "Phone", 59,
    /// #     &OtpOptions::default(), &Policy::default())?;
    /// // `state`: a user with one authenticator.
    /// let server_key = [7u8; 32]; // in production: 32 random bytes from your secret store
    /// let (issued, mut state) = generate_recovery_codes(&state, &server_key, &mut OsRandom, false)?;
    /// for _ in 0..6 {
    ///     state = use_recovery_code(&state, &server_key, "0000-0000-0000", 100, &Policy::default())?.1;
    /// }
    /// // Recovery-code guesses meet their own throttle: even a real code waits.
    /// let (outcome, _) = use_recovery_code(&state, &server_key, &issued.codes[0], 101, &Policy::default())?;
    /// assert_eq!(outcome, RecoveryOutcome::Locked { retry_at: 160 });
    /// # Ok(()) }
    /// ```
    Locked {
        /// The Unix second the lock ends.
        retry_at: u64,
    },
}

/// Issues a new set of ten recovery codes (and a removal code when `with_removal`), replacing
/// any earlier set and removal code. 2FA must be on.
///
/// `server_key` (at least [`MIN_SERVER_KEY_BYTES`]) keys the hashes the state keeps: keep it
/// out of the database the states are stored in, and pass the same key to the `use_*` functions.
///
/// ```
/// use totp_wasm::{OsRandom, UserState, generate_recovery_codes};
/// # use totp_wasm::{OtpOptions, Policy, confirm_enrollment};
/// # fn main() -> Result<(), totp_wasm::Error> {
/// # let (_, state) = confirm_enrollment(&UserState::new(), b"12345678901234567890", "287082", "Phone", 59,
/// #     &OtpOptions::default(), &Policy::default())?;
/// // `state`: a user with one authenticator.
/// let server_key = [7u8; 32]; // in production: 32 random bytes from your secret store
/// let (issued, state) = generate_recovery_codes(&state, &server_key, &mut OsRandom, true)?;
/// assert_eq!((issued.codes.len(), state.has_removal_code()), (10, true));
/// // A new set revokes the old one, removal code included when none is asked for.
/// let (_, state) = generate_recovery_codes(&state, &server_key, &mut OsRandom, false)?;
/// assert!(!state.has_removal_code());
/// assert!(generate_recovery_codes(&UserState::new(), &server_key, &mut OsRandom, false).is_err());
/// # Ok(()) }
/// ```
pub fn generate_recovery_codes(
    state: &UserState,
    server_key: &[u8],
    rng: &mut impl RandomSource,
    with_removal: bool,
) -> Result<(IssuedCodes, UserState)> {
    check_key(server_key)?;
    if !state.enabled() {
        return Err(Error::new(ErrorKind::InvalidArgument, "add an authenticator before issuing recovery codes"));
    }
    let mut symbols = Symbols::new(rng);
    let mut codes = Vec::with_capacity(RECOVERY_CODE_COUNT);
    let mut next = state.clone();
    next.recovery.clear();
    while codes.len() < RECOVERY_CODE_COUNT {
        let mut raw = [0u8; DATA_SYMBOLS + 1];
        for slot in raw.iter_mut().take(DATA_SYMBOLS) {
            *slot = symbols.next(32)?;
        }
        raw[DATA_SYMBOLS] = check_symbol(raw.get(..DATA_SYMBOLS).unwrap_or(&[]));
        let text: String = raw.iter().map(|&v| symbol(v)).collect();
        let hash = hash_code(server_key, b"recovery:", text.as_bytes())?;
        if next.recovery.contains(&hash) {
            continue; // a repeat within one set (chance ~2^-49): draw again
        }
        next.recovery.push(hash);
        codes.push(group(&text, 4, '-'));
    }
    next.removal = None;
    let mut removal_code = None;
    if with_removal {
        let mut digits = String::with_capacity(REMOVAL_DIGITS);
        for _ in 0..REMOVAL_DIGITS - 1 {
            digits.push(char::from(b'0' + symbols.next(10)?));
        }
        digits.push(char::from(b'0' + luhn_check(digits.as_bytes())));
        next.removal = Some(Removal { hash: hash_code(server_key, b"removal:", digits.as_bytes())?, checked: true });
        removal_code = Some(group(&digits, 4, ' '));
    }
    Ok((IssuedCodes { codes, removal_code }, next))
}

/// Uses a recovery code: on success it is consumed and the throttle reset.
///
/// ```
/// use totp_wasm::{Failure, OsRandom, Policy, RecoveryOutcome, generate_recovery_codes, use_recovery_code};
/// # use totp_wasm::{OtpOptions, UserState, confirm_enrollment};
/// # fn main() -> Result<(), totp_wasm::Error> {
/// # let (_, state) = confirm_enrollment(&UserState::new(), b"12345678901234567890", "287082", "Phone", 59,
/// #     &OtpOptions::default(), &Policy::default())?;
/// // `state`: a user with one authenticator.
/// let server_key = [7u8; 32]; // in production: 32 random bytes from your secret store
/// let (issued, state) = generate_recovery_codes(&state, &server_key, &mut OsRandom, false)?;
/// // Typed in capitals, without hyphens: still the code.
/// let typed = issued.codes[0].replace('-', "").to_uppercase();
/// let (outcome, state) = use_recovery_code(&state, &server_key, &typed, 100, &Policy::default())?;
/// assert_eq!(outcome, RecoveryOutcome::Accepted { remaining: 9 });
/// // Each code works once.
/// let (outcome, _) = use_recovery_code(&state, &server_key, &issued.codes[0], 101, &Policy::default())?;
/// assert_eq!(outcome, RecoveryOutcome::Invalid(Failure { attempts_left: 4, locked_until: None }));
/// # Ok(()) }
/// ```
pub fn use_recovery_code(
    state: &UserState,
    server_key: &[u8],
    code: &str,
    now: i64,
    policy: &Policy,
) -> Result<(RecoveryOutcome, UserState)> {
    guess(state, server_key, now, policy, |next| {
        let Some(normalised) = normalise_recovery(code) else { return Ok(Some(RecoveryOutcome::Typo)) };
        let hash = hash_code(server_key, b"recovery:", normalised.as_bytes())?;
        let Some(index) = find(&next.recovery, &hash) else { return Ok(None) };
        next.recovery.remove(index);
        Ok(Some(RecoveryOutcome::Accepted { remaining: next.recovery.len() }))
    })
}

/// Uses the removal code: on success 2FA is turned off (factors, recovery and removal codes go).
///
/// ```
/// use totp_wasm::{OsRandom, Policy, RecoveryOutcome, generate_recovery_codes, use_removal_code};
/// # use totp_wasm::{OtpOptions, UserState, confirm_enrollment};
/// # fn main() -> Result<(), totp_wasm::Error> {
/// # let (_, state) = confirm_enrollment(&UserState::new(), b"12345678901234567890", "287082", "Phone", 59,
/// #     &OtpOptions::default(), &Policy::default())?;
/// // `state`: a user with one authenticator.
/// let server_key = [7u8; 32];
/// let (issued, state) = generate_recovery_codes(&state, &server_key, &mut OsRandom, true)?;
/// let removal = issued.removal_code.expect("asked for one");
/// let (outcome, state) = use_removal_code(&state, &server_key, &removal, 100, &Policy::default())?;
/// assert_eq!(outcome, RecoveryOutcome::Accepted { remaining: 0 });
/// assert!(!state.enabled()); // sign in with the password alone from now on
/// # Ok(()) }
/// ```
pub fn use_removal_code(
    state: &UserState,
    server_key: &[u8],
    code: &str,
    now: i64,
    policy: &Policy,
) -> Result<(RecoveryOutcome, UserState)> {
    guess(state, server_key, now, policy, |next| {
        let digits: String = code.chars().filter(|c| !matches!(c, ' ' | '-' | '\t')).collect();
        if digits.len() != REMOVAL_DIGITS || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Ok(Some(RecoveryOutcome::Typo));
        }
        // A code issued with a check digit that does not check out is a typo. Codes issued
        // before (no check digit) cannot tell, and with no removal code at all nothing can be
        // a typo of it: both count as wrong codes.
        let (data, check) = digits.as_bytes().split_at(REMOVAL_DIGITS - 1);
        let checked = next.removal.as_ref().is_some_and(|r| r.checked);
        if checked && check.first().map(|c| c - b'0') != Some(luhn_check(data)) {
            return Ok(Some(RecoveryOutcome::Typo));
        }
        let hash = hash_code(server_key, b"removal:", digits.as_bytes())?;
        if !next.removal.as_ref().is_some_and(|stored| ct_eq(&stored.hash, &hash)) {
            return Ok(None);
        }
        next.disable();
        Ok(Some(RecoveryOutcome::Accepted { remaining: 0 }))
    })
}

/// The frame shared by recovery- and removal-code guesses: check the key, the policy and the
/// time, refuse unchecked while locked, then let `judge` decide on a copy of the state. `judge`
/// returns the outcome, or `None` for a wrong code, which is counted as a failure; an accepted
/// code resets the throttle.
fn guess(
    state: &UserState,
    server_key: &[u8],
    now: i64,
    policy: &Policy,
    judge: impl FnOnce(&mut UserState) -> Result<Option<RecoveryOutcome>>,
) -> Result<(RecoveryOutcome, UserState)> {
    check_key(server_key)?;
    policy.validate()?;
    let now_u = now_seconds(now)?;
    let mut next = state.clone();
    if let Some(retry_at) = state.recovery_throttle.locked_at(now_u) {
        return Ok((RecoveryOutcome::Locked { retry_at }, next));
    }
    let outcome = match judge(&mut next)? {
        None => RecoveryOutcome::Invalid(next.recovery_throttle.fail(now_u, policy)),
        Some(accepted @ RecoveryOutcome::Accepted { .. }) => {
            reset(&mut next);
            accepted
        }
        Some(other) => other,
    };
    Ok((outcome, next))
}

/// The canonical 12 symbols of a typed recovery code, or `None` when it cannot be one.
///
/// ```
/// use totp_wasm::normalise_recovery_code;
/// assert_eq!(normalise_recovery_code("0000-0000-0000").as_deref(), Some("000000000000"));
/// assert_eq!(normalise_recovery_code(" OOOO oooo-0000 ").as_deref(), Some("000000000000"));
/// assert_eq!(normalise_recovery_code("0000-0000-0001"), None); // the check symbol disagrees
/// ```
pub fn normalise_recovery_code(code: &str) -> Option<String> {
    normalise_recovery(code)
}

fn normalise_recovery(code: &str) -> Option<String> {
    let mut values = Vec::with_capacity(DATA_SYMBOLS + 1);
    for c in code.chars() {
        let c = match c.to_ascii_lowercase() {
            ' ' | '-' | '\t' => continue,
            'o' => '0',
            'i' | 'l' => '1',
            'u' => 'v',
            other => other,
        };
        let value = RECOVERY_ALPHABET.iter().position(|&a| char::from(a) == c)?;
        values.push(value as u8);
        if values.len() > DATA_SYMBOLS + 1 {
            return None;
        }
    }
    let (&check, data) = values.split_last()?;
    if data.len() != DATA_SYMBOLS || check_symbol(data) != check {
        return None;
    }
    Some(values.iter().map(|&v| symbol(v)).collect())
}

/// The alphabet symbol of a 5-bit value.
fn symbol(value: u8) -> char {
    char::from(RECOVERY_ALPHABET.get(usize::from(value & 31)).copied().unwrap_or(b'0'))
}

/// Luhn mod 32 check symbol over symbol values.
fn check_symbol(data: &[u8]) -> u8 {
    let mut sum = 0u32;
    for (i, &v) in data.iter().rev().enumerate() {
        let addend = u32::from(v) * if i % 2 == 0 { 2 } else { 1 };
        sum += addend / 32 + addend % 32;
    }
    ((32 - sum % 32) % 32) as u8
}

/// The Luhn (mod 10) check digit of ASCII digits: the digit that makes the whole sum to 0.
fn luhn_check(data: &[u8]) -> u8 {
    let mut sum = 0u32;
    for (i, &b) in data.iter().rev().enumerate() {
        let d = u32::from(b.wrapping_sub(b'0') % 10);
        let addend = if i % 2 == 0 { d * 2 } else { d };
        sum += addend / 10 + addend % 10;
    }
    ((10 - sum % 10) % 10) as u8
}

fn hash_code(server_key: &[u8], domain: &[u8], code: &[u8]) -> Result<[u8; 32]> {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(server_key)
        .map_err(|_| Error::new(ErrorKind::InvalidArgument, "the server key cannot be used for HMAC"))?;
    mac.update(domain);
    mac.update(code);
    let mut out = [0u8; 32];
    for (dst, src) in out.iter_mut().zip(mac.finalize().into_bytes().iter()) {
        *dst = *src;
    }
    Ok(out)
}

fn check_key(server_key: &[u8]) -> Result<()> {
    if server_key.len() < MIN_SERVER_KEY_BYTES {
        return Err(Error::new(ErrorKind::InvalidArgument, "the server key must be at least 16 random bytes"));
    }
    Ok(())
}

/// Index of `hash` in `hashes`, comparing every entry in constant time.
fn find(hashes: &[[u8; 32]], hash: &[u8; 32]) -> Option<usize> {
    let mut found = None;
    for (i, stored) in hashes.iter().enumerate() {
        if ct_eq(stored, hash) && found.is_none() {
            found = Some(i);
        }
    }
    found
}


/// Uniform symbols from random bytes by rejection sampling: a byte is used only when it falls
/// below the largest multiple of `n` that fits in 256, so `byte % n` has no bias.
struct Symbols<'a, R: RandomSource> {
    rng: &'a mut R,
    buffer: [u8; 64],
    used: usize,
}

impl<'a, R: RandomSource> Symbols<'a, R> {
    fn new(rng: &'a mut R) -> Self {
        Self { rng, buffer: [0; 64], used: 64 }
    }

    fn next(&mut self, n: u8) -> Result<u8> {
        let limit = 256 - 256 % u16::from(n.max(1));
        loop {
            if self.used == self.buffer.len() {
                self.rng.fill(&mut self.buffer)?;
                self.used = 0;
            }
            let byte = self.buffer.get(self.used).copied().unwrap_or(0);
            self.used += 1;
            if u16::from(byte) < limit {
                return Ok(byte % n.max(1));
            }
        }
    }
}
