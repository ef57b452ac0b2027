//! Installing what is missing, once: the wasm target, the wasm-bindgen CLI matching Cargo.lock,
//! geckodriver (both cached outside the repository), npm dev tools, Debian's browsers.
//!
//! Every check is cheap when the tool is there; nothing is reinstalled when present. Installs
//! into the cache hold a lock file (`<cache>/locks/`), so two xtask runs never race, and wait for
//! a `cargo install` into the same folder started by hand.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::process::{self, is_executable, which};
use crate::{Context, Ctx, Result};

/// geckodriver has no lock file to follow: pinned here.
const GECKODRIVER_VERSION: &str = "0.37.1";

/// Something a suite needs: its path, or why it is not available.
pub type Tool = Result<PathBuf, String>;

/// What `cargo xtask build` needs.
pub struct BuildTools {
    /// The wasm-bindgen CLI at the version of the `wasm-bindgen` crate in Cargo.lock.
    pub wasm_bindgen: PathBuf,
    /// Its bin folder, which also holds `wasm-bindgen-test-runner` (the cargo runner for wasm32).
    pub wasm_bindgen_dir: PathBuf,
    /// `wasm-opt` of the npm `binaryen` package.
    pub wasm_opt: PathBuf,
}

/// The wasm target, wasm-bindgen and the npm tools; any failure is fatal for the build.
pub fn build_tools(ctx: &Ctx) -> Result<BuildTools> {
    wasm_target(ctx)?;
    let wasm_bindgen_dir = wasm_bindgen(ctx)?;
    npm(ctx)?;
    let wasm_opt = ctx.root.join("node_modules/.bin/wasm-opt");
    if !is_executable(&wasm_opt) {
        return Err(format!(
            "{} is missing after `npm ci`: is `binaryen` still in package.json?",
            wasm_opt.display()
        ));
    }
    Ok(BuildTools { wasm_bindgen: wasm_bindgen_dir.join("wasm-bindgen"), wasm_bindgen_dir, wasm_opt })
}

/// What the browser suites need; each is either there or comes with the reason it is not.
pub struct BrowserTools {
    pub chromium: Tool,
    pub chromedriver: Tool,
    pub firefox: Tool,
    pub geckodriver: Tool,
}

/// Debian's browsers (and the reference tools the tests cross-check with) and geckodriver.
pub fn browser_tools(ctx: &Ctx) -> BrowserTools {
    // (binaries, Debian package): the package is installed when none of the binaries is found.
    let wanted: [(&[&str], &str); 6] = [
        (&["chromium"], "chromium"),
        (&["chromedriver"], "chromium-driver"),
        (&["firefox-esr", "firefox"], "firefox-esr"),
        (&["oathtool"], "oathtool"),
        (&["zbarimg"], "zbar-tools"),
        (&["sqlite3"], "sqlite3"), // the security log's tamper test edits a Durable Object's file
    ];
    let find = |bins: &[&str]| bins.iter().find_map(|b| which(b));
    let missing: Vec<&str> = wanted.iter().filter(|(bins, _)| find(bins).is_none()).map(|(_, p)| *p).collect();
    let apt_error = if missing.is_empty() { None } else { apt_install(&missing).err() };
    if let Some(e) = &apt_error {
        eprintln!("warning: {e}");
    }
    let tool = |bins: &[&str], package: &str| -> Tool {
        find(bins).ok_or_else(|| match &apt_error {
            Some(e) => format!("`{}` not found (Debian package {package}): {e}", bins.join("`/`")),
            None => format!("`{}` not found although `apt-get install {package}` succeeded", bins.join("`/`")),
        })
    };
    for (bins, package) in &wanted[3..] {
        if let Err(e) = tool(bins, package) {
            eprintln!("warning: {e} (tests that cross-check with it may skip)");
        }
    }
    BrowserTools {
        chromium: tool(wanted[0].0, wanted[0].1),
        chromedriver: tool(wanted[1].0, wanted[1].1),
        firefox: tool(wanted[2].0, wanted[2].1),
        geckodriver: geckodriver(ctx),
    }
}

/// `rustup target add wasm32-unknown-unknown` unless the toolchain already has it.
fn wasm_target(ctx: &Ctx) -> Result<()> {
    let sysroot = process::stdout_of(Command::new("rustc").current_dir(&ctx.root).args(["--print", "sysroot"]))
        .context("finding the Rust toolchain")?;
    if Path::new(sysroot.trim()).join("lib/rustlib/wasm32-unknown-unknown").is_dir() {
        return Ok(());
    }
    process::step("installing the Rust target wasm32-unknown-unknown");
    process::run(Command::new("rustup").current_dir(&ctx.root).args(["target", "add", "wasm32-unknown-unknown"]))
        .context("installing the wasm32-unknown-unknown target (is rustup installed?)")
}

/// The wasm-bindgen CLI whose version is that of the `wasm-bindgen` crate the lock file
/// resolves; returns its bin folder.
fn wasm_bindgen(ctx: &Ctx) -> Result<PathBuf> {
    let version = locked_version(ctx, "wasm-bindgen")?;
    let root = ctx.cache.join(format!("wasm-bindgen-{version}"));
    let bin = root.join("bin");
    let check = || -> Result<bool> {
        let exe = bin.join("wasm-bindgen");
        if !is_executable(&exe) || !is_executable(&bin.join("wasm-bindgen-test-runner")) {
            return Ok(false);
        }
        let out = process::stdout_of(Command::new(&exe).arg("--version"))?;
        // "wasm-bindgen 0.2.130"
        Ok(out.split_whitespace().nth(1) == Some(version.as_str()))
    };
    if check()? {
        return Ok(bin);
    }
    let what = format!("wasm-bindgen-cli {version}");
    with_lock(ctx, &format!("wasm-bindgen-{version}"), || {
        wait_for_foreign_install(&root);
        if check()? {
            return Ok(());
        }
        process::step(format!("installing {what} into {} (about 5 minutes, once)", root.display()));
        // No --locked: with it the install failed on a locked dependency (webpki-roots).
        let mut cmd = process::cargo();
        cmd.current_dir(&ctx.cache)
            .args(["install", "wasm-bindgen-cli", "--force", "--version", &version, "--root"])
            .arg(&root);
        process::run_logged(&mut cmd, &ctx.cache.join(format!("logs/wasm-bindgen-{version}.log")))?;
        if check()? { Ok(()) } else { Err(format!("{} does not report version {version}", bin.display())) }
    })
    .with_context(|| format!("installing {what}"))?;
    Ok(bin)
}

/// The version of `package` in Cargo.lock (via `cargo metadata`, which also refreshes a lock
/// file that lags behind Cargo.toml).
fn locked_version(ctx: &Ctx, package: &str) -> Result<String> {
    #[derive(serde::Deserialize)]
    struct Metadata {
        packages: Vec<Package>,
    }
    #[derive(serde::Deserialize)]
    struct Package {
        name: String,
        version: String,
    }
    let json = process::stdout_of(
        process::cargo().current_dir(&ctx.root).args(["metadata", "--format-version", "1", "--quiet"]),
    )
    .context("reading the dependency graph")?;
    let meta: Metadata = serde_json::from_str(&json).context("parsing `cargo metadata`")?;
    let mut versions: Vec<String> = meta.packages.into_iter().filter(|p| p.name == package).map(|p| p.version).collect();
    versions.sort();
    versions.dedup();
    match versions.as_slice() {
        [one] => Ok(one.clone()),
        [] => Err(format!("`{package}` is not a dependency in Cargo.lock")),
        many => Err(format!("Cargo.lock has several versions of `{package}` ({}): pin one", many.join(", "))),
    }
}

/// geckodriver in `<cache>/geckodriver/bin`, for the Firefox suite.
fn geckodriver(ctx: &Ctx) -> Tool {
    let root = ctx.cache.join("geckodriver");
    let exe = root.join("bin/geckodriver");
    if is_executable(&exe) {
        return Ok(exe);
    }
    with_lock(ctx, "geckodriver", || {
        wait_for_foreign_install(&root);
        if is_executable(&exe) {
            return Ok(());
        }
        process::step(format!("installing geckodriver {GECKODRIVER_VERSION} into {} (about 3 minutes, once)", root.display()));
        let mut cmd = process::cargo();
        cmd.current_dir(&ctx.cache)
            .args(["install", "geckodriver", "--version", GECKODRIVER_VERSION, "--root"])
            .arg(&root);
        process::run_logged(&mut cmd, &ctx.cache.join("logs/geckodriver.log"))?;
        if is_executable(&exe) { Ok(()) } else { Err(format!("{} missing after the install", exe.display())) }
    })
    .context("installing geckodriver")?;
    Ok(exe)
}

/// wrangler (Cloudflare's CLI, for the bundle `wrangler deploy --dry-run` makes): pinned in
/// package.json's devDependencies (4.86: later ones need Node 22), installed by `npm ci`.
pub fn wrangler(ctx: &Ctx) -> Tool {
    npm(ctx)?;
    let exe = ctx.root.join("node_modules/.bin/wrangler");
    if is_executable(&exe) {
        Ok(exe)
    } else {
        Err(format!("{} is missing after `npm ci`: is `wrangler` still in package.json?", exe.display()))
    }
}

/// `npm ci` when node_modules does not match package-lock.json (a stamp holds the hash of the
/// lock file it was installed from).
pub fn npm(ctx: &Ctx) -> Result<()> {
    let lock = ctx.root.join("package-lock.json");
    let stamp = ctx.root.join("node_modules/.xtask-npm-stamp");
    let lock_text = std::fs::read(&lock).with_context(|| format!("reading {}", lock.display()))?;
    let want = format!("{:016x}\n", fnv1a(&lock_text));
    let current = || std::fs::read_to_string(&stamp).ok();
    if current().as_deref() == Some(want.as_str()) {
        return Ok(());
    }
    if which("node").is_none() || which("npm").is_none() {
        return Err("node and npm are needed (Debian: apt-get install nodejs npm; Node >= 20)".into());
    }
    with_lock(ctx, "npm", || {
        if current().as_deref() == Some(want.as_str()) {
            return Ok(());
        }
        process::step("installing npm dev tools (npm ci)");
        let mut ci = Command::new("npm");
        ci.current_dir(&ctx.root).args(["ci", "--no-audit", "--no-fund"]);
        println!("$ {}", process::show(&ci));
        let out = ci.output().context("running npm (is it installed?)")?;
        if !out.status.success() {
            // The registry mirror this lock file was made with lacks workerd's and deno's
            // macOS/Windows (and deno's arm64) binaries at the pinned versions, so
            // package-lock.json has no entries for them and `npm ci` calls it out of sync;
            // `npm install` installs the same locked versions and tolerates that (it leaves the
            // lock file as it is, and removes the node_modules/totp-wasm link, which every
            // build makes again).
            let text = String::from_utf8_lossy(&out.stderr);
            let why: Vec<&str> = text.lines().filter(|l| l.contains("Missing:") || l.contains("ERR")).take(4).collect();
            eprintln!("warning: `npm ci` failed ({}): {}", out.status, why.join(" / "));
            eprintln!("retrying with `npm install` (same locked versions)");
            process::run(Command::new("npm").current_dir(&ctx.root).args(["install", "--no-audit", "--no-fund"]))?;
        }
        std::fs::write(&stamp, &want).with_context(|| format!("writing {}", stamp.display()))
    })
    .context("installing npm dev tools")
}

/// 64-bit FNV-1a: a stable content hash for the npm stamp.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

/// `apt-get install -y` (as root), waiting for a dpkg lock held by another install.
fn apt_install(packages: &[&str]) -> Result<()> {
    let hint = format!("apt-get install -y {}", packages.join(" "));
    if which("apt-get").is_none() {
        return Err(format!("no apt-get here: install {} by other means", packages.join(", ")));
    }
    let uid = process::stdout_of(Command::new("id").arg("-u")).unwrap_or_default();
    if uid.trim() != "0" {
        return Err(format!("not root: run `sudo {hint}`"));
    }
    process::step(format!("installing Debian packages: {}", packages.join(" ")));
    let install = || {
        let mut cmd = Command::new("apt-get");
        cmd.env("DEBIAN_FRONTEND", "noninteractive")
            .args(["-o", "DPkg::Lock::Timeout=900", "install", "-y"])
            .args(packages);
        process::run(&mut cmd)
    };
    if install().is_ok() {
        return Ok(());
    }
    // A fresh machine may have no package lists yet.
    process::run(Command::new("apt-get").args(["-o", "DPkg::Lock::Timeout=900", "update"]))
        .and_then(|()| install())
        .with_context(|| format!("`{hint}`"))
}

/// Runs `f` holding `<cache>/locks/<name>.lock`.
pub fn with_lock(ctx: &Ctx, name: &str, f: impl FnOnce() -> Result<()>) -> Result<()> {
    let _lock = process::lock(&ctx.cache.join("locks").join(format!("{name}.lock")))?;
    f()
}

/// Waits while another process runs `cargo install ... --root <root>` (e.g. started by hand).
pub fn wait_for_foreign_install(root: &Path) {
    let Some(root) = root.to_str() else { return };
    let mut announced = false;
    while let Some(pid) = foreign_install(root) {
        if !announced {
            println!("waiting for a running install into {root} (pid {pid}) to finish ...");
            announced = true;
        }
        std::thread::sleep(Duration::from_secs(5));
    }
}

fn foreign_install(root: &str) -> Option<u32> {
    let me = std::process::id();
    let entries = std::fs::read_dir("/proc").ok()?;
    entries.flatten().find_map(|e| {
        let pid: u32 = e.file_name().to_str()?.parse().ok()?;
        if pid == me {
            return None;
        }
        let cmdline = std::fs::read(e.path().join("cmdline")).ok()?;
        let args: Vec<&[u8]> = cmdline.split(|&b| b == 0).collect();
        let has = |s: &str| args.contains(&s.as_bytes());
        let root_arg = args.iter().any(|a| {
            *a == root.as_bytes() || a.strip_prefix(b"--root=").is_some_and(|r| r == root.as_bytes())
        });
        (has("install") && root_arg).then_some(pid)
    })
}
