//! `cargo xtask bench [--qr-encoders]`: totp-wasm against its peers in one run; ratios, never
//! assertions.
//!
//! - plain: the core natively twice (this CPU's SHA-1 backend, and soft SHA-1/SHA-2: the floor
//!   wasm is compared with; target/bench/native*.txt), then `node bench/bench.mjs`: otpauth's
//!   browser and Node builds, @oslojs/otp, speakeasy, node-qrcode and `qr` through their public
//!   JS APIs in Node, a fresh Node process per import, and headless Chromium. Writes
//!   bench/results.json and bench/RESULTS.md (committed; the README quotes them).
//! - `--qr-encoders`: the page entry (`totp-wasm`) built once per QR encoder (fast_qr,
//!   qrcodegen, qrcode) and opt-level of that crate (z, 3) into target/qr-encoders/, then
//!   `node bench/qr-encoders.mjs`: each one's size and QR → SVG time against node-qrcode and
//!   `qr` in one Node process. Writes bench/qr-encoders.json and bench/QR-ENCODERS.md.
//! - then (plain only) `login_timing`: wrong-password logins for existing and unknown usernames
//!   on workerd, medians in target/bench.json (`loginTiming`).

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use crate::config::{BuildConfig, CrateInfo};
use crate::process::{self, step};
use crate::tools::BuildTools;
use crate::{Context, Ctx, Result, build, package, sizes, tools};

const USAGE: &str = "usage: cargo xtask bench [--qr-encoders]";

pub fn command(ctx: &Ctx, args: &[String]) -> Result<ExitCode> {
    let qr_encoders = match args {
        [] => false,
        [flag] if flag == "--qr-encoders" => true,
        [arg, ..] => return Err(format!("unexpected argument `{arg}`\n{USAGE}")),
    };
    let build_tools = tools::build_tools(ctx)?;
    tools::npm(ctx)?; // playwright-core (Chromium) and binaryen come from the dev tools
    build::build(ctx, &build_tools)?;
    peers(ctx)?;
    if qr_encoders {
        compare_qr_encoders(ctx, &build_tools)?;
    } else {
        native(ctx)?;
        step("JS: totp-wasm and its peers in Node, fresh Node processes and headless Chromium");
        process::run(Command::new("node").current_dir(&ctx.root).arg("bench/bench.mjs"))?;
        login_timing(ctx)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Wrong-password logins for existing and unknown usernames through real workerd: the two
/// medians (and their ratio) go into target/bench.json as `loginTiming`. They should match:
/// an unknown name that answers faster tells an attacker which names exist.
fn login_timing(ctx: &Ctx) -> Result<()> {
    step("edge: wrong-password login, existing vs unknown username (workerd)");
    process::run(Command::new("node").current_dir(&ctx.root).arg("tests/edge/bench-login-timing.mjs"))
}

/// The peers live in bench/ with their own lock file, apart from the project's dev tools.
fn peers(ctx: &Ctx) -> Result<()> {
    let dir = ctx.root.join("bench");
    let installed = dir.join("node_modules/.package-lock.json");
    let lock = dir.join("package-lock.json");
    let fresh = |p: &std::path::Path| p.metadata().and_then(|m| m.modified()).ok();
    if installed.exists() && fresh(&installed) >= fresh(&lock) && dir.join("node_modules/totp-wasm").exists() {
        return Ok(());
    }
    step("installing the peers (bench/package-lock.json)");
    process::run(Command::new("npm").current_dir(&dir).args(["ci", "--no-audit", "--no-fund"]))
        .context("installing bench/ peers")
}

/// `examples/bench.rs` natively, with this CPU's SHA-1 backend and with the soft one (its own
/// target folder, so the flags do not rebuild the main one); output in target/bench/.
fn native(ctx: &Ctx) -> Result<()> {
    let out = build::target_dir(ctx).join("bench");
    std::fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;
    let soft = "--cfg sha1_backend=\"soft\" --cfg sha2_backend=\"soft\"";
    for (file, rustflags) in [("native.txt", None), ("native-soft.txt", Some(soft))] {
        step(format!("native: cargo run --release --example bench{}", rustflags.map_or(String::new(), |f| format!(" (RUSTFLAGS='{f}')"))));
        let mut cmd = process::cargo();
        cmd.current_dir(&ctx.root).args(["run", "--quiet", "--release", "--example", "bench"]);
        if let Some(flags) = rustflags {
            cmd.env("RUSTFLAGS", flags).env("CARGO_TARGET_DIR", build::target_dir(ctx).join("bench-soft"));
        }
        println!("$ {}", process::show(&cmd));
        let text = process::stdout_of(&mut cmd)?;
        print!("{text}");
        std::fs::write(out.join(file), text).with_context(|| format!("writing {file}"))?;
    }
    Ok(())
}

/// The QR encoders compared: (name, the feature that swaps it in, its crate for the opt-level).
const QR_ENCODERS: [(&str, Option<&str>, &str); 3] =
    [("fast_qr", None, "fast_qr"), ("qrcodegen", Some("qr-encoder-qrcodegen"), "qrcodegen"), ("qrcode", Some("qr-encoder-qrcode"), "qrcode")];

fn compare_qr_encoders(ctx: &Ctx, tools: &BuildTools) -> Result<()> {
    let root = build::target_dir(ctx).join("qr-encoders");
    let mut variants = Vec::new();
    for (name, feature, krate) in QR_ENCODERS {
        for opt in ["z", "3"] {
            let label = format!("{name}-O{opt}");
            step(format!("page entry with {name} at opt-level {opt}"));
            // TOML: opt-level 3 is a number, "z" a string.
            let value = if opt == "z" { "\"z\"".to_string() } else { opt.to_string() };
            let config = [format!("profile.release.package.{krate}.opt-level={value}")];
            let dir = build_page_variant(ctx, tools, &root.join(&label), feature, &config)?;
            variants.push(format!("{label}={}", dir.display()));
        }
    }
    step("JS: QR → SVG with each encoder, node-qrcode and qr in one Node process");
    process::run(Command::new("node").current_dir(&ctx.root).arg("bench/qr-encoders.mjs").args(&variants))
}

/// The `totp-wasm` entry of wasm-pack.toml, with `feature` added, built like `cargo xtask
/// build` does into `out`/page/; its sizes go to `out`/sizes.json. (The cargo target folder is
/// the usual one: only the QR crate and totp-wasm itself are rebuilt per variant.)
fn build_page_variant(ctx: &Ctx, tools: &BuildTools, out: &Path, feature: Option<&str>, config: &[String]) -> Result<PathBuf> {
    let krate = CrateInfo::load(&ctx.root)?;
    let mut build_config = BuildConfig::load(&ctx.root)?;
    build_config.entries.retain(|e| e.import == krate.name);
    let entry = build_config.entries.first_mut().ok_or("wasm-pack.toml has no entry importing the package itself")?;
    entry.dir = "page".into();
    entry.features.extend(feature.map(String::from));
    let _ = std::fs::remove_dir_all(out);
    let page = out.join("page");
    std::fs::create_dir_all(&page).with_context(|| format!("creating {}", page.display()))?;

    let mut cmd = process::cargo();
    cmd.current_dir(&ctx.root)
        .args(["build", "--release", "--target", "wasm32-unknown-unknown", "--lib", "-p", &krate.name, "--no-default-features"])
        .args(["--features", &entry.features.join(","), "--message-format=json-render-diagnostics"]);
    for c in config {
        cmd.args(["--config", c]);
    }
    println!("$ {}", process::show(&cmd));
    let json = process::stdout_of(&mut cmd)?;
    let wanted = krate.wasm_file_name();
    let wasm = json
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|msg| msg["reason"] == "compiler-artifact")
        .filter_map(|msg| msg["filenames"].as_array().cloned())
        .flatten()
        .filter_map(|f| f.as_str().map(PathBuf::from))
        .find(|f| f.file_name().is_some_and(|n| n == wanted.as_str()))
        .ok_or_else(|| format!("cargo built no {wanted}"))?;
    let out_name = package::out_name(&krate);
    let shared = package::Shared::copy(ctx, out)?;
    let mut cmd = Command::new(&tools.wasm_bindgen);
    cmd.args(["--target", "web", "--out-name", &out_name, "--out-dir"]).arg(&page).arg(&wasm);
    process::run(&mut cmd)?;
    let module = page.join(format!("{out_name}_bg.wasm"));
    process::run(Command::new(&tools.wasm_opt).args(&build_config.wasm_opt).arg(&module).arg("-o").arg(&module))?;
    package::rewrite_snippets(out, &page, &out_name, &shared)?;
    package::write_entry_files(&page, &out_name, &shared)?;
    let measured = sizes::measure(out, &build_config, &out_name, &shared)?;
    sizes::write_json(&out.join("sizes.json"), &measured)?;
    Ok(page)
}
