//! Google Authenticator exports (`otpauth-migration://offline?data=…`): payloads written byte by
//! byte from the protobuf schema, a vector produced by Google Authenticator itself, and
//! truncated, garbage and out-of-range inputs, which must be typed errors, never panics.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use totp_wasm::{Algorithm, ErrorKind, OtpAuthUri, OtpKind, parse_migration_uri, totp};

/// Standard base64 with padding, then percent-encoded as Google Authenticator does
/// (`+` → `%2B`, `/` → `%2F`, `=` → `%3D`). data-encoding is an independent encoder.
fn uri_of(payload: &[u8]) -> String {
    let b64 = data_encoding::BASE64.encode(payload);
    let escaped = b64.replace('+', "%2B").replace('/', "%2F").replace('=', "%3D");
    format!("otpauth-migration://offline?data={escaped}")
}

/// A length-delimited field: key byte, one-byte length (every test message is < 128 bytes), bytes.
fn field(key: u8, bytes: &[u8]) -> Vec<u8> {
    assert!(bytes.len() < 128);
    let mut out = vec![key, bytes.len() as u8];
    out.extend_from_slice(bytes);
    out
}

/// Three accounts, written out from the schema (field number << 3 | wire type):
/// 0x0a = 1/LEN, 0x12 = 2/LEN, 0x1a = 3/LEN, 0x20 = 4/VARINT, 0x28 = 5/VARINT, 0x30 = 6/VARINT,
/// 0x38 = 7/VARINT; in the payload 0x0a = otp_parameters, 0x10 version, 0x18 batch_size,
/// 0x20 batch_index, 0x28 batch_id.
fn three_accounts() -> Vec<u8> {
    // 1. TOTP, SHA1, 6 digits: secret "Hello!\xde\xad\xbe\xef" (JBSWY3DPEHPK3PXP),
    //    name "Example:alice@example.com" (GA keeps the original label), issuer "Example".
    let mut a = field(0x0a, b"Hello!\xde\xad\xbe\xef");
    a.extend(field(0x12, b"Example:alice@example.com"));
    a.extend(field(0x1a, b"Example"));
    a.extend([0x20, 0x01, 0x28, 0x01, 0x30, 0x02]);

    // 2. TOTP, SHA256, 8 digits, 20-byte secret 0x00..=0x13, name "bob", issuer "Bank & Co".
    let secret: Vec<u8> = (0u8..20).collect();
    let mut b = field(0x0a, &secret);
    b.extend(field(0x12, b"bob"));
    b.extend(field(0x1a, b"Bank & Co"));
    b.extend([0x20, 0x02, 0x28, 0x02, 0x30, 0x02]);

    // 3. HOTP, SHA512, 6 digits (unspecified = 0), counter 300 = varint 0xac 0x02, no issuer,
    //    name "carol"; the "12345678901234567890" key of RFC 4226.
    let mut c = field(0x0a, b"12345678901234567890");
    c.extend(field(0x12, b"carol"));
    c.extend([0x20, 0x03, 0x28, 0x00, 0x30, 0x01, 0x38, 0xac, 0x02]);

    let mut payload = Vec::new();
    for account in [a, b, c] {
        payload.extend(field(0x0a, &account));
    }
    // version 1, batch_size 1, batch_index 0, batch_id 1234567 (varint 0x87 0xad 0x4b).
    payload.extend([0x10, 0x01, 0x18, 0x01, 0x20, 0x00, 0x28, 0x87, 0xad, 0x4b]);
    payload
}

#[test]
fn three_hand_written_accounts() {
    let accounts = parse_migration_uri(&uri_of(&three_accounts())).unwrap();
    assert_eq!(accounts.len(), 3);

    let a = &accounts[0];
    assert_eq!(a.kind, OtpKind::Totp);
    assert_eq!(a.secret, "JBSWY3DPEHPK3PXP");
    assert_eq!(a.account, "alice@example.com");
    assert_eq!(a.issuer.as_deref(), Some("Example"));
    assert_eq!((a.algorithm, a.digits, a.period, a.counter), (Algorithm::Sha1, 6, 30, None));
    assert!(a.extra.is_empty());

    let b = &accounts[1];
    assert_eq!(b.secret, "AAAQEAYEAUDAOCAJBIFQYDIOB4IBCEQT");
    assert_eq!((b.account.as_str(), b.issuer.as_deref()), ("bob", Some("Bank & Co")));
    assert_eq!((b.kind, b.algorithm, b.digits, b.period), (OtpKind::Totp, Algorithm::Sha256, 8, 30));

    let c = &accounts[2];
    assert_eq!(c.kind, OtpKind::Hotp);
    assert_eq!(c.secret, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    assert_eq!((c.account.as_str(), c.issuer.as_deref()), ("carol", None));
    assert_eq!((c.algorithm, c.digits, c.counter), (Algorithm::Sha512, 6, Some(300)));
}

#[test]
fn accounts_become_working_otpauth_uris() {
    let accounts = parse_migration_uri(&uri_of(&three_accounts())).unwrap();
    let expected = [
        "otpauth://totp/Example:alice@example.com?secret=JBSWY3DPEHPK3PXP&issuer=Example",
        "otpauth://totp/Bank%20%26%20Co:bob?secret=AAAQEAYEAUDAOCAJBIFQYDIOB4IBCEQT&issuer=Bank%20%26%20Co&algorithm=SHA256&digits=8",
        "otpauth://hotp/carol?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&algorithm=SHA512&counter=300",
    ];
    for (account, uri) in accounts.iter().zip(expected) {
        assert_eq!(account.to_uri().unwrap(), uri);
        assert_eq!(&OtpAuthUri::parse(uri).unwrap(), account, "same shape as parseUri");
    }
    // RFC 6238's SHA1 vector at T = 59 (6 digits): the first account's options, the third's key.
    let rfc = OtpAuthUri { secret: accounts[2].secret.clone(), ..accounts[0].clone() };
    assert_eq!(totp(rfc.secret().unwrap().as_bytes(), 59, &rfc.options()).unwrap(), "287082");
}

/// Exported by Google Authenticator (the vector of GNOME Authenticator's Google backup test,
/// also used by several other importers): Discord / johndoe@example.com. Note the raw `/`
/// inside the data and the escaped `+` and `=`.
#[test]
fn a_vector_exported_by_google_authenticator() {
    let uri = "otpauth-migration://offline?data=CjYKEExyJfPiZeroMa/MdF%2BnkTISE2pvaG5kb2VAZXhhbXBsZS5jb20aB0Rpc2NvcmQgASgBMAIQARgBIAA%3D";
    let accounts = parse_migration_uri(uri).unwrap();
    assert_eq!(accounts.len(), 1);
    let a = &accounts[0];
    assert_eq!(a.secret, "JRZCL47CMXVOQMNPZR2F7J4RGI");
    assert_eq!(a.account, "johndoe@example.com");
    assert_eq!(a.issuer.as_deref(), Some("Discord"));
    assert_eq!((a.kind, a.algorithm, a.digits, a.period), (OtpKind::Totp, Algorithm::Sha1, 6, 30));
}

#[test]
fn lenient_spelling_of_the_uri() {
    let payload = three_accounts();
    let b64 = data_encoding::BASE64.encode(&payload);
    let unpadded = b64.trim_end_matches('=');
    let url_safe = data_encoding::BASE64URL_NOPAD.encode(&payload);
    let with_spaces = b64.replace('+', " "); // a form decoder turned '+' into ' '
    for uri in [
        format!("otpauth-migration://offline?data={b64}"),
        format!("OTPAUTH-MIGRATION://OFFLINE?data={unpadded}"),
        format!("  otpauth-migration://offline/?foo=bar&data={url_safe}#x  "),
        format!("otpauth-migration://offline?DATA={}", with_spaces),
        uri_of(&payload).replace("%2F", "%2f"),
    ] {
        assert_eq!(parse_migration_uri(&uri).unwrap().len(), 3, "{uri}");
    }
}

#[test]
fn unknown_fields_are_skipped_and_later_scalars_win() {
    let mut account = field(0x0a, b"Hello!\xde\xad\xbe\xef");
    account.extend(field(0x12, b"dave"));
    account.extend([0x20, 0x03, 0x20, 0x02]); // algorithm SHA512, then SHA256: last wins
    account.extend([0x48, 0x05]); // field 9, varint: unknown
    account.extend([0x51, 1, 2, 3, 4, 5, 6, 7, 8]); // field 10, fixed64: unknown
    account.extend([0x5d, 1, 2, 3, 4]); // field 11, fixed32: unknown
    account.extend(field(0x62, b"future")); // field 12, bytes: unknown
    let mut payload = field(0x0a, &account);
    payload.extend(field(0x32, b"unknown payload field"));
    let accounts = parse_migration_uri(&uri_of(&payload)).unwrap();
    assert_eq!(accounts[0].algorithm, Algorithm::Sha256);
    assert_eq!(accounts[0].account, "dave");
    assert_eq!(accounts[0].issuer, None);
}

#[test]
fn names_issuers_and_labels() {
    let parse_one = |name: &[u8], issuer: &[u8]| {
        let mut account = field(0x0a, b"Hello!\xde\xad\xbe\xef");
        account.extend(field(0x12, name));
        if !issuer.is_empty() {
            account.extend(field(0x1a, issuer));
        }
        parse_migration_uri(&uri_of(&field(0x0a, &account))).map(|mut a| a.remove(0))
    };
    let a = parse_one(b"Acme:joe", b"").unwrap();
    assert_eq!((a.issuer.as_deref(), a.account.as_str()), (Some("Acme"), "joe"));
    // A colon that is not the issuer's prefix stays in the account name.
    let a = parse_one(b"Other:joe", b"Acme").unwrap();
    assert_eq!((a.issuer.as_deref(), a.account.as_str()), (Some("Acme"), "Other:joe"));
    assert_eq!(OtpAuthUri::parse(&a.to_uri().unwrap()).unwrap(), a);
    // No name: the issuer names the account.
    let a = parse_one(b"", b"Acme").unwrap();
    assert_eq!((a.issuer.as_deref(), a.account.as_str()), (Some("Acme"), "Acme"));
    let a = parse_one("Zürich ✓".as_bytes(), b"").unwrap();
    assert_eq!(a.account, "Zürich ✓");
    assert_eq!(parse_one(b"", b"").unwrap_err().kind(), ErrorKind::InvalidUri);
    assert_eq!(parse_one(b"\xff\xfe", b"").unwrap_err().kind(), ErrorKind::InvalidUri);
    assert_eq!(parse_one(b"ok", b"\xc3").unwrap_err().kind(), ErrorKind::InvalidUri);
}

#[test]
fn refused_values_are_typed_errors() {
    let with = |extra: &[u8]| {
        let mut account = field(0x0a, b"Hello!\xde\xad\xbe\xef");
        account.extend(field(0x12, b"x"));
        account.extend_from_slice(extra);
        parse_migration_uri(&uri_of(&field(0x0a, &account)))
    };
    let cases: &[(&[u8], &str)] = &[
        (&[0x20, 0x04], "MD5"),
        (&[0x20, 0x05], "unknown algorithm value 5"),
        (&[0x28, 0x03], "unknown digit count value 3"),
        (&[0x30, 0x03], "unknown OTP type value 3"),
        // counter -1 as int64: ten bytes, all bits set.
        (&[0x30, 0x01, 0x38, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01], "negative counter"),
        (&[0x20, 0x02, 0x12], "cut short"), // a name field (2/LEN) without its length
        (&[0x22, 0x00], "wrong wire type"), // algorithm as bytes
        (&[0x0b], "wire type"),             // group start (wire type 3)
        (&[0x00, 0x00], "field number 0"),
    ];
    for (extra, expected) in cases {
        let err = with(extra).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidUri, "{extra:02x?}: {err}");
        assert!(err.message().contains(expected), "{extra:02x?}: {}", err.message());
    }
    // The maximal counter is fine.
    let max = [0x30, 0x01, 0x38, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f];
    assert_eq!(with(&max).unwrap()[0].counter, Some(i64::MAX as u64));
    // An empty secret is a secret error.
    let mut account = field(0x0a, b"");
    account.extend(field(0x12, b"x"));
    let err = parse_migration_uri(&uri_of(&field(0x0a, &account))).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidSecret);
}

#[test]
fn malformed_uris_are_invalid_uri() {
    for uri in [
        "",
        "otpauth://totp/x?secret=JBSWY3DPEHPK3PXP",
        "otpauth-migration://online?data=CgA%3D",
        "otpauth-migration://offline",
        "otpauth-migration://offline?data=",
        "otpauth-migration://offline?other=1",
        "otpauth-migration://offline?data=CgA&data=CgA",
        "otpauth-migration://offline?data=!!!!",
        "otpauth-migration://offline?data=C",      // 6 bits: not a whole byte
        "otpauth-migration://offline?data=CgA===", // too much padding
        "otpauth-migration://offline?data=Cg=A",   // padding inside
        "otpauth-migration://offline?data=%ZZ",
        "otpauth-migration://offline?data=%4",
        "otpauth-migration://offline?data=%C3%A9",
        "otpauth-migration://offline?data=EAE%3D", // only version = 1: no accounts
        "otpauth-migration://offline?data=CgA%3D", // one empty account: no secret
        "otpauth-migration://",
        "otpauth-migration:/",
        "é",
    ] {
        let err = parse_migration_uri(uri).unwrap_err();
        assert!(
            matches!(err.kind(), ErrorKind::InvalidUri | ErrorKind::InvalidSecret),
            "{uri:?}: {err}"
        );
    }
}

#[test]
fn every_truncation_and_every_byte_flip_is_an_answer_never_a_panic() {
    let payload = three_accounts();
    let accounts_end = payload.len() - 10; // the batch fields are the last 10 bytes
    for len in 0..payload.len() {
        // Cut anywhere: an error, or (cut between whole fields) the accounts before the cut.
        if let Ok(accounts) = parse_migration_uri(&uri_of(&payload[..len])) {
            assert!(accounts.len() < 3 || len >= accounts_end, "cut at {len}");
        }
    }
    for i in 0..payload.len() {
        for bit in 0..8 {
            let mut flipped = payload.clone();
            flipped[i] ^= 1 << bit;
            let _ = parse_migration_uri(&uri_of(&flipped));
        }
    }
}

#[test]
fn garbage_and_huge_lengths_are_errors() {
    // A length that points far past the end, a varint longer than 10 bytes, and one that
    // overflows 64 bits in its tenth byte.
    let cases: [&[u8]; 4] = [
        &[0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x00],
        &[0x10, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01],
        &[0x10, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02],
        &[0x0a, 0x05, 0x0a],
    ];
    for payload in cases {
        assert_eq!(parse_migration_uri(&uri_of(payload)).unwrap_err().kind(), ErrorKind::InvalidUri, "{payload:02x?}");
    }
    // Pseudo-random bytes (a fixed xorshift sequence): never a panic.
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    for len in 0..300 {
        let bytes: Vec<u8> = (0..len)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state as u8
            })
            .collect();
        let _ = parse_migration_uri(&uri_of(&bytes));
    }
}
