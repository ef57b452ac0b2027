//! Enrollment QR codes, rendered locally (never by a third-party QR service): a module matrix
//! for canvas drawing, and a compact SVG with all dark modules in one `<path>`: each horizontal
//! run of dark modules is one stroke one module wide (`h7`), reached by a relative move from the
//! end of the previous run (`m2 0`, `m-20 1`), about half the size of drawing rectangles.

use crate::error::{Error, ErrorKind, Result, decimal, msg};
use alloc::string::String;
use alloc::vec::Vec;
use qrcode::{Color, EcLevel, QrCode};

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

    fn level(self) -> EcLevel {
        match self {
            Self::L => EcLevel::L,
            Self::M => EcLevel::M,
            Self::Q => EcLevel::Q,
            Self::H => EcLevel::H,
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
    let code = QrCode::with_error_correction_level(text.as_bytes(), ecc.level()).map_err(|_| {
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
    })?;
    let modules = code.to_colors().into_iter().map(|c| u8::from(c == Color::Dark)).collect();
    Ok(QrMatrix { size: code.width(), modules })
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
/// reached by a relative move from the end of the previous one.
fn push_runs(matrix: &QrMatrix, offset: usize, out: &mut String) {
    let mut pen: Option<(usize, usize)> = None; // where the previous stroke ended
    for y in 0..matrix.size {
        let mut x = 0;
        while x < matrix.size {
            if !matrix.is_dark(x, y) {
                x += 1;
                continue;
            }
            let start = x;
            while matrix.is_dark(x, y) {
                x += 1;
            }
            let (sx, sy) = (start + offset, y + offset);
            match pen {
                None => {
                    out.push('M');
                    out.push_str(&decimal(sx as u64));
                    out.push(' ');
                    out.push_str(&decimal(sy as u64));
                    out.push_str(".5");
                }
                Some((px, py)) => {
                    out.push('m');
                    push_signed(out, sx as i64 - px as i64);
                    out.push(' ');
                    push_signed(out, sy as i64 - py as i64);
                }
            }
            out.push('h');
            out.push_str(&decimal((x - start) as u64));
            pen = Some((x + offset, sy));
        }
    }
}

fn push_signed(out: &mut String, n: i64) {
    if n < 0 {
        out.push('-');
    }
    out.push_str(&decimal(n.unsigned_abs()));
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
