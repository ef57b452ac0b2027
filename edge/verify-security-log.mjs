#!/usr/bin/env node
// verify-security-log: checks an exported security log (GET /api/security-log or the operator's
// GET /api/operator/users/:user/security-log, saved as JSON).
//
//   node edge/verify-security-log.mjs EXPORT.json [--keys keys.json]
//
// Without --keys it checks the chain (anyone can: every hash from the first kept event to the
// head). With the server keys (the demo's <state>/keys.json; `macKey`, 64 hex digits) it also
// checks the head's MAC, which a rewrite of the whole chain cannot forge. Exit status: 0 valid,
// 1 tampered or not a log, 2 usage or unreadable input. Not part of the worker.
import { readFileSync } from 'node:fs';
import { verifySecurityLog } from './security-log.js';

function usage(message) {
  console.error(`${message}\nusage: node edge/verify-security-log.mjs EXPORT.json [--keys keys.json]`);
  process.exit(2);
}

function readJson(path, what) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    return usage(`cannot read ${what} ${path}: ${e.message}`);
  }
}

const args = process.argv.slice(2);
let file = null;
let keysFile = null;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--keys') keysFile = args[++i] ?? usage('--keys needs a file');
  else if (file === null && !args[i].startsWith('-')) file = args[i];
  else usage(`unexpected argument ${args[i]}`);
}
if (file === null) usage('no export file given');

let key;
if (keysFile !== null) {
  const hexKey = readJson(keysFile, 'the keys').macKey;
  if (typeof hexKey !== 'string' || !/^([0-9a-fA-F]{2}){16,}$/.test(hexKey)) usage(`${keysFile} has no macKey (hex)`);
  key = Uint8Array.from(hexKey.match(/../g), (b) => parseInt(b, 16));
}
const exported = readJson(file, 'the export');
const r = verifySecurityLog(exported, { key });
if (r.chain.ok) {
  const { events, head } = r.chain;
  console.log(`chain: valid, ${events} events (seq ${head.seq - events + 1}-${head.seq}), head ${head.hash}`);
} else {
  console.log(`chain: BROKEN (${r.chain.code}): ${r.chain.message}`);
}
console.log(`mac: ${r.mac === 'unchecked' ? 'not checked (no --keys)' : r.mac === 'valid' ? 'valid' : 'INVALID: the head was not written by this server'}`);
process.exit(r.ok ? 0 : 1);
