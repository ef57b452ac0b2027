//! `cargo xtask bench`: totp-wasm against its peers (otpauth, speakeasy, node-qrcode) in one
//! Node process, and the same core natively, in one run; then wrong-password logins for existing
//! and unknown usernames on workerd (`login_timing`). Results go to target/bench.json; the
//! numbers are ratios within this run, never assertions.

use std::process::{Command, ExitCode};

use crate::process::{self, step};
use crate::{Context, Ctx, Result, build, tools};

pub fn command(ctx: &Ctx, args: &[String]) -> Result<ExitCode> {
    if let Some(arg) = args.first() {
        return Err(format!("unexpected argument `{arg}` (usage: cargo xtask bench)"));
    }
    let build_tools = tools::build_tools(ctx)?;
    build::build(ctx, &build_tools)?;
    peers(ctx)?;
    step("JS: totp-wasm and its peers in one Node process");
    process::run(Command::new("node").current_dir(&ctx.root).arg("bench/bench.mjs"))?;
    step("native: the same core without wasm (cargo run --release --example bench)");
    process::run(process::cargo().current_dir(&ctx.root).args(["run", "--quiet", "--release", "--example", "bench"]))?;
    login_timing(ctx)?;
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
