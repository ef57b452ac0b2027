//! Binding of QR code reading (feature `scan`, the `totp-wasm/scan` entry): `scanQr`.

use super::JsResult;
use super::convert::{argument, named, whole_number};
use crate::{Error, MAX_SCAN_PIXELS, scan_rgba};
use alloc::vec::Vec;
use js_sys::{Array, Uint8Array, Uint8ClampedArray};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS_SCAN: &'static str = r#"
/**
 * The texts of the QR codes in an image, in the order found, without duplicates; [] when none
 * is readable. `rgba` is 4 bytes per pixel, row-major: `ImageData.data` from a canvas.
 * Transparent pixels count as white; light-on-dark codes are read too.
 * @example
 * const { data, width, height } = ctx.getImageData(0, 0, canvas.width, canvas.height);
 * const [text] = scanQr(data, width, height); // e.g. 'otpauth://totp/…'
 * @param width pixels, >= 1
 * @param height pixels, >= 1; width * height at most 16,777,216 (4096 x 4096)
 * @throws OtpError INVALID_ARGUMENT (not a Uint8Array/Uint8ClampedArray, sizes not whole
 *   numbers, an empty or too large image, rgba.length !== width * height * 4)
 */
export function scanQr(rgba: Uint8Array | Uint8ClampedArray, width: number, height: number): string[];
"#;

fn side(value: &JsValue, name: &str) -> Result<usize, Error> {
    let message = || named(name, " must be a whole number of pixels from 1 to 16777216");
    match whole_number(value) {
        Ok(Some(n)) => usize::try_from(n).ok().filter(|&n| (1..=MAX_SCAN_PIXELS).contains(&n)).ok_or_else(message),
        Ok(None) | Err(_) => Err(message()),
    }
}

fn pixels(value: &JsValue) -> Result<Vec<u8>, Error> {
    if let Some(bytes) = value.dyn_ref::<Uint8ClampedArray>() {
        return Ok(bytes.to_vec());
    }
    if let Some(bytes) = value.dyn_ref::<Uint8Array>() {
        return Ok(bytes.to_vec());
    }
    Err(argument("rgba must be a Uint8ClampedArray or Uint8Array of RGBA pixels (ImageData.data)"))
}

/// The texts of the QR codes in an RGBA image.
#[wasm_bindgen(js_name = scanQr, skip_typescript)]
pub fn scan_qr(rgba: JsValue, width: JsValue, height: JsValue) -> JsResult<Array> {
    let width = side(&width, "width")?;
    let height = side(&height, "height")?;
    let rgba = pixels(&rgba)?;
    let texts = scan_rgba(&rgba, width, height)?;
    Ok(texts.iter().map(|t| JsValue::from_str(t)).collect())
}
