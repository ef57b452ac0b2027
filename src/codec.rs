//! The two text encodings the crate writes: RFC 4648 base32 (secrets) and base64url (stored
//! states), both unpadded. Written out here because the general-purpose `data-encoding`
//! decoder alone added ~20 KB to the wasm module; the tests check these against it.

use alloc::string::String;
use alloc::vec::Vec;

const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
#[cfg_attr(not(any(feature = "verifier", feature = "migration")), allow(dead_code))]
const BASE64URL: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Writes `bytes` as `bits`-bit symbols of `alphabet` (MSB first), the last one zero-filled.
fn encode(bytes: &[u8], alphabet: &[u8], bits: u32) -> String {
    let mut out = String::with_capacity(bytes.len() * 8 / bits as usize + 1);
    let (mut buffer, mut held) = (0u32, 0u32);
    let mask = (1u32 << bits) - 1;
    let mut push = |value: u32| out.push(char::from(alphabet.get(value as usize).copied().unwrap_or(b'?')));
    for &b in bytes {
        buffer = (buffer << 8) | u32::from(b);
        held += 8;
        while held >= bits {
            held -= bits;
            push((buffer >> held) & mask);
        }
        buffer &= (1 << held) - 1;
    }
    if held > 0 {
        push((buffer << (bits - held)) & mask);
    }
    out
}

/// Reads symbols back into bytes; `None` on a symbol outside the alphabet or an impossible
/// length. Unused trailing bits are ignored (authenticator apps accept them).
fn decode(text: &[u8], value: impl Fn(u8) -> Option<u32>, bits: u32) -> Option<Vec<u8>> {
    if (text.len() * bits as usize) % 8 >= bits as usize {
        return None; // a whole symbol left over: the text was cut or padded wrongly
    }
    let mut out = Vec::with_capacity(text.len() * bits as usize / 8);
    let (mut buffer, mut held) = (0u32, 0u32);
    for &c in text {
        buffer = (buffer << bits) | value(c)?;
        held += bits;
        if held >= 8 {
            held -= 8;
            out.push((buffer >> held) as u8);
            buffer &= (1 << held) - 1;
        }
    }
    Some(out)
}

/// Unpadded uppercase base32.
pub(crate) fn base32_encode(bytes: &[u8]) -> String {
    encode(bytes, BASE32, 5)
}

/// Decodes canonical (uppercase, unpadded) base32.
pub(crate) fn base32_decode(text: &str) -> Option<Vec<u8>> {
    decode(
        text.as_bytes(),
        |c| match c {
            b'A'..=b'Z' => Some(u32::from(c - b'A')),
            b'2'..=b'7' => Some(u32::from(c - b'2') + 26),
            _ => None,
        },
        5,
    )
}

/// Unpadded base64url.
#[cfg_attr(not(feature = "verifier"), allow(dead_code))]
pub(crate) fn base64url_encode(bytes: &[u8]) -> String {
    encode(bytes, BASE64URL, 6)
}

/// Decodes unpadded base64url.
#[cfg_attr(not(any(feature = "verifier", feature = "migration")), allow(dead_code))]
pub(crate) fn base64url_decode(text: &str) -> Option<Vec<u8>> {
    decode(
        text.as_bytes(),
        |c| match c {
            b'A'..=b'Z' => Some(u32::from(c - b'A')),
            b'a'..=b'z' => Some(u32::from(c - b'a') + 26),
            b'0'..=b'9' => Some(u32::from(c - b'0') + 52),
            b'-' => Some(62),
            b'_' => Some(63),
            _ => None,
        },
        6,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    /// A fixed-seed byte stream for generating inputs.
    fn bytes(seed: u64, len: usize) -> Vec<u8> {
        let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
        (0..len)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect()
    }

    #[test]
    fn agrees_with_data_encoding_on_every_length_up_to_100() {
        for len in 0..=100 {
            for seed in 0..4 {
                let input = bytes(seed * 1000 + len as u64, len);
                let b32 = data_encoding::BASE32_NOPAD.encode(&input);
                let b64 = data_encoding::BASE64URL_NOPAD.encode(&input);
                assert_eq!(base32_encode(&input), b32);
                assert_eq!(base64url_encode(&input), b64);
                assert_eq!(base32_decode(&b32), Some(input.clone()));
                assert_eq!(base64url_decode(&b64), Some(input));
            }
        }
    }

    #[test]
    fn rejects_what_data_encoding_rejects_except_trailing_bits() {
        for text in ["A", "ABC", "ABCDEF", "ABCDEFGHA", "AB=", "ab", "A1"] {
            assert_eq!(base32_decode(text), None, "{text}");
            assert!(data_encoding::BASE32_NOPAD.decode(text.as_bytes()).is_err());
        }
        for text in ["A", "AAAAA", "AB+C", "AB/C", "AB=="] {
            assert_eq!(base64url_decode(text), None, "{text}");
            assert!(data_encoding::BASE64URL_NOPAD.decode(text.as_bytes()).is_err());
        }
        // Non-zero unused bits: data-encoding refuses, authenticators (and we) ignore them.
        assert!(data_encoding::BASE32_NOPAD.decode(b"MZ").is_err());
        assert_eq!(base32_decode("MZ"), Some(vec![b'f']));
    }
}
