// Adding accounts from text: an otpauth:// link, a Google Authenticator export
// (otpauth-migration://), several links one per line (what "Copy all links" copies), or a
// bare key with the form's issuer, account and settings. The QR reader hands its texts here too.
import { buildUri, OtpError, parseUri } from 'totp-wasm';
import { accounts, fromParsed, nameOf } from './authenticator-accounts.js';
import { describe } from './format.js';
import { $ } from './dom.js';

const ui = {
  form: /** @type {HTMLFormElement} */ ($('add-form')),
  text: /** @type {HTMLTextAreaElement} */ ($('add-text')),
  issuer: /** @type {HTMLInputElement} */ ($('add-issuer')),
  account: /** @type {HTMLInputElement} */ ($('add-account')),
  type: /** @type {HTMLSelectElement} */ ($('add-type')),
  algorithm: /** @type {HTMLSelectElement} */ ($('add-algorithm')),
  digits: /** @type {HTMLSelectElement} */ ($('add-digits')),
  period: /** @type {HTMLInputElement} */ ($('add-period')),
  counter: /** @type {HTMLInputElement} */ ($('add-counter')),
  result: $('add-result'),
};

/** Shows the outcome of an add (or a scan) in the add section. */
export function report(kind, text) {
  ui.result.textContent = text;
  ui.result.className = `result ${kind}`;
}

/** A bare key with the form's fields → one account. */
function accountFromKey(key) {
  const issuer = ui.issuer.value.trim();
  const account = ui.account.value.trim() || issuer;
  if (!account) throw new OtpError('INVALID_ARGUMENT', 'Enter the issuer or the account name for this key, so you can tell its codes apart');
  const type = ui.type.value === 'hotp' ? 'hotp' : 'totp';
  const number = (input, what) => {
    const v = input.value.trim();
    if (!/^\d+$/.test(v)) throw new OtpError('INVALID_ARGUMENT', `${what} must be a whole number`);
    return v;
  };
  const uri = buildUri({
    type,
    secret: key,
    account,
    ...(issuer ? { issuer } : {}),
    algorithm: ui.algorithm.value,
    digits: Number(ui.digits.value),
    ...(type === 'totp' ? { period: Number(number(ui.period, 'The period')) } : { counter: BigInt(number(ui.counter, 'The counter')) }),
  });
  return fromParsed(parseUri(uri));
}

/**
 * The Google Authenticator export reader lives in the scan entry ('totp-wasm/scan'), which is
 * loaded only when a text holds an otpauth-migration link.
 */
let parseMigrationUri = null;
async function readerFor(texts) {
  if (parseMigrationUri || !texts.some((t) => /otpauth-migration:/i.test(t))) return;
  ({ parseMigrationUri } = await import('totp-wasm/scan'));
}

/**
 * Accounts from a text; null when it is not a link and `useFields` is false (a QR code
 * that holds something else).
 */
function accountsFromText(text, useFields) {
  const lines = text.split(/\s*\n\s*/).filter(Boolean);
  if (lines.length > 1 && lines.every((l) => /^otpauth(-migration)?:/i.test(l))) {
    return lines.flatMap((l) => accountsFromText(l, false));
  }
  if (/^otpauth-migration:/i.test(text)) return parseMigrationUri(text).map(fromParsed);
  if (/^otpauth:/i.test(text)) return [fromParsed(parseUri(text))];
  if (!useFields) return null;
  return [accountFromKey(text)];
}

/** Adds what a pasted text or a scanned code holds and says what happened. */
function addFrom(incoming, source) {
  const [added, duplicates] = accounts.add(incoming);
  const already = duplicates ? ` ${duplicates === 1 ? 'One was' : `${duplicates} were`} already here.` : '';
  if (added.length === 0) {
    report('bad', incoming.length === 1 ? `${nameOf(incoming[0])} is already here.` : `All ${incoming.length} accounts are already here.`);
  } else if (added.length === 1) {
    report('good', `Added ${nameOf(added[0])}${source}.${already}`);
  } else {
    report('good', `Added ${added.length} accounts${source}: ${added.map(nameOf).join(', ')}.${already}`);
  }
  return added;
}

async function onAdd(event) {
  event.preventDefault();
  const text = ui.text.value.trim();
  if (!text) {
    report('bad', 'Paste a setup link (otpauth://…) or a key first.');
    ui.text.focus();
    return;
  }
  let incoming;
  try {
    await readerFor([text]);
    incoming = accountsFromText(text, true);
  } catch (err) {
    report('bad', describe(err));
    return;
  }
  const migration = /^otpauth-migration:/i.test(text) && !text.includes('\n');
  const added = addFrom(incoming, migration ? ' from the Google Authenticator export' : '');
  // The secret is now in the list: do not leave it in the form.
  if (added.length) ui.form.reset();
}

/** Texts read from QR codes → accounts, with a message for anything else. True if any. */
export async function addScanned(texts, where) {
  const incoming = [];
  const problems = [];
  await readerFor(texts);
  for (const t of texts) {
    try {
      const found = accountsFromText(t.trim(), false);
      if (found) incoming.push(...found);
      else problems.push(`The QR code says “${t.length > 60 ? `${t.slice(0, 57)}…` : t}”, which is not an authenticator setup code.`);
    } catch (err) {
      problems.push(`The QR code holds a setup link that cannot be used: ${describe(err)}`);
    }
  }
  if (incoming.length) {
    addFrom(incoming, ` from ${where}`);
    if (problems.length) ui.result.textContent += ` ${problems.join(' ')}`;
    return true;
  }
  if (problems.length) report('bad', problems.join(' '));
  return false;
}

export function initAdd() {
  ui.form.addEventListener('submit', onAdd);
}
