//! The base32 policy of src/secret.rs, as a table: what people type and what it becomes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use totp_wasm::{OsRandom, RandomSource, Secret, normalize_base32};

/// (input, canonical base32) pairs that must be accepted.
const ACCEPTED: &[(&str, &str)] = &[
    ("JBSWY3DPEHPK3PXP", "JBSWY3DPEHPK3PXP"),
    ("jbswy3dpehpk3pxp", "JBSWY3DPEHPK3PXP"),
    ("JbSw Y3Dp EhPk 3PxP", "JBSWY3DPEHPK3PXP"),
    ("JBSW-Y3DP-EHPK-3PXP", "JBSWY3DPEHPK3PXP"),
    (" JBSW\tY3DP\nEHPK 3PXP ", "JBSWY3DPEHPK3PXP"),
    ("JBSWY3DPEHPK3PXP====", "JBSWY3DPEHPK3PXP"),
    ("MZXW6===", "MZXW6"),
    ("MZXW6", "MZXW6"),
    ("MY", "MY"),
    ("MZXQ", "MZXQ"),
    ("MZXW6YQ", "MZXW6YQ"),
    // Unused trailing bits set (the canonical form of "f" is "MY"): apps accept it, so do we.
    ("mz", "MZ"),
];

/// (input, character index the error must name) pairs that must be refused.
const REFUSED_AT: &[(&str, usize)] = &[
    ("JBSW1Y3D", 4),
    ("0BSWY3DP", 0),
    ("JBSWY3D8", 7),
    ("JBSW Y3D!", 8),
    ("ÄBSWY3DP", 0),
    ("JB=SWY3DP", 2),
    ("JBSWY3DPEHPK3PX１", 15),
];

/// Inputs refused without a position (emptiness, impossible lengths).
const REFUSED: &[&str] = &["", "   ", "----", "====", "A", "ABC", "ABCDEF", "ABCDEFGHA"];

#[test]
fn accepted_inputs_normalise_to_canonical_base32() {
    for (input, canonical) in ACCEPTED {
        assert_eq!(normalize_base32(input).unwrap(), *canonical, "{input:?}");
        let secret = Secret::from_base32(input).unwrap();
        assert_eq!(secret.as_bytes(), Secret::from_base32(canonical).unwrap().as_bytes(), "{input:?}");
    }
    assert_eq!(Secret::from_base32("MZ").unwrap().as_bytes(), b"f");
    assert_eq!(Secret::from_base32("MZ").unwrap().to_base32(), "MY");
}

#[test]
fn refused_inputs_name_the_bad_character_and_its_index() {
    for (input, index) in REFUSED_AT {
        let err = Secret::from_base32(input).unwrap_err();
        assert_eq!(err.code(), "INVALID_SECRET", "{input:?}");
        assert_eq!(err.position(), Some(*index), "{input:?}: {err}");
        let bad = input.chars().nth(*index).unwrap();
        assert!(err.message().contains(&format!("'{bad}'")), "{input:?}: {err}");
        assert!(err.message().contains(&format!("index {index}")), "{input:?}: {err}");
    }
}

#[test]
fn empty_and_impossible_lengths_are_refused() {
    for input in REFUSED {
        let err = Secret::from_base32(input).unwrap_err();
        assert_eq!(err.code(), "INVALID_SECRET", "{input:?}");
    }
}

#[test]
fn look_alike_digits_get_a_hint() {
    assert!(Secret::from_base32("JBSW0").unwrap_err().message().contains("letter O"));
    assert!(Secret::from_base32("JBSW1").unwrap_err().message().contains("letter I or L"));
}

#[test]
fn rfc_4648_section_10_vectors_round_trip() {
    for (raw, b32) in [
        ("f", "MY"),
        ("fo", "MZXQ"),
        ("foo", "MZXW6"),
        ("foob", "MZXW6YQ"),
        ("fooba", "MZXW6YTB"),
        ("foobar", "MZXW6YTBOI"),
    ] {
        let s = Secret::from_bytes(raw.as_bytes()).unwrap();
        assert_eq!(s.to_base32(), b32);
        assert_eq!(Secret::from_base32(b32).unwrap().as_bytes(), raw.as_bytes());
    }
}

#[test]
fn every_byte_length_round_trips() {
    let mut bytes = Vec::new();
    for n in 1..=70u8 {
        bytes.push(n.wrapping_mul(37));
        let s = Secret::from_bytes(bytes.clone()).unwrap();
        assert_eq!(Secret::from_base32(&s.to_base32()).unwrap().as_bytes(), &bytes[..]);
        assert_eq!(Secret::from_base32(&s.to_base32().to_lowercase()).unwrap().as_bytes(), &bytes[..]);
    }
}

struct Fixed(u8);
impl RandomSource for Fixed {
    fn fill(&mut self, dest: &mut [u8]) -> totp_wasm::Result<()> {
        for b in dest {
            *b = self.0;
            self.0 = self.0.wrapping_add(1);
        }
        Ok(())
    }
}

#[test]
fn generated_secrets_are_160_bits_by_default_and_never_under_128() {
    let s = Secret::generate(totp_wasm::DEFAULT_SECRET_BYTES, &mut Fixed(0)).unwrap();
    assert_eq!(s.as_bytes(), (0u8..20).collect::<Vec<_>>());
    assert_eq!(s.to_base32().len(), 32);
    for bad in [0, 10, 15, 65, 1000] {
        assert_eq!(Secret::generate(bad, &mut OsRandom).unwrap_err().code(), "INVALID_ARGUMENT", "{bad}");
    }
    let a = Secret::generate(16, &mut OsRandom).unwrap();
    let b = Secret::generate(16, &mut OsRandom).unwrap();
    assert_ne!(a, b, "two CSPRNG draws of 128 bits collided");
}

#[test]
fn debug_output_never_shows_the_secret() {
    let s = Secret::from_base32("JBSWY3DPEHPK3PXP").unwrap();
    let shown = format!("{s:?}");
    assert!(!shown.contains("JBSW") && !shown.contains("72"), "{shown}");
}

#[test]
fn grouped_key_is_in_fours() {
    let s = Secret::from_base32("JBSWY3DPEHPK3PXP").unwrap();
    assert_eq!(s.to_grouped_base32(), "JBSW Y3DP EHPK 3PXP");
}
