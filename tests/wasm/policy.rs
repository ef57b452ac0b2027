//! The verifier policy through the binding: enrollment, replay, lockout, recovery codes, states.

use super::{code_of, n, obj, s};
use js_sys::{Array, Map, Reflect};
use totp_wasm::wasm::*;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::wasm_bindgen_test;

const KEY: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
const SERVER: &str = "a server key of more than 16 bytes";
const T0: f64 = 1_700_000_010.0;

fn get(o: &JsValue, k: &str) -> JsValue {
    Reflect::get(o, &s(k)).unwrap()
}

fn text(o: &JsValue, k: &str) -> String {
    get(o, k).as_string().unwrap_or_default()
}

fn code_at(t: f64) -> String {
    totp(s(KEY), obj(&[("time", n(t))])).unwrap()
}

/// Enrolled at T0; returns the state text.
fn enrolled() -> String {
    let params = obj(&[("secret", s(KEY)), ("code", s(&code_at(T0))), ("label", s("Phone")), ("time", n(T0))]);
    let r = confirm_enrollment(JsValue::NULL, params).unwrap();
    assert_eq!(text(&r, "outcome"), "accepted");
    assert_eq!(get(&r, "factorId").as_f64(), Some(1.0));
    text(&r, "state")
}

fn verify_at(state: &str, code: &str, t: f64) -> JsValue {
    verify_code(s(state), obj(&[("1", s(KEY))]), s(code), obj(&[("time", n(t))])).unwrap()
}

#[wasm_bindgen_test]
fn enrollment_start_gives_uri_key_and_type() {
    let e = start_enrollment(obj(&[("issuer", s("Example")), ("account", s("alice@example.com"))])).unwrap();
    let secret = text(&e, "secret");
    assert_eq!(secret.len(), 32, "160 bits");
    assert!(text(&e, "uri").starts_with("otpauth://totp/Example:alice@example.com?secret="));
    assert_eq!(text(&e, "key").replace(' ', ""), secret);
    assert_eq!(text(&e, "type"), "Time based");
    #[cfg(feature = "qr")]
    assert!(text(&e, "qrSvg").starts_with("<svg"));
    assert_eq!(code_of(start_enrollment(obj(&[("issuer", s("Example"))]))), "INVALID_ARGUMENT");
}

#[wasm_bindgen_test]
fn replays_are_rejected_including_the_enrollment_code() {
    let state = enrolled();
    let r = verify_at(&state, &code_at(T0), T0 + 5.0);
    assert_eq!(text(&r, "outcome"), "replayed");
    let r = verify_at(&state, &code_at(T0 + 30.0), T0 + 30.0);
    assert_eq!(text(&r, "outcome"), "accepted");
    assert_eq!(get(&r, "offset").as_f64(), Some(0.0));
    let again = verify_at(&text(&r, "state"), &code_at(T0 + 30.0), T0 + 31.0);
    assert_eq!(text(&again, "outcome"), "replayed");
    // A Map of secrets works too.
    let map = Map::new();
    map.set(&n(1.0), &s(KEY));
    let r = verify_code(s(&state), map.into(), s(&code_at(T0 + 60.0)), obj(&[("time", n(T0 + 60.0))])).unwrap();
    assert_eq!(text(&r, "outcome"), "accepted");
}

#[wasm_bindgen_test]
fn brute_force_locks_and_reports_when_to_retry() {
    let mut state = enrolled();
    let wrong = if code_at(T0 + 30.0) == "000000" { "000001" } else { "000000" };
    for i in 1..=6 {
        let r = verify_at(&state, wrong, T0 + 30.0);
        assert_eq!(text(&r, "outcome"), "invalid", "guess {i}");
        state = text(&r, "state");
    }
    let r = verify_at(&state, &code_at(T0 + 31.0), T0 + 31.0);
    assert_eq!(text(&r, "outcome"), "locked");
    assert_eq!(get(&r, "retryAt").as_f64(), Some(T0 + 30.0 + 60.0));
    let info = describe_state(s(&state)).unwrap();
    assert_eq!(get(&info, "failures").as_f64(), Some(6.0));
    assert_eq!(get(&info, "lockedUntil").as_f64(), Some(T0 + 90.0));
}

#[wasm_bindgen_test]
fn recovery_codes_once_each_and_removal_turns_2fa_off() {
    let state = enrolled();
    let issued = generate_recovery_codes(s(&state), s(SERVER), obj(&[("removalCode", JsValue::TRUE)])).unwrap();
    let codes: Array = get(&issued, "codes").into();
    assert_eq!(codes.length(), 10);
    let first = codes.get(0).as_string().unwrap();
    let state = text(&issued, "state");
    assert!(!state.contains(&first.replace('-', "")));
    let r = use_recovery_code(s(&state), s(SERVER), s(&first.to_uppercase()), obj(&[("time", n(T0))])).unwrap();
    assert_eq!(text(&r, "outcome"), "accepted");
    assert_eq!(get(&r, "remaining").as_f64(), Some(9.0));
    let again = use_recovery_code(s(&text(&r, "state")), s(SERVER), s(&first), obj(&[("time", n(T0))])).unwrap();
    assert_eq!(text(&again, "outcome"), "invalid");
    let typo = use_recovery_code(s(&state), s(SERVER), s("abcd"), obj(&[("time", n(T0))])).unwrap();
    assert_eq!(text(&typo, "outcome"), "typo");
    let removal = text(&issued, "removalCode");
    let r = use_removal_code(s(&state), s(SERVER), s(&removal), obj(&[("time", n(T0))])).unwrap();
    assert_eq!(text(&r, "outcome"), "accepted");
    let info = describe_state(get(&r, "state")).unwrap();
    assert_eq!(get(&info, "enabled"), JsValue::FALSE);
    assert_eq!(code_of(generate_recovery_codes(s(&state), s("short"), JsValue::UNDEFINED)), "INVALID_ARGUMENT");
}

#[wasm_bindgen_test]
fn factors_are_listed_renamed_and_removed() {
    let state = enrolled();
    let state = rename_factor(s(&state), n(1.0), s("Work phone")).unwrap();
    let info = describe_state(s(&state)).unwrap();
    let factors: Array = get(&info, "factors").into();
    assert_eq!(text(&factors.get(0), "label"), "Work phone");
    assert_eq!(get(&factors.get(0), "lastStep").as_f64(), Some((T0 / 30.0).floor()));
    assert_eq!(code_of(rename_factor(s(&state), n(7.0), s("x"))), "INVALID_ARGUMENT");
    let off = remove_factor(s(&state), n(1.0)).unwrap();
    assert_eq!(get(&describe_state(s(&off)).unwrap(), "enabled"), JsValue::FALSE);
}

#[wasm_bindgen_test]
fn bad_states_and_policies_are_typed_errors() {
    assert_eq!(code_of(describe_state(s("garbage"))), "INVALID_STATE");
    assert_eq!(code_of(describe_state(n(1.0))), "INVALID_ARGUMENT");
    let state = enrolled();
    let mut corrupt = state.clone();
    corrupt.replace_range(3..4, if &state[3..4] == "A" { "B" } else { "A" });
    assert_eq!(code_of(verify_code(s(&corrupt), obj(&[("1", s(KEY))]), s("123456"), JsValue::UNDEFINED)), "INVALID_STATE");
    let bad_policy = obj(&[("policy", obj(&[("window", n(11.0))]))]);
    assert_eq!(code_of(verify_code(s(&state), obj(&[("1", s(KEY))]), s("123456"), bad_policy)), "INVALID_ARGUMENT");
    assert_eq!(code_of(verify_code(s(&state), obj(&[]), s("123456"), JsValue::UNDEFINED)), "INVALID_ARGUMENT");
    assert_eq!(code_of(verify_code(s(&state), obj(&[("1", s(KEY))]), n(123456.0), JsValue::UNDEFINED)), "INVALID_ARGUMENT");
    assert_eq!(get(&describe_state(s(&new_state())).unwrap(), "enabled"), JsValue::FALSE);
}
