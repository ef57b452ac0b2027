// The conformance suite in a page: runs every case once imported, then publishes the results
// as `globalThis.__conformance` (read by runners/browser.mjs through playwright-core) and shows
// a summary. Imported by the import-map page and by the Vite app (vite-app/main.mjs).
import { cases, runCases } from '../conformance/index.mjs';

const results = await runCases(cases);
const count = (s) => results.filter((r) => r.status === s).length;
const summary = `${count('pass')} passed, ${count('fail')} failed, ${count('skip')} skipped`;
document.title = `conformance: ${summary}`;
const pre = document.createElement('pre');
pre.textContent = [summary, ...results.filter((r) => r.status !== 'pass').map((r) => `${r.status} ${r.name}\n${r.error ?? r.reason}`)].join('\n\n');
document.body.append(pre);
globalThis.__conformance = { userAgent: navigator.userAgent, results };
