// The shared conformance suite's tiny test API. A case module calls `test(name, fn)` at import
// time; `fn(t)` may be async and may call `t.skip(reason)` (then return) or `t.diagnostic(text)`.
// Each runtime has a small runner that takes `cases` and hands them to its own test framework
// (node:test in Node, Deno and Bun: js/conformance.test.mjs) or runs them with `runCases` and
// reports the results (workerd: runners/worker.mjs; browsers: runners/page.mjs).
//
// No imports, no runtime-specific globals: this file runs everywhere.

/** @type {{ name: string, fn: (t: TestContext) => unknown }[]} */
export const cases = [];

/**
 * @typedef {{ skip(reason?: string): void, diagnostic(text: string): void }} TestContext
 */

/** Registers a case. Names are unique: they identify the case in every runtime's report. */
export function test(name, fn) {
  if (typeof name !== 'string' || typeof fn !== 'function') throw new TypeError('test(name, fn)');
  if (cases.some((c) => c.name === name)) throw new Error(`two conformance cases named ${JSON.stringify(name)}`);
  cases.push({ name, fn });
}

/**
 * Runs every case in order, one at a time. Returns one result per case:
 * `{ name, status: 'pass' | 'fail' | 'skip', ms, error?, reason?, diagnostics }`.
 */
export async function runCases(list = cases) {
  const results = [];
  for (const { name, fn } of list) {
    const diagnostics = [];
    let skipped = null;
    const t = {
      skip(reason = '') {
        skipped = String(reason);
      },
      diagnostic(text) {
        diagnostics.push(String(text));
      },
    };
    const started = Date.now();
    try {
      await fn(t);
      results.push(skipped === null
        ? { name, status: 'pass', ms: Date.now() - started, diagnostics }
        : { name, status: 'skip', reason: skipped, ms: Date.now() - started, diagnostics });
    } catch (err) {
      const error = err instanceof Error ? `${err.name}: ${err.message}\n${err.stack ?? ''}` : String(err);
      results.push({ name, status: 'fail', error, ms: Date.now() - started, diagnostics });
    }
  }
  return results;
}

/**
 * The results as TAP 13 with node --test's closing lines (`# tests N`, `# pass N`, `# fail N`,
 * `# skipped N`), which is what `cargo xtask test` reads.
 */
export function toTap(results, title) {
  const lines = ['TAP version 13'];
  if (title) lines.push(`# ${title}`);
  results.forEach((r, i) => {
    const n = i + 1;
    if (r.status === 'pass') lines.push(`ok ${n} - ${r.name} # ${r.ms} ms`);
    else if (r.status === 'skip') lines.push(`ok ${n} - ${r.name} # SKIP ${r.reason}`);
    else {
      lines.push(`not ok ${n} - ${r.name}`);
      lines.push('  ---');
      for (const l of String(r.error).split('\n')) lines.push(`  ${l}`);
      lines.push('  ...');
    }
    for (const d of r.diagnostics ?? []) lines.push(`# ${d}`);
  });
  const count = (s) => results.filter((r) => r.status === s).length;
  lines.push(`1..${results.length}`);
  lines.push(`# tests ${results.length}`);
  lines.push(`# pass ${count('pass')}`);
  lines.push(`# fail ${count('fail')}`);
  lines.push(`# skipped ${count('skip')}`);
  return lines.join('\n');
}
