//! Enrollment QR codes, rendered locally (never by a third-party QR service): a module matrix
//! for canvas drawing, and a compact SVG with all dark modules in one `<path>`: each horizontal
//! run of dark modules is one stroke one module wide (`h7`), reached by a relative move from the
//! end of the previous run (`m2 0`, `m-20 1`), about half the size of drawing rectangles.

use crate::error::{Error, ErrorKind, Result, decimal, msg};
use alloc::string::String;
use alloc::vec::Vec;

/// QR error-correction level: how much of the symbol may be damaged and still read.
///
/// ```
/// use totp_wasm::{Ecc, qr_matrix};
/// # fn main() -> Result<(), totp_wasm::Error> {
/// let uri = "otpauth://totp/x?secret=JBSWY3DPEHPK3PXP";
/// // More correction costs modules: the same text needs a larger symbol.
/// assert!(qr_matrix(uri, Ecc::L)?.size < qr_matrix(uri, Ecc::H)?.size);
/// assert_eq!(Ecc::default(), Ecc::M);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Ecc {
    /// ~7 % recoverable.
    ///
    /// ```
    /// use totp_wasm::{Ecc, qr_matrix};
    /// # fn main() -> Result<(), totp_wasm::Error> {
    /// let uri = "otpauth://totp/Example:alice@example.com?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Example";
    /// // The smallest symbol for an enrollment URI with a 160-bit secret.
    /// assert_eq!(qr_matrix(uri, Ecc::L)?.size, 37); // version 5
    /// # Ok(()) }
    /// ```
    L,
    /// ~15 % recoverable; the default, a good balance for screens.
    ///
    /// ```
    /// use totp_wasm::{Ecc, qr_matrix};
    /// # fn main() -> Result<(), totp_wasm::Error> {
    /// let uri = "otpauth://totp/Example:alice@example.com?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Example";
    /// // Four modules more per side than L, for twice the damage tolerated.
    /// assert_eq!(qr_matrix(uri, Ecc::M)?.size, 41); // version 6
    /// # Ok(()) }
    /// ```
    #[default]
    M,
    /// ~25 % recoverable.
    ///
    /// ```
    /// use totp_wasm::{Ecc, qr_matrix};
    /// # fn main() -> Result<(), totp_wasm::Error> {
    /// let uri = "otpauth://totp/Example:alice@example.com?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Example";
    /// // Eight modules more per side than M.
    /// assert_eq!(qr_matrix(uri, Ecc::Q)?.size, 49); // version 8
    /// # Ok(()) }
    /// ```
    Q,
    /// ~30 % recoverable; for printed codes that may get dirty.
    ///
    /// ```
    /// use totp_wasm::{Ecc, qr_matrix};
    /// # fn main() -> Result<(), totp_wasm::Error> {
    /// let uri = "otpauth://totp/Example:alice@example.com?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Example";
    /// // The largest symbol: 53 × 53 modules for the same text as L's 37 × 37.
    /// assert_eq!(qr_matrix(uri, Ecc::H)?.size, 53); // version 9
    /// # Ok(()) }
    /// ```
    H,
}

impl Ecc {
    /// Parses `"L"`, `"M"`, `"Q"` or `"H"` (any case).
    ///
    /// ```
    /// use totp_wasm::Ecc;
    /// # fn main() -> Result<(), totp_wasm::Error> {
    /// assert_eq!(Ecc::parse("h")?, Ecc::H);
    /// assert!(Ecc::parse("high").is_err()); // only the one-letter names
    /// # Ok(()) }
    /// ```
    pub fn parse(text: &str) -> Result<Self> {
        match text {
            "L" | "l" => Ok(Self::L),
            "M" | "m" => Ok(Self::M),
            "Q" | "q" => Ok(Self::Q),
            "H" | "h" => Ok(Self::H),
            _ => Err(Error::new(ErrorKind::InvalidArgument, "ecc must be one of \"L\", \"M\", \"Q\" or \"H\"")),
        }
    }
}

/// A QR symbol as modules, without a quiet zone.
///
/// ```
/// use totp_wasm::{Ecc, qr_matrix};
/// # fn main() -> Result<(), totp_wasm::Error> {
/// let m = qr_matrix("hello", Ecc::M)?;
/// assert_eq!(m.size, 21); // version 1: 21 × 21 modules
/// // Row-major: column x of row y is modules[y * size + x] (here inside a finder pattern).
/// assert_eq!(m.modules[2 * m.size + 3], 1);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QrMatrix {
    /// Modules per side.
    pub size: usize,
    /// `size × size` bytes, row-major, `1` = dark, `0` = light.
    pub modules: Vec<u8>,
}

impl QrMatrix {
    /// Whether the module at column `x`, row `y` is dark (false outside the symbol).
    ///
    /// ```
    /// use totp_wasm::{Ecc, qr_matrix};
    /// # fn main() -> Result<(), totp_wasm::Error> {
    /// let m = qr_matrix("hello", Ecc::M)?;
    /// // The top-left finder pattern: a dark ring, a light ring, a dark centre.
    /// assert!(m.is_dark(0, 0) && !m.is_dark(1, 1) && m.is_dark(3, 3));
    /// assert!(!m.is_dark(m.size, 0)); // outside: light, like the quiet zone
    /// # Ok(()) }
    /// ```
    pub fn is_dark(&self, x: usize, y: usize) -> bool {
        x < self.size && y < self.size && self.modules.get(y * self.size + x) == Some(&1)
    }
}

/// Encodes `text` (byte mode or denser, as the encoder chooses) into a QR module matrix.
///
/// ```
/// use totp_wasm::{Ecc, qr_matrix};
/// let m = qr_matrix("otpauth://totp/x?secret=JBSWY3DPEHPK3PXP", Ecc::M).unwrap();
/// assert_eq!(m.modules.len(), m.size * m.size);
/// assert!(m.is_dark(0, 0)); // the top-left finder pattern
/// ```
pub fn qr_matrix(text: &str, ecc: Ecc) -> Result<QrMatrix> {
    encoder::encode(text, ecc).ok_or_else(|| {
        Error::new(
            ErrorKind::QrDataTooLong,
            msg(&[
                "the text (",
                &decimal(text.len() as u64),
                " bytes) does not fit in a QR code at error-correction level ",
                ecc_name(ecc),
                ": shorten it (issuer and account names) or choose a lower level",
            ]),
        )
    })
}

/// The QR encoder: `fast_qr`, the fastest of the three measured in the page entry (README,
/// "QR encoders"). The features `qr-encoder-qrcode` and `qr-encoder-qrcodegen` swap in the
/// others only so that `cargo xtask bench --qr-encoders` can measure them in the same entry;
/// each returns `None` only when the text does not fit a version-40 symbol at `ecc`.
#[cfg(not(any(feature = "qr-encoder-qrcode", feature = "qr-encoder-qrcodegen")))]
mod encoder {
    use super::{Ecc, QrMatrix};
    use fast_qr::{ECL, QRBuilder};

    pub(super) fn encode(text: &str, ecc: Ecc) -> Option<QrMatrix> {
        let level = match ecc {
            Ecc::L => ECL::L,
            Ecc::M => ECL::M,
            Ecc::Q => ECL::Q,
            Ecc::H => ECL::H,
        };
        let code = QRBuilder::new(text.as_bytes()).ecl(level).build().ok()?;
        let modules = code.data.get(..code.size * code.size)?.iter().map(|m| u8::from(m.value())).collect();
        Some(QrMatrix { size: code.size, modules })
    }
}

/// Nayuki's reference implementation, one segment in the densest mode the whole text allows.
#[cfg(all(feature = "qr-encoder-qrcodegen", not(feature = "qr-encoder-qrcode")))]
mod encoder {
    use super::{Ecc, QrMatrix};
    use qrcodegen::{QrCode, QrCodeEcc, QrSegment, Version};

    pub(super) fn encode(text: &str, ecc: Ecc) -> Option<QrMatrix> {
        let level = match ecc {
            Ecc::L => QrCodeEcc::Low,
            Ecc::M => QrCodeEcc::Medium,
            Ecc::Q => QrCodeEcc::Quartile,
            Ecc::H => QrCodeEcc::High,
        };
        let segments = QrSegment::make_segments(text);
        // No ECC boost: the level asked for is the level encoded (like the other encoders).
        let code = QrCode::encode_segments_advanced(&segments, level, Version::MIN, Version::MAX, None, false).ok()?;
        let size = code.size();
        let modules = (0..size).flat_map(|y| (0..size).map(move |x| (x, y))).map(|(x, y)| u8::from(code.get_module(x, y))).collect();
        Some(QrMatrix { size: usize::try_from(size).ok()?, modules })
    }
}

/// The `qrcode` crate (kennytm), the encoder of version 0.1.
#[cfg(feature = "qr-encoder-qrcode")]
mod encoder {
    use super::{Ecc, QrMatrix};
    use qrcode::{Color, EcLevel, QrCode};

    pub(super) fn encode(text: &str, ecc: Ecc) -> Option<QrMatrix> {
        let level = match ecc {
            Ecc::L => EcLevel::L,
            Ecc::M => EcLevel::M,
            Ecc::Q => EcLevel::Q,
            Ecc::H => EcLevel::H,
        };
        let code = QrCode::with_error_correction_level(text.as_bytes(), level).ok()?;
        let modules = code.to_colors().into_iter().map(|c| u8::from(c == Color::Dark)).collect();
        Some(QrMatrix { size: code.width(), modules })
    }
}

fn ecc_name(ecc: Ecc) -> &'static str {
    match ecc {
        Ecc::L => "L",
        Ecc::M => "M",
        Ecc::Q => "Q",
        Ecc::H => "H",
    }
}

/// How [`qr_svg`] draws.
///
/// ```
/// use totp_wasm::{Ecc, SvgOptions, qr_svg};
/// # fn main() -> Result<(), totp_wasm::Error> {
/// // For print: more error correction, and no background (the paper is white already).
/// let options = SvgOptions { ecc: Ecc::H, light: "none".into(), ..SvgOptions::default() };
/// let svg = qr_svg("hello", &options)?;
/// assert!(!svg.contains("<rect"));
/// assert!(svg.contains("viewBox=\"0 0 29 29\"")); // 21 modules and 4 of quiet zone each side
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SvgOptions {
    /// Error-correction level (default M).
    pub ecc: Ecc,
    /// Light modules around the symbol, 0..=16 (default 4, what the QR standard asks for).
    pub quiet_zone: usize,
    /// Colour of dark modules (default `#000`).
    pub dark: String,
    /// Background colour (default `#fff`); `none` or `transparent` draws no background.
    pub light: String,
}

impl Default for SvgOptions {
    fn default() -> Self {
        Self { ecc: Ecc::M, quiet_zone: 4, dark: "#000".into(), light: "#fff".into() }
    }
}

/// Largest quiet zone accepted.
pub const MAX_QUIET_ZONE: usize = 16;

/// Renders `text` as an SVG document: a `viewBox` in module units (so it scales crisply to any
/// size), an optional background rectangle, and one path of merged horizontal runs.
///
/// ```
/// use totp_wasm::{SvgOptions, qr_svg};
/// let svg = qr_svg("hello", &SvgOptions::default()).unwrap();
/// assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 29 29\""));
/// assert_eq!(svg.matches("<path").count(), 1);
/// ```
pub fn qr_svg(text: &str, options: &SvgOptions) -> Result<String> {
    if options.quiet_zone > MAX_QUIET_ZONE {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            msg(&["quietZone must be between 0 and 16 modules (4 is standard), got ", &decimal(options.quiet_zone as u64)]),
        ));
    }
    check_colour("dark", &options.dark)?;
    check_colour("light", &options.light)?;
    let matrix = qr_matrix(text, options.ecc)?;
    let q = options.quiet_zone;
    let side = decimal((matrix.size + 2 * q) as u64);
    let mut svg = String::with_capacity(matrix.size * matrix.size);
    svg.push_str("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ");
    svg.push_str(&side);
    svg.push(' ');
    svg.push_str(&side);
    svg.push_str("\" shape-rendering=\"crispEdges\">");
    if !matches!(options.light.as_str(), "none" | "transparent") {
        svg.push_str("<rect width=\"100%\" height=\"100%\" fill=\"");
        svg.push_str(&options.light);
        svg.push_str("\"/>");
    }
    svg.push_str("<path stroke=\"");
    svg.push_str(&options.dark);
    svg.push_str("\" d=\"");
    push_runs(&matrix, q, &mut svg);
    svg.push_str("\"/></svg>");
    Ok(svg)
}

/// One horizontal stroke per run of dark modules, on the row's centre line (`y + 0.5`), each
/// reached by a relative move from the end of the previous one. Numbers are written straight
/// into `out` (no allocation per number: this loop is most of `qr_svg`'s time after encoding).
fn push_runs(matrix: &QrMatrix, offset: usize, out: &mut String) {
    let mut pen: Option<(usize, usize)> = None; // where the previous stroke ended
    for (y, row) in matrix.modules.chunks_exact(matrix.size.max(1)).enumerate() {
        let mut x = 0;
        while x < row.len() {
            if row.get(x) != Some(&1) {
                x += 1;
                continue;
            }
            let start = x;
            while row.get(x) == Some(&1) {
                x += 1;
            }
            let (sx, sy) = (start + offset, y + offset);
            match pen {
                None => {
                    out.push('M');
                    push_decimal(out, sx);
                    out.push(' ');
                    push_decimal(out, sy);
                    out.push_str(".5");
                }
                Some((px, py)) => {
                    out.push('m');
                    if sx < px {
                        out.push('-');
                        push_decimal(out, px - sx);
                    } else {
                        push_decimal(out, sx - px);
                    }
                    out.push(' ');
                    push_decimal(out, sy - py); // rows only go down
                }
            }
            out.push('h');
            push_decimal(out, x - start);
            pen = Some((x + offset, sy));
        }
    }
}

/// Appends `n` in decimal (at most 3 digits here: a side is at most 177 + 2 × 16 modules).
fn push_decimal(out: &mut String, n: usize) {
    if n >= 100 {
        out.push(char::from(b'0' + (n / 100 % 10) as u8));
    }
    if n >= 10 {
        out.push(char::from(b'0' + (n / 10 % 10) as u8));
    }
    out.push(char::from(b'0' + (n % 10) as u8));
}
/// Colours go into an attribute verbatim, so only CSS colour syntax is allowed: `#hex`, names,
/// `rgb(…)`/`hsl(…)` — never quotes or angle brackets that could inject markup.
fn check_colour(name: &str, colour: &str) -> Result<()> {
    let ok = !colour.is_empty()
        && colour.len() <= 64
        && colour.bytes().all(|b| b.is_ascii_alphanumeric() || b" #(),.%-".contains(&b));
    if ok {
        return Ok(());
    }
    Err(Error::new(
        ErrorKind::InvalidArgument,
        msg(&[name, " must be a CSS colour such as \"#000\", \"black\" or \"rgb(0,0,0)\""]),
    ))
}
