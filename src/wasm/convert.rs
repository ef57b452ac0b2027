//! Every reader of a JS value in the binding: loosely typed `JsValue`s in, core types out
//! ([`Secret`], [`OtpOptions`], Unix seconds, counters, [`UserState`], [`Policy`]), with an
//! [`Error`] (`INVALID_ARGUMENT` and friends) for anything else, never a `TypeError`. The
//! writers of plain result objects (`set`, `num`) live here too, so the export files only say
//! which core function a JS name calls.

use crate::{Algorithm, Error, ErrorKind, OtpOptions, Secret};
use alloc::string::String;
use js_sys::{Object, Reflect, Uint8Array};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

/// Largest integer a JS number holds exactly (2^53 − 1).
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

pub(crate) fn argument(message: &str) -> Error {
    Error::new(ErrorKind::InvalidArgument, message)
}

/// `"<name><rest>"` as an INVALID_ARGUMENT error (messages naming the parameter).
pub(crate) fn named(name: &str, rest: &str) -> Error {
    argument(&crate::error::msg(&[name, rest]))
}

/// `undefined` and `null` both mean "not given".
pub(crate) fn given(value: &JsValue) -> Option<&JsValue> {
    (!value.is_undefined() && !value.is_null()).then_some(value)
}

#[wasm_bindgen]
extern "C" {
    /// Any options object. Its fields are read through structural getters (`options.time` in
    /// the glue): about five times faster than `Reflect.get` with a key string made in Rust.
    type Options;
    #[wasm_bindgen(method, getter, structural, catch)]
    fn time(this: &Options) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, getter, structural, catch)]
    fn algorithm(this: &Options) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, getter, structural, catch)]
    fn digits(this: &Options) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, getter, structural, catch)]
    fn period(this: &Options) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, getter, structural, catch)]
    fn window(this: &Options) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, getter, structural, catch, js_name = lookAhead)]
    fn look_ahead(this: &Options) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, getter, structural, catch)]
    fn secret(this: &Options) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, getter, structural, catch)]
    fn policy(this: &Options) -> Result<JsValue, JsValue>;
}

/// Reads `key` from an options object; a non-object `options` is INVALID_ARGUMENT. The hot
/// keys go through getters, the rest through `Reflect.get`.
pub(crate) fn field(options: &JsValue, key: &str) -> Result<JsValue, Error> {
    let Some(object) = given(options) else { return Ok(JsValue::UNDEFINED) };
    if !object.is_object() {
        return Err(argument("options must be an object, e.g. { digits: 6 }"));
    }
    let bag: &Options = object.unchecked_ref();
    let value = match key {
        "time" => bag.time(),
        "algorithm" => bag.algorithm(),
        "digits" => bag.digits(),
        "period" => bag.period(),
        "window" => bag.window(),
        "lookAhead" => bag.look_ahead(),
        "secret" => bag.secret(),
        "policy" => bag.policy(),
        _ => Reflect::get(object, &JsValue::from_str(key)),
    };
    value.map_err(|_| argument("options could not be read"))
}

/// A whole number from a JS number: `Err(false)` for a wrong type, `Err(true)` for a number
/// that is not a safe non-negative integer.
pub(crate) fn whole_number(value: &JsValue) -> Result<Option<u64>, bool> {
    let Some(value) = given(value) else { return Ok(None) };
    let Some(n) = value.as_f64() else { return Err(false) };
    if n.fract() != 0.0 || !(0.0..=MAX_SAFE_INTEGER).contains(&n) {
        return Err(true);
    }
    Ok(Some(n as u64))
}

/// An optional bounded integer option such as `window` or `quietZone`.
pub(crate) fn bounded(value: &JsValue, name: &str, default: u64, max: u64) -> Result<u64, Error> {
    match whole_number(value) {
        Ok(None) => Ok(default),
        Ok(Some(n)) if n <= max => Ok(n),
        _ => Err(named(name, &crate::error::msg(&[" must be a whole number from 0 to ", &crate::error::decimal(max)]))),
    }
}

/// A secret: base32 text (decoded leniently) or a `Uint8Array` of key bytes.
pub(crate) fn secret(value: &JsValue) -> Result<Secret, Error> {
    if let Some(text) = value.as_string() {
        return Secret::from_base32(&text);
    }
    if let Some(bytes) = value.dyn_ref::<Uint8Array>() {
        return Secret::from_bytes(bytes.to_vec());
    }
    Err(argument("secret must be a base32 string or a Uint8Array of key bytes"))
}

/// A required secret field of a parameter object (`{ secret }`).
pub(crate) fn required_secret(params: &JsValue, hint: &str) -> Result<Secret, Error> {
    let value = field(params, "secret")?;
    if given(&value).is_none() {
        return Err(named("secret is required", hint));
    }
    secret(&value)
}

/// `algorithm`, `digits` and `period` of an options object, validated.
pub(crate) fn options(value: &JsValue) -> Result<OtpOptions, Error> {
    let mut out = OtpOptions::default();
    let algorithm = field(value, "algorithm")?;
    if given(&algorithm).is_some() {
        let name = algorithm.as_string().ok_or_else(|| argument("algorithm must be a string: \"SHA1\", \"SHA256\" or \"SHA512\""))?;
        out.algorithm = Algorithm::parse(&name)?;
    }
    match whole_number(&field(value, "digits")?) {
        Ok(None) => {}
        Ok(Some(d)) => out.digits = u32::try_from(d).unwrap_or(u32::MAX),
        Err(true) => out.digits = 0,
        Err(false) => return Err(argument("digits must be a number from 6 to 10")),
    }
    out.period = period(&field(value, "period")?)?;
    out.validate()?;
    Ok(out)
}

/// A TOTP period in seconds (30 when not given).
pub(crate) fn period(value: &JsValue) -> Result<u64, Error> {
    match whole_number(value) {
        Ok(None) => Ok(30),
        Ok(Some(p)) if p >= 1 => Ok(p),
        Ok(Some(_)) | Err(true) => Err(Error::new(
            ErrorKind::InvalidPeriod,
            "period must be a whole number of seconds from 1 to 2^53 - 1 (30 is the usual choice)",
        )),
        Err(false) => Err(argument("period must be a number of seconds")),
    }
}

/// Unix seconds from a JS number (fractions floored), or the current time when not given.
pub(crate) fn time(value: &JsValue) -> Result<i64, Error> {
    let seconds = match given(value) {
        None => js_sys::Date::now() / 1000.0,
        Some(v) => v.as_f64().ok_or_else(|| argument("time must be a number of Unix seconds (Date.now() / 1000)"))?,
    };
    if !(0.0..=MAX_SAFE_INTEGER).contains(&seconds) {
        return Err(Error::new(
            ErrorKind::InvalidTime,
            "time must be a finite number of Unix seconds from 0 (1970) to 2^53 - 1",
        ));
    }
    Ok(seconds.floor() as i64)
}

/// The `time` field of an options object.
pub(crate) fn time_field(options: &JsValue) -> Result<i64, Error> {
    time(&field(options, "time")?)
}

/// A counter from a safe non-negative integer number or a `bigint` in 0..2^64.
pub(crate) fn counter(value: &JsValue) -> Result<u64, Error> {
    let invalid = || Error::new(ErrorKind::InvalidCounter, "counter must be a whole number from 0 to 2^64 - 1 (pass a bigint above 2^53 - 1)");
    if value.is_bigint() {
        return u64::try_from(value.clone()).map_err(|_| invalid());
    }
    match whole_number(value) {
        Ok(Some(n)) => Ok(n),
        Ok(None) => Err(argument("counter is required: a number or a bigint")),
        Err(true) => Err(invalid()),
        Err(false) => Err(argument("counter must be a number or a bigint")),
    }
}

/// A code as typed: a string (a number would have lost its leading zeros).
pub(crate) fn code(value: &JsValue) -> Result<String, Error> {
    value
        .as_string()
        .ok_or_else(|| argument("code must be a string such as \"012345\" (a number would lose its leading zeros)"))
}

/// A string argument called `name`.
pub(crate) fn text(value: &JsValue, name: &str) -> Result<String, Error> {
    value.as_string().ok_or_else(|| named(name, " must be a string"))
}

/// An optional string field of a parameter object.
pub(crate) fn optional_text(params: &JsValue, key: &str) -> Result<Option<String>, Error> {
    let value = field(params, key)?;
    match given(&value) {
        None => Ok(None),
        Some(v) => text(v, key).map(Some),
    }
}

/// Sets `key` on a result object.
pub(crate) fn set(object: &Object, key: &str, value: &JsValue) {
    let _ = Reflect::set(object, &JsValue::from_str(key), value);
}

/// A JS number from an integer of the core (all of them fit 2^53 in practice).
pub(crate) fn num(value: u64) -> JsValue {
    JsValue::from_f64(value as f64)
}

/// The step offset of a verify call, or `null` (not `undefined`) when no code matched.
pub(crate) fn offset_or_null(offset: Option<i64>) -> JsValue {
    offset.map_or(JsValue::NULL, |o| JsValue::from_f64(o as f64))
}

#[cfg(feature = "verifier")]
pub(crate) use verifier::*;

/// Readers of the verifier entry's arguments.
#[cfg(feature = "verifier")]
mod verifier {
    use super::*;
    use crate::{Policy, UserState};
    use alloc::vec::Vec;
    use js_sys::Map;

    /// A required string field of a parameter object.
    pub(crate) fn required_text(params: &JsValue, key: &str) -> Result<String, Error> {
        optional_text(params, key)?.ok_or_else(|| named(key, " is required"))
    }

    /// An optional boolean field of a parameter object (false when not given).
    pub(crate) fn flag(params: &JsValue, key: &str) -> Result<bool, Error> {
        let value = field(params, key)?;
        match given(&value) {
            None => Ok(false),
            Some(v) => v.as_bool().ok_or_else(|| named(key, " must be true or false")),
        }
    }

    /// A stored state (the text form of [`UserState`]).
    pub(crate) fn state(value: &JsValue) -> Result<UserState, Error> {
        let text = value.as_string().ok_or_else(|| argument("state must be the string returned by newState() or a previous call"))?;
        UserState::decode(&text)
    }

    /// The `policy` field of an options object; the core checks the limits.
    pub(crate) fn policy(options: &JsValue) -> Result<Policy, Error> {
        let value = field(options, "policy")?;
        let d = Policy::default();
        // The limits are Policy::validate's (the core's rule); here only the JS types.
        let whole = |key: &str, name: &str, default: u64| -> Result<u64, Error> {
            match whole_number(&field(&value, key)?) {
                Ok(None) => Ok(default),
                Ok(Some(n)) => Ok(n),
                Err(_) => Err(named(name, " must be a whole number")),
            }
        };
        let policy = Policy {
            window: whole("window", "policy.window", d.window)?,
            free_failures: u32::try_from(whole("freeFailures", "policy.freeFailures", d.free_failures.into())?).unwrap_or(u32::MAX),
            base_lockout: whole("baseLockout", "policy.baseLockout", d.base_lockout)?,
            max_lockout: whole("maxLockout", "policy.maxLockout", d.max_lockout)?,
            max_drift: whole("maxDrift", "policy.maxDrift", d.max_drift)?,
            resync_window: whole("resyncWindow", "policy.resyncWindow", d.resync_window)?,
            look_ahead: whole("lookAhead", "policy.lookAhead", d.look_ahead)?,
            resync_look_ahead: whole("resyncLookAhead", "policy.resyncLookAhead", d.resync_look_ahead)?,
        };
        policy.validate()?;
        Ok(policy)
    }

    /// The server key that recovery codes are hashed under (bytes or text).
    pub(crate) fn server_key(value: &JsValue) -> Result<Vec<u8>, Error> {
        if let Some(text) = value.as_string() {
            return Ok(text.into_bytes());
        }
        if let Some(bytes) = value.dyn_ref::<Uint8Array>() {
            return Ok(bytes.to_vec());
        }
        Err(argument("serverKey must be a Uint8Array or a string of at least 16 bytes"))
    }

    /// An authenticator's id.
    pub(crate) fn factor_id(value: &JsValue) -> Result<u32, Error> {
        bounded(value, "factorId", 0, u32::MAX.into()).map(|id| id as u32)
    }

    /// The secrets of the state's factors from `{ id: secret }` or a `Map`; missing ones skipped.
    pub(crate) fn secrets(state: &UserState, secrets: &JsValue) -> Result<Vec<(u32, Secret)>, Error> {
        if given(secrets).is_none_or(|s| !s.is_object()) {
            return Err(argument("secrets must map factor ids to secrets: { 1: 'BASE32…' } or a Map"));
        }
        let map = secrets.dyn_ref::<Map>();
        let mut keys = Vec::with_capacity(state.factors.len());
        for f in &state.factors {
            let value = match map {
                Some(m) => m.get(&num(f.id.into())),
                None => Reflect::get(secrets, &JsValue::from_str(&crate::error::decimal(f.id.into())))
                    .map_err(|_| argument("secrets could not be read"))?,
            };
            if given(&value).is_some() {
                keys.push((f.id, secret(&value)?));
            }
        }
        Ok(keys)
    }
}
