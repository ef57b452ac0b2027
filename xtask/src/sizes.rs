//! Sizes of each package entry (raw and gzip -9) against its budget in wasm-pack.toml.
//! Budgets are goals for now: printed, written to target/sizes.json, never a failure.

use std::io::Write;
use std::path::{Path, PathBuf};

use flate2::Compression;
use flate2::write::GzEncoder;
use serde_json::json;

use crate::config::BuildConfig;
use crate::package::{Shared, files_under};
use crate::{Context, Result};

pub struct EntrySize {
    pub dir: String,
    pub import: String,
    pub wasm_raw: u64,
    pub wasm_gzip: u64,
    /// Sum of the gzip -9 sizes of every file a browser loads for the entry: .wasm, JS glue,
    /// browser.js, snippets and the shared JS (each file compressed on its own, as served).
    pub total_gzip: u64,
    pub budget_wasm_gzip: Option<u64>,
    pub budget_total_gzip: Option<u64>,
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
                budget_wasm_gzip: entry.budget.wasm_gzip,
                budget_total_gzip: entry.budget.total_gzip,
            })
        })
        .collect()
}

fn gzip_len(bytes: &[u8]) -> Result<u64> {
    let mut gz = GzEncoder::new(Vec::new(), Compression::best());
    gz.write_all(bytes).context("gzip")?;
    Ok(gz.finish().context("gzip")?.len() as u64)
}

pub fn print(sizes: &[EntrySize]) {
    println!();
    println!("{:<18} {:>10} {:>22} {:>22}", "entry", "wasm", "wasm gzip -9 / budget", "total gzip -9 / budget");
    for s in sizes {
        println!(
            "{:<18} {:>10} {:>22} {:>22}",
            s.import,
            s.wasm_raw,
            against(s.wasm_gzip, s.budget_wasm_gzip),
            against(s.total_gzip, s.budget_total_gzip)
        );
    }
    for s in sizes {
        for (what, size, budget) in
            [("wasm", s.wasm_gzip, s.budget_wasm_gzip), ("total", s.total_gzip, s.budget_total_gzip)]
        {
            if let Some(b) = budget.filter(|b| size > *b) {
                println!("note: `{}` {what} gzip is {} bytes over its budget of {b} (goal only, not a failure)", s.import, size - b);
            }
        }
    }
    println!("(total = .wasm + JS glue + browser.js + shared JS, each gzip -9 as served)");
}

fn against(size: u64, budget: Option<u64>) -> String {
    match budget {
        Some(b) if size > b => format!("{size} / {b} OVER"),
        Some(b) => format!("{size} / {b}"),
        None => format!("{size} / -"),
    }
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
                "budget": { "wasm_gzip": s.budget_wasm_gzip, "total_gzip": s.budget_total_gzip },
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
