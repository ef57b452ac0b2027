//! Native timings of the core, the floor the wasm module is compared with (`cargo xtask bench`).
//! Prints ns/op; nothing here is a test. Run with `cargo run --release --example bench`.

use std::hint::black_box;
use std::time::Instant;
use totp_wasm::{OtpOptions, Secret, Totp, totp, verify_totp};

fn measure(name: &str, mut f: impl FnMut()) {
    for _ in 0..100 {
        f();
    }
    let mut n = 1_000u64;
    loop {
        let start = Instant::now();
        for _ in 0..n {
            f();
        }
        let ns = start.elapsed().as_nanos() as f64;
        if ns >= 5e8 {
            println!("  {name:<36} {:>9.0} ns/op", ns / n as f64);
            return;
        }
        n *= 2;
    }
}

fn main() -> Result<(), totp_wasm::Error> {
    let secret = Secret::from_base32("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")?;
    let options = OtpOptions::default();
    let bound = Totp::new(secret.clone(), options)?;
    let time = 1_700_000_000;
    println!("native (this machine's sha1 backend; compare with RUSTFLAGS='--cfg sha1_backend=\"soft\"')");
    measure("totp (SHA-1, 6 digits)", || {
        black_box(totp(black_box(&secret), black_box(time), &options).ok());
    });
    measure("Totp::generate", || {
        black_box(bound.generate(black_box(time)).ok());
    });
    measure("verify_totp, wrong code, window 1", || {
        black_box(verify_totp(&secret, black_box("000000"), time, 1, &options).ok());
    });
    #[cfg(feature = "qr")]
    {
        let uri = "otpauth://totp/Example:alice@example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Example";
        measure("qr_svg (ECC M)", || {
            black_box(totp_wasm::qr_svg(black_box(uri), &totp_wasm::SvgOptions::default()).ok());
        });
        measure("qr_matrix (ECC M)", || {
            black_box(totp_wasm::qr_matrix(black_box(uri), totp_wasm::Ecc::M).ok());
        });
    }
    Ok(())
}
