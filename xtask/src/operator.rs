//! `cargo xtask operator <lookup|reset|unlock|log> <username> [--reason TEXT] [--delay SECONDS]
//! [--port 8787] [--state .demo]`: the support tool against a running demo, so support staff
//! need no curl. It reads the demo's operator token from `<state>/operator-token` (written by
//! `cargo xtask demo`, see [`demo_token`]) and calls the operator API (edge/operator.js) on
//! 127.0.0.1 with plain HTTP/1.1.
//!
//! | action | request |
//! | ------ | ------- |
//! | lookup | `GET /api/operator/users/:user[?reason=…]` |
//! | reset  | `POST …/reset-2fa { reason, delaySeconds? }` (`--reason` required) |
//! | unlock | `POST …/unlock { reason }` (`--reason` required) |
//! | log    | `GET …/security-log[?reason=…]` (save it and check it with edge/verify-security-log.mjs) |
//!
//! The answer's JSON goes to stdout; an error answer is `error: CODE: message` with exit 1.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use sha2::{Digest, Sha256};

use crate::{Context, Ctx, Result};

const USAGE: &str = "usage: cargo xtask operator <lookup|reset|unlock|log> <username> [--reason TEXT] [--delay SECONDS] [--port N] [--state DIR]";
/// The operator id of the demo's token under `operatorTokens` in keys.json.
const DEMO_OPERATOR: &str = "demo";
const TOKEN_FILE: &str = "operator-token";

#[derive(Debug, PartialEq)]
struct Args {
    action: String,
    username: String,
    reason: Option<String>,
    delay: Option<u64>,
    port: u16,
    state: PathBuf,
}

pub fn command(ctx: &Ctx, args: &[String]) -> Result<ExitCode> {
    let cwd = std::env::current_dir().context("current directory")?;
    let args = parse_args(&ctx.root.join(".demo"), &cwd, args)?;
    let token_path = args.state.join(TOKEN_FILE);
    let token = std::fs::read_to_string(&token_path).map_err(|e| {
        format!(
            "no operator token at {} ({e}): `cargo xtask demo --state {}` creates one when it starts",
            token_path.display(),
            args.state.display()
        )
    })?;
    let (method, path, body) = request_of(&args)?;
    let addr = SocketAddr::from(([127, 0, 0, 1], args.port));
    let (status, text) = http(&addr, method, &path, token.trim(), body.as_deref()).map_err(|e| {
        format!(
            "no demo answers on http://{addr}/ ({e}): start it with `cargo xtask demo --port {} --state {}`",
            args.port,
            args.state.display()
        )
    })?;
    let json: serde_json::Value = serde_json::from_str(&text).map_err(|_| format!("HTTP {status}: not a JSON answer: {}", text.trim()))?;
    if (200..300).contains(&status) {
        println!("{json:#}");
        return Ok(ExitCode::SUCCESS);
    }
    let code = json["error"]["code"].as_str().unwrap_or("?");
    let message = json["error"]["message"].as_str().unwrap_or("");
    eprintln!("error: {code}: {message} (HTTP {status})");
    Ok(ExitCode::FAILURE)
}

fn parse_args(default_state: &Path, cwd: &Path, args: &[String]) -> Result<Args> {
    let mut positional = Vec::new();
    let mut parsed = Args {
        action: String::new(),
        username: String::new(),
        reason: None,
        delay: None,
        port: 8787,
        state: default_state.to_path_buf(),
    };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v.to_string())),
            _ => (arg.as_str(), None),
        };
        let mut value = || inline.clone().or_else(|| it.next().cloned()).ok_or(format!("{flag} needs a value\n{USAGE}"));
        match flag {
            "--reason" => parsed.reason = Some(value()?),
            "--delay" => parsed.delay = Some(value()?.parse().map_err(|e| format!("--delay: {e}"))?),
            "--port" => parsed.port = value()?.parse().map_err(|e| format!("--port: {e}"))?,
            "--state" => parsed.state = cwd.join(value()?),
            f if f.starts_with("--") => return Err(format!("operator: unknown option `{f}`\n{USAGE}")),
            _ => positional.push(arg.clone()),
        }
    }
    let [action, username] = <[String; 2]>::try_from(positional).map_err(|_| USAGE.to_string())?;
    if !["lookup", "reset", "unlock", "log"].contains(&action.as_str()) {
        return Err(format!("operator: unknown action `{action}`\n{USAGE}"));
    }
    if matches!(action.as_str(), "reset" | "unlock") && parsed.reason.is_none() {
        return Err(format!("operator {action} needs --reason (1-500 characters: why, and how the owner was verified)"));
    }
    if parsed.delay.is_some() && action != "reset" {
        return Err("--delay is only for reset".to_string());
    }
    Ok(Args { action, username, ..parsed })
}

/// (method, path with query, JSON body) of an action.
fn request_of(args: &Args) -> Result<(&'static str, String, Option<String>)> {
    let user = format!("/api/operator/users/{}", b64url(args.username.as_bytes()));
    let query = args.reason.as_ref().map(|r| format!("?reason={}", percent_encode(r))).unwrap_or_default();
    let body = |extra: Option<(&str, u64)>| {
        let mut body = serde_json::json!({ "reason": args.reason });
        if let Some((key, value)) = extra {
            body[key] = value.into();
        }
        Some(body.to_string())
    };
    Ok(match args.action.as_str() {
        "lookup" => ("GET", format!("{user}{query}"), None),
        "log" => ("GET", format!("{user}/security-log{query}"), None),
        "reset" => ("POST", format!("{user}/reset-2fa"), body(args.delay.map(|d| ("delaySeconds", d)))),
        "unlock" => ("POST", format!("{user}/unlock"), body(None)),
        other => return Err(format!("unknown action {other}")),
    })
}

/// One HTTP/1.1 request (`Connection: close`); the status and the (de-chunked) body.
fn http(addr: &SocketAddr, method: &str, path: &str, token: &str, body: Option<&str>) -> Result<(u16, String)> {
    let mut stream = TcpStream::connect_timeout(addr, Duration::from_secs(2)).context("connecting")?;
    stream.set_read_timeout(Some(Duration::from_secs(30))).context("setting a timeout")?;
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nAccept: application/json\r\nConnection: close\r\n"
    );
    if let Some(body) = body {
        request.push_str(&format!("Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}", body.len()));
    } else {
        request.push_str("\r\n");
    }
    stream.write_all(request.as_bytes()).context("sending the request")?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).context("reading the answer")?;
    parse_response(&raw)
}

fn parse_response(raw: &[u8]) -> Result<(u16, String)> {
    let text = String::from_utf8_lossy(raw);
    let (head, body) = text.split_once("\r\n\r\n").ok_or("the answer has no HTTP header")?;
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.strip_prefix("HTTP/1.1 ").or_else(|| l.strip_prefix("HTTP/1.0 ")))
        .and_then(|l| l.get(..3))
        .and_then(|s| s.parse().ok())
        .ok_or("not an HTTP answer")?;
    let chunked = lines.any(|l| {
        let l = l.to_ascii_lowercase();
        l.starts_with("transfer-encoding:") && l.contains("chunked")
    });
    Ok((status, if chunked { dechunk(body)? } else { body.to_string() }))
}

fn dechunk(mut body: &str) -> Result<String> {
    let mut out = String::new();
    loop {
        let (size, rest) = body.split_once("\r\n").ok_or("a chunk without its size line")?;
        let size = usize::from_str_radix(size.split(';').next().unwrap_or("").trim(), 16).map_err(|e| format!("chunk size: {e}"))?;
        if size == 0 {
            return Ok(out);
        }
        out.push_str(rest.get(..size).ok_or("a chunk shorter than its size")?);
        body = rest.get(size..).and_then(|r| r.strip_prefix("\r\n")).ok_or("a chunk without its end")?;
    }
}

/// base64url without padding (RFC 4648 §5): `:user` and the token.
pub fn b64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, &b)| n | (u32::from(b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
        }
    }
    out
}

/// Percent-encoding of everything but RFC 3986's unreserved characters.
fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => char::from(b).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// The demo's operator token: `<state>/operator-token` (mode 600, created once with 32 random
/// bytes) holds the raw token; keys.json holds only its SHA-256 under
/// `operatorTokens.demo`, added to an existing keys.json that lacks it (or has another
/// token's hash there). Takes and returns the text of keys.json (TOTP_WASM_KEYS).
pub fn demo_token(state: &Path, keys: String) -> Result<String> {
    let path = state.join(TOKEN_FILE);
    if !path.exists() {
        let mut random = [0u8; 32];
        std::fs::File::open("/dev/urandom")
            .and_then(|mut f| f.read_exact(&mut random))
            .context("reading /dev/urandom for the operator token")?;
        write_private(&path, &format!("{}\n", b64url(&random)), true)?;
        println!("generated an operator token in {} (mode 600)", path.display());
    }
    let token = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let token = token.trim();
    if !(32..=128).contains(&token.len()) || !token.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
        return Err(format!("{} is not an operator token (32-128 base64url characters): delete it to get a new one", path.display()));
    }
    let mut json: serde_json::Value = serde_json::from_str(&keys).context("parsing keys.json")?;
    let hash = sha256_hex(token);
    println!("operator token: {} (for `cargo xtask operator`)", path.display());
    if json["operatorTokens"][DEMO_OPERATOR].as_str() == Some(hash.as_str()) {
        return Ok(keys);
    }
    let tokens = json
        .as_object_mut()
        .ok_or("keys.json is not a JSON object")?
        .entry("operatorTokens")
        .or_insert_with(|| serde_json::json!({}));
    tokens.as_object_mut().ok_or("operatorTokens in keys.json is not an object")?.insert(DEMO_OPERATOR.into(), hash.into());
    let text = format!("{json:#}");
    write_private(&state.join("keys.json"), &format!("{text}\n"), false)?;
    println!("added the operator token's sha256 to {}", state.join("keys.json").display());
    Ok(text)
}

/// Writes a file readable by its owner only: a new one (`create_new`), or a replacement
/// written next to it and renamed over it.
fn write_private(path: &Path, text: &str, create_new: bool) -> Result<()> {
    let target = if create_new { path.to_path_buf() } else { path.with_extension("json.tmp") };
    let mut options = std::fs::OpenOptions::new();
    options.write(true);
    if create_new { options.create_new(true) } else { options.create(true).truncate(true) };
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&target).with_context(|| format!("creating {}", target.display()))?;
    file.write_all(text.as_bytes()).with_context(|| format!("writing {}", target.display()))?;
    drop(file);
    if !create_new {
        std::fs::rename(&target, path).with_context(|| format!("replacing {}", path.display()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Result<Args> {
        let list: Vec<String> = list.iter().map(|s| s.to_string()).collect();
        parse_args(Path::new("/repo/.demo"), Path::new("/here"), &list)
    }

    #[test]
    fn base64url_matches_rfc4648_without_padding() {
        let cases: [(&[u8], &str); 7] =
            [(b"", ""), (b"f", "Zg"), (b"fo", "Zm8"), (b"foo", "Zm9v"), (b"foob", "Zm9vYg"), (b"fooba", "Zm9vYmE"), (b"foobar", "Zm9vYmFy")];
        for (input, want) in cases {
            assert_eq!(b64url(input), want);
        }
        assert_eq!(b64url(b"a/b\\c"), "YS9iXGM");
        assert_eq!(b64url(&[0xfb, 0xff]), "-_8");
        // FIPS 180-4's "abc".
        assert_eq!(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    #[test]
    fn arguments_and_requests() {
        let a = args(&["reset", ".a/b", "--reason", "ID checked", "--delay=600", "--port", "9000", "--state", "s"]).unwrap();
        assert_eq!((a.port, a.delay, a.state.clone()), (9000, Some(600), PathBuf::from("/here/s")));
        let (method, path, body) = request_of(&a).unwrap();
        assert_eq!((method, path.as_str()), ("POST", "/api/operator/users/LmEvYg/reset-2fa"));
        assert_eq!(body.unwrap(), r#"{"reason":"ID checked","delaySeconds":600}"#);
        let l = args(&["lookup", "alice", "--reason", "a b&c"]).unwrap();
        assert_eq!(l.state, PathBuf::from("/repo/.demo"));
        assert_eq!(request_of(&l).unwrap().1, "/api/operator/users/YWxpY2U?reason=a%20b%26c");
        assert!(args(&["unlock", "alice"]).unwrap_err().contains("--reason"));
        assert!(args(&["delete", "alice"]).unwrap_err().contains("unknown action"));
        assert!(args(&["lookup"]).is_err());
        assert!(args(&["lookup", "a", "--delay", "5"]).is_err());
        assert!(args(&["lookup", "a", "--colour"]).unwrap_err().contains("unknown option"));
    }

    #[test]
    fn responses_plain_and_chunked() {
        let plain = b"HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\n{}";
        assert_eq!(parse_response(plain).unwrap(), (404, "{}".to_string()));
        let chunked = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n{\"a\"\r\n3;x=1\r\n:1}\r\n0\r\n\r\n";
        assert_eq!(parse_response(chunked).unwrap(), (200, "{\"a\":1}".to_string()));
        assert!(parse_response(b"garbage").is_err());
        assert!(parse_response(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n").is_err());
    }

    #[test]
    fn demo_token_is_private_and_its_hash_lands_in_keys_json() {
        let dir = std::env::temp_dir().join(format!("xtask-operator-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let keys = r#"{"encryptionKeys":{"k1":"00"},"currentEncryptionKey":"k1"}"#.to_string();
        std::fs::write(dir.join("keys.json"), &keys).unwrap();
        let out = demo_token(&dir, keys).unwrap();
        let token = std::fs::read_to_string(dir.join(TOKEN_FILE)).unwrap();
        let parsed: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(parsed["operatorTokens"]["demo"], sha256_hex(token.trim()));
        assert_eq!(parsed["currentEncryptionKey"], "k1", "the other keys stay");
        assert!(!out.contains(token.trim()), "never the raw token in keys.json");
        assert_eq!(std::fs::read_to_string(dir.join("keys.json")).unwrap().trim(), out);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            for f in [TOKEN_FILE, "keys.json"] {
                assert_eq!(std::fs::metadata(dir.join(f)).unwrap().permissions().mode() & 0o777, 0o600, "{f}");
            }
        }
        // A second start changes nothing.
        assert_eq!(demo_token(&dir, out.clone()).unwrap(), out);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
