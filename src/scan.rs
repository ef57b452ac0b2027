//! Reading QR codes from images (feature `scan`, the `totp-wasm/scan` npm entry): an
//! authenticator adds an account by scanning the enrollment QR code of a site.
//!
//! The input is raw pixels, as a browser's `canvas.getContext('2d').getImageData()` gives them
//! (RGBA, 4 bytes per pixel, row-major) or as 8-bit greyscale; no image file format is decoded
//! here (the platform does that better and smaller). Detection and decoding are [quircs]'s, a
//! port of quirc: its Reed-Solomon arithmetic uses 512 bytes of log/exp tables where rqrr's
//! `g2p` embedded 128 KiB of multiplication tables (README, "QR reading").
//!
//! Dimensions are checked before any pixel is read: zero, an overflowing `width × height`, more
//! than [`MAX_SCAN_PIXELS`] pixels, or a buffer whose length is not exactly
//! `width × height × bytes per pixel` are [`ErrorKind::InvalidArgument`] errors. An image
//! without a readable QR code is not an error: the result is empty.
//!
//! [quircs]: https://docs.rs/quircs

use crate::error::{Error, ErrorKind, Result, decimal, msg};
use alloc::string::String;
use alloc::vec::Vec;

/// The largest image scanned: 16,777,216 pixels (4096 × 4096; 64 MiB of RGBA). Scale larger
/// images down first: a QR code needs only a few pixels per module.
///
/// ```
/// use totp_wasm::{MAX_SCAN_PIXELS, scan_gray};
/// assert_eq!(MAX_SCAN_PIXELS, 4096 * 4096);
/// // Refused from the dimensions alone, before the buffer is looked at.
/// assert!(scan_gray(&[], 4097, 4096).is_err());
/// ```
pub const MAX_SCAN_PIXELS: usize = 4096 * 4096;

/// The texts of the QR codes found in an RGBA image (4 bytes per pixel, row-major, as
/// `ImageData.data`), in the order found, without duplicates. Transparent pixels count as
/// white, so a code drawn on a transparent background reads too; light-on-dark (inverted)
/// codes are tried when no dark-on-light code is found.
///
/// # Errors
/// [`ErrorKind::InvalidArgument`] when `width` or `height` is 0, the image has more than
/// [`MAX_SCAN_PIXELS`] pixels, or `rgba.len() != width * height * 4`.
///
/// ```
/// # #[cfg(not(feature = "qr"))] fn main() {} // drawing the test image needs `qr`
/// # #[cfg(feature = "qr")]
/// # fn main() -> Result<(), totp_wasm::Error> {
/// use totp_wasm::{Ecc, qr_matrix, scan_rgba};
/// // Draw the QR code of a URI 4 pixels per module, with a 4-module white border.
/// let uri = "otpauth://totp/Example:alice?secret=JBSWY3DPEHPK3PXP&issuer=Example";
/// let m = qr_matrix(uri, Ecc::M)?;
/// let side = (m.size + 8) * 4;
/// let mut rgba = vec![255u8; side * side * 4];
/// for y in 0..side {
///     for x in 0..side {
///         let (mx, my) = ((x / 4).wrapping_sub(4), (y / 4).wrapping_sub(4));
///         if mx < m.size && my < m.size && m.is_dark(mx, my) {
///             rgba[(y * side + x) * 4..][..3].fill(0);
///         }
///     }
/// }
/// assert_eq!(scan_rgba(&rgba, side, side)?, [uri]);
/// assert!(scan_rgba(&rgba, side, side + 1).is_err()); // the buffer does not match the size
/// # Ok(()) }
/// ```
pub fn scan_rgba(rgba: &[u8], width: usize, height: usize) -> Result<Vec<String>> {
    check(rgba.len(), width, height, 4)?;
    Ok(scan_with(width, height, |i| {
        let Some(&[r, g, b, a]) = rgba.get(i * 4..i * 4 + 4) else { return 255 };
        // Rec. 601 luma in 0..=255 (weights sum to 1000), composited over white.
        let luma = (u32::from(r) * 299 + u32::from(g) * 587 + u32::from(b) * 114) / 1000;
        let a = u32::from(a);
        ((luma * a + 255 * (255 - a)) / 255) as u8
    }))
}

/// The texts of the QR codes found in an 8-bit greyscale image (1 byte per pixel, row-major,
/// 0 = black). Same rules and errors as [`scan_rgba`], with `gray.len() == width * height`.
///
/// ```
/// use totp_wasm::scan_gray;
/// # fn main() -> Result<(), totp_wasm::Error> {
/// // A picture without a QR code is not an error: nothing is found.
/// let blank = vec![255u8; 64 * 48];
/// assert!(scan_gray(&blank, 64, 48)?.is_empty());
/// assert!(scan_gray(&blank, 64, 64).is_err()); // 4096 bytes for a 64 × 64 image
/// # Ok(()) }
/// ```
pub fn scan_gray(gray: &[u8], width: usize, height: usize) -> Result<Vec<String>> {
    check(gray.len(), width, height, 1)?;
    Ok(scan_with(width, height, |i| gray.get(i).copied().unwrap_or(255)))
}

/// Validates the dimensions against the buffer before anything is read.
fn check(len: usize, width: usize, height: usize, bytes_per_pixel: usize) -> Result<()> {
    let invalid = |text: &str| Error::new(ErrorKind::InvalidArgument, text);
    if width == 0 || height == 0 {
        return Err(invalid("the image is empty: width and height must be at least 1 pixel"));
    }
    let pixels = width
        .checked_mul(height)
        .filter(|&p| p <= MAX_SCAN_PIXELS)
        .ok_or_else(|| invalid("the image is too large to scan: at most 16,777,216 pixels (4096 x 4096); scale it down"))?;
    let expected = pixels.saturating_mul(bytes_per_pixel);
    if len != expected {
        let what = if bytes_per_pixel == 4 { " (width x height x 4 bytes, RGBA)" } else { " (width x height, 1 byte per pixel)" };
        return Err(invalid(&msg(&[
            "the pixel buffer has ",
            &decimal(len as u64),
            " bytes but a ",
            &decimal(width as u64),
            " x ",
            &decimal(height as u64),
            " image needs ",
            &decimal(expected as u64),
            what,
        ])));
    }
    Ok(())
}

/// Detects and decodes with `luma(index)` as the brightness of each pixel; inverted if nothing
/// was found the normal way.
fn scan_with(width: usize, height: usize, luma: impl Fn(usize) -> u8) -> Vec<String> {
    let mut gray: Vec<u8> = (0..width * height).map(luma).collect();
    let mut decoder = quircs::Quirc::default();
    let found = decode_all(&mut decoder, width, height, &gray);
    if !found.is_empty() {
        return found;
    }
    for pixel in &mut gray {
        *pixel = 255 - *pixel;
    }
    decode_all(&mut decoder, width, height, &gray)
}

/// `gray.len() == width * height` (checked by the callers: quircs asserts it).
fn decode_all(decoder: &mut quircs::Quirc, width: usize, height: usize, gray: &[u8]) -> Vec<String> {
    let mut texts: Vec<String> = Vec::new();
    for code in decoder.identify(width, height, gray) {
        // A code that does not decode (damaged, not UTF-8, a false detection) is skipped.
        let Some(data) = code.ok().and_then(|c| c.decode().ok()) else { continue };
        if let Ok(text) = String::from_utf8(data.payload)
            && !texts.contains(&text)
        {
            texts.push(text);
        }
    }
    texts
}
