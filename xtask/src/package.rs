//! The package files around wasm-bindgen's output: the shared error module, per-runtime
//! loaders, index.d.ts, pkg/package.json from pkg.json.template, the node_modules link.
//!
//! ```text
//! pkg/package.json  README.md  LICENSE*     rendered / copied
//! pkg/otp-error.js  otp-error.d.ts          js/*, shared by every entry (one OtpError class)
//! pkg/<dir>/totp_wasm.js  totp_wasm.d.ts  totp_wasm_bg.wasm  totp_wasm_bg.wasm.d.ts  (wasm-bindgen)
//! pkg/<dir>/snippets/<crate>-<hash>/js/otp-error.js   rewritten: export * from '../../../../otp-error.js';
//!                                                   (the glue imports '../otp-error.js' directly)
//! pkg/<dir>/browser.js  node.js  workerd.js  index.d.ts                            (loaders)
//! ```

use std::path::Path;

use serde_json::{Map, Value, json};

use crate::config::{BuildConfig, CrateInfo};
use crate::{Context, Ctx, Result};

/// The shared JS module that defines the error class (in js/, copied to pkg/).
const ERROR_MODULE: &str = "otp-error";

/// Names of wasm-bindgen's own initialisation API: the loaders call it, the package does not
/// export it (every function is usable right after `import`).
const INIT_NAMES: &[&str] = &["default", "initSync", "__wbg_init", "InitInput", "InitOutput", "SyncInitInput"];

/// wasm-bindgen's output name for the crate (`totp-wasm` -> `totp_wasm`).
pub fn out_name(krate: &CrateInfo) -> String {
    krate.name.replace('-', "_")
}

/// The JS files of js/ as copied into pkg/, and what the error module exports.
pub struct Shared {
    /// File names copied into pkg/ (`otp-error.js`, `otp-error.d.ts`, ...).
    pub files: Vec<String>,
    /// Run-time exports of pkg/otp-error.js (`OtpError`).
    pub error_values: Vec<String>,
    /// Exports of pkg/otp-error.d.ts, types included (`OtpError`, `OtpErrorCode`).
    pub error_types: Vec<String>,
}

impl Shared {
    /// Copies js/*.js and js/*.d.ts into pkg/.
    pub fn copy(ctx: &Ctx, pkg: &Path) -> Result<Shared> {
        let js = ctx.root.join("js");
        let mut files = Vec::new();
        for item in std::fs::read_dir(&js).with_context(|| format!("reading {}", js.display()))? {
            let path = item.with_context(|| format!("reading {}", js.display()))?.path();
            let Some(name) = path.file_name().and_then(|n| n.to_str()).map(String::from) else { continue };
            if path.is_file() && (name.ends_with(".js") || name.ends_with(".d.ts")) {
                std::fs::copy(&path, pkg.join(&name)).with_context(|| format!("copying {}", path.display()))?;
                files.push(name);
            }
        }
        files.sort();
        let read = |ext: &str| {
            let path = js.join(format!("{ERROR_MODULE}{ext}"));
            std::fs::read_to_string(&path).with_context(|| format!("reading {} (the shared error class)", path.display()))
        };
        let error_values = exported_names(&read(".js")?);
        let error_types = exported_names(&read(".d.ts")?);
        if error_values.is_empty() {
            return Err(format!("js/{ERROR_MODULE}.js exports nothing"));
        }
        Ok(Shared { files, error_values, error_types })
    }

    fn is_shared(&self, name: &str) -> bool {
        self.files.iter().any(|f| f == name)
    }
}

/// wasm-bindgen copies every `#[wasm_bindgen(module = "/js/x.js")]` file into
/// `<out>/snippets/<crate>-<hash>/js/x.js`: one copy per entry, hence one `OtpError` class per
/// entry and a broken `instanceof`. So, for each copy of a shared js/ file:
/// - the glue's import of it is pointed at the single pkg/x.js (`../x.js`): the module graph
///   then has no hashed path (the hash changes with the crate version), which a workerd config
///   listing its modules needs;
/// - the copy itself becomes a one-line re-export of pkg/x.js, for anything still importing it.
pub fn rewrite_snippets(pkg: &Path, out: &Path, out_name: &str, shared: &Shared) -> Result<()> {
    let snippets = out.join("snippets");
    if !snippets.is_dir() {
        return Ok(());
    }
    let glue_path = out.join(format!("{out_name}.js"));
    let mut glue = std::fs::read_to_string(&glue_path).with_context(|| format!("reading {}", glue_path.display()))?;
    let up = |dir: &Path| "../".repeat(dir.strip_prefix(pkg).map_or(0, |p| p.components().count()));
    for file in files_under(&snippets)? {
        // snippets/<crate>-<hash>/<path as written in module = "/<path>">
        let Ok(rel) = file.strip_prefix(&snippets) else { continue };
        let source: std::path::PathBuf = rel.components().skip(1).collect();
        let Some(name) = file.file_name().and_then(|n| n.to_str()) else { continue };
        if source.parent() != Some(Path::new("js")) || !shared.is_shared(name) {
            continue;
        }
        let specifier = format!("./snippets/{}", rel.display());
        let shared_from_glue = format!("{}{name}", up(out));
        for quote in ['\'', '"'] {
            glue = glue.replace(&format!("{quote}{specifier}{quote}"), &format!("'{shared_from_glue}'"));
        }
        let shared_from_copy = format!("{}{name}", file.parent().map(up).unwrap_or_default());
        std::fs::write(&file, format!("export * from '{shared_from_copy}';\n"))
            .with_context(|| format!("writing {}", file.display()))?;
    }
    let glue = freed_objects_throw_otp_error(&glue).with_context(|| format!("in {}", glue_path.display()))?;
    std::fs::write(&glue_path, glue).with_context(|| format!("writing {}", glue_path.display()))
}

/// What wasm-bindgen's runtime throws (through its one `__wbindgen_throw` import) when a method
/// of an exported class runs after `free()`: the object's pointer is 0.
const NULL_POINTER: &str = "null pointer passed to rust";

/// A `Totp` used after `free()` must throw an `OtpError`, like every other misuse, not
/// wasm-bindgen's plain `Error("null pointer passed to rust")`. That error is thrown from JS
/// (the glue's `__wbindgen_throw`), so the glue's throw is rewritten: that one message becomes an
/// `OtpError` (`INVALID_ARGUMENT`), any other stays an `Error`. The build fails when the glue
/// has classes but not exactly one such throw (a wasm-bindgen upgrade changed its shape).
fn freed_objects_throw_otp_error(glue: &str) -> Result<String> {
    const THROW: &str = "throw new Error(getStringFromWasm0(arg0, arg1));";
    let found = glue.matches(THROW).count();
    if found == 0 && !glue.contains("export class ") {
        return Ok(glue.to_string());
    }
    if found != 1 || !glue.contains("import { OtpError }") {
        return Err(format!("expected one `{THROW}` and an OtpError import in the glue, found {found}"));
    }
    let replacement = format!(
        "const message = getStringFromWasm0(arg0, arg1); \
         throw message === '{NULL_POINTER}' \
         ? new OtpError('INVALID_ARGUMENT', 'this object was freed (free() was called): create a new one') \
         : new Error(message);"
    );
    Ok(glue.replacen(THROW, &replacement, 1))
}

/// The per-runtime loaders and index.d.ts of one entry.
pub fn write_entry_files(out: &Path, out_name: &str, shared: &Shared) -> Result<()> {
    let read = |ext: &str| {
        let path = out.join(format!("{out_name}{ext}"));
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))
    };
    let api = public_names(&read(".js")?, &shared.error_values);
    let glue_dts = read(".d.ts")?;
    let api_types = public_names(&glue_dts, &shared.error_types);
    // The init API's declarations use DOM types (RequestInfo, Response, BufferSource,
    // WebAssembly): a strict TypeScript project without the DOM library (Node, with
    // skipLibCheck off) would fail on them. The package does not export that API: drop them.
    let dts_path = out.join(format!("{out_name}.d.ts"));
    std::fs::write(&dts_path, without_init_declarations(&glue_dts))
        .with_context(|| format!("writing {}", dts_path.display()))?;
    if api.is_empty() {
        return Err(format!("{}/{out_name}.js exports no function: is the binding (src/wasm.rs) built?", out.display()));
    }
    let glue = format!("./{out_name}.js");
    let wasm = format!("./{out_name}_bg.wasm");
    let reexports = format!(
        "export {{ {} }} from '{glue}';\nexport {{ {} }} from '../{ERROR_MODULE}.js';\n",
        api.join(", "),
        shared.error_values.join(", ")
    );
    let header = "// Generated by `cargo xtask build`; do not edit.";
    let loaders = [
        (
            "browser.js",
            format!(
                "{header}\n// Browsers: fetches the .wasm next to this file; every export is ready after `import`.\n\
                 import init from '{glue}';\n\
                 await init({{ module_or_path: new URL('{wasm}', import.meta.url) }});\n"
            ),
        ),
        (
            "node.js",
            format!(
                "{header}\n// Node, Deno, Bun: reads the .wasm next to this file; every export is ready after `import`.\n\
                 import {{ readFileSync }} from 'node:fs';\n\
                 import {{ initSync }} from '{glue}';\n\
                 initSync({{ module: readFileSync(new URL('{wasm}', import.meta.url)) }});\n"
            ),
        ),
        (
            "workerd.js",
            format!(
                "{header}\n// workerd / Cloudflare Workers: the .wasm is imported as a compiled module.\n\
                 import wasm from '{wasm}';\n\
                 import {{ initSync }} from '{glue}';\n\
                 initSync({{ module: wasm }});\n"
            ),
        ),
    ];
    for (name, body) in loaders {
        let path = out.join(name);
        std::fs::write(&path, format!("{body}{reexports}")).with_context(|| format!("writing {}", path.display()))?;
    }
    let dts = format!(
        "{header}\n// The API of this entry: wasm-bindgen's init/initSync are not part of it (the loaders\n\
         // initialise the module on import).\n\
         export {{ {} }} from '{glue}';\nexport {{ {} }} from '../{ERROR_MODULE}.js';\n",
        api_types.join(", "),
        shared.error_types.join(", ")
    );
    let path = out.join("index.d.ts");
    std::fs::write(&path, dts).with_context(|| format!("writing {}", path.display()))
}

/// wasm-bindgen's `.d.ts` for `--target web` without its trailing init section (from
/// `export type InitInput` on: InitInput, InitOutput, SyncInitInput, initSync, the default
/// init function). Unchanged when there is no such section.
fn without_init_declarations(dts: &str) -> String {
    let mut kept = Vec::new();
    for line in dts.lines() {
        if line.starts_with("export type InitInput") {
            break;
        }
        kept.push(line);
    }
    while kept.last().is_some_and(|l| l.trim().is_empty()) {
        kept.pop();
    }
    kept.join("\n") + "\n"
}

/// Exported names of a module minus wasm-bindgen's init API and names provided by `others`.
fn public_names(module: &str, others: &[String]) -> Vec<String> {
    exported_names(module)
        .into_iter()
        .filter(|n| !INIT_NAMES.contains(&n.as_str()) && !others.contains(n))
        .collect()
}

/// The names a JS module or declaration file exports, in order, without duplicates (overloads).
/// Understands the forms wasm-bindgen and hand-written files use: `export function f`,
/// `export class C`, `export const x`, `export type T`, `export interface I`, `export enum E`,
/// `export declare ...`, `export { a, b as c }`. `export default` is skipped.
pub fn exported_names(module: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    let mut add = |name: &str| {
        if !name.is_empty() && !names.iter().any(|n| n == name) {
            names.push(name.to_string());
        }
    };
    let ident_end = |s: &str| s.find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$')).unwrap_or(s.len());
    for line in module.lines() {
        let Some(mut rest) = line.strip_prefix("export ") else { continue };
        if let Some(list) = rest.trim_start().strip_prefix('{') {
            let list = list.split('}').next().unwrap_or_default();
            for item in list.split(',') {
                let item = item.trim().trim_start_matches("type ");
                let exported = item.rsplit(" as ").next().unwrap_or(item).trim();
                add(&exported[..ident_end(exported)]);
            }
            continue;
        }
        for prefix in ["declare ", "async ", "abstract "] {
            rest = rest.strip_prefix(prefix).unwrap_or(rest);
        }
        let mut words = rest.splitn(2, ' ');
        let keyword = words.next().unwrap_or_default();
        let tail = words.next().unwrap_or_default().trim_start();
        if matches!(keyword, "function" | "function*" | "class" | "const" | "let" | "var" | "type" | "interface" | "enum" | "namespace") {
            let tail = tail.trim_start_matches('*').trim_start();
            add(&tail[..ident_end(tail)]);
        }
    }
    names
}

/// pkg/package.json: pkg.json.template with `{{placeholders}}` filled in.
///
/// A string that is exactly `"{{name}}"` becomes the value (string, array or object); a
/// placeholder inside a longer string is replaced by text. Placeholders: version, description,
/// license, repository (from Cargo.toml), exports, main, types, files, sideEffects (from
/// wasm-pack.toml's entries).
pub fn write_package_json(ctx: &Ctx, krate: &CrateInfo, config: &BuildConfig, pkg: &Path, shared: &Shared) -> Result<()> {
    let template_path = ctx.root.join("pkg.json.template");
    let text = std::fs::read_to_string(&template_path).with_context(|| format!("reading {}", template_path.display()))?;
    let mut template: Value = serde_json::from_str(&text).with_context(|| format!("parsing {}", template_path.display()))?;
    let package_name = template["name"]
        .as_str()
        .map(String::from)
        .ok_or_else(|| format!("{}: no \"name\"", template_path.display()))?;

    let mut exports = Map::new();
    let mut side_effects = Vec::new();
    let mut files: Vec<Value> = shared.files.iter().map(|f| json!(f)).collect();
    let mut main_entry = None;
    for entry in &config.entries {
        let key = if entry.import == package_name {
            ".".to_string()
        } else if let Some(sub) = entry.import.strip_prefix(&format!("{package_name}/")) {
            format!("./{sub}")
        } else {
            return Err(format!(
                "wasm-pack.toml: entry import `{}` is not `{package_name}` or `{package_name}/...` (the name in pkg.json.template)",
                entry.import
            ));
        };
        let file = |name: &str| format!("./{}/{name}", entry.dir);
        // Condition order matters: the first that matches wins.
        let conditions = json!({
            "types": file("index.d.ts"),
            "workerd": file("workerd.js"),
            "worker": file("workerd.js"),
            "browser": file("browser.js"),
            "node": file("node.js"),
            "deno": file("node.js"),
            "default": file("node.js"),
        });
        if key == "." {
            main_entry = Some((file("node.js"), file("index.d.ts")));
        }
        exports.insert(key, conditions);
        // The loaders initialise the module when imported: a bundler must never drop them.
        side_effects.extend(["browser.js", "node.js", "workerd.js"].map(|l| json!(file(l))));
        files.push(json!(format!("{}/", entry.dir)));
    }
    exports.insert("./package.json".into(), json!("./package.json"));
    // npm always packs README and LICENSE files, not a changelog: list it.
    if ctx.root.join("CHANGELOG.md").is_file() {
        files.push(json!("CHANGELOG.md"));
    }
    let (main, types) = main_entry.ok_or_else(|| format!("wasm-pack.toml: no entry imports `{package_name}` itself"))?;

    let vars: Vec<(&str, Value)> = vec![
        ("version", json!(krate.version)),
        ("description", json!(krate.description)),
        ("license", json!(krate.license)),
        ("repository", json!(krate.repository)),
        ("exports", Value::Object(exports)),
        ("main", json!(main)),
        ("types", json!(types)),
        ("files", Value::Array(files)),
        ("sideEffects", Value::Array(side_effects)),
    ];
    fill(&mut template, &vars)?;
    let rendered = serde_json::to_string_pretty(&template).context("rendering package.json")?;
    if let Some(at) = rendered.find("{{") {
        let rest = &rendered[at..];
        let end = rest.find("}}").map_or(rest.len(), |e| e + 2);
        return Err(format!("{}: unknown placeholder {}", template_path.display(), &rest[..end]));
    }
    let out = pkg.join("package.json");
    std::fs::write(&out, rendered + "\n").with_context(|| format!("writing {}", out.display()))
}

fn fill(value: &mut Value, vars: &[(&str, Value)]) -> Result<()> {
    match value {
        Value::String(s) => {
            if let Some((_, v)) = vars.iter().find(|(k, _)| *s == format!("{{{{{k}}}}}")) {
                *value = v.clone();
                return Ok(());
            }
            for (k, v) in vars {
                let placeholder = format!("{{{{{k}}}}}");
                if s.contains(&placeholder) {
                    let text = v.as_str().ok_or_else(|| format!("{placeholder} inside a string must be a text value"))?;
                    *s = s.replace(&placeholder, text);
                }
            }
            Ok(())
        }
        Value::Array(items) => items.iter_mut().try_for_each(|v| fill(v, vars)),
        Value::Object(map) => map.values_mut().try_for_each(|v| fill(v, vars)),
        _ => Ok(()),
    }
}

/// README.md, CHANGELOG.md (what moved between versions) and LICENSE* files of the repository
/// go into the package too.
pub fn copy_docs(ctx: &Ctx, pkg: &Path) -> Result<()> {
    for item in std::fs::read_dir(&ctx.root).with_context(|| format!("reading {}", ctx.root.display()))? {
        let path = item.with_context(|| format!("reading {}", ctx.root.display()))?.path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else { continue };
        if path.is_file() && (name == "README.md" || name == "CHANGELOG.md" || name.starts_with("LICENSE")) {
            std::fs::copy(&path, pkg.join(name)).with_context(|| format!("copying {}", path.display()))?;
        }
    }
    Ok(())
}

/// node_modules/totp-wasm -> ../pkg, so that tests import the package by name through its
/// real `exports`.
pub fn link_node_modules(ctx: &Ctx) -> Result<()> {
    let template = std::fs::read_to_string(ctx.root.join("pkg/package.json")).context("reading pkg/package.json")?;
    let manifest: Value = serde_json::from_str(&template).context("parsing pkg/package.json")?;
    let name = manifest["name"].as_str().ok_or("pkg/package.json: no name")?;
    let link = ctx.root.join("node_modules").join(name);
    let target = Path::new("../pkg");
    if std::fs::read_link(&link).is_ok_and(|t| t == target) {
        return Ok(());
    }
    if let Ok(meta) = link.symlink_metadata() {
        let removed = if meta.is_dir() { std::fs::remove_dir_all(&link) } else { std::fs::remove_file(&link) };
        removed.with_context(|| format!("replacing {}", link.display()))?;
    }
    let dir = ctx.root.join("node_modules");
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    std::os::unix::fs::symlink(target, &link).with_context(|| format!("linking {} -> ../pkg", link.display()))
}

/// Every file below `dir`, recursively, sorted.
pub fn files_under(dir: &Path) -> Result<Vec<std::path::PathBuf>> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for item in std::fs::read_dir(&d).with_context(|| format!("reading {}", d.display()))? {
            let path = item.with_context(|| format!("reading {}", d.display()))?.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GLUE: &str = "import { OtpError } from '../otp-error.js';\nexport class Totp {}\n\
        __wbg___wbindgen_throw_1: function(arg0, arg1) {\n    throw new Error(getStringFromWasm0(arg0, arg1));\n},\n";

    #[test]
    fn a_freed_object_throws_otp_error_and_other_throws_stay_errors() {
        let out = freed_objects_throw_otp_error(GLUE).unwrap();
        assert!(out.contains("message === 'null pointer passed to rust'"));
        assert!(out.contains("new OtpError('INVALID_ARGUMENT'"));
        assert!(out.contains(": new Error(message);"));
        assert!(!out.contains("throw new Error(getStringFromWasm0"));
    }

    #[test]
    fn a_changed_glue_fails_the_build() {
        assert!(freed_objects_throw_otp_error("export class Totp {}\n").is_err());
        let twice = format!("{GLUE}{GLUE}");
        assert!(freed_objects_throw_otp_error(&twice).is_err());
        assert_eq!(freed_objects_throw_otp_error("export function f() {}\n").unwrap(), "export function f() {}\n");
    }
}
