//! Running one suite and judging it: the helpers of the orchestrator (`test`) and of the suite
//! modules it calls (`runtimes`, `checks`). They sit below all three, so no suite module imports
//! the orchestrator back.

use std::process::Command;
use std::time::Instant;

use crate::Ctx;
use crate::process;
use crate::report::{Counts, Status, SuiteResult};

/// Runs a suite's command with its output streamed and judges it by the counts it printed.
pub(crate) fn run_suite(name: &'static str, cmd: &mut Command, parse: fn(&str) -> Option<Counts>) -> SuiteResult {
    let started = Instant::now();
    let ran = process::run_tee(cmd);
    let seconds = started.elapsed().as_secs_f64();
    let (status, output) = match ran {
        Ok(ran) => ran,
        Err(e) => return SuiteResult { seconds, ..failed(name, e) },
    };
    let (mut counts, mut note) = match parse(&output) {
        Some(counts) => (counts, String::new()),
        None => (Counts::default(), format!("the runner printed no test counts ({status})")),
    };
    if !status.success() && note.is_empty() && counts.failed == 0 {
        note = format!("the runner failed ({status}) without a failed test: see its output");
    }
    if !note.is_empty() {
        counts.failed = counts.failed.max(1);
    }
    let status = if counts.failed > 0 || !status.success() { Status::Failed } else { Status::Ok };
    SuiteResult { name, status, counts, seconds, note }
}

/// A suite whose tool is missing: a failure under CI, a reported skip elsewhere.
pub(crate) fn unavailable(ctx: &Ctx, name: &'static str, reason: String) -> SuiteResult {
    let reason = first_line(&reason);
    if ctx.ci {
        failed(name, format!("cannot run under CI: {reason}"))
    } else {
        eprintln!("skipping suite {name}: {reason}");
        let counts = Counts { skipped: 1, ..Counts::default() };
        SuiteResult { name, status: Status::Skipped, counts, seconds: 0.0, note: format!("cannot run: {reason}") }
    }
}

pub(crate) fn no_tests(name: &'static str, reason: &str) -> SuiteResult {
    eprintln!("skipping suite {name}: {reason}");
    SuiteResult { name, status: Status::Skipped, counts: Counts::default(), seconds: 0.0, note: reason.to_string() }
}

pub(crate) fn failed(name: &'static str, reason: String) -> SuiteResult {
    eprintln!("suite {name} failed: {reason}");
    let counts = Counts { failed: 1, ..Counts::default() };
    SuiteResult { name, status: Status::Failed, counts, seconds: 0.0, note: first_line(&reason) }
}

pub(crate) fn first_line(text: &str) -> String {
    text.lines().next().unwrap_or_default().to_string()
}
