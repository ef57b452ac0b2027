//! QR rendering: the module matrix decodes back to the exact text (with the independent decoder
//! rqrr) for several lengths at every error-correction level; the SVG matches golden files, and
//! every golden file, redrawn from its path, decodes back to its text (so a golden file
//! regenerated for a new encoder is known to scan).
#![cfg(all(feature = "qr", not(target_arch = "wasm32")))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use totp_wasm::{Ecc, QrMatrix, SvgOptions, qr_matrix, qr_svg};

/// Decodes a matrix with rqrr after drawing it 4 pixels per module inside a 4-module quiet zone.
fn decode(m: &QrMatrix) -> (String, usize) {
    const SCALE: usize = 4;
    const QUIET: usize = 4;
    let side = (m.size + 2 * QUIET) * SCALE;
    let mut image = rqrr::PreparedImage::prepare_from_greyscale(side, side, |x, y| {
        let (mx, my) = (x / SCALE, y / SCALE);
        let dark = mx >= QUIET && my >= QUIET && m.is_dark(mx - QUIET, my - QUIET);
        if dark { 0 } else { 255 }
    });
    let grids = image.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code expected");
    let (meta, content) = grids[0].decode().expect("rqrr decodes the symbol");
    (content, meta.ecc_level as usize)
}

#[test]
fn matrices_decode_back_to_the_exact_text_at_every_level() {
    let texts = [
        "A".to_string(),
        "otpauth://totp/Example:alice@example.com?secret=JBSWY3DPEHPK3PXP&issuer=Example".to_string(),
        format!("otpauth://totp/%C3%9Cml%C3%A4ut:j%C3%B6rg?secret={}&issuer=%C3%9Cml%C3%A4ut", "A".repeat(103)),
        "Grüße, 世界 ✓".to_string(),
        "x".repeat(600),
    ];
    // rqrr reports the ECC level with the QR format bits' numbering: M=0, L=1, H=2, Q=3.
    let levels = [(Ecc::L, 1), (Ecc::M, 0), (Ecc::Q, 3), (Ecc::H, 2)];
    let mut decoded = 0;
    for text in &texts {
        for (ecc, format_bits) in levels {
            let m = qr_matrix(text, ecc).unwrap();
            assert_eq!(m.modules.len(), m.size * m.size);
            assert_eq!((m.size - 17) % 4, 0, "QR sizes are 21, 25, … (4 × version + 17)");
            assert!(m.modules.iter().all(|&b| b <= 1));
            let (content, level) = decode(&m);
            assert_eq!(&content, text, "{ecc:?}");
            assert_eq!(level, format_bits, "{ecc:?}");
            decoded += 1;
        }
    }
    assert_eq!(decoded, 20);
}

#[test]
fn higher_levels_need_larger_symbols() {
    let text = "otpauth://totp/Example:alice@example.com?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Example";
    let sizes: Vec<usize> = [Ecc::L, Ecc::M, Ecc::Q, Ecc::H].iter().map(|&e| qr_matrix(text, e).unwrap().size).collect();
    assert!(sizes.windows(2).all(|w| w[0] <= w[1]), "{sizes:?}");
    assert!(sizes[0] < sizes[3], "{sizes:?}");
}

/// The golden files: `tests/data/qr-<name>-<ecc>.svg`, each with its text in `qr-<name>.txt`.
const GOLDEN: [(&str, Ecc); 5] =
    [("example", Ecc::L), ("example", Ecc::M), ("example", Ecc::Q), ("example", Ecc::H), ("hello", Ecc::M)];

fn golden(name: &str, ecc: Ecc) -> (String, String) {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data");
    let text = std::fs::read_to_string(format!("{dir}/qr-{name}.txt")).unwrap();
    let svg = std::fs::read_to_string(format!("{dir}/qr-{name}-{ecc:?}.svg")).unwrap();
    (text.trim_end_matches('\n').to_string(), svg.trim_end().to_string())
}

/// The golden files are this encoder's output (fast_qr's mask choice); the encoders that
/// `cargo xtask bench --qr-encoders` swaps in choose other masks.
#[test]
#[cfg(not(any(feature = "qr-encoder-qrcode", feature = "qr-encoder-qrcodegen")))]
fn svg_matches_the_golden_files() {
    for (name, ecc) in GOLDEN {
        let (text, golden) = golden(name, ecc);
        let svg = qr_svg(&text, &SvgOptions { ecc, ..SvgOptions::default() }).unwrap();
        assert_eq!(svg, golden, "qr-{name}-{ecc:?}.svg: regenerate it only with an encoder change (the next test proves it scans)");
    }
}

#[test]
fn every_golden_file_decodes_back_to_its_text() {
    let mut files = 0;
    for entry in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data")).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if name.starts_with("qr-") && name.ends_with(".svg") {
            assert!(GOLDEN.iter().any(|(n, e)| name == format!("qr-{n}-{e:?}.svg")), "{name} is not in GOLDEN");
            files += 1;
        }
    }
    assert_eq!(files, GOLDEN.len());
    // rqrr reports the ECC level with the QR format bits' numbering: M=0, L=1, H=2, Q=3.
    let format_bits = |ecc| match ecc {
        Ecc::M => 0,
        Ecc::L => 1,
        Ecc::H => 2,
        Ecc::Q => 3,
    };
    for (name, ecc) in GOLDEN {
        let (text, svg) = golden(name, ecc);
        let (side, quiet, grid) = redraw(&svg);
        assert_eq!(quiet, 4, "qr-{name}-{ecc:?}.svg: the standard quiet zone");
        let m = QrMatrix { size: side - 2 * quiet, modules: Vec::new() };
        let modules = (0..m.size * m.size).map(|i| u8::from(grid[i / m.size + quiet][i % m.size + quiet])).collect();
        let (content, level) = decode(&QrMatrix { modules, ..m });
        assert_eq!(content, text, "qr-{name}-{ecc:?}.svg");
        assert_eq!(level, format_bits(ecc), "qr-{name}-{ecc:?}.svg");
    }
}

/// Reads an SVG written by `qr_svg`: its side (viewBox), the quiet zone (the first stroke's
/// start: a finder pattern's corner) and the grid its path covers.
fn redraw(svg: &str) -> (usize, usize, Vec<Vec<bool>>) {
    let view = svg.split("viewBox=\"0 0 ").nth(1).unwrap();
    let side: usize = view.split(' ').next().unwrap().parse().unwrap();
    let d = svg.split("d=\"").nth(1).unwrap().split('"').next().unwrap();
    let mut grid = vec![vec![false; side]; side];
    let (mut x, mut y) = (0i64, 0i64);
    let mut start = None;
    let mut rest = d;
    while let Some(cmd) = rest.chars().next() {
        let end = rest[1..].find(['M', 'm', 'h']).map_or(rest.len(), |i| i + 1);
        let args: Vec<f64> = rest[1..end].split(' ').map(|a| a.parse().unwrap()).collect();
        match cmd {
            'M' => (x, y) = (args[0] as i64, args[1].floor() as i64),
            'm' => (x, y) = (x + args[0] as i64, y + args[1] as i64),
            'h' => {
                start.get_or_insert((x, y));
                for cx in x..x + args[0] as i64 {
                    grid[y as usize][cx as usize] = true;
                }
                x += args[0] as i64;
            }
            other => panic!("unexpected command {other}"),
        }
        rest = &rest[end..];
    }
    let (sx, sy) = start.unwrap();
    assert_eq!(sx, sy, "the first stroke starts at the top-left finder pattern");
    (side, sx as usize, grid)
}

#[test]
fn svg_is_one_path_of_merged_runs_in_a_viewbox_with_a_quiet_zone() {
    let m = qr_matrix("hello", Ecc::M).unwrap();
    let options = SvgOptions { quiet_zone: 2, dark: "rgb(10,20,30)".into(), light: "none".into(), ..SvgOptions::default() };
    let svg = qr_svg("hello", &options).unwrap();
    let side = m.size + 4;
    assert!(svg.contains(&format!("viewBox=\"0 0 {side} {side}\"")));
    assert_eq!(svg.matches("<path").count(), 1);
    assert!(svg.contains("stroke=\"rgb(10,20,30)\""));
    assert!(!svg.contains("<rect"), "light 'none' draws no background");
    // One stroke per horizontal run: count the runs in the matrix.
    let mut runs = 0;
    for y in 0..m.size {
        for x in 0..m.size {
            if m.is_dark(x, y) && (x == 0 || !m.is_dark(x - 1, y)) {
                runs += 1;
            }
        }
    }
    let d = svg.split("d=\"").nth(1).unwrap().split('"').next().unwrap();
    assert_eq!(d.matches('h').count(), runs);
    // The first run starts at the quiet zone's edge: the finder pattern's top row, 7 wide.
    assert!(d.starts_with("M2 2.5h7m"), "{svg}");
    // Redraw the path on a grid: it must cover exactly the dark modules.
    let (drawn_side, quiet, grid) = redraw(&svg);
    assert_eq!((drawn_side, quiet), (side, 2));
    for (gy, row) in grid.iter().enumerate() {
        for (gx, &dark) in row.iter().enumerate() {
            let expected = gx >= 2 && gy >= 2 && m.is_dark(gx - 2, gy - 2);
            assert_eq!(dark, expected, "module ({gx}, {gy})");
        }
    }
}

#[test]
fn colours_that_could_inject_markup_are_refused() {
    for bad in ["red\"/><script>", "", "url(javascript:x)'", "a<b", &"a".repeat(65)] {
        let options = SvgOptions { dark: bad.into(), ..SvgOptions::default() };
        assert_eq!(qr_svg("x", &options).unwrap_err().code(), "INVALID_ARGUMENT", "{bad:?}");
    }
    let options = SvgOptions { quiet_zone: 17, ..SvgOptions::default() };
    assert_eq!(qr_svg("x", &options).unwrap_err().code(), "INVALID_ARGUMENT");
}

#[test]
fn too_much_data_is_a_typed_error() {
    let err = qr_matrix(&"x".repeat(2954), Ecc::L).unwrap_err();
    assert_eq!(err.code(), "QR_DATA_TOO_LONG");
    assert!(err.message().contains("2954 bytes"));
    assert!(qr_matrix(&"x".repeat(2953), Ecc::L).is_ok(), "2953 bytes is version 40-L's capacity");
    assert_eq!(qr_matrix(&"x".repeat(1300), Ecc::H).unwrap_err().code(), "QR_DATA_TOO_LONG");
}

#[test]
fn modules_outside_the_symbol_are_light() {
    let m = qr_matrix("x", Ecc::M).unwrap();
    for (x, y) in [(m.size, 0), (0, m.size), (0, usize::MAX), (usize::MAX, usize::MAX), (usize::MAX / m.size, 1 << 62)] {
        assert!(!m.is_dark(x, y), "({x}, {y})");
    }
}
