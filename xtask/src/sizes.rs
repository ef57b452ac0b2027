//! Sizes of each package entry (raw and gzip -9) against wasm-pack.toml: the goal (printed,
//! never a failure) and the size recorded last (the ratchet: the `size` suite of
//! `cargo xtask test` fails when an entry grows more than 1% past it). Written to
//! target/sizes.json by every build.

use std::io::Write;
use std::path::{Path, PathBuf};

use flate2::Compression;
use flate2::write::GzEncoder;
use serde_json::json;

use crate::config::{BuildConfig, Sizes};
use crate::package::{Shared, files_under};
use crate::{Context, Result};

/// Growth past the recorded size that the ratchet tolerates, in per cent.
pub const TOLERANCE_PERCENT: u64 = 1;

pub struct EntrySize {
    pub dir: String,
    pub import: String,
    pub wasm_raw: u64,
    pub wasm_gzip: u64,
    /// Sum of the gzip -9 sizes of every file a browser loads for the entry: .wasm, JS glue,
    /// browser.js, snippets and the shared JS (each file compressed on its own, as served).
    pub total_gzip: u64,
    pub goal: Sizes,
    pub recorded: Option<Sizes>,
}

pub fn measure(pkg: &Path, config: &BuildConfig, out_name: &str, shared: &Shared) -> Result<Vec<EntrySize>> {
    config
        .entries
        .iter()
        .map(|entry| {
            let out = pkg.join(&entry.dir);
            let wasm = std::fs::read(out.join(format!("{out_name}_bg.wasm"))).context("reading the built .wasm")?;
            let glue = out.join(format!("{out_name}.js"));
            let glue_text = std::fs::read_to_string(&glue).with_context(|| format!("reading {}", glue.display()))?;
            let mut loaded: Vec<PathBuf> = vec![glue.clone(), out.join("browser.js")];
            if out.join("snippets").is_dir() {
                // Only the snippets the glue still imports are downloaded.
                let imported = |f: &PathBuf| f.strip_prefix(&out).is_ok_and(|r| glue_text.contains(&*r.to_string_lossy()));
                loaded.extend(files_under(&out.join("snippets"))?.into_iter().filter(imported));
            }
            loaded.extend(shared.files.iter().filter(|f| !f.ends_with(".d.ts")).map(|f| pkg.join(f)));
            let mut total_gzip = gzip_len(&wasm)?;
            for file in &loaded {
                let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
                total_gzip += gzip_len(&bytes)?;
            }
            Ok(EntrySize {
                dir: entry.dir.clone(),
                import: entry.import.clone(),
                wasm_raw: wasm.len() as u64,
                wasm_gzip: gzip_len(&wasm)?,
                total_gzip,
                goal: entry.goal,
                recorded: entry.recorded,
            })
        })
        .collect()
}

fn gzip_len(bytes: &[u8]) -> Result<u64> {
    let mut gz = GzEncoder::new(Vec::new(), Compression::best());
    gz.write_all(bytes).context("gzip")?;
    Ok(gz.finish().context("gzip")?.len() as u64)
}

/// What the ratchet says about one entry.
#[derive(Debug, PartialEq, Eq)]
pub enum Ratchet {
    /// No `recorded = { ... }` for the entry.
    Unrecorded,
    /// Grown more than the tolerance past the record: (what, size, record) for each such size.
    Grown(Vec<(&'static str, u64, u64)>),
    /// Within the tolerance; `shrank` when below the record (the record can be lowered).
    Held { shrank: bool },
}

/// The ratchet's verdict for one entry: both gzip sizes against the recorded ones (a record
/// with only one of them checks only that one).
pub fn ratchet(s: &EntrySize) -> Ratchet {
    let Some(rec) = s.recorded.filter(|r| r.wasm_gzip.is_some() || r.total_gzip.is_some()) else {
        return Ratchet::Unrecorded;
    };
    let pairs = [("wasm gzip", s.wasm_gzip, rec.wasm_gzip), ("total gzip", s.total_gzip, rec.total_gzip)];
    let grown: Vec<_> = pairs
        .iter()
        .filter_map(|&(what, size, r)| r.filter(|&r| size * 100 > r * (100 + TOLERANCE_PERCENT)).map(|r| (what, size, r)))
        .collect();
    if !grown.is_empty() {
        return Ratchet::Grown(grown);
    }
    Ratchet::Held { shrank: pairs.iter().any(|&(_, size, r)| r.is_some_and(|r| size < r)) }
}

/// The line to put into the entry's table in wasm-pack.toml to record its current sizes.
pub fn record_line(s: &EntrySize) -> String {
    format!("recorded = {{ wasm_gzip = {}, total_gzip = {} }}", s.wasm_gzip, s.total_gzip)
}

pub fn print(sizes: &[EntrySize]) {
    println!();
    println!(
        "{:<18} {:>9} {:>9} {:>9} {:>9} {:>9}  goal (gzip -9)",
        "entry", "wasm", "wasm gz", "recorded", "total gz", "recorded"
    );
    for s in sizes {
        let rec = |v: Option<u64>| v.map_or("-".to_string(), |v| v.to_string());
        let row = format!(
            "{:<18} {:>9} {:>9} {:>9} {:>9} {:>9}  {}",
            s.import,
            s.wasm_raw,
            s.wasm_gzip,
            rec(s.recorded.and_then(|r| r.wasm_gzip)),
            s.total_gzip,
            rec(s.recorded.and_then(|r| r.total_gzip)),
            goals(s)
        );
        println!("{}", row.trim_end());
    }
    for s in sizes {
        match ratchet(s) {
            Ratchet::Unrecorded => {
                println!("note: `{}` has no recorded size: add `{}` to its [[entry]] in wasm-pack.toml", s.import, record_line(s));
            }
            Ratchet::Grown(grown) => {
                for (what, size, r) in grown {
                    println!(
                        "note: `{}` {what} is {size} bytes, more than {TOLERANCE_PERCENT}% past its record of {r}: the size suite fails",
                        s.import
                    );
                }
            }
            Ratchet::Held { shrank: true } => {
                println!("note: `{}` shrank below its record: lower it in wasm-pack.toml to `{}`", s.import, record_line(s));
            }
            Ratchet::Held { shrank: false } => {}
        }
    }
    println!("(total = .wasm + JS glue + browser.js + shared JS, each gzip -9 as served; goals are printed, records enforced)");
}

/// `total < 9422 (12345 over)` for the entry's goals; `-` without any.
pub fn goals(s: &EntrySize) -> String {
    let mut parts = Vec::new();
    for (what, size, goal) in [("wasm", s.wasm_gzip, s.goal.wasm_gzip), ("total", s.total_gzip, s.goal.total_gzip)] {
        if let Some(g) = goal {
            if size < g {
                parts.push(format!("{what} < {g} (met)"));
            } else {
                parts.push(format!("{what} < {g} ({} over)", size - g + 1));
            }
        }
    }
    if parts.is_empty() { "-".to_string() } else { parts.join(", ") }
}

pub fn write_json(path: &Path, sizes: &[EntrySize]) -> Result<()> {
    let entries: serde_json::Map<String, serde_json::Value> = sizes
        .iter()
        .map(|s| {
            let value = json!({
                "import": s.import,
                "wasm": s.wasm_raw,
                "wasm_gzip": s.wasm_gzip,
                "total_gzip": s.total_gzip,
                "goal": { "wasm_gzip": s.goal.wasm_gzip, "total_gzip": s.goal.total_gzip },
                "recorded": s.recorded.map(|r| json!({ "wasm_gzip": r.wasm_gzip, "total_gzip": r.total_gzip })),
            });
            (s.dir.clone(), value)
        })
        .collect();
    let text = serde_json::to_string_pretty(&json!({ "entries": entries })).context("rendering sizes.json")?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    std::fs::write(path, text + "\n").with_context(|| format!("writing {}", path.display()))
}

/// The measured sizes in target/sizes.json, with the goals and records of wasm-pack.toml as it
/// is now (so a record lowered since the build counts).
pub fn read_json(path: &Path, config: &BuildConfig) -> Result<Vec<EntrySize>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let json: serde_json::Value = serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
    config
        .entries
        .iter()
        .map(|entry| {
            let e = &json["entries"][&entry.dir];
            let num = |key: &str| {
                e[key].as_u64().ok_or_else(|| format!("{}: no {key} for entry `{}` (built before it existed?)", path.display(), entry.dir))
            };
            Ok(EntrySize {
                dir: entry.dir.clone(),
                import: entry.import.clone(),
                wasm_raw: num("wasm")?,
                wasm_gzip: num("wasm_gzip")?,
                total_gzip: num("total_gzip")?,
                goal: entry.goal,
                recorded: entry.recorded,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(wasm_gzip: u64, total_gzip: u64, recorded: Option<(u64, u64)>) -> EntrySize {
        EntrySize {
            dir: "core".into(),
            import: "totp-wasm/core".into(),
            wasm_raw: 0,
            wasm_gzip,
            total_gzip,
            goal: Sizes::default(),
            recorded: recorded.map(|(w, t)| Sizes { wasm_gzip: Some(w), total_gzip: Some(t) }),
        }
    }

    #[test]
    fn the_ratchet_allows_one_percent() {
        assert_eq!(ratchet(&entry(1010, 2020, Some((1000, 2000)))), Ratchet::Held { shrank: false });
        assert_eq!(ratchet(&entry(1000, 2000, Some((1000, 2000)))), Ratchet::Held { shrank: false });
        assert_eq!(ratchet(&entry(1011, 2000, Some((1000, 2000)))), Ratchet::Grown(vec![("wasm gzip", 1011, 1000)]));
        assert_eq!(ratchet(&entry(999, 2021, Some((1000, 2000)))), Ratchet::Grown(vec![("total gzip", 2021, 2000)]));
        assert_eq!(ratchet(&entry(999, 2000, Some((1000, 2000)))), Ratchet::Held { shrank: true });
        assert_eq!(ratchet(&entry(999, 2000, None)), Ratchet::Unrecorded);
    }
}
