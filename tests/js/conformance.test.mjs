// The shared conformance suite (conformance/*.mjs) through node:test. The same file is the
// runner in Node (`node --test`), Deno (`deno test`, whose node:test maps onto Deno.test) and
// Bun (`bun test`, onto bun:test); each runtime counts the cases itself.
import { test } from 'node:test';
import { cases } from './conformance/index.mjs';

for (const { name, fn } of cases) {
  test(name, async (t) => {
    await fn({
      skip(reason) {
        // Deno's node:test counts a skip called while running as a pass: refuse it there
        // rather than report a case that did not run as passed.
        if (globalThis.Deno) throw new Error(`skipped at run time (not countable under deno test): ${reason}`);
        t.skip(reason);
      },
      diagnostic(text) {
        if (typeof t.diagnostic === 'function') t.diagnostic(text);
        else console.log(`# ${text}`);
      },
    });
  });
}
