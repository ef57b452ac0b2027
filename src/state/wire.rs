//! The state's byte format: the writer of the current version and a reader for every version
//! ever written, so states stored by earlier releases keep working. Each reader migrates to
//! the current model; the model itself (`state/mod.rs`) knows nothing of bytes.

use super::{Factor, FactorKind, MAX_FACTORS, MAX_LABEL_BYTES, Removal, STATE_VERSION, UserState};
use crate::algorithm::Algorithm;
use crate::error::{Error, ErrorKind, Result, decimal, msg};
use crate::hotp::OtpOptions;
use crate::throttle::Throttle;
use alloc::string::String;
use alloc::vec::Vec;
use sha2::{Digest, Sha256};

/// Removal flag byte: none, a code without check digit (version 1), a code with one.
const REMOVAL_NONE: u8 = 0;
const REMOVAL_PLAIN: u8 = 1;
const REMOVAL_CHECKED: u8 = 2;

impl UserState {
    /// The binary form, version [`STATE_VERSION`]. Integers are LEB128 varints unless noted:
    ///
    /// ```text
    /// u8 version = 3
    /// next_factor_id
    /// code failures, code locked_until, recovery failures, recovery locked_until
    /// factor count, then per factor:
    ///     id, created, u8 algorithm (0 SHA1, 1 SHA256, 2 SHA512), u8 digits, period,
    ///     last_step + 1 (0 = no code accepted yet), label length, label (UTF-8),
    ///     u8 kind (0 TOTP, 1 HOTP), drift (zigzag: 2d for d ≥ 0, −2d − 1 below; 0 for HOTP)
    /// recovery hash count, then 32 bytes per hash
    /// u8 removal (0 none, 1 code without check digit, 2 code with check digit), then 32 bytes
    /// 4 bytes: the first bytes of SHA-256 over everything before (detects corruption)
    /// ```
    ///
    /// Version 2 had no kind and drift per factor: its factors read as TOTP with no learned
    /// offset. Version 1 also had one throttle (`failures, locked_until`) shared by every kind
    /// of code, and removal flag 1 only: its throttle is copied to both, so a lock in force
    /// stays in force.
    ///
    /// ```
    /// use totp_wasm::UserState;
    /// // An empty state: the version, eight zero fields and the 4-byte checksum.
    /// assert_eq!(UserState::new().to_bytes().len(), 1 + 8 + 4);
    /// assert_eq!(UserState::new().to_bytes()[..9], [3, 0, 0, 0, 0, 0, 0, 0, 0]);
    /// ```
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(64 + self.factors.len() * 32 + self.recovery.len() * 32);
        out.push(STATE_VERSION);
        varint(&mut out, self.next_id.into());
        for t in [&self.code_throttle, &self.recovery_throttle] {
            varint(&mut out, t.failures.into());
            varint(&mut out, t.locked_until);
        }
        varint(&mut out, self.factors.len() as u64);
        for f in &self.factors {
            write_factor(&mut out, f);
        }
        varint(&mut out, self.recovery.len() as u64);
        for hash in &self.recovery {
            out.extend_from_slice(hash);
        }
        match &self.removal {
            Some(r) => {
                out.push(if r.checked { REMOVAL_CHECKED } else { REMOVAL_PLAIN });
                out.extend_from_slice(&r.hash);
            }
            None => out.push(REMOVAL_NONE),
        }
        let sum = Sha256::digest(&out);
        out.extend_from_slice(sum.get(..4).unwrap_or(&[]));
        out
    }

    /// Reads the binary form of any version up to [`STATE_VERSION`]. An unknown version, a bad
    /// checksum, truncation or trailing bytes are `INVALID_STATE` errors, never a silent reset (a
    /// reset would reopen used codes and drop the lockout).
    ///
    /// ```
    /// use totp_wasm::{ErrorKind, UserState};
    /// # use totp_wasm::{OtpOptions, Policy, confirm_enrollment};
    /// # fn main() -> Result<(), totp_wasm::Error> {
    /// # let (_, state) = confirm_enrollment(&UserState::new(), b"12345678901234567890", "287082", "Phone", 59,
    /// #     &OtpOptions::default(), &Policy::default())?;
    /// // `state`: a user with one authenticator, "Phone" (id 1).
    /// let mut bytes = state.to_bytes();
    /// assert_eq!(UserState::from_bytes(&bytes)?, state);
    /// bytes[2] ^= 1; // one flipped bit: the checksum no longer matches
    /// assert_eq!(UserState::from_bytes(&bytes).unwrap_err().kind(), ErrorKind::InvalidState);
    /// # Ok(()) }
    /// ```
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let Some((body, sum)) = bytes.split_last_chunk::<4>() else {
            return Err(corrupt("it is too short"));
        };
        if Sha256::digest(body).get(..4) != Some(&sum[..]) {
            return Err(corrupt("its checksum does not match"));
        }
        let mut r = Reader { bytes: body, at: 0 };
        let version = r.byte()?;
        if version == 0 || version > STATE_VERSION {
            return Err(Error::new(
                ErrorKind::InvalidState,
                msg(&[
                    "the stored state has version ",
                    &decimal(version.into()),
                    ", which this library does not read (it reads 1 to ",
                    &decimal(STATE_VERSION.into()),
                    "): upgrade totp-wasm",
                ]),
            ));
        }
        let state = read_body(&mut r, version)?;
        if r.at != body.len() {
            return Err(corrupt("it has trailing bytes"));
        }
        Ok(state)
    }

    /// The text form: unpadded base64url of [`UserState::to_bytes`].
    ///
    /// ```
    /// use totp_wasm::UserState;
    /// // Only A-Z, a-z, 0-9, '-' and '_': nothing to escape in JSON, URLs or SQL.
    /// assert!(UserState::new().encode().bytes().all(|b| b.is_ascii_alphanumeric() || b"-_".contains(&b)));
    /// ```
    pub fn encode(&self) -> String {
        crate::codec::base64url_encode(&self.to_bytes())
    }

    /// Reads the text form.
    ///
    /// ```
    /// use totp_wasm::UserState;
    /// let state = UserState::new();
    /// assert_eq!(UserState::decode(&state.encode()).unwrap(), state);
    /// assert_eq!(UserState::decode("not a state").unwrap_err().code(), "INVALID_STATE");
    /// ```
    pub fn decode(text: &str) -> Result<Self> {
        let bytes = crate::codec::base64url_decode(text.trim()).ok_or_else(|| corrupt("it is not base64url text"))?;
        Self::from_bytes(&bytes)
    }
}

fn write_factor(out: &mut Vec<u8>, f: &Factor) {
    varint(out, f.id.into());
    varint(out, f.created);
    out.push(match f.options.algorithm {
        Algorithm::Sha1 => 0,
        Algorithm::Sha256 => 1,
        Algorithm::Sha512 => 2,
    });
    out.push(f.options.digits as u8);
    varint(out, f.options.period);
    varint(out, f.last_step.map_or(0, |s| s.saturating_add(1)));
    varint(out, f.label.len() as u64);
    out.extend_from_slice(f.label.as_bytes());
    out.push(match f.kind {
        FactorKind::Totp => 0,
        FactorKind::Hotp => 1,
    });
    varint(out, zigzag(f.drift));
}

fn zigzag(n: i64) -> u64 {
    ((n << 1) ^ (n >> 63)) as u64
}

fn unzigzag(n: u64) -> i64 {
    ((n >> 1) as i64) ^ -((n & 1) as i64)
}

/// Everything after the version byte, for `version` (1..=STATE_VERSION).
fn read_body(r: &mut Reader<'_>, version: u8) -> Result<UserState> {
    let next_id = r.u32()?;
    let code_throttle = r.throttle()?;
    // Version 1 had one throttle for every kind of code: both inherit it.
    let recovery_throttle = if version == 1 { code_throttle } else { r.throttle()? };
    let count = r.count(MAX_FACTORS)?;
    let mut factors: Vec<Factor> = Vec::with_capacity(count);
    for _ in 0..count {
        let f = read_factor(r, version)?;
        if factors.iter().any(|g| g.id == f.id) || f.id >= next_id {
            return Err(corrupt("factor ids are inconsistent"));
        }
        factors.push(f);
    }
    let count = r.count(1024)?;
    let mut recovery = Vec::with_capacity(count);
    for _ in 0..count {
        recovery.push(r.hash()?);
    }
    let removal = match r.byte()? {
        REMOVAL_NONE => None,
        REMOVAL_PLAIN => Some(Removal { hash: r.hash()?, checked: false }),
        REMOVAL_CHECKED if version >= 2 => Some(Removal { hash: r.hash()?, checked: true }),
        _ => return Err(corrupt("the removal flag is unknown")),
    };
    Ok(UserState { factors, next_id, code_throttle, recovery_throttle, recovery, removal })
}

fn read_factor(r: &mut Reader<'_>, version: u8) -> Result<Factor> {
    let id = r.u32()?;
    let created = r.varint()?;
    let algorithm = match r.byte()? {
        0 => Algorithm::Sha1,
        1 => Algorithm::Sha256,
        2 => Algorithm::Sha512,
        _ => return Err(corrupt("a factor has an unknown algorithm")),
    };
    let options = OtpOptions { algorithm, digits: r.byte()?.into(), period: r.varint()? };
    options.validate().map_err(|_| corrupt("a factor has invalid options"))?;
    let last_step = r.varint()?.checked_sub(1);
    let len = r.count(MAX_LABEL_BYTES)?;
    let label = String::from_utf8(r.take(len)?.to_vec()).map_err(|_| corrupt("a label is not UTF-8"))?;
    // Versions 1 and 2 knew only TOTP factors, with no learned offset.
    let (kind, drift) = if version < 3 { (FactorKind::Totp, 0) } else { (r.kind()?, unzigzag(r.varint()?)) };
    if drift.unsigned_abs() > crate::policy::MAX_DRIFT || (kind == FactorKind::Hotp && drift != 0) {
        return Err(corrupt("a factor's clock offset is out of range"));
    }
    Ok(Factor { id, label, created, options, kind, last_step, drift })
}

fn corrupt(why: &str) -> Error {
    Error::new(ErrorKind::InvalidState, msg(&["the stored 2FA state cannot be read: ", why]))
}

fn varint(out: &mut Vec<u8>, mut n: u64) {
    loop {
        let low = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(low);
            return;
        }
        out.push(low | 0x80);
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn byte(&mut self) -> Result<u8> {
        let b = self.bytes.get(self.at).copied().ok_or_else(|| corrupt("it is truncated"))?;
        self.at += 1;
        Ok(b)
    }

    fn take(&mut self, n: usize) -> Result<&[u8]> {
        let slice = self.bytes.get(self.at..self.at + n).ok_or_else(|| corrupt("it is truncated"))?;
        self.at += n;
        Ok(slice)
    }

    /// A LEB128 number in its one canonical form: every state has exactly one encoding, so a
    /// state read back writes back the same bytes (no padded `0x80 0x00` forms, no bits past 64).
    fn varint(&mut self) -> Result<u64> {
        let mut n = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            let low = u64::from(b & 0x7f);
            if shift == 63 && low > 1 {
                return Err(corrupt("a number is larger than 64 bits"));
            }
            n |= low << shift;
            if b & 0x80 == 0 {
                if b == 0 && shift > 0 {
                    return Err(corrupt("a number is not in its shortest form"));
                }
                return Ok(n);
            }
        }
        Err(corrupt("a number is too long"))
    }

    fn u32(&mut self) -> Result<u32> {
        u32::try_from(self.varint()?).map_err(|_| corrupt("a number is out of range"))
    }

    fn count(&mut self, max: usize) -> Result<usize> {
        usize::try_from(self.varint()?).ok().filter(|&n| n <= max).ok_or_else(|| corrupt("a count is out of range"))
    }

    fn hash(&mut self) -> Result<[u8; 32]> {
        let mut out = [0u8; 32];
        out.copy_from_slice(self.take(32)?);
        Ok(out)
    }

    fn kind(&mut self) -> Result<FactorKind> {
        match self.byte()? {
            0 => Ok(FactorKind::Totp),
            1 => Ok(FactorKind::Hotp),
            _ => Err(corrupt("a factor has an unknown kind")),
        }
    }

    fn throttle(&mut self) -> Result<Throttle> {
        Ok(Throttle { failures: self.u32()?, locked_until: self.varint()? })
    }
}
