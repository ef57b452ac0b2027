//! `cargo xtask`: the one entry point that installs what is missing, builds the npm package,
//! runs every test suite and starts the demo.
//!
//! ```text
//! cargo xtask build                      pkg/ (both entries, loaders, package.json) + sizes
//! cargo xtask test [--quick] [SUITE..]   every suite, then `tests: N passed, N failed, N skipped`
//! cargo xtask demo [--port 8787] [--state .demo] [--login one-form|two-step]
//! cargo xtask bench [--qr-encoders]     peers in one run, ratios in bench/RESULTS.md
//! cargo xtask fuzz [SECONDS|--runs N]   each fuzz target, summary per target, fuzz/RESULTS.md
//! cargo xtask operator <lookup|reset|unlock|log> USER [--reason ..]   support tool against the demo
//! ```
//!
//! One file per concern: `tools` (installs, cached under ~/.cache/totp-wasm), `config`
//! (wasm-pack.toml, Cargo.toml), `build` + `package` (pkg/), `sizes`, `test` + `report`
//! (suites and their counts), `runtimes` (the npm tarball in Node, Deno, Bun, workerd,
//! Chromium, Vite; tsc), `checks` (lint, size ratchet), `demo` (workerd), `fuzz` (fuzz/ with
//! cargo-fuzz), `process` (running commands).

mod bench;
mod build;
mod checks;
mod config;
mod demo;
mod fuzz;
mod operator;
mod package;
mod process;
mod report;
mod runtimes;
mod sizes;
mod suite;
mod test;
mod tools;

use std::fmt::Display;
use std::path::PathBuf;
use std::process::ExitCode;

/// Every failure in xtask is a message a person can act on, with its context prepended.
pub type Result<T, E = String> = std::result::Result<T, E>;

/// `.context("reading wasm-pack.toml")` turns any displayable error into
/// `"reading wasm-pack.toml: <error>"`.
pub trait Context<T> {
    fn context(self, what: impl Display) -> Result<T>;
    fn with_context<D: Display>(self, what: impl FnOnce() -> D) -> Result<T>;
}

impl<T, E: Display> Context<T> for std::result::Result<T, E> {
    fn context(self, what: impl Display) -> Result<T> {
        self.map_err(|e| format!("{what}: {e}"))
    }
    fn with_context<D: Display>(self, what: impl FnOnce() -> D) -> Result<T> {
        self.map_err(|e| format!("{}: {e}", what()))
    }
}

/// Where things are and how strict to be.
pub struct Ctx {
    /// The repository root (the workspace holding `xtask/`).
    pub root: PathBuf,
    /// Tool cache outside the repository: `$XDG_CACHE_HOME/totp-wasm` or `~/.cache/totp-wasm`.
    pub cache: PathBuf,
    /// `CI=true`: a suite that cannot run is a failure, not a skip.
    pub ci: bool,
}

impl Ctx {
    fn new() -> Result<Ctx> {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .map(PathBuf::from)
            .ok_or("xtask: cannot find the repository root above xtask/")?;
        let cache = match std::env::var_os("TOTP_WASM_CACHE") {
            Some(dir) => PathBuf::from(dir),
            None => match std::env::var_os("XDG_CACHE_HOME").filter(|d| !d.is_empty()) {
                Some(dir) => PathBuf::from(dir).join("totp-wasm"),
                None => {
                    let home = std::env::var_os("HOME")
                        .ok_or("xtask: HOME is not set (needed for ~/.cache/totp-wasm)")?;
                    PathBuf::from(home).join(".cache").join("totp-wasm")
                }
            },
        };
        let ci = std::env::var("CI")
            .map(|v| matches!(v.to_ascii_lowercase().as_str(), "true" | "1" | "yes"))
            .unwrap_or(false);
        Ok(Ctx { root, cache, ci })
    }
}

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  build                          build pkg/ (npm package: both entries, loaders, package.json)
                                 and print the sizes against the budgets in wasm-pack.toml
  test [--quick] [SUITE...]      install what is missing, build, run the suites and print
                                 `tests: N passed, N failed, N skipped`; exits non-zero on failure
                                 --quick: no browsers, no lint (native wasm-node js-node js-deno
                                 js-bun js-workerd types size)
                                 SUITE: any of native wasm-node wasm-chromium wasm-firefox
                                 js-node js-deno js-bun js-workerd js-chromium vite-chromium
                                 types e2e lint size; js = the six js-*/vite-* suites
  bench [--qr-encoders]          totp-wasm against otpauth, @oslojs/otp, speakeasy, node-qrcode, qr
                                 in Node and Chromium, and natively; ratios in bench/RESULTS.md
                                 (--qr-encoders: the page entry per QR encoder, bench/QR-ENCODERS.md)
  fuzz [SECONDS | --runs N] [TARGET...]
                                 coverage-guided fuzzing (fuzz/, cargo-fuzz, installed once):
                                 each target SECONDS (default 30) or N executions, one summary
                                 line per target, figures in fuzz/RESULTS.md;
                                 exits non-zero on a crash (input left in fuzz/artifacts/)
                                 TARGET: any of uri base32 state migration policy verify
  demo [--port N] [--state DIR] [--login one-form|two-step]
                                 build, then serve www/ + pkg/ through edge/ on workerd at
                                 http://127.0.0.1:N/ (default 8787, state in .demo/, the
                                 two-step sign-in); Ctrl-C stops
  operator <lookup|reset|unlock|log> USER [--reason TEXT] [--delay S] [--port N] [--state DIR]
                                 the support tool against a running demo (its operator token
                                 from <state>/operator-token); JSON answer on stdout

environment:
  CI=true                        a suite that cannot run (tool missing) fails instead of skipping
  TOTP_WASM_CACHE                tool cache (default ~/.cache/totp-wasm)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let ctx = match Ctx::new() {
        Ok(ctx) => ctx,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = match args.first().map(String::as_str) {
        Some("build") => no_more_args(&args[1..]).and_then(|()| build::command(&ctx)),
        Some("test") => test::command(&ctx, &args[1..]),
        Some("demo") => demo::command(&ctx, &args[1..]),
        Some("bench") => bench::command(&ctx, &args[1..]),
        Some("fuzz") => fuzz::command(&ctx, &args[1..]),
        Some("operator") => operator::command(&ctx, &args[1..]),
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            Ok(ExitCode::SUCCESS)
        }
        Some(other) => Err(format!("unknown command `{other}`\n\n{USAGE}")),
        None => Err(USAGE.to_string()),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn no_more_args(args: &[String]) -> Result<()> {
    match args.first() {
        None => Ok(()),
        Some(arg) => Err(format!("unexpected argument `{arg}`\n\n{USAGE}")),
    }
}
