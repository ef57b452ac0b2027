//! Google Authenticator's export: `parse_migration_uri` on arbitrary text, and on arbitrary
//! protocol-buffer payloads wrapped in a well-formed `otpauth-migration://offline?data=` URI
//! (so the fuzzer reaches the protobuf reader behind the base64 layer).
//!
//! The first input byte picks the mode: even, the rest is the URI text; odd, the rest is the
//! payload, base64-encoded in one of the forms the parser accepts (standard or URL-safe,
//! padded or not, percent-encoded or not). Never panics; a success holds at least one account,
//! each well-formed (canonical non-empty secret that decodes, 6 or 8 digits, 30 s, a counter
//! exactly for HOTP, a non-empty account, a trimmed issuer) and, when it can be written as an
//! `otpauth://` URI, that URI parses back to the same account.
#![no_main]

use data_encoding::{BASE64, BASE64_NOPAD, BASE64URL, BASE64URL_NOPAD};
use libfuzzer_sys::fuzz_target;
use totp_wasm::{OtpAuthUri, OtpKind, normalize_base32, parse_migration_uri};

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else { return };
    let uri = if mode & 1 == 0 {
        let Ok(text) = std::str::from_utf8(rest) else { return };
        text.to_string()
    } else {
        let b64 = match (mode >> 1) & 3 {
            0 => BASE64.encode(rest),
            1 => BASE64_NOPAD.encode(rest),
            2 => BASE64URL.encode(rest),
            _ => BASE64URL_NOPAD.encode(rest),
        };
        let data = if mode & 8 != 0 { b64.replace('+', "%2B").replace('/', "%2F").replace('=', "%3D") } else { b64 };
        let uri = format!("otpauth-migration://offline?data={data}");
        // A well-formed wrapper must never be the reason for a failure: only the payload.
        if let (false, Err(e)) = (rest.is_empty(), parse_migration_uri(&uri)) {
            let message = e.to_string();
            assert!(!message.contains("base64") && !message.contains("no data="), "wrapper refused: {message}\n {uri}");
        }
        uri
    };
    let Ok(accounts) = parse_migration_uri(&uri) else { return };
    assert!(!accounts.is_empty(), "an export without accounts was accepted: {uri}");
    for account in &accounts {
        check(account, &uri);
    }
});

fn check(account: &OtpAuthUri, uri: &str) {
    assert_eq!(normalize_base32(&account.secret).ok().as_deref(), Some(account.secret.as_str()), "{uri}");
    assert!(account.secret().is_ok(), "secret does not decode: {uri}");
    assert!(matches!(account.digits, 6 | 8), "{uri}");
    assert_eq!(account.period, 30);
    assert_eq!(account.counter.is_some(), account.kind == OtpKind::Hotp, "{uri}");
    assert!(!account.account.is_empty(), "{uri}");
    assert_eq!(account.account.trim(), account.account, "account not trimmed: {uri}");
    if let Some(issuer) = &account.issuer {
        assert!(!issuer.is_empty() && issuer.trim() == issuer, "issuer not trimmed: {uri}");
    }
    assert!(account.extra.is_empty());
    let Ok(written) = account.to_uri() else { return };
    match OtpAuthUri::parse(&written) {
        Ok(again) => assert_eq!(&again, account, "imported account changes when written\n {uri}\n {written}"),
        Err(e) => panic!("an imported account writes a URI that does not parse ({e})\n {uri}\n {written}"),
    }
}
