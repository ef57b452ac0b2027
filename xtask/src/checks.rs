//! Suites that are checks rather than test runners:
//!
//! | suite | cases                                                                              |
//! | ----- | ---------------------------------------------------------------------------------- |
//! | lint  | `cargo clippy -p totp-wasm --all-targets -- -D warnings` (the lints of Cargo.toml), |
//! |       | `RUSTDOCFLAGS=-D warnings cargo doc -p totp-wasm --no-deps`: one case each           |
//! | size  | one case per package entry: gzip sizes of this run's build (target/sizes.json)      |
//! |       | against `recorded` in wasm-pack.toml; fails past +1% (the ratchet), skipped for an  |
//! |       | entry without a record (printing the line to add)                                   |

use std::time::Instant;

use crate::config::BuildConfig;
use crate::process;
use crate::report::{Counts, Status, SuiteResult};
use crate::sizes::{self, Ratchet, TOLERANCE_PERCENT};
use crate::suite::failed;
use crate::{Ctx, Result, build};

/// clippy and rustdoc, warnings denied.
pub fn lint(ctx: &Ctx) -> SuiteResult {
    let started = Instant::now();
    let mut clippy = process::cargo();
    clippy.current_dir(&ctx.root).args(["clippy", "-p", "totp-wasm", "--all-targets", "--", "-D", "warnings"]);
    let mut doc = process::cargo();
    doc.current_dir(&ctx.root).args(["doc", "-p", "totp-wasm", "--no-deps"]).env("RUSTDOCFLAGS", "-D warnings");
    let mut counts = Counts::default();
    let mut failures = Vec::new();
    for (what, cmd) in [("clippy", &mut clippy), ("rustdoc", &mut doc)] {
        match process::run_tee(cmd) {
            Ok((status, _)) if status.success() => {
                println!("ok - {what}: no warnings");
                counts.passed += 1;
            }
            Ok((status, _)) => {
                println!("not ok - {what} ({status})");
                counts.failed += 1;
                failures.push(what);
            }
            Err(e) => {
                eprintln!("{e}");
                counts.failed += 1;
                failures.push(what);
            }
        }
    }
    let status = if counts.failed == 0 { Status::Ok } else { Status::Failed };
    let note = if failures.is_empty() { String::new() } else { format!("warnings or errors from {}", failures.join(", ")) };
    SuiteResult { name: "lint", status, counts, seconds: started.elapsed().as_secs_f64(), note }
}

/// The size ratchet over this run's build.
pub fn size(ctx: &Ctx, built: &Result<()>) -> SuiteResult {
    let name = "size";
    if let Err(e) = built {
        return failed(name, format!("pkg/ was not built: {}", e.lines().next().unwrap_or_default()));
    }
    let started = Instant::now();
    let measured = BuildConfig::load(&ctx.root)
        .and_then(|config| sizes::read_json(&build::target_dir(ctx).join("sizes.json"), &config));
    let measured = match measured {
        Ok(m) => m,
        Err(e) => return failed(name, e),
    };
    let mut counts = Counts::default();
    let mut grown = Vec::new();
    let mut unrecorded = Vec::new();
    for s in &measured {
        let verdict = sizes::ratchet(s);
        match &verdict {
            Ratchet::Held { shrank } => {
                counts.passed += 1;
                println!(
                    "ok - {}: wasm {} B, total {} B gzip -9, within {TOLERANCE_PERCENT}% of the record; goal: {}",
                    s.import,
                    s.wasm_gzip,
                    s.total_gzip,
                    sizes::goals(s)
                );
                if *shrank {
                    println!("  hint: it shrank: lower the record in wasm-pack.toml to `{}`", sizes::record_line(s));
                }
            }
            Ratchet::Grown(what) => {
                counts.failed += 1;
                grown.push(s.import.clone());
                for (w, size, r) in what {
                    println!(
                        "not ok - {}: {w} is {size} B, {:+.1}% against the record of {r} B (at most +{TOLERANCE_PERCENT}%)",
                        s.import,
                        (*size as f64 / *r as f64 - 1.0) * 100.0
                    );
                }
                println!("  cut it back, or, if the growth is wanted, raise the record in wasm-pack.toml to `{}`", sizes::record_line(s));
            }
            Ratchet::Unrecorded => {
                // A new entry gets its record once its owner settles its size.
                counts.skipped += 1;
                unrecorded.push(s.import.clone());
                println!(
                    "ok - {} # SKIP no recorded size: add `{}` to its [[entry]] in wasm-pack.toml",
                    s.import,
                    sizes::record_line(s)
                );
            }
        }
    }
    let status = if counts.failed == 0 { Status::Ok } else { Status::Failed };
    let mut notes = Vec::new();
    if !grown.is_empty() {
        notes.push(format!("grown past the record: {}", grown.join(", ")));
    }
    if !unrecorded.is_empty() {
        notes.push(format!("no record yet: {}", unrecorded.join(", ")));
    }
    let note = notes.join("; ");
    SuiteResult { name, status, counts, seconds: started.elapsed().as_secs_f64(), note }
}
