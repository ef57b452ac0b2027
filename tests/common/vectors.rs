//! The vector files under tests/data, embedded so the native and the wasm suites walk the same
//! data. One line per case: `kind algorithm digits period secret-hex counter-or-time code`.

#![allow(dead_code)]

/// Every vector file, by name.
pub const FILES: [(&str, &str); 3] = [
    ("rfc4226.txt", include_str!("../data/rfc4226.txt")),
    ("rfc6238.txt", include_str!("../data/rfc6238.txt")),
    ("limits.txt", include_str!("../data/limits.txt")),
];

/// One expected code.
#[derive(Debug, Clone)]
pub struct Vector {
    /// `file:line`, for failure messages.
    pub origin: String,
    /// `true` for TOTP (moment is a time), `false` for HOTP (moment is a counter).
    pub totp: bool,
    /// `SHA1`, `SHA256` or `SHA512`.
    pub algorithm: String,
    pub digits: u32,
    pub period: u64,
    pub secret: Vec<u8>,
    pub moment: u64,
    pub code: String,
}

/// The vectors of one file.
pub fn load(name: &str) -> Vec<Vector> {
    let (_, text) = FILES.iter().find(|(n, _)| *n == name).expect("known vector file");
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let origin = format!("{name}:{}", i + 1);
        let f: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(f.len(), 7, "{origin}: expected 7 fields");
        out.push(Vector {
            totp: match f[0] {
                "totp" => true,
                "hotp" => false,
                other => panic!("{origin}: unknown kind {other}"),
            },
            algorithm: f[1].to_string(),
            digits: f[2].parse().expect("digits"),
            period: if f[3] == "-" { 30 } else { f[3].parse().expect("period") },
            secret: hex(f[4]),
            moment: f[5].parse().expect("counter or time"),
            code: f[6].to_string(),
            origin,
        });
    }
    assert!(!out.is_empty(), "{name} has no vectors");
    out
}

/// Decodes lowercase or uppercase hex.
pub fn hex(text: &str) -> Vec<u8> {
    assert!(text.len().is_multiple_of(2), "odd hex length");
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("hex")).collect()
}
