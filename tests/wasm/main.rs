//! The binding (src/wasm.rs) under wasm-bindgen-test: the same vector files as the native suite,
//! and every error code, through loosely typed JS values. Runs in Node, headless Chromium and
//! headless Firefox (`cargo xtask test` chooses the environment with environment variables).
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

#[path = "../common/vectors.rs"]
mod vectors;

mod policy;

use js_sys::{BigInt, Object, Reflect, Uint8Array};
use totp_wasm::wasm::*;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

const U: JsValue = JsValue::UNDEFINED;
const RFC_KEY_B32: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

/// `{ key: value, … }` as a JS object.
fn obj(pairs: &[(&str, JsValue)]) -> JsValue {
    let o = Object::new();
    for (k, v) in pairs {
        Reflect::set(&o, &JsValue::from_str(k), v).unwrap();
    }
    o.into()
}

fn s(text: &str) -> JsValue {
    JsValue::from_str(text)
}

fn n(value: f64) -> JsValue {
    JsValue::from_f64(value)
}

fn big(text: &str) -> JsValue {
    BigInt::new(&s(text)).unwrap().into()
}

/// The `code` of a thrown OtpError, checking it is a real `Error` with a message.
fn code_of<T: core::fmt::Debug>(result: Result<T, JsValue>) -> String {
    let thrown = result.expect_err("expected an OtpError");
    let error = thrown.dyn_ref::<js_sys::Error>().expect("an Error instance");
    assert_eq!(String::from(error.name()), "OtpError");
    assert!(!String::from(error.message()).is_empty());
    Reflect::get(&thrown, &s("code")).unwrap().as_string().expect("a string code")
}

fn options_of(v: &vectors::Vector) -> JsValue {
    obj(&[
        ("algorithm", s(&v.algorithm)),
        ("digits", n(v.digits.into())),
        ("period", n(v.period as f64)),
        ("time", n(v.moment as f64)),
    ])
}

/// A counter as the JS API takes it: a number up to 2^53 - 1, a bigint above.
fn counter_of(value: u64) -> JsValue {
    if value < (1 << 53) { n(value as f64) } else { big(&value.to_string()) }
}

#[wasm_bindgen_test]
fn every_vector_file_through_the_binding() {
    let mut count = 0;
    for (file, _) in vectors::FILES {
        for v in vectors::load(file) {
            let bytes: JsValue = Uint8Array::from(v.secret.as_slice()).into();
            let b32 = s(&data_encoding_b32(&v.secret));
            for secret in [&bytes, &b32] {
                if v.totp {
                    let got = totp(secret.clone(), options_of(&v)).unwrap();
                    assert_eq!(got, v.code, "{}", v.origin);
                    let found = verify_totp(secret.clone(), s(&v.code), options_of(&v)).unwrap();
                    assert_eq!(found.as_f64(), Some(0.0), "{}", v.origin);
                } else {
                    let o = obj(&[("algorithm", s(&v.algorithm)), ("digits", n(v.digits.into()))]);
                    let got = hotp(secret.clone(), counter_of(v.moment), o.clone()).unwrap();
                    assert_eq!(got, v.code, "{}", v.origin);
                    let found = verify_hotp(secret.clone(), s(&v.code), counter_of(v.moment), o).unwrap();
                    assert_eq!(found.as_f64(), Some(0.0), "{}", v.origin);
                }
            }
            count += 1;
        }
    }
    assert_eq!(count, 20 + 18 + 11);
}

/// Base32 without padding, written out here so the test does not depend on the crate's encoder.
fn data_encoding_b32(bytes: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let (mut out, mut buffer, mut bits) = (String::new(), 0u32, 0);
    for &b in bytes {
        buffer = (buffer << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(ALPHABET[((buffer >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(ALPHABET[((buffer << (5 - bits)) & 31) as usize] as char);
    }
    out
}

#[wasm_bindgen_test]
fn verify_returns_offsets_and_null_never_undefined() {
    let at = |t: f64| obj(&[("time", n(t))]);
    assert_eq!(verify_totp(s(RFC_KEY_B32), s("287082"), at(59.0)).unwrap().as_f64(), Some(0.0));
    assert_eq!(verify_totp(s(RFC_KEY_B32), s("287082"), at(89.0)).unwrap().as_f64(), Some(-1.0));
    assert_eq!(verify_totp(s(RFC_KEY_B32), s("287082"), at(29.9)).unwrap().as_f64(), Some(1.0));
    assert!(verify_totp(s(RFC_KEY_B32), s("287082"), at(119.0)).unwrap().is_null());
    for malformed in ["", "28708", "2870820", "28708a", "２８７０８２", " 287082"] {
        let found = verify_totp(s(RFC_KEY_B32), s(malformed), at(59.0)).unwrap();
        assert!(found.is_null(), "{malformed:?}");
    }
    assert!(verify_hotp(s(RFC_KEY_B32), s("969429"), n(2.0), U).unwrap().is_null());
    let ahead = obj(&[("lookAhead", n(1.0))]);
    assert_eq!(verify_hotp(s(RFC_KEY_B32), s("969429"), n(2.0), ahead).unwrap().as_f64(), Some(1.0));
}

#[wasm_bindgen_test]
fn bigint_counters_over_the_whole_u64_range() {
    assert_eq!(hotp(s(RFC_KEY_B32), big("4294967296"), U).unwrap(), "999456");
    assert_eq!(hotp(s(RFC_KEY_B32), big("9007199254740992"), U).unwrap(), "860690");
    assert_eq!(hotp(s(RFC_KEY_B32), big("18446744073709551615"), U).unwrap(), "094451");
    assert_eq!(hotp(s(RFC_KEY_B32), n(4294967296.0), U).unwrap(), "999456");
    assert_eq!(code_of(hotp(s(RFC_KEY_B32), big("18446744073709551616"), U)), "INVALID_COUNTER");
    assert_eq!(code_of(hotp(s(RFC_KEY_B32), big("-1"), U)), "INVALID_COUNTER");
    assert_eq!(code_of(hotp(s(RFC_KEY_B32), n(9007199254740992.0), U)), "INVALID_COUNTER");
    assert_eq!(code_of(hotp(s(RFC_KEY_B32), n(-1.0), U)), "INVALID_COUNTER");
    assert_eq!(code_of(hotp(s(RFC_KEY_B32), n(1.5), U)), "INVALID_COUNTER");
    assert_eq!(code_of(hotp(s(RFC_KEY_B32), s("1"), U)), "INVALID_ARGUMENT");
}

#[wasm_bindgen_test]
fn every_error_code_with_loose_js_values() {
    let k = || s(RFC_KEY_B32);
    assert_eq!(code_of(totp(n(1.0), U)), "INVALID_ARGUMENT");
    assert_eq!(code_of(totp(k(), s("opts"))), "INVALID_ARGUMENT");
    assert_eq!(code_of(totp(s("JBSW1"), U)), "INVALID_SECRET");
    assert_eq!(code_of(totp(Uint8Array::new_with_length(0).into(), U)), "INVALID_SECRET");
    assert_eq!(code_of(totp(k(), obj(&[("digits", n(5.0))]))), "INVALID_DIGITS");
    assert_eq!(code_of(totp(k(), obj(&[("digits", n(6.5))]))), "INVALID_DIGITS");
    assert_eq!(code_of(totp(k(), obj(&[("digits", s("6"))]))), "INVALID_ARGUMENT");
    assert_eq!(code_of(totp(k(), obj(&[("period", n(0.0))]))), "INVALID_PERIOD");
    assert_eq!(code_of(totp(k(), obj(&[("algorithm", s("MD5"))]))), "INVALID_ALGORITHM");
    assert_eq!(code_of(totp(k(), obj(&[("algorithm", n(1.0))]))), "INVALID_ARGUMENT");
    for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, -1.0, 2f64.powi(60)] {
        assert_eq!(code_of(totp(k(), obj(&[("time", n(bad))]))), "INVALID_TIME", "{bad}");
    }
    assert_eq!(code_of(totp(k(), obj(&[("time", s("now"))]))), "INVALID_ARGUMENT");
    assert_eq!(code_of(verify_totp(k(), n(287082.0), U)), "INVALID_ARGUMENT");
    assert_eq!(code_of(verify_totp(k(), s("287082"), obj(&[("window", n(11.0))]))), "INVALID_ARGUMENT");
    assert_eq!(code_of(verify_hotp(k(), s("287082"), n(0.0), obj(&[("lookAhead", n(101.0))]))), "INVALID_ARGUMENT");
    assert_eq!(code_of(parse_uri(s("https://example.com"))), "INVALID_URI");
    assert_eq!(code_of(parse_uri(n(1.0))), "INVALID_ARGUMENT");
    assert_eq!(code_of(generate_secret(n(10.0))), "INVALID_ARGUMENT");
    #[cfg(feature = "qr")]
    assert_eq!(code_of(qr_svg(s(&"x".repeat(3000)), obj(&[("ecc", s("H"))]))), "QR_DATA_TOO_LONG");
}

#[wasm_bindgen_test]
fn invalid_secret_errors_carry_the_position() {
    let thrown = totp(s("JBSW Y3D!"), U).unwrap_err();
    assert_eq!(Reflect::get(&thrown, &s("position")).unwrap().as_f64(), Some(8.0));
    let message = thrown.dyn_ref::<js_sys::Error>().unwrap().message();
    assert!(String::from(message).contains("'!'"));
}

#[wasm_bindgen_test]
fn times_default_to_now_and_fractions_floor() {
    let now = js_sys::Date::now() / 1000.0;
    let code = totp(s(RFC_KEY_B32), U).unwrap();
    let expected = totp(s(RFC_KEY_B32), obj(&[("time", n(now))])).unwrap();
    let later = totp(s(RFC_KEY_B32), obj(&[("time", n(now + 1.0))])).unwrap();
    assert!(code == expected || code == later);
    assert_eq!(totp(s(RFC_KEY_B32), obj(&[("time", n(59.999))])).unwrap(), "287082");
    let r = remaining_seconds(obj(&[("time", n(59.5)), ("period", n(30.0))])).unwrap();
    assert_eq!(r, 1.0);
    let r = remaining_seconds(U).unwrap();
    assert!((1.0..=30.0).contains(&r));
}

#[wasm_bindgen_test]
fn totp_class_generates_and_verifies() {
    let t = Totp::new(s(RFC_KEY_B32), obj(&[("digits", n(8.0))])).unwrap();
    assert_eq!(t.generate(n(59.0)).unwrap(), "94287082");
    assert_eq!(t.verify(s("94287082"), obj(&[("time", n(89.0))])).unwrap().as_f64(), Some(-1.0));
    assert!(t.verify(s("94287082"), obj(&[("time", n(89.0)), ("window", n(0.0))])).unwrap().is_null());
    assert_eq!(code_of(Totp::new(s(RFC_KEY_B32), obj(&[("period", n(-5.0))]))), "INVALID_PERIOD");
}

#[wasm_bindgen_test]
fn uris_round_trip_through_plain_objects() {
    let params = obj(&[
        ("type", s("hotp")),
        ("secret", s("jbsw y3dp ehpk 3pxp")),
        ("account", s("alice@example.com")),
        ("issuer", s("Big Corp")),
        ("counter", big("18446744073709551615")),
        ("digits", n(8.0)),
    ]);
    let uri = build_uri(params).unwrap();
    assert_eq!(
        uri,
        "otpauth://hotp/Big%20Corp:alice@example.com?secret=JBSWY3DPEHPK3PXP&issuer=Big%20Corp&digits=8&counter=18446744073709551615"
    );
    let parsed = parse_uri(s(&uri)).unwrap();
    assert!(!parsed.is_instance_of::<js_sys::Map>());
    let get = |k: &str| Reflect::get(&parsed, &s(k)).unwrap();
    assert_eq!(get("type").as_string().unwrap(), "hotp");
    assert_eq!(get("issuer").as_string().unwrap(), "Big Corp");
    assert_eq!(get("digits").as_f64(), Some(8.0));
    assert!(get("counter").is_bigint());
    assert_eq!(u64::try_from(get("counter")).unwrap(), u64::MAX);
    let totp_uri = parse_uri(s("otpauth://totp/x?secret=JBSWY3DPEHPK3PXP&image=https%3A%2F%2Fa")).unwrap();
    assert!(Reflect::get(&totp_uri, &s("counter")).unwrap().is_undefined());
    assert!(Reflect::get(&totp_uri, &s("issuer")).unwrap().is_undefined());
    let extra = Reflect::get(&totp_uri, &s("extra")).unwrap();
    assert_eq!(Reflect::get(&extra, &s("image")).unwrap().as_string().unwrap(), "https://a");
    assert_eq!(code_of(parse_uri(s("otpauth://totp/A:x?secret=JBSWY3DP&issuer=B"))), "INVALID_URI");
    assert_eq!(code_of(build_uri(obj(&[("secret", s("JBSWY3DP"))]))), "INVALID_ARGUMENT");
}

#[wasm_bindgen_test]
fn generated_secrets_are_base32_of_the_requested_size() {
    let a = generate_secret(U).unwrap();
    assert_eq!(a.len(), 32);
    assert!(a.bytes().all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b)));
    assert_ne!(a, generate_secret(U).unwrap());
    assert_eq!(generate_secret(n(16.0)).unwrap().len(), 26);
    assert_eq!(generate_secret(n(64.0)).unwrap().len(), 103);
}

#[cfg(feature = "qr")]
#[wasm_bindgen_test]
fn qr_matrix_and_svg_shapes() {
    let m = qr_matrix(s("otpauth://totp/x?secret=JBSWY3DPEHPK3PXP"), U).unwrap();
    let size = Reflect::get(&m, &s("size")).unwrap().as_f64().unwrap() as u32;
    let modules: Uint8Array = Reflect::get(&m, &s("modules")).unwrap().dyn_into().unwrap();
    assert_eq!(modules.length(), size * size);
    assert_eq!(modules.get_index(0), 1);
    let svg = qr_svg(s("hello"), obj(&[("quietZone", n(2.0)), ("light", s("none"))])).unwrap();
    assert!(svg.contains("viewBox=\"0 0 25 25\""));
    assert!(!svg.contains("<rect"));
    assert_eq!(code_of(qr_svg(s("hello"), obj(&[("dark", s("red\"/><script>"))]))), "INVALID_ARGUMENT");
    assert_eq!(code_of(qr_svg(s("hello"), obj(&[("ecc", s("X"))]))), "INVALID_ARGUMENT");
    assert_eq!(code_of(qr_svg(s("hello"), obj(&[("quietZone", n(17.0))]))), "INVALID_ARGUMENT");
}
