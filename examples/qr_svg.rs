//! Prints the enrollment QR code of an otpauth URI as SVG:
//! `cargo run --example qr_svg -- 'otpauth://totp/Example:alice?secret=JBSWY3DPEHPK3PXP' > qr.svg`

use totp_wasm::{OtpAuthUri, SvgOptions, qr_svg};

fn main() -> Result<(), totp_wasm::Error> {
    let text = std::env::args().nth(1).unwrap_or_else(|| {
        "otpauth://totp/Example:alice@example.com?secret=JBSWY3DPEHPK3PXP&issuer=Example".into()
    });
    if text.starts_with("otpauth:") {
        OtpAuthUri::parse(&text)?; // refuse to draw a URI an app could not read
    }
    println!("{}", qr_svg(&text, &SvgOptions::default())?);
    Ok(())
}
