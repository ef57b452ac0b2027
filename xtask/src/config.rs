//! The build's own configuration (`wasm-pack.toml`) and the crate's metadata (`Cargo.toml`).

use std::path::Path;

use serde::Deserialize;

use crate::{Context, Result};

/// `wasm-pack.toml`: see the comments in that file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BuildConfig {
    /// Flags for `wasm-opt`, run in place on every entry's `.wasm`.
    pub wasm_opt: Vec<String>,
    /// The package entries, built in this order.
    #[serde(rename = "entry")]
    pub entries: Vec<Entry>,
}

/// One `[[entry]]`: one import specifier of the npm package.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// Output folder under pkg/.
    pub dir: String,
    /// The import specifier (`totp-wasm`, `totp-wasm/core`): an `exports` key of the package.
    pub import: String,
    /// Cargo features; the crate is built with `--no-default-features` plus these.
    #[serde(default)]
    pub features: Vec<String>,
    /// Size goals (bytes after gzip -9): the entry should be smaller. Printed, not enforced.
    /// (`budget` is the key's former name.)
    #[serde(default, alias = "budget")]
    pub goal: Sizes,
    /// The sizes recorded last (bytes after gzip -9): the `size` suite of `cargo xtask test`
    /// fails when the entry grows more than 1% past them (the ratchet).
    #[serde(default)]
    pub recorded: Option<Sizes>,
}

/// Sizes after gzip -9, as goals or as the recorded sizes of an entry.
#[derive(Debug, Default, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sizes {
    /// The `.wasm` alone.
    pub wasm_gzip: Option<u64>,
    /// Everything a browser downloads for the entry: `.wasm`, JS glue, loader, shared JS.
    pub total_gzip: Option<u64>,
}

impl BuildConfig {
    pub fn load(root: &Path) -> Result<BuildConfig> {
        let path = root.join("wasm-pack.toml");
        let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
        let config: BuildConfig = toml::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
        config.check().with_context(|| format!("in {}", path.display()))?;
        Ok(config)
    }

    fn check(&self) -> Result<()> {
        if self.entries.is_empty() {
            return Err("no [[entry]]".into());
        }
        for (i, e) in self.entries.iter().enumerate() {
            let plain = !e.dir.is_empty()
                && e.dir.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            if !plain {
                return Err(format!("entry `{}`: dir must be a plain folder name ([A-Za-z0-9_-]+)", e.dir));
            }
            let earlier = &self.entries[..i];
            if earlier.iter().any(|o| o.dir == e.dir) {
                return Err(format!("two entries with dir `{}`", e.dir));
            }
            if earlier.iter().any(|o| o.import == e.import) {
                return Err(format!("two entries with import `{}`", e.import));
            }
        }
        Ok(())
    }
}

/// What the package takes from the crate's `[package]` table.
#[derive(Debug, Deserialize)]
pub struct CrateInfo {
    pub name: String,
    pub version: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub license: String,
    #[serde(default)]
    pub repository: String,
}

impl CrateInfo {
    pub fn load(root: &Path) -> Result<CrateInfo> {
        #[derive(Deserialize)]
        struct Manifest {
            package: CrateInfo,
        }
        let path = root.join("Cargo.toml");
        let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
        let manifest: Manifest = toml::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
        Ok(manifest.package)
    }

    /// The artifact cargo writes for the cdylib: `totp-wasm` -> `totp_wasm.wasm`.
    pub fn wasm_file_name(&self) -> String {
        format!("{}.wasm", self.name.replace('-', "_"))
    }
}
