//! `cargo xtask test`: installs what is missing, builds pkg/, runs every suite with its output
//! streamed, then prints the summary table and `tests: N passed, N failed, N skipped`.
//!
//! | suite          | runner                                                                 |
//! | -------------- | ---------------------------------------------------------------------- |
//! | native         | cargo test -p totp-wasm (unit, integration and doc-tests)              |
//! | wasm-node      | cargo test --target wasm32-unknown-unknown --test wasm (Node)          |
//! | wasm-chromium  | the same, WASM_BINDGEN_USE_BROWSER=1 CHROMEDRIVER=/usr/bin/chromedriver |
//! | wasm-firefox   | the same, WASM_BINDGEN_USE_BROWSER=1 GECKODRIVER=<cache>/geckodriver   |
//! | js-node … types | tests/js and tests/types against the npm tarball in every runtime (`runtimes`) |
//! | e2e            | node --test --test-reporter=tap tests/e2e/**/*.test.mjs (workerd, Chromium) |
//! | edge           | node --test --test-reporter=tap tests/edge/**/*.test.mjs (the API on workerd) |
//! | edge-wrangler  | the same files against the bundle of `wrangler deploy --dry-run` (`edge_wrangler`) |
//! | lint, size     | clippy + rustdoc with warnings denied; the size ratchet (`checks`)     |
//!
//! A suite whose tool cannot be installed is a failure under CI=true, a skip with its reason
//! otherwise; a suite with no test files is skipped. For the node suites, target/screenshots/
//! is created and CHROMIUM_PATH names the Chromium found (unless already set). `js` selects
//! the six js-*/vite-* rows.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

use crate::process::{self, step};
use crate::report::{self, Counts, Status, SuiteResult};
use crate::suite::{failed, first_line, no_tests, run_suite, unavailable};
use crate::tools::{self, BrowserTools, BuildTools, Tool};
use crate::{Ctx, Result, build, checks, runtimes};

const SUITES: &[&str] = &[
    "native",
    "wasm-node",
    "wasm-chromium",
    "wasm-firefox",
    "js-node",
    "js-deno",
    "js-bun",
    "js-workerd",
    "js-chromium",
    "vite-chromium",
    "types",
    "e2e",
    "edge",
    "edge-wrangler",
    "lint",
    "size",
];
const QUICK: &[&str] = &["native", "wasm-node", "js-node", "js-deno", "js-bun", "js-workerd", "types", "size"];
/// The suites that test pkg/ (built first) and the npm tarball (packed and installed first).
const NEEDS_PKG: &[&str] =
    &["js-node", "js-deno", "js-bun", "js-workerd", "js-chromium", "vite-chromium", "types", "e2e", "edge", "edge-wrangler", "size"];

/// Variables that choose wasm-bindgen-test-runner's environment: each wasm suite sets its own.
const RUNNER_ENV: &[&str] = &[
    "WASM_BINDGEN_USE_BROWSER",
    "WASM_BINDGEN_USE_DENO",
    "WASM_BINDGEN_USE_NODE_EXPERIMENTAL",
    "WASM_BINDGEN_TEST_ONLY_NODE",
    "WASM_BINDGEN_TEST_ONLY_WEB",
    "CHROMEDRIVER",
    "GECKODRIVER",
    "SAFARIDRIVER",
];

pub fn command(ctx: &Ctx, args: &[String]) -> Result<ExitCode> {
    let mut selected: Vec<&str> = Vec::new();
    let mut quick = false;
    for arg in args {
        match arg.as_str() {
            "--quick" => quick = true,
            "js" => selected.extend(&runtimes::SUITES[..6]),
            name => match SUITES.iter().find(|s| **s == name) {
                Some(s) => selected.push(s),
                None => return Err(format!("unknown suite or option `{name}` (suites: {})", SUITES.join(" "))),
            },
        }
    }
    if selected.is_empty() {
        selected = if quick { QUICK.to_vec() } else { SUITES.to_vec() };
    }
    let wants = |names: &[&str]| names.iter().any(|n| selected.contains(n));

    let mut results = Vec::new();
    step("tools");
    let build_tools: Result<BuildTools> =
        if wants(&SUITES[1..]) { tools::build_tools(ctx) } else { Err("not needed".into()) };
    if let (Err(e), true) = (&build_tools, wants(&SUITES[1..])) {
        eprintln!("warning: {e}");
    }
    let browsers =
        wants(&["wasm-chromium", "wasm-firefox", "js-chromium", "vite-chromium", "e2e", "edge"]).then(|| tools::browser_tools(ctx));

    // pkg/ is what the js and e2e suites test.
    let mut built: Result<()> = Err("not built".into());
    if let (true, Ok(tools)) = (wants(NEEDS_PKG), &build_tools) {
        step("build");
        let started = Instant::now();
        built = build::build(ctx, tools);
        let (status, note) = match &built {
            Ok(()) => (Status::Ok, String::new()),
            Err(e) => {
                eprintln!("error: {e}");
                (Status::Failed, "see the output above; js and e2e cannot run".to_string())
            }
        };
        let seconds = started.elapsed().as_secs_f64();
        results.push(SuiteResult { name: "build", status, counts: Counts::default(), seconds, note });
    }
    // The npm tarball, installed into a temporary project (removed when `project` drops).
    let project = match &built {
        Ok(()) if wants(&runtimes::SUITES) => runtimes::prepare(ctx).inspect_err(|e| eprintln!("error: {e}")),
        Ok(()) => Err("not needed".into()),
        Err(e) => Err(format!("pkg/ was not built: {}", first_line(e))),
    };

    for &name in &selected {
        step(format!("suite {name}"));
        let result = match name {
            "native" => native(ctx),
            "wasm-node" | "wasm-chromium" | "wasm-firefox" => wasm(ctx, name, &build_tools, browsers.as_ref()),
            "lint" => checks::lint(ctx),
            "size" => checks::size(ctx, &built),
            _ if runtimes::SUITES.contains(&name) => runtimes::suite(ctx, name, &project, browsers.as_ref()),
            "edge-wrangler" => edge_wrangler(ctx, &built),
            _ => node_suite(ctx, name, &build_tools, &built, browsers.as_ref()),
        };
        println!("suite {name}: {} ({})", status_word(result.status), result.counts);
        results.push(result);
    }

    let total = report::print_summary(&results);
    Ok(if total.failed == 0 && results.iter().all(|r| r.status != Status::Failed) {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn status_word(s: Status) -> &'static str {
    match s {
        Status::Ok => "ok",
        Status::Failed => "FAILED",
        Status::Skipped => "skipped",
    }
}

/// cargo test of the crate on the host: unit, integration and doc-tests.
fn native(ctx: &Ctx) -> SuiteResult {
    let mut cmd = process::cargo();
    cmd.current_dir(&ctx.root).args(["test", "-p", "totp-wasm", "--no-fail-fast"]);
    run_suite("native", &mut cmd, report::libtest_counts)
}

/// The wasm-bindgen-test suite (tests/wasm) in Node, headless Chromium or headless Firefox.
fn wasm(ctx: &Ctx, name: &'static str, build_tools: &Result<BuildTools>, browsers: Option<&BrowserTools>) -> SuiteResult {
    let tools = match build_tools {
        Ok(tools) => tools,
        Err(e) => return unavailable(ctx, name, format!("wasm-bindgen-test-runner: {e}")),
    };
    if !ctx.root.join("tests/wasm/main.rs").is_file() && !ctx.root.join("tests/wasm.rs").is_file() {
        return no_tests(name, "no tests/wasm/main.rs");
    }
    let mut cmd = process::cargo();
    cmd.current_dir(&ctx.root)
        .args(["test", "-p", "totp-wasm", "--target", "wasm32-unknown-unknown", "--test", "wasm", "--no-fail-fast"]);
    for var in RUNNER_ENV {
        cmd.env_remove(var);
    }
    match process::path_with(&tools.wasm_bindgen_dir) {
        Ok(path) => cmd.env("PATH", path),
        Err(e) => return failed(name, e),
    };
    if std::env::var_os("WASM_BINDGEN_TEST_TIMEOUT").is_none() {
        // The default 20 s is tight for a cold browser start on 2 cores.
        cmd.env("WASM_BINDGEN_TEST_TIMEOUT", "120");
    }
    let need = |tools: &[(&str, &Tool)]| -> Result<Vec<PathBuf>> {
        tools.iter().map(|(what, t)| (*t).clone().map_err(|e| format!("{what}: {e}"))).collect()
    };
    match (name, browsers) {
        ("wasm-chromium", Some(b)) => match need(&[("chromedriver", &b.chromedriver), ("chromium", &b.chromium)]) {
            Ok(paths) => cmd.env("WASM_BINDGEN_USE_BROWSER", "1").env("CHROMEDRIVER", &paths[0]),
            Err(e) => return unavailable(ctx, name, e),
        },
        ("wasm-firefox", Some(b)) => match need(&[("geckodriver", &b.geckodriver), ("firefox", &b.firefox)]) {
            Ok(paths) => cmd.env("WASM_BINDGEN_USE_BROWSER", "1").env("GECKODRIVER", &paths[0]),
            Err(e) => return unavailable(ctx, name, e),
        },
        _ => &mut cmd,
    };
    run_suite(name, &mut cmd, report::libtest_counts)
}

/// A node --test suite: tests/js or tests/e2e, against the built package.
fn node_suite(
    ctx: &Ctx,
    name: &'static str,
    build_tools: &Result<BuildTools>,
    built: &Result<()>,
    browsers: Option<&BrowserTools>,
) -> SuiteResult {
    let dir = ctx.root.join("tests").join(name);
    let files = test_files(&dir);
    if files.is_empty() {
        return no_tests(name, &format!("no *.test.mjs in tests/{name}/"));
    }
    if let Err(e) = build_tools {
        return unavailable(ctx, name, e.clone());
    }
    if let Err(e) = built {
        return failed(name, format!("pkg/ was not built: {}", first_line(e)));
    }
    let workerd = ctx.root.join("node_modules/.bin/workerd");
    let chromium = browsers.map(|b| b.chromium.clone());
    if name == "e2e" {
        match &chromium {
            Some(Err(e)) => return unavailable(ctx, name, format!("chromium: {e}")),
            None => return unavailable(ctx, name, "chromium was not looked for".into()),
            Some(Ok(_)) => {}
        }
        if !process::is_executable(&workerd) {
            return unavailable(ctx, name, format!("{} missing after npm ci", workerd.display()));
        }
    }
    let screenshots = build::target_dir(ctx).join("screenshots");
    if let Err(e) = std::fs::create_dir_all(&screenshots) {
        return failed(name, format!("creating {}: {e}", screenshots.display()));
    }
    let mut cmd = Command::new("node");
    cmd.current_dir(&ctx.root)
        .args(["--test", "--test-reporter=tap"])
        .args(files.iter().map(|f| f.strip_prefix(&ctx.root).unwrap_or(f)));
    if let (Some(Ok(chromium)), None) = (&chromium, std::env::var_os("CHROMIUM_PATH")) {
        cmd.env("CHROMIUM_PATH", chromium);
    }
    run_suite(name, &mut cmd, report::tap_counts)
}

/// The edge suite (tests/edge) against the deployment artefact: `wrangler deploy --dry-run
/// --outdir` bundles edge/wrangler.toml's worker (package `exports` resolved by wrangler's
/// bundler, nothing deployed, no network), and tests/edge/support/edge.mjs serves that bundle's
/// modules on workerd when TOTP_WASM_EDGE_BUNDLE names it.
fn edge_wrangler(ctx: &Ctx, built: &Result<()>) -> SuiteResult {
    let name = "edge-wrangler";
    let files = test_files(&ctx.root.join("tests/edge"));
    if files.is_empty() {
        return no_tests(name, "no *.test.mjs in tests/edge/");
    }
    if let Err(e) = built {
        return failed(name, format!("pkg/ was not built: {}", first_line(e)));
    }
    let wrangler = match tools::wrangler(ctx) {
        Ok(exe) => exe,
        Err(e) => return unavailable(ctx, name, format!("wrangler: {e}")),
    };
    let started = Instant::now();
    let bundle = build::target_dir(ctx).join("edge-wrangler");
    if let Err(e) = wrangler_bundle(ctx, &wrangler, &bundle) {
        return SuiteResult { seconds: started.elapsed().as_secs_f64(), ..failed(name, e) };
    }
    let mut cmd = Command::new("node");
    cmd.current_dir(&ctx.root)
        .args(["--test", "--test-reporter=tap"])
        .args(files.iter().map(|f| f.strip_prefix(&ctx.root).unwrap_or(f)))
        .env("TOTP_WASM_EDGE_BUNDLE", &bundle);
    let result = run_suite(name, &mut cmd, report::tap_counts);
    SuiteResult { seconds: started.elapsed().as_secs_f64(), ..result }
}

/// `wrangler deploy --dry-run --outdir <bundle>` in edge/, offline: no metrics, no Cloudflare
/// API, and no banner (printing it asks the npm registry for a newer wrangler). wrangler.toml's
/// assets folder (target/site) only has to exist for a dry run.
fn wrangler_bundle(ctx: &Ctx, wrangler: &Path, bundle: &Path) -> Result<()> {
    let fresh = || -> std::io::Result<()> {
        if bundle.exists() {
            std::fs::remove_dir_all(bundle)?;
        }
        std::fs::create_dir_all(ctx.root.join("target/site"))
    };
    fresh().map_err(|e| format!("preparing {}: {e}", bundle.display()))?;
    let mut cmd = Command::new(wrangler);
    cmd.current_dir(ctx.root.join("edge"))
        .args(["deploy", "--dry-run", "--outdir"])
        .arg(bundle)
        .env("WRANGLER_SEND_METRICS", "false")
        .env("CLOUDFLARE_CF_FETCH_ENABLED", "false")
        .env("WRANGLER_HIDE_BANNER", "true")
        .stdin(std::process::Stdio::null())
        .env_remove("CLOUDFLARE_API_TOKEN")
        .env_remove("CLOUDFLARE_ACCOUNT_ID");
    process::run(&mut cmd).map_err(|e| format!("wrangler deploy --dry-run: {e}"))
}

/// `*.test.mjs` / `*.test.js` files below `dir`, sorted.
fn test_files(dir: &Path) -> Vec<PathBuf> {
    if !dir.is_dir() {
        return Vec::new();
    }
    let mut files = crate::package::files_under(dir).unwrap_or_default();
    files.retain(|f| {
        let name = f.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        name.ends_with(".test.mjs") || name.ends_with(".test.js")
    });
    files
}
