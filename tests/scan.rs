//! QR code reading (feature `scan`): matrices from `qr_matrix` drawn into RGBA and greyscale
//! pixel buffers at several scales, colours and backgrounds decode back to their text; wrong
//! sizes are typed errors; noise and blank images are an empty answer, never a panic.

#![cfg(all(feature = "scan", feature = "qr"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use totp_wasm::{Ecc, ErrorKind, MAX_SCAN_PIXELS, QrMatrix, qr_matrix, scan_gray, scan_rgba};

const URI: &str = "otpauth://totp/Example:alice@example.com?secret=JBSWY3DPEHPK3PXP&issuer=Example";

/// An RGBA canvas of `width × height` filled with `background`.
struct Canvas {
    width: usize,
    height: usize,
    rgba: Vec<u8>,
}

impl Canvas {
    fn new(width: usize, height: usize, background: [u8; 4]) -> Self {
        Self { width, height, rgba: background.repeat(width * height) }
    }

    /// Draws `m` with its top-left module at (`left`, `top`), `scale` pixels per module.
    fn draw(&mut self, m: &QrMatrix, left: usize, top: usize, scale: usize, dark: [u8; 4], light: Option<[u8; 4]>) {
        for my in 0..m.size {
            for mx in 0..m.size {
                let colour = if m.is_dark(mx, my) { dark } else if let Some(l) = light { l } else { continue };
                for y in top + my * scale..top + (my + 1) * scale {
                    for x in left + mx * scale..left + (mx + 1) * scale {
                        let i = (y * self.width + x) * 4;
                        self.rgba[i..i + 4].copy_from_slice(&colour);
                    }
                }
            }
        }
    }

    fn gray(&self) -> Vec<u8> {
        self.rgba.chunks(4).map(|p| p[0]).collect()
    }
}

const BLACK: [u8; 4] = [0, 0, 0, 255];
const WHITE: [u8; 4] = [255, 255, 255, 255];

/// `text` as a QR code at `scale` pixels per module inside a 4-module quiet zone.
fn qr_image(text: &str, ecc: Ecc, scale: usize) -> Canvas {
    let m = qr_matrix(text, ecc).unwrap();
    let side = (m.size + 8) * scale;
    let mut canvas = Canvas::new(side, side, WHITE);
    canvas.draw(&m, 4 * scale, 4 * scale, scale, BLACK, None);
    canvas
}

#[test]
fn decodes_what_qr_matrix_drew_at_several_scales_and_levels() {
    for ecc in [Ecc::L, Ecc::M, Ecc::Q, Ecc::H] {
        for scale in [2, 3, 5, 8] {
            let c = qr_image(URI, ecc, scale);
            assert_eq!(scan_rgba(&c.rgba, c.width, c.height).unwrap(), vec![URI.to_string()], "{ecc:?} x{scale}");
            assert_eq!(scan_gray(&c.gray(), c.width, c.height).unwrap(), vec![URI.to_string()], "{ecc:?} x{scale} gray");
        }
    }
}

#[test]
fn long_texts_and_unicode() {
    let long = format!("{URI}&image={}", "https%3A%2F%2Fexample.com%2Flogo.png".repeat(8));
    let unicode = "otpauth://totp/Zürich%20Bank:jörg?secret=JBSWY3DPEHPK3PXP — ✓";
    for text in [long.as_str(), unicode, "x"] {
        let c = qr_image(text, Ecc::M, 4);
        assert_eq!(scan_rgba(&c.rgba, c.width, c.height).unwrap(), vec![text.to_string()]);
    }
}

#[test]
fn a_code_placed_off_centre_in_a_non_square_image() {
    let m = qr_matrix(URI, Ecc::M).unwrap();
    let mut c = Canvas::new(640, 360, [240, 240, 235, 255]);
    c.draw(&m, 300, 60, 5, [20, 30, 60, 255], Some(WHITE));
    assert_eq!(scan_rgba(&c.rgba, c.width, c.height).unwrap(), vec![URI.to_string()]);
}

#[test]
fn transparent_backgrounds_count_as_white() {
    let m = qr_matrix(URI, Ecc::M).unwrap();
    let side = (m.size + 8) * 4;
    // Fully transparent black everywhere: drawn naively it would be all black.
    let mut c = Canvas::new(side, side, [0, 0, 0, 0]);
    c.draw(&m, 16, 16, 4, BLACK, None);
    assert_eq!(scan_rgba(&c.rgba, side, side).unwrap(), vec![URI.to_string()]);
}

#[test]
fn light_on_dark_codes_are_read_too() {
    let m = qr_matrix(URI, Ecc::M).unwrap();
    let side = (m.size + 8) * 4;
    let mut c = Canvas::new(side, side, [17, 20, 23, 255]);
    c.draw(&m, 16, 16, 4, [232, 234, 237, 255], None);
    assert_eq!(scan_rgba(&c.rgba, side, side).unwrap(), vec![URI.to_string()]);
}

#[test]
fn two_codes_in_one_image_and_duplicates_once() {
    let a = qr_matrix("otpauth://totp/a?secret=JBSWY3DPEHPK3PXP", Ecc::M).unwrap();
    let b = qr_matrix("otpauth://totp/b?secret=GEZDGNBVGY3TQOJQ", Ecc::M).unwrap();
    let mut c = Canvas::new(400, 200, WHITE);
    c.draw(&a, 20, 20, 4, BLACK, None);
    c.draw(&b, 220, 20, 4, BLACK, None);
    let mut found = scan_rgba(&c.rgba, 400, 200).unwrap();
    found.sort();
    assert_eq!(found, ["otpauth://totp/a?secret=JBSWY3DPEHPK3PXP", "otpauth://totp/b?secret=GEZDGNBVGY3TQOJQ"]);

    let mut c = Canvas::new(400, 200, WHITE);
    c.draw(&a, 20, 20, 4, BLACK, None);
    c.draw(&a, 220, 20, 4, BLACK, None);
    assert_eq!(scan_rgba(&c.rgba, 400, 200).unwrap(), ["otpauth://totp/a?secret=JBSWY3DPEHPK3PXP"]);
}

#[test]
fn wrong_sizes_are_invalid_argument() {
    let c = qr_image(URI, Ecc::M, 2);
    let (w, h) = (c.width, c.height);
    let cases: Vec<(&[u8], usize, usize)> = vec![
        (&c.rgba, 0, h),
        (&c.rgba, w, 0),
        (&[], 0, 0),
        (&[], 1, 1),
        (&c.rgba, w + 1, h),
        (&c.rgba, w, h - 1),
        (&c.rgba[1..], w, h),
        (&c.rgba, usize::MAX, 2),
        (&c.rgba, 1 << 33, 1 << 33),
        (&c.rgba, 4097, 4096),
    ];
    for (buffer, width, height) in cases {
        let err = scan_rgba(buffer, width, height).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{width}x{height} with {} bytes", buffer.len());
    }
    let err = scan_rgba(&c.rgba, w, h - 1).unwrap_err();
    assert!(err.message().contains(&format!("has {} bytes", c.rgba.len())), "{}", err.message());
    // The greyscale buffer is 1 byte per pixel: an RGBA buffer is too long for it.
    assert_eq!(scan_gray(&c.rgba, w, h).unwrap_err().kind(), ErrorKind::InvalidArgument);
    assert_eq!(scan_gray(&[0; 3], 2, 2).unwrap_err().kind(), ErrorKind::InvalidArgument);
    assert_eq!(MAX_SCAN_PIXELS, 4096 * 4096);
}

#[test]
fn blank_tiny_and_noisy_images_give_nothing() {
    assert!(scan_rgba(&[255; 4], 1, 1).unwrap().is_empty());
    assert!(scan_rgba(&[0; 4], 1, 1).unwrap().is_empty());
    assert!(scan_gray(&[0; 21 * 21], 21, 21).unwrap().is_empty());
    assert!(scan_gray(&vec![255; 1000], 1000, 1).unwrap().is_empty());
    assert!(scan_gray(&vec![0; 1000], 1, 1000).unwrap().is_empty());
    // Pseudo-random noise (fixed xorshift), several sizes and densities.
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for (w, h) in [(64, 64), (200, 120), (31, 400)] {
        for threshold in [32u8, 128, 224] {
            let gray: Vec<u8> = (0..w * h).map(|_| if (next() as u8) < threshold { 0 } else { 255 }).collect();
            assert!(scan_gray(&gray, w, h).unwrap().is_empty(), "noise {w}x{h}");
        }
    }
}

#[test]
fn damaged_codes_are_skipped_or_corrected_never_a_panic() {
    let c = qr_image(URI, Ecc::M, 3);
    // Every 7th row of pixels blanked, then every 3rd: corrected or not found, never wrong text.
    for step in [7, 3] {
        let mut damaged = c.rgba.clone();
        for y in (0..c.height).step_by(step) {
            damaged[y * c.width * 4..(y + 1) * c.width * 4].fill(255);
        }
        for text in scan_rgba(&damaged, c.width, c.height).unwrap() {
            assert_eq!(text, URI);
        }
    }
}
