//! `cargo xtask demo [--port 8787] [--state .demo] [--login one-form|two-step]`: builds pkg/,
//! then serves www/ and pkg/ through the worker in edge/ on workerd at http://127.0.0.1:<port>/
//! until Ctrl-C. `--login` picks the page's sign-in form (the worker's TOTP_WASM_LOGIN_FORM).

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::{Context, Ctx, Result, build, tools};

const STARTUP_TIMEOUT: Duration = Duration::from_secs(30);
const STOP_GRACE: Duration = Duration::from_secs(2);

pub fn command(ctx: &Ctx, args: &[String]) -> Result<ExitCode> {
    let mut port: u16 = 8787;
    let mut state = ctx.root.join(".demo");
    let mut login = "two-step".to_string();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) => (f, Some(v.to_string())),
            None => (arg.as_str(), None),
        };
        let mut value = || inline.clone().or_else(|| args.next().cloned()).ok_or(format!("{flag} needs a value"));
        match flag {
            "--port" => port = value()?.parse().map_err(|e| format!("--port: {e}"))?,
            "--state" => state = std::env::current_dir().context("current directory")?.join(value()?),
            "--login" => {
                login = value()?;
                if login != "one-form" && login != "two-step" {
                    return Err(format!("--login: `{login}` is not one-form or two-step"));
                }
            }
            other => {
                return Err(format!(
                    "demo: unknown argument `{other}` (usage: cargo xtask demo [--port N] [--state DIR] [--login one-form|two-step])"
                ));
            }
        }
    }

    let config = ctx.root.join("edge/config.capnp");
    if !config.is_file() {
        return Err(format!("{} is missing: the demo is workerd running edge/", config.display()));
    }
    // Checked before building: a demo already running there keeps serving pkg/ untouched.
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    if TcpStream::connect_timeout(&addr, Duration::from_millis(300)).is_ok() {
        return Err(format!("port {port} is already in use on 127.0.0.1: stop that server or pass --port"));
    }
    let tools = tools::build_tools(ctx)?;
    build::build(ctx, &tools)?;
    std::fs::create_dir_all(&state).with_context(|| format!("creating the state folder {}", state.display()))?;
    let keys = server_keys(&state)?;
    let keys = crate::operator::demo_token(&state, keys)?;

    // Before workerd starts, so that a Ctrl-C during startup still stops it.
    let (signals, signal) = mpsc::channel();
    ctrlc::set_handler(move || {
        let _ = signals.send(());
    })
    .context("installing the Ctrl-C handler")?;

    let workerd = ctx.root.join("node_modules/.bin/workerd");
    let mut cmd = Command::new(&workerd);
    cmd.current_dir(&ctx.root)
        .arg("serve")
        .arg(&config)
        .args(["--socket-addr".to_string(), format!("http={addr}")])
        .args(dir_arg("www", &ctx.root.join("www")))
        .args(dir_arg("pkg", &ctx.root.join("pkg")))
        .args(dir_arg("state", &canonical(&state)))
        // The worker's secret binding (edge/config.capnp: fromEnvironment); not printed.
        .env("TOTP_WASM_KEYS", keys)
        // The demo's support resets happen at once (no hold; edge/config.capnp). Unset, a
        // deployment holds every reset at least 24 h.
        .env("OPERATOR_MIN_RESET_DELAY", "0")
        .env("TOTP_WASM_LOGIN_FORM", &login);
    println!("$ {}", crate::process::show(&cmd));
    let mut child = cmd.spawn().with_context(|| format!("starting {}", workerd.display()))?;

    let started = Instant::now();
    loop {
        if signal.try_recv().is_ok() {
            return stop(&mut child);
        }
        if let Some(status) = child.try_wait().context("watching workerd")? {
            return Err(format!("workerd exited before it answered ({status})"));
        }
        if let Some(status_line) = answers(&addr) {
            let code = status_line.split_whitespace().nth(1).unwrap_or("?");
            if !code.starts_with('2') && !code.starts_with('3') {
                eprintln!("warning: GET / answered {code}");
            }
            break;
        }
        if started.elapsed() > STARTUP_TIMEOUT {
            let _ = stop(&mut child);
            return Err(format!("workerd did not answer on http://{addr}/ within {}s", STARTUP_TIMEOUT.as_secs()));
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    println!("totp-wasm demo: http://{addr}/");
    println!("(state in {}; Ctrl-C stops)", state.display());

    loop {
        if signal.recv_timeout(Duration::from_millis(250)).is_ok() {
            return stop(&mut child);
        }
        if let Some(status) = child.try_wait().context("watching workerd")? {
            // Ctrl-C reaches workerd too (same process group): it may exit before we hear it.
            if signal.recv_timeout(Duration::from_millis(500)).is_ok() {
                println!("stopped");
                return Ok(ExitCode::SUCCESS);
            }
            eprintln!("workerd exited by itself ({status})");
            let code = status.code().filter(|c| *c != 0).and_then(|c| u8::try_from(c).ok()).unwrap_or(1);
            return Ok(ExitCode::from(code));
        }
    }
}

/// The demo's server keys (edge/README.md, "Server keys"): `<state>/keys.json`, created once
/// with random keys (mode 0600) so that secrets and recovery codes stay valid across restarts.
/// A keys.json from before the `macKey` existed gets one added (the other keys are kept, so
/// every stored secret and recovery code keeps working; sessions and tokens signed before
/// have no MAC and end).
fn server_keys(state: &Path) -> Result<String> {
    let path = state.join("keys.json");
    if !path.exists() {
        let random = random_bytes::<96>()?;
        let keys = serde_json::json!({
            "encryptionKeys": { "k1": hex(&random[..32]) },
            "currentEncryptionKey": "k1",
            "recoveryKey": hex(&random[32..64]),
            "macKey": hex(&random[64..]),
        });
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(&path).with_context(|| format!("creating {}", path.display()))?;
        file.write_all(format!("{keys:#}\n").as_bytes()).with_context(|| format!("writing {}", path.display()))?;
        println!("generated server keys in {} (keep it: the secrets at rest need it)", path.display());
    }
    let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let mut keys: serde_json::Value =
        serde_json::from_str(&text).with_context(|| format!("{} is not JSON", path.display()))?;
    if let Some(map) = keys.as_object_mut().filter(|m| !m.contains_key("macKey")) {
        map.insert("macKey".into(), serde_json::Value::String(hex(&random_bytes::<32>()?)));
        // Written to a new file, then renamed over the old one: a crash leaves one or the other.
        let tmp = state.join("keys.json.new");
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(&tmp).with_context(|| format!("creating {}", tmp.display()))?;
        file.write_all(format!("{keys:#}\n").as_bytes()).with_context(|| format!("writing {}", tmp.display()))?;
        drop(file);
        std::fs::rename(&tmp, &path).with_context(|| format!("replacing {}", path.display()))?;
        println!("added macKey to {} (sessions and update tokens issued before it end)", path.display());
        return Ok(keys.to_string());
    }
    Ok(text.trim().to_string())
}

fn random_bytes<const N: usize>() -> Result<[u8; N]> {
    let mut random = [0u8; N];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut random))
        .context("reading /dev/urandom for the demo's server keys")?;
    Ok(random)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|x| format!("{x:02x}")).collect()
}

fn dir_arg(name: &str, path: &Path) -> [String; 2] {
    ["--directory-path".to_string(), format!("{name}={}", path.display())]
}

fn canonical(path: &Path) -> PathBuf {
    path.canonicalize().unwrap_or_else(|_| path.to_path_buf())
}

/// The status line of `GET /`, once something answers HTTP on `addr`.
fn answers(addr: &SocketAddr) -> Option<String> {
    let mut stream = TcpStream::connect_timeout(addr, Duration::from_millis(500)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    let request = format!("GET / HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).ok()?;
    let mut head = [0u8; 64];
    let n = stream.read(&mut head).ok()?;
    let text = String::from_utf8_lossy(&head[..n]);
    let line = text.lines().next()?.to_string();
    line.starts_with("HTTP/").then_some(line)
}

/// SIGTERM, then SIGKILL if workerd is still there after the grace period.
fn stop(child: &mut Child) -> Result<ExitCode> {
    println!("stopping workerd ...");
    if child.try_wait().ok().flatten().is_none() {
        let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
        let deadline = Instant::now() + STOP_GRACE;
        while Instant::now() < deadline {
            if child.try_wait().ok().flatten().is_some() {
                println!("stopped");
                return Ok(ExitCode::SUCCESS);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        child.kill().context("killing workerd")?;
    }
    let _ = child.wait();
    println!("stopped");
    Ok(ExitCode::SUCCESS)
}
