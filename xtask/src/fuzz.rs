//! `cargo xtask fuzz [SECONDS | --runs N] [TARGET...]`: coverage-guided fuzzing of every parser and decoder
//! the core exposes to untrusted input, and of the verifier policy (the cargo-fuzz crate in
//! `fuzz/`, outside the workspace; what each target checks is at the top of its file in
//! `fuzz/fuzz_targets/`).
//!
//! Each target runs for SECONDS (default 30), or for N executions with `--runs N` (libFuzzer's
//! `-runs=N`; `--runs 10000000` is the figure the README quotes), with
//! `RUSTC_BOOTSTRAP=1 cargo fuzz run <target> fuzz/corpus/<target> fuzz/seeds/<target> --
//! -max_total_time=<s>` (or `-runs=<n>`): cargo-fuzz needs nightly features, which the stable
//! toolchain allows with `RUSTC_BOOTSTRAP=1`. Each finished target's figures (executions,
//! seconds, coverage, verdict, date, commit) replace its row in fuzz/results.json, from which
//! fuzz/RESULTS.md is rendered: both committed, so the figures live in the repository. The
//! machine is shared: run long campaigns as `nice -n 19 cargo xtask fuzz --runs …`. New inputs go to `fuzz/corpus/<target>` (kept between runs, ignored
//! by git); the committed seeds in `fuzz/seeds/<target>` are only read. The full output goes to
//! `target/fuzz/<target>.log`; one summary line per target is printed. A crash (a panic, i.e.
//! a broken invariant) leaves its input in `fuzz/artifacts/<target>/` and makes the command
//! exit non-zero; the other targets still run. Replay one with
//! `RUSTC_BOOTSTRAP=1 cargo fuzz run <target> <artifact>`.
//!
//! cargo-fuzz itself is installed once into `<cache>/cargo-fuzz` (like geckodriver in `tools`).
//! Not part of `cargo xtask test`.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{ExitCode, Stdio};
use std::time::Instant;

use crate::process::{self, is_executable, step};
use crate::{Context, Ctx, Result, tools};

#[path = "fuzz_results.rs"]
mod results;

/// The targets, in the order they run (the names of the `[[bin]]`s in fuzz/Cargo.toml).
pub const TARGETS: [&str; 6] = ["uri", "base32", "state", "migration", "policy", "verify"];

const DEFAULT_SECONDS: u64 = 30;

/// cargo-fuzz is installed with `--locked` at this version (it worked with the machine's
/// stable toolchain and RUSTC_BOOTSTRAP=1).
const CARGO_FUZZ_VERSION: &str = "0.13.2";

const USAGE: &str = "usage: cargo xtask fuzz [SECONDS | --runs N] [TARGET...]   (default 30 s each; \
                     targets: uri base32 state migration policy verify)";

/// How long each target runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Budget {
    Seconds(u64),
    Runs(u64),
}

impl Budget {
    fn flag(self) -> String {
        match self {
            Budget::Seconds(s) => format!("-max_total_time={s}"),
            Budget::Runs(n) => format!("-runs={n}"),
        }
    }

    fn describe(self) -> String {
        match self {
            Budget::Seconds(s) => format!("{s} s"),
            Budget::Runs(n) => format!("{} executions", thousands(n)),
        }
    }
}

pub fn command(ctx: &Ctx, args: &[String]) -> Result<ExitCode> {
    let (budget, targets) = parse_args(args)?;
    let bin = cargo_fuzz(ctx)?;
    let path = process::path_with(&bin)?;
    let fuzz_cmd = || {
        let mut cmd = process::cargo();
        cmd.current_dir(&ctx.root).env("RUSTC_BOOTSTRAP", "1").env("PATH", &path).arg("fuzz");
        cmd
    };

    step("building the fuzz targets (cargo fuzz build)");
    process::run(fuzz_cmd().arg("build")).context("building fuzz/ (see the compiler output above)")?;

    let logs = ctx.root.join("target/fuzz");
    std::fs::create_dir_all(&logs).with_context(|| format!("creating {}", logs.display()))?;
    let mut results = Vec::new();
    for target in &targets {
        step(format!("fuzzing `{target}` for {}", budget.describe()));
        let corpus = ctx.root.join("fuzz/corpus").join(target);
        std::fs::create_dir_all(&corpus).with_context(|| format!("creating {}", corpus.display()))?;
        let seeds = ctx.root.join("fuzz/seeds").join(target);
        let log = logs.join(format!("{target}.log"));
        let mut cmd = fuzz_cmd();
        cmd.args(["run", target]).arg(&corpus);
        if seeds.is_dir() {
            cmd.arg(&seeds);
        }
        cmd.arg("--").arg(budget.flag()).arg("-print_final_stats=1");
        let result = run_target(&mut cmd, &log)?;
        println!("{}", result.line(target));
        results::record(&ctx.root, target, &result.record(budget))?;
        if let Some(detail) = &result.detail {
            println!("{detail}");
        }
        results.push((target, result));
    }

    println!();
    println!("fuzz summary ({} per target; logs in {}; figures in fuzz/RESULTS.md):", budget.describe(), logs.display());
    for (target, result) in &results {
        println!("  {}", result.line(target));
    }
    let failed: Vec<&str> = results.iter().filter(|(_, r)| !r.ok()).map(|(t, _)| **t).collect();
    if failed.is_empty() {
        println!("fuzz: no crashes in {} targets", results.len());
        Ok(ExitCode::SUCCESS)
    } else {
        println!("fuzz: {} of {} targets failed: {}", failed.len(), results.len(), failed.join(", "));
        println!("replay one with: RUSTC_BOOTSTRAP=1 cargo fuzz run <target> <artifact>   (cargo-fuzz in {})", bin.display());
        Ok(ExitCode::FAILURE)
    }
}

fn parse_args(args: &[String]) -> Result<(Budget, Vec<&'static str>)> {
    let mut budget = None;
    let mut targets = Vec::new();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let positive = |text: &str| text.replace('_', "").parse::<u64>().ok().filter(|n| *n > 0);
        if let Some(target) = TARGETS.iter().find(|t| **t == arg.as_str()) {
            targets.push(*target);
        } else if arg == "--runs" && budget.is_none() && targets.is_empty() {
            let n = args.next().and_then(|n| positive(n)).ok_or_else(|| format!("--runs needs a positive count\n{USAGE}"))?;
            budget = Some(Budget::Runs(n));
        } else if budget.is_none() && targets.is_empty() && positive(arg).is_some() {
            budget = positive(arg).map(Budget::Seconds);
        } else {
            return Err(format!("unexpected argument `{arg}`\n{USAGE}"));
        }
    }
    if targets.is_empty() {
        targets = TARGETS.to_vec();
    }
    Ok((budget.unwrap_or(Budget::Seconds(DEFAULT_SECONDS)), targets))
}

/// cargo-fuzz in `<cache>/cargo-fuzz/bin` (installed once, about 2 minutes); returns that folder.
fn cargo_fuzz(ctx: &Ctx) -> Result<PathBuf> {
    let root = ctx.cache.join("cargo-fuzz");
    let bin = root.join("bin");
    let exe = bin.join("cargo-fuzz");
    if is_executable(&exe) {
        return Ok(bin);
    }
    tools::with_lock(ctx, "cargo-fuzz", || {
        tools::wait_for_foreign_install(&root);
        if is_executable(&exe) {
            return Ok(());
        }
        step(format!("installing cargo-fuzz {CARGO_FUZZ_VERSION} into {} (about 2 minutes, once)", root.display()));
        let mut cmd = process::cargo();
        cmd.current_dir(&ctx.cache)
            .args(["install", "cargo-fuzz", "--locked", "--version", CARGO_FUZZ_VERSION, "--root"])
            .arg(&root);
        process::run_logged(&mut cmd, &ctx.cache.join("logs/cargo-fuzz.log"))?;
        if is_executable(&exe) { Ok(()) } else { Err(format!("{} missing after the install", exe.display())) }
    })
    .context("installing cargo-fuzz")?;
    Ok(bin)
}

/// What one target's run showed.
struct Outcome {
    status_ok: bool,
    runs: Option<u64>,
    seconds: f64,
    exec_per_sec: Option<u64>,
    cov: Option<u64>,
    features: Option<u64>,
    corpus: Option<u64>,
    /// `crash-…`, `oom-…`, `timeout-…` or `leak-…` under fuzz/artifacts/<target>/.
    artifact: Option<String>,
    /// Stopped by SIGINT (Ctrl-C, or `kill -INT` of the fuzzer) before its budget ran out.
    interrupted: bool,
    /// The panic message (for a crash) or the end of the log (for any other failure).
    detail: Option<String>,
}

impl Outcome {
    fn record(&self, budget: Budget) -> results::Row {
        let verdict = match (&self.artifact, self.ok()) {
            (Some(path), _) => format!("crash: {}", path.rsplit('/').next().unwrap_or(path)),
            (None, true) => "no finding".to_string(),
            (None, false) if self.interrupted => "no finding (interrupted before the budget)".to_string(),
            (None, false) => "failed (not a crash)".to_string(),
        };
        results::Row {
            runs: self.runs.unwrap_or(0),
            seconds: self.seconds.round() as u64,
            exec_per_sec: self.exec_per_sec.unwrap_or(0),
            cov: self.cov.unwrap_or(0),
            corpus: self.corpus.unwrap_or(0),
            budget: budget.describe(),
            verdict,
        }
    }

    fn ok(&self) -> bool {
        self.status_ok && self.artifact.is_none()
    }

    fn line(&self, target: &str) -> String {
        let num = |n: Option<u64>| n.map_or("-".to_string(), thousands);
        let verdict = match (&self.artifact, self.ok()) {
            (Some(path), _) => format!("CRASH: {path}"),
            (None, true) => "ok, no crash".to_string(),
            (None, false) if self.interrupted => "interrupted, no crash".to_string(),
            (None, false) => "FAILED (not a crash: see the log)".to_string(),
        };
        format!(
            "{target:<10} {:>11} runs in {:>3.0} s ({:>7}/s)  cov {:>5}  ft {:>6}  corpus {:>5}  {verdict}",
            num(self.runs),
            self.seconds,
            num(self.exec_per_sec),
            num(self.cov),
            num(self.features),
            num(self.corpus),
        )
    }
}

fn run_target(cmd: &mut std::process::Command, log: &Path) -> Result<Outcome> {
    println!("$ RUSTC_BOOTSTRAP=1 {}   (output: {})", process::show(cmd), log.display());
    let file = File::create(log).with_context(|| format!("creating {}", log.display()))?;
    let file2 = file.try_clone().with_context(|| format!("opening {}", log.display()))?;
    let started = Instant::now();
    let status = cmd
        .stdin(Stdio::null())
        .stdout(file)
        .stderr(file2)
        .status()
        .with_context(|| format!("running `{}`", process::show(cmd)))?;
    let seconds = started.elapsed().as_secs_f64();
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let mut outcome = parse_log(&text);
    outcome.status_ok = status.success();
    outcome.seconds = seconds;
    if outcome.artifact.is_some() {
        outcome.detail = panic_message(&text);
    } else if !status.success() {
        let lines: Vec<&str> = text.lines().collect();
        outcome.detail = Some(format!("    {}", lines[lines.len().saturating_sub(15)..].join("\n    ")));
    }
    Ok(outcome)
}

/// Reads libFuzzer's output: the last status line (`#N ... cov: C ft: F corp: K/B ... exec/s: E`),
/// the final stats (`stat::number_of_executed_units: N`) and the artifact line.
fn parse_log(text: &str) -> Outcome {
    let mut out = Outcome {
        status_ok: false,
        runs: None,
        seconds: 0.0,
        exec_per_sec: None,
        cov: None,
        features: None,
        corpus: None,
        artifact: None,
        interrupted: false,
        detail: None,
    };
    let field = |words: &[&str], name: &str| -> Option<u64> {
        let at = words.iter().position(|w| *w == name)?;
        words.get(at + 1)?.split('/').next()?.parse().ok()
    };
    for line in text.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        if line.starts_with('#') && words.contains(&"cov:") {
            out.runs = words.first().and_then(|w| w.trim_start_matches('#').parse().ok()).or(out.runs);
            out.cov = field(&words, "cov:").or(out.cov);
            out.features = field(&words, "ft:").or(out.features);
            out.corpus = field(&words, "corp:").or(out.corpus);
            out.exec_per_sec = field(&words, "exec/s:").or(out.exec_per_sec);
        } else if let Some(n) = line.strip_prefix("stat::number_of_executed_units:") {
            out.runs = n.trim().parse().ok().or(out.runs);
        } else if let Some(n) = line.strip_prefix("stat::average_exec_per_sec:") {
            out.exec_per_sec = n.trim().parse().ok().or(out.exec_per_sec);
        } else if line.contains("libFuzzer: run interrupted") {
            out.interrupted = true;
        } else if let Some((_, path)) = line.split_once("Test unit written to ") {
            out.artifact = Some(path.trim().to_string());
        }
    }
    out
}

/// The panic (`thread '…' panicked at …` and the message lines after it, up to the backtrace).
fn panic_message(text: &str) -> Option<String> {
    let start = text.lines().position(|l| l.contains("panicked at"))?;
    let lines: Vec<&str> = text
        .lines()
        .skip(start)
        .take_while(|l| !l.starts_with("stack backtrace:") && !l.starts_with("note: run with") && !l.starts_with("=="))
        .take(20)
        .collect();
    Some(format!("    {}", lines.join("\n    ")))
}

/// 1234567 → "1,234,567".
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_clean_run() {
        let log = "INFO: Seed: 1\n#2\tINITED cov: 10 ft: 11 corp: 1/1b exec/s: 0 rss: 30Mb\n\
                   #275622\tDONE   cov: 237 ft: 609 corp: 121/9825b lim: 4096 exec/s: 45937 rss: 423Mb\n\
                   Done 275622 runs in 6 second(s)\nstat::number_of_executed_units: 275622\n\
                   stat::average_exec_per_sec:     45937\n";
        let o = parse_log(log);
        assert_eq!((o.runs, o.cov, o.features, o.corpus, o.exec_per_sec), (Some(275622), Some(237), Some(609), Some(121), Some(45937)));
        assert_eq!(o.artifact, None);
    }

    #[test]
    fn reads_a_crash() {
        let log = "#4542\tREDUCE cov: 750 ft: 1236 corp: 98/13232b lim: 503 exec/s: 0 rss: 54Mb L: 68/503 MS: 1 EraseBytes-\n\
                   \nthread '<unnamed>' (10247) panicked at fuzz_targets/state.rs:40:5:\nread [01]\n but writes [02]\n\
                   stack backtrace:\n   0: x\n==10247== ERROR: libFuzzer: deadly signal\n\
                   artifact_prefix='/w/fuzz/artifacts/state/'; Test unit written to /w/fuzz/artifacts/state/crash-e52c\n\
                   stat::number_of_executed_units: 4600\n";
        let o = parse_log(log);
        assert_eq!((o.runs, o.cov), (Some(4600), Some(750)));
        assert_eq!(o.artifact.as_deref(), Some("/w/fuzz/artifacts/state/crash-e52c"));
        let message = panic_message(log).unwrap();
        assert!(message.contains("state.rs:40:5") && message.contains("but writes [02]") && !message.contains("backtrace"));
    }

    #[test]
    fn reads_an_interrupted_run() {
        let log = "#2097152\tpulse  cov: 1152 ft: 3539 corp: 707/59Kb lim: 527 exec/s: 5720 rss: 539Mb\n\
                   ==4242== libFuzzer: run interrupted; exiting\nstat::number_of_executed_units: 2100000\n";
        let mut o = parse_log(log);
        assert!(o.interrupted && o.artifact.is_none());
        assert_eq!(o.runs, Some(2_100_000));
        o.status_ok = false; // libFuzzer exits 72 when interrupted
        assert_eq!(o.record(Budget::Runs(10_000_000)).verdict, "no finding (interrupted before the budget)");
    }

    #[test]
    fn arguments() {
        let args = |a: &[&str]| parse_args(&a.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(args(&[]).unwrap(), (Budget::Seconds(30), TARGETS.to_vec()));
        assert_eq!(args(&["20"]).unwrap(), (Budget::Seconds(20), TARGETS.to_vec()));
        assert_eq!(args(&["5", "uri", "state"]).unwrap(), (Budget::Seconds(5), vec!["uri", "state"]));
        assert_eq!(args(&["uri"]).unwrap(), (Budget::Seconds(30), vec!["uri"]));
        assert_eq!(args(&["--runs", "10_000_000", "uri"]).unwrap(), (Budget::Runs(10_000_000), vec!["uri"]));
        assert_eq!(Budget::Runs(10_000_000).flag(), "-runs=10000000");
        assert!(args(&["--runs"]).is_err());
        assert!(args(&["--runs", "0"]).is_err());
        assert!(args(&["5", "--runs", "9"]).is_err());
        assert!(args(&["0"]).is_err());
        assert!(args(&["uri", "5"]).is_err());
        assert!(args(&["nope"]).is_err());
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(thousands(12), "12");
    }
}
