//! Test counts as the runners print them, and the summary table.

use std::fmt;

/// Individual test cases.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub passed: u64,
    pub failed: u64,
    /// Cases the runner marks ignored / skipped / todo.
    pub skipped: u64,
}

impl std::ops::AddAssign for Counts {
    fn add_assign(&mut self, o: Counts) {
        self.passed += o.passed;
        self.failed += o.failed;
        self.skipped += o.skipped;
    }
}

impl fmt::Display for Counts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "tests: {} passed, {} failed, {} skipped", self.passed, self.failed, self.skipped)
    }
}

/// Sums libtest's lines, which cargo prints once per test binary and once for the doc-tests,
/// and wasm-bindgen-test-runner prints in the same format:
/// `test result: ok. 12 passed; 0 failed; 3 ignored; 0 measured; 0 filtered out; finished in 0.01s`.
/// `None` when there is no such line.
pub fn libtest_counts(output: &str) -> Option<Counts> {
    let mut total: Option<Counts> = None;
    for line in strip_ansi(output).lines() {
        let Some(at) = line.find("test result: ") else { continue };
        let Some((_, fields)) = line[at..].split_once(". ") else { continue };
        let mut c = Counts::default();
        for field in fields.split(';') {
            let mut words = field.split_whitespace();
            let (Some(n), Some(what)) = (words.next(), words.next()) else { continue };
            let Ok(n) = n.parse::<u64>() else { continue };
            match what {
                "passed" => c.passed = n,
                "failed" => c.failed = n,
                "ignored" => c.skipped = n,
                _ => {}
            }
        }
        *total.get_or_insert_with(Counts::default) += c;
    }
    total
}

/// node --test with the TAP reporter ends with `# tests N`, `# pass N`, `# fail N`,
/// `# cancelled N`, `# skipped N`, `# todo N` (the last of each wins). Cancelled counts as
/// failed, todo as skipped. `None` without `# pass` and `# fail`.
pub fn tap_counts(output: &str) -> Option<Counts> {
    let mut found = [None::<u64>; 5];
    let keys = ["pass", "fail", "cancelled", "skipped", "todo"];
    for line in strip_ansi(output).lines() {
        let Some(rest) = line.strip_prefix("# ") else { continue };
        let mut words = rest.split_whitespace();
        let (Some(key), Some(n), None) = (words.next(), words.next(), words.next()) else { continue };
        if let (Some(i), Ok(n)) = (keys.iter().position(|k| *k == key), n.parse::<u64>()) {
            found[i] = Some(n);
        }
    }
    let [Some(pass), Some(fail), cancelled, skipped, todo] = found else { return None };
    Some(Counts {
        passed: pass,
        failed: fail + cancelled.unwrap_or(0),
        skipped: skipped.unwrap_or(0) + todo.unwrap_or(0),
    })
}

/// `deno test` ends with `ok | 66 passed | 0 failed (269ms)` or
/// `FAILED | 65 passed | 1 failed | 2 ignored (300ms)` (the last such line wins); ignored counts
/// as skipped. `None` without it.
pub fn deno_counts(output: &str) -> Option<Counts> {
    let mut found = None;
    for line in strip_ansi(output).lines() {
        let line = line.trim();
        let Some(rest) = line.strip_prefix("ok |").or_else(|| line.strip_prefix("FAILED |")) else { continue };
        let mut c = Counts::default();
        let mut any = false;
        for field in rest.split('|') {
            let field = field.split('(').next().unwrap_or_default();
            let mut words = field.split_whitespace();
            let (Some(n), Some(what)) = (words.next(), words.next()) else { continue };
            let Ok(n) = n.parse::<u64>() else { continue };
            match what {
                "passed" => c.passed = n,
                "failed" => c.failed = n,
                "ignored" => c.skipped = n,
                _ => continue,
            }
            any = true;
        }
        if any {
            found = Some(c);
        }
    }
    found
}

/// `bun test` ends with ` 66 pass`, ` 1 skip`, ` 0 fail` (and ` 1 todo`) on lines of their own;
/// todo counts as skipped. `None` without `pass` and `fail`.
pub fn bun_counts(output: &str) -> Option<Counts> {
    let mut found = [None::<u64>; 4];
    let keys = ["pass", "fail", "skip", "todo"];
    for line in strip_ansi(output).lines() {
        let mut words = line.split_whitespace();
        let (Some(n), Some(key), None) = (words.next(), words.next(), words.next()) else { continue };
        if let (Some(i), Ok(n)) = (keys.iter().position(|k| *k == key), n.parse::<u64>()) {
            found[i] = Some(n);
        }
    }
    let [Some(pass), Some(fail), skip, todo] = found else { return None };
    Some(Counts { passed: pass, failed: fail, skipped: skip.unwrap_or(0) + todo.unwrap_or(0) })
}

fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\x1b' && chars.peek() == Some(&'[') {
            chars.next();
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else if c != '\r' {
            out.push(c);
        }
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Ok,
    Failed,
    Skipped,
}

/// One row of the summary.
pub struct SuiteResult {
    pub name: &'static str,
    pub status: Status,
    pub counts: Counts,
    pub seconds: f64,
    pub note: String,
}

/// The table, then the one summary line. Returns the totals.
pub fn print_summary(results: &[SuiteResult]) -> Counts {
    let mut total = Counts::default();
    println!();
    println!("{:<16} {:<8} {:>7} {:>7} {:>8} {:>8}  note", "suite", "result", "passed", "failed", "skipped", "time");
    for r in results {
        let status = match r.status {
            Status::Ok => "ok",
            Status::Failed => "FAILED",
            Status::Skipped => "skipped",
        };
        let row = format!(
            "{:<16} {:<8} {:>7} {:>7} {:>8} {:>7.1}s  {}",
            r.name, status, r.counts.passed, r.counts.failed, r.counts.skipped, r.seconds, r.note
        );
        println!("{}", row.trim_end());
        total += r.counts;
    }
    println!("(a suite that cannot run or whose runner fails without counting a failure counts as one case)");
    println!("{total}");
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn libtest_lines_are_summed() {
        let out = "running 3 tests\n\
            test result: ok. 3 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.00s\n\
            \x1b[1mDoc-tests\x1b[0m totp_wasm\n\
            test result: \x1b[31mFAILED\x1b[0m. 5 passed; 2 failed; 0 ignored; 0 measured; 0 filtered out\n";
        assert_eq!(libtest_counts(out), Some(Counts { passed: 8, failed: 2, skipped: 1 }));
        assert_eq!(libtest_counts("error: could not compile"), None);
    }

    #[test]
    fn tap_summary_is_read() {
        let out = "TAP version 13\n# Subtest: a\nok 1 - a\n1..1\n# tests 7\n# suites 1\n# pass 4\n\
                   # fail 1\n# cancelled 1\n# skipped 0\n# todo 1\n# duration_ms 12.5\n";
        assert_eq!(tap_counts(out), Some(Counts { passed: 4, failed: 2, skipped: 1 }));
        assert_eq!(tap_counts("TAP version 13\n"), None);
    }

    #[test]
    fn deno_summary_is_read() {
        let out = "a ... ok (2ms)\n\nok | 66 passed | 0 failed (269ms)\n";
        assert_eq!(deno_counts(out), Some(Counts { passed: 66, failed: 0, skipped: 0 }));
        let out = "FAILURES\n\nFAILED | 1 passed | 1 failed | 1 ignored (6ms)\n\nerror: Test failed\n";
        assert_eq!(deno_counts(out), Some(Counts { passed: 1, failed: 1, skipped: 1 }));
        assert_eq!(deno_counts("error: Module not found\n"), None);
    }

    #[test]
    fn bun_summary_is_read() {
        let out = "(pass) a [1.00ms]\n(fail) c fails [0.50ms]\n\n 1 pass\n 1 skip\n 1 fail\nRan 3 tests across 1 file. [35.00ms]\n";
        assert_eq!(bun_counts(out), Some(Counts { passed: 1, failed: 1, skipped: 1 }));
        assert_eq!(bun_counts("error: Cannot find module\n"), None);
    }
}
