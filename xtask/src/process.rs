//! Running commands: echo them, check their status, tee or log their output.

use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

use crate::{Context, Result};

/// `program arg arg` as a person would type it (for echoing and error messages).
pub fn show(cmd: &Command) -> String {
    let mut s = cmd.get_program().to_string_lossy().into_owned();
    for arg in cmd.get_args() {
        let arg = arg.to_string_lossy();
        s.push(' ');
        if arg.is_empty() || arg.contains([' ', '"', '\'']) {
            s.push_str(&format!("'{arg}'"));
        } else {
            s.push_str(&arg);
        }
    }
    s
}

/// Prints a step header: `==> what`.
pub fn step(what: impl std::fmt::Display) {
    println!("\x1b[1m==> {what}\x1b[0m");
}

/// Runs `cmd` with the terminal as its stdio; fails unless it exits 0.
pub fn run(cmd: &mut Command) -> Result<()> {
    println!("$ {}", show(cmd));
    let status = cmd.status().with_context(|| format!("running `{}`", show(cmd)))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{}` failed ({status})", show(cmd)))
    }
}

/// Runs `cmd` and returns its stdout (stderr goes to the terminal); fails unless it exits 0.
pub fn stdout_of(cmd: &mut Command) -> Result<String> {
    let out = cmd
        .stderr(Stdio::inherit())
        .output()
        .with_context(|| format!("running `{}`", show(cmd)))?;
    if !out.status.success() {
        return Err(format!("`{}` failed ({})", show(cmd), out.status));
    }
    String::from_utf8(out.stdout).with_context(|| format!("output of `{}`", show(cmd)))
}

/// Runs `cmd` with its output (stdout and stderr through one pipe, so in the order printed)
/// copied to the terminal as it comes and captured; returns the exit status and the text.
pub fn run_tee(cmd: &mut Command) -> Result<(ExitStatus, String)> {
    println!("$ {}", show(cmd));
    let (mut reader, writer) = std::io::pipe().context("creating a pipe")?;
    let writer2 = writer.try_clone().context("creating a pipe")?;
    let spawned = cmd.stdin(Stdio::null()).stdout(writer).stderr(writer2).spawn();
    // The command keeps its copies of the write end until told otherwise: without this the
    // reader would never see the end of the output.
    cmd.stdout(Stdio::inherit()).stderr(Stdio::inherit());
    let mut child = spawned.with_context(|| format!("starting `{}`", show(cmd)))?;
    let all = Arc::new(Mutex::new(Vec::new()));
    let (done, finished) = mpsc::channel();
    let sink = Arc::clone(&all);
    std::thread::spawn(move || {
        let mut buf = [0u8; 8192];
        loop {
            let n = match reader.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(_) => break,
            };
            let chunk = &buf[..n];
            // A closed terminal must not stop the capture: ignore write errors.
            let mut out = std::io::stdout().lock();
            let _ = out.write_all(chunk).and_then(|()| out.flush());
            if let Ok(mut all) = sink.lock() {
                all.extend_from_slice(chunk);
            }
        }
        let _ = done.send(());
    });
    let status = child.wait().with_context(|| format!("waiting for `{}`", show(cmd)))?;
    // A process the command left behind may still hold the pipe open: do not wait for it.
    if finished.recv_timeout(Duration::from_secs(5)).is_err() {
        eprintln!("warning: a process started by `{}` still holds its output open; not waiting for it", show(cmd));
    }
    let text = all.lock().map(|all| String::from_utf8_lossy(&all).into_owned()).unwrap_or_default();
    Ok((status, text))
}

/// Runs `cmd` with stdout and stderr appended to `log`; on failure the error carries the last
/// lines of the log. For long, noisy installs.
pub fn run_logged(cmd: &mut Command, log: &Path) -> Result<()> {
    if let Some(dir) = log.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let file = File::options()
        .create(true)
        .append(true)
        .open(log)
        .with_context(|| format!("opening {}", log.display()))?;
    let file2 = file.try_clone().with_context(|| format!("opening {}", log.display()))?;
    println!("$ {}   (output: {})", show(cmd), log.display());
    let status = cmd
        .stdin(Stdio::null())
        .stdout(file)
        .stderr(file2)
        .status()
        .with_context(|| format!("running `{}`", show(cmd)))?;
    if status.success() {
        return Ok(());
    }
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    let tail = lines[lines.len().saturating_sub(15)..].join("\n    ");
    Err(format!(
        "`{}` failed ({status}); last lines of {}:\n    {tail}",
        show(cmd),
        log.display()
    ))
}

/// The first `name` found on PATH.
pub fn which(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| is_executable(p))
}

pub fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata()
        .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

/// PATH with `dir` in front.
pub fn path_with(dir: &Path) -> Result<std::ffi::OsString> {
    let mut dirs = vec![dir.to_path_buf()];
    if let Some(path) = std::env::var_os("PATH") {
        dirs.extend(std::env::split_paths(&path));
    }
    std::env::join_paths(dirs).context("building PATH")
}

/// The `cargo` that runs us (so a rustup toolchain override applies to the children too).
pub fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

/// An exclusive lock on `path` (created if needed), held until the returned file is dropped.
/// Waits, saying so, while another process holds it.
pub fn lock(path: &Path) -> Result<File> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let file = File::create(path).with_context(|| format!("creating {}", path.display()))?;
    if file.try_lock().is_err() {
        println!("waiting for another xtask holding {} ...", path.display());
        file.lock().with_context(|| format!("locking {}", path.display()))?;
    }
    Ok(file)
}

#[cfg(test)]
mod tests {
    #[test]
    fn tee_returns_although_a_leftover_process_holds_the_pipe() {
        let started = std::time::Instant::now();
        let (status, text) =
            super::run_tee(std::process::Command::new("sh").args(["-c", "sleep 9 & echo out; echo err >&2"])).unwrap();
        assert!(status.success());
        assert_eq!(text, "out\nerr\n");
        assert!(started.elapsed().as_secs() < 8);
    }
}
