//! `cargo xtask build`: pkg/, the npm package, from wasm-pack.toml.
//!
//! For each `[[entry]]`, in order (they share cargo's output file): `cargo build` with the
//! entry's features, `wasm-bindgen --target web` into pkg/<dir>/, `wasm-opt` in place, then the
//! snippet rewrite, loaders and index.d.ts (`package`). Then pkg/package.json, the sizes
//! (`sizes`) and the link node_modules/totp-wasm -> ../pkg.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

use crate::config::{BuildConfig, CrateInfo, Entry};
use crate::process::{self, step};
use crate::tools::{self, BuildTools};
use crate::{Context, Ctx, Result, package, sizes};

const WASM_TARGET: &str = "wasm32-unknown-unknown";

pub fn command(ctx: &Ctx) -> Result<ExitCode> {
    let tools = tools::build_tools(ctx)?;
    build(ctx, &tools)?;
    Ok(ExitCode::SUCCESS)
}

/// Builds pkg/ from scratch: into target/pkg.new/, whose contents then replace pkg/'s (the
/// folder itself is kept, so a running demo keeps serving it, and tests running against pkg/
/// see it incomplete for milliseconds, not for the whole build). One build at a time.
pub fn build(ctx: &Ctx, tools: &BuildTools) -> Result<()> {
    let started = Instant::now();
    let config = BuildConfig::load(&ctx.root)?;
    let krate = CrateInfo::load(&ctx.root)?;
    let _lock = process::lock(&target_dir(ctx).join("xtask-build.lock"))?;
    let pkg = target_dir(ctx).join("pkg.new");
    empty_dir(&pkg)?;
    let shared = package::Shared::copy(ctx, &pkg)?;
    for entry in &config.entries {
        let features = if entry.features.is_empty() { "none".to_string() } else { entry.features.join(", ") };
        step(format!("build entry `{}` (pkg/{}/, features: {features})", entry.import, entry.dir));
        let wasm = cargo_build(ctx, &krate, entry)?;
        let out = pkg.join(&entry.dir);
        let out_name = package::out_name(&krate);
        let mut cmd = Command::new(&tools.wasm_bindgen);
        cmd.args(["--target", "web", "--out-name", &out_name, "--out-dir"]).arg(&out).arg(&wasm);
        process::run(&mut cmd).with_context(|| format!("wasm-bindgen for entry `{}`", entry.dir))?;
        // wasm-bindgen writes a `*` .gitignore into its output: it would hide the files from npm.
        let _ = std::fs::remove_file(out.join(".gitignore"));
        let module = out.join(format!("{out_name}_bg.wasm"));
        let mut cmd = Command::new(&tools.wasm_opt);
        cmd.args(&config.wasm_opt).arg(&module).arg("-o").arg(&module);
        process::run(&mut cmd).with_context(|| format!("wasm-opt for entry `{}`", entry.dir))?;
        package::rewrite_snippets(&pkg, &out, &out_name, &shared)?;
        package::write_entry_files(&out, &out_name, &shared)?;
    }
    package::write_package_json(ctx, &krate, &config, &pkg, &shared)?;
    package::copy_docs(ctx, &pkg)?;
    let staged = pkg;
    let pkg = ctx.root.join("pkg");
    empty_dir(&pkg)?;
    for item in std::fs::read_dir(&staged).with_context(|| format!("reading {}", staged.display()))? {
        let from = item.with_context(|| format!("reading {}", staged.display()))?.path();
        let Some(name) = from.file_name() else { continue };
        std::fs::rename(&from, pkg.join(name)).with_context(|| format!("moving {} into pkg/", from.display()))?;
    }
    package::link_node_modules(ctx)?;
    let measured = sizes::measure(&pkg, &config, &package::out_name(&krate), &shared)?;
    sizes::print(&measured);
    let json = target_dir(ctx).join("sizes.json");
    sizes::write_json(&json, &measured)?;
    println!("pkg/ built in {:.1}s (sizes in {})", started.elapsed().as_secs_f64(), json.display());
    Ok(())
}

/// `cargo build --release` of the crate's cdylib for wasm32 with the entry's features; returns
/// the `.wasm` cargo reports (read from its JSON messages, so no target-dir guessing).
fn cargo_build(ctx: &Ctx, krate: &CrateInfo, entry: &Entry) -> Result<PathBuf> {
    let mut cmd = process::cargo();
    cmd.current_dir(&ctx.root).args([
        "build",
        "--release",
        "--target",
        WASM_TARGET,
        "--lib",
        "-p",
        &krate.name,
        "--no-default-features",
        "--message-format=json-render-diagnostics",
    ]);
    if !entry.features.is_empty() {
        cmd.args(["--features", &entry.features.join(",")]);
    }
    println!("$ {}", process::show(&cmd));
    let json = process::stdout_of(&mut cmd).with_context(|| format!("building entry `{}`", entry.dir))?;
    let wanted = krate.wasm_file_name();
    json.lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|msg| msg["reason"] == "compiler-artifact")
        .filter_map(|msg| msg["filenames"].as_array().cloned())
        .flatten()
        .filter_map(|f| f.as_str().map(PathBuf::from))
        .find(|f| f.file_name().is_some_and(|n| n == wanted.as_str()))
        .ok_or_else(|| format!("cargo built no {wanted} for entry `{}` (is crate-type cdylib?)", entry.dir))
}

/// Removes everything inside `dir` (creating it when missing).
fn empty_dir(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    for item in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = item.with_context(|| format!("reading {}", dir.display()))?.path();
        let removed = match path.symlink_metadata() {
            Ok(m) if m.is_dir() => std::fs::remove_dir_all(&path),
            _ => std::fs::remove_file(&path),
        };
        removed.with_context(|| format!("removing {}", path.display()))?;
    }
    Ok(())
}

/// Where xtask's own outputs go (pkg.new/, sizes.json, screenshots/): the repository's target/
/// folder (ignored by git), whatever CARGO_TARGET_DIR says, so that the staged pkg/ is on the
/// same file system as pkg/ and tests find the screenshots folder at a fixed place.
pub fn target_dir(ctx: &Ctx) -> PathBuf {
    ctx.root.join("target")
}
