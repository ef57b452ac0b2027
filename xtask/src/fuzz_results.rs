//! The fuzzing figures kept in the repository: fuzz/results.json (one row per target, replaced
//! when that target runs again) and fuzz/RESULTS.md rendered from it after every target.

use std::path::Path;
use std::process::Command;

use serde_json::{Value, json};

use super::{TARGETS, thousands};
use crate::{Context, Result};

/// One target's last run.
pub struct Row {
    pub runs: u64,
    pub seconds: u64,
    pub exec_per_sec: u64,
    pub cov: u64,
    pub corpus: u64,
    /// What the run was asked for: "10,000,000 executions" or "30 s".
    pub budget: String,
    /// "no finding", "crash: crash-…" or "failed (not a crash)".
    pub verdict: String,
}

/// Replaces `target`'s row (with today's date and the commit fuzzed) and rewrites both files.
pub fn record(root: &Path, target: &str, row: &Row) -> Result<()> {
    let json_path = root.join("fuzz/results.json");
    let mut all: Value = std::fs::read_to_string(&json_path)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_else(|| json!({ "targets": {} }));
    let value = json!({
        "executions": row.runs,
        "seconds": row.seconds,
        "exec_per_sec": row.exec_per_sec,
        "coverage": row.cov,
        "corpus": row.corpus,
        "asked": row.budget,
        "verdict": row.verdict,
        "date": today(),
        "commit": commit(root),
    });
    all["targets"][target] = value;
    let text = serde_json::to_string_pretty(&all).context("rendering fuzz/results.json")?;
    std::fs::write(&json_path, text + "\n").with_context(|| format!("writing {}", json_path.display()))?;
    let md = root.join("fuzz/RESULTS.md");
    std::fs::write(&md, markdown(&all)).with_context(|| format!("writing {}", md.display()))
}

fn markdown(all: &Value) -> String {
    let mut out = String::from(
        "# Fuzzing figures\n\nWritten by `cargo xtask fuzz` after each target (the row of a target is replaced when it runs\n\
         again); the data is in `results.json` beside this file. Command for the figures below:\n\
         `nice -n 19 cargo xtask fuzz --runs 10000000`. \"no finding\" = no panic (broken invariant), out-of-memory,\n\
         timeout or leak in that many executions.\n\n\
         | target | executions | seconds | exec/s | coverage | corpus | verdict | date | commit |\n\
         | --- | ---: | ---: | ---: | ---: | ---: | --- | --- | --- |\n",
    );
    for target in TARGETS {
        let Some(r) = all["targets"].get(target) else { continue };
        let n = |k: &str| r[k].as_u64().map_or("–".to_string(), thousands);
        let s = |k: &str| r[k].as_str().unwrap_or("–").to_string();
        out.push_str(&format!(
            "| {target} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
            n("executions"),
            n("seconds"),
            n("exec_per_sec"),
            n("coverage"),
            n("corpus"),
            s("verdict"),
            s("date"),
            s("commit"),
        ));
    }
    out
}

/// The commit fuzzed (short hash; `+changes` when the work tree differs from it).
fn commit(root: &Path) -> String {
    let git = |args: &[&str]| {
        Command::new("git").current_dir(root).args(args).output().ok().filter(|o| o.status.success()).map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
    };
    let hash = git(&["rev-parse", "--short=10", "HEAD"]).unwrap_or_else(|| "unknown".into());
    let dirty = git(&["status", "--porcelain", "--untracked-files=no", "--", "src", "fuzz/fuzz_targets", "Cargo.toml"]).is_some_and(|s| !s.is_empty());
    if dirty { format!("{hash}+changes") } else { hash }
}

/// Today's UTC date, YYYY-MM-DD (days since 1970 to the civil calendar, Howard Hinnant's method).
fn today() -> String {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let z = (secs / 86_400) as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}
