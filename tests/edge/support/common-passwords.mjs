// The list of common passwords the edge worker refuses (edge/common-passwords.txt), derived
// from the npm package @zxcvbn-ts/language-common (its src/passwords.json: 49,233 common and
// breached passwords, lower case). The worker only ever compares passwords that passed the
// length rule, so only entries a new password could equal are kept: 8 to 256 characters. Lower
// case (the worker lower-cases before comparing), sorted, one per line, a newline at the end.
//
// The edge suite checks that the committed file equals this function's output for the
// installed package; after a version bump of the package, write it again with
//
//   node tests/edge/support/common-passwords.mjs
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export const PACKAGE = '@zxcvbn-ts/language-common';
export const LIST_FILE = join(ROOT, 'edge', 'common-passwords.txt');
const require = createRequire(join(ROOT, 'package.json'));

/** The package's own list, as it ships it. */
export function packageList() {
  return JSON.parse(readFileSync(require.resolve(`${PACKAGE}/src/passwords.json`), 'utf8'));
}

/** The package's version (for messages and the README). */
export function packageVersion() {
  return JSON.parse(readFileSync(require.resolve(`${PACKAGE}/package.json`), 'utf8')).version;
}

/** Whether a password of this text could be new: the worker's length rule (NFC code points). */
export function longEnough(entry) {
  const length = [...entry.normalize('NFC')].length;
  return length >= 8 && length <= 256;
}

/** The text of edge/common-passwords.txt for a list. */
export function listText(list = packageList()) {
  const kept = new Set(list.map((p) => p.normalize('NFC').toLowerCase()).filter(longEnough));
  return [...kept].sort().join('\n') + '\n';
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const text = listText();
  writeFileSync(LIST_FILE, text);
  const lines = text.split('\n').length - 1;
  console.log(`wrote ${LIST_FILE}: ${lines} entries, ${Buffer.byteLength(text)} bytes (${PACKAGE} ${packageVersion()})`);
}
