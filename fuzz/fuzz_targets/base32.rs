//! Base32 secrets: `normalize_base32` / `Secret::from_base32` on arbitrary text (what a person
//! types or pastes), and `Secret::to_base32` on arbitrary bytes.
//!
//! The first input byte picks the mode. Text: never panics; both functions agree on what they
//! accept; an error's position is a character index inside the text; the normalised form is
//! canonical (normalising it again changes nothing) and decodes to the same bytes; the decoded
//! length is what the characters carry; re-encoding (plain and grouped) decodes to the same
//! bytes. Bytes: the encoding is canonical and decodes back (lowercase too).
#![no_main]

use libfuzzer_sys::fuzz_target;
use totp_wasm::{Secret, normalize_base32};

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else { return };
    if mode & 1 == 0 {
        let Ok(text) = std::str::from_utf8(rest) else { return };
        text_mode(text);
    } else {
        bytes_mode(rest);
    }
});

fn text_mode(text: &str) {
    let normalized = normalize_base32(text);
    let secret = Secret::from_base32(text);
    assert_eq!(normalized.is_ok(), secret.is_ok(), "normalize_base32 and from_base32 disagree on {text:?}");
    if let Err(e) = &normalized
        && let Some(at) = e.position()
    {
        assert!(at < text.chars().count(), "error position {at} outside {text:?}");
    }
    let (Ok(clean), Ok(secret)) = (normalized, secret) else { return };
    assert!(!secret.as_bytes().is_empty(), "accepted an empty secret: {text:?}");
    assert!(clean.bytes().all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b)), "not canonical: {clean:?}");
    assert_eq!(normalize_base32(&clean).ok().as_deref(), Some(clean.as_str()), "normalising is not idempotent");
    assert_eq!(secret.as_bytes().len(), clean.len() * 5 / 8, "decoded length for {clean:?}");
    assert_eq!(Secret::from_base32(&clean).ok().as_ref(), Some(&secret), "the normalised text decodes differently");
    let encoded = secret.to_base32();
    assert_eq!(Secret::from_base32(&encoded).ok().as_ref(), Some(&secret), "re-encoding does not round-trip");
    assert_eq!(Secret::from_base32(&secret.to_grouped_base32()).ok().as_ref(), Some(&secret), "grouped form");
    // Only unused trailing bits may differ: the canonical encoding has the same length.
    assert_eq!(encoded.len(), clean.len(), "{clean:?} re-encodes as {encoded:?}");
}

fn bytes_mode(bytes: &[u8]) {
    let secret = match Secret::from_bytes(bytes) {
        Ok(secret) => secret,
        Err(_) => {
            assert!(bytes.is_empty(), "refused non-empty key bytes");
            return;
        }
    };
    let encoded = secret.to_base32();
    assert_eq!(encoded.len(), (bytes.len() * 8).div_ceil(5));
    assert_eq!(normalize_base32(&encoded).ok().as_deref(), Some(encoded.as_str()), "encoding is not canonical");
    assert_eq!(Secret::from_base32(&encoded).ok().as_ref().map(Secret::as_bytes), Some(bytes));
    assert_eq!(Secret::from_base32(&encoded.to_ascii_lowercase()).ok().as_ref().map(Secret::as_bytes), Some(bytes));
}
