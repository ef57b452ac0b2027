// The list of accounts as the person sees it: each account's live code (a button that
// copies it), a countdown ring for time-based codes or "Next code" for counter-based ones,
// and Remove with a confirmation. It redraws when the accounts model says it changed.
//
// The countdown for screen readers: the ring and its seconds are decoration (aria-hidden);
// each code button is described by a text "New code in 17 seconds" that is kept current but
// is not a live region, so it is read when the person reaches the code, never every second.
import { hotp, remainingSeconds, totp } from 'totp-wasm';
import { accounts, nameOf } from './authenticator-accounts.js';
import { copyText } from './clipboard.js';
import { describe, groupCode } from './format.js';
import { $ } from './dom.js';

const SVG = 'http://www.w3.org/2000/svg';

const ui = {
  list: $('accounts'),
  empty: $('empty'),
  count: $('account-count'),
  copyStatus: $('copy-status'),
};

/** A new element with a class and text. */
export function el(tag, className, text) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

/** What differs from SHA1 / 6 digits / 30 s, e.g. "SHA-256 · 8 digits · 60 s". */
function settingsOf(a) {
  const parts = [];
  if (a.type === 'hotp') parts.push('counter based');
  if (a.algorithm !== 'SHA1') parts.push(a.algorithm.replace('SHA', 'SHA-'));
  if (a.digits !== 6) parts.push(`${a.digits} digits`);
  if (a.type === 'totp' && a.period !== 30) parts.push(`${a.period} s`);
  return parts.join(' · ');
}

function ring() {
  const wrap = el('div', 'countdown');
  wrap.setAttribute('aria-hidden', 'true');
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '0 0 44 44');
  svg.setAttribute('class', 'ring');
  const track = document.createElementNS(SVG, 'circle');
  const bar = document.createElementNS(SVG, 'circle');
  for (const [c, cls] of [[track, 'ring-track'], [bar, 'ring-bar']]) {
    c.setAttribute('class', cls);
    c.setAttribute('cx', '22');
    c.setAttribute('cy', '22');
    c.setAttribute('r', '19');
  }
  bar.setAttribute('pathLength', '100');
  bar.setAttribute('stroke-dasharray', '100');
  bar.setAttribute('stroke-dashoffset', '0');
  svg.append(track, bar);
  wrap.append(svg, el('span', 'seconds'));
  return wrap;
}

/** Remove, then "Remove this account?" with Remove / Keep. */
function removeTools(a) {
  const remove = el('button', 'link-button remove', 'Remove');
  remove.type = 'button';
  remove.setAttribute('aria-label', `Remove ${nameOf(a)}`);
  const confirmBox = el('div', 'confirm');
  confirmBox.hidden = true;
  const yes = el('button', 'danger small', 'Remove');
  yes.type = 'button';
  yes.setAttribute('aria-label', `Yes, remove ${nameOf(a)}`);
  const no = el('button', 'secondary small', 'Keep');
  no.type = 'button';
  const choices = el('span', 'confirm-buttons');
  choices.append(yes, no);
  confirmBox.append(el('span', 'confirm-text', 'Remove this account? Its codes will be gone from here.'), choices);
  remove.addEventListener('click', () => {
    remove.hidden = true;
    confirmBox.hidden = false;
    no.focus();
  });
  no.addEventListener('click', () => {
    confirmBox.hidden = true;
    remove.hidden = false;
    remove.focus();
  });
  yes.addEventListener('click', () => accounts.remove(a.id));
  return { remove, confirmBox };
}

/** The list item of one account; its code and countdown are filled in by tick(). */
function accountItem(a) {
  const li = el('li', 'account');
  li.dataset.id = String(a.id);
  li.dataset.type = a.type;

  const head = el('div', 'account-head');
  head.append(el('h3', 'issuer', a.issuer || a.account));
  if (a.issuer) head.append(el('p', 'account-name', a.account));
  const settings = settingsOf(a);
  if (settings) head.append(el('p', 'settings', settings));

  const codeRow = el('div', 'code-row');
  const code = el('button', 'code');
  code.type = 'button';
  code.append(el('span', 'code-text'));
  code.addEventListener('click', () => copyCode(a, code));
  codeRow.append(code);
  if (a.type === 'totp') {
    const left = el('span', 'visually-hidden time-left');
    left.id = `time-left-${a.id}`;
    code.setAttribute('aria-describedby', left.id);
    codeRow.append(ring(), left);
  } else {
    const next = el('button', 'secondary small next', 'Next code');
    next.type = 'button';
    next.setAttribute('aria-label', `Next code for ${nameOf(a)}`);
    next.addEventListener('click', () => {
      accounts.advance(a.id);
      ui.copyStatus.textContent = `New code for ${nameOf(a)}.`;
    });
    codeRow.append(next);
  }

  const tools = el('div', 'account-tools');
  if (a.type === 'hotp') tools.append(el('span', 'counter'));
  const { remove, confirmBox } = removeTools(a);
  tools.append(remove);
  li.append(head, codeRow, tools, confirmBox);
  return li;
}

/** The empty list says how to get accounts: add one, or unlock the saved ones. */
function updateEmpty() {
  ui.empty.hidden = accounts.all.length > 0;
  ui.empty.textContent = accounts.locked
    ? 'Your saved accounts are locked: unlock them with your passphrase under “Keep on this device”. Or add an account: paste its setup link or key, or scan its QR code.'
    : 'No accounts yet. Add one: paste its setup link or key, or scan its QR code.';
}

function render() {
  const all = accounts.all;
  ui.list.replaceChildren(...all.map(accountItem));
  updateEmpty();
  ui.count.textContent = all.length ? String(all.length) : '';
  ui.count.setAttribute('aria-label', `${all.length} account${all.length === 1 ? '' : 's'}`);
  tick();
}

let timer = 0;

/** One account's code, or the error in words. */
function codeOf(a, now) {
  const options = { algorithm: a.algorithm, digits: a.digits };
  return a.type === 'totp' ? totp(a.secret, { ...options, period: a.period, time: now }) : hotp(a.secret, a.counter ?? 0n, options);
}

/** The ring and the screen-reader text of a time-based account at `left` seconds. */
function showCountdown(li, a, left) {
  li.querySelector('.seconds').textContent = String(left);
  const bar = li.querySelector('.ring-bar');
  bar.classList.toggle('reset', left === a.period);
  bar.classList.toggle('low', left <= 5);
  bar.setAttribute('stroke-dashoffset', String(((a.period - left) / a.period) * 100));
  li.querySelector('.countdown').title = `A new code in ${left} s`;
  li.querySelector('.time-left').textContent = `New code in ${left} second${left === 1 ? '' : 's'}.`;
}

/** Updates every code and countdown at one instant; schedules itself for the next second. */
export function tick() {
  clearTimeout(timer);
  const now = Date.now() / 1000;
  for (const li of ui.list.children) {
    const a = accounts.byId(Number(li.dataset.id));
    if (!a) continue;
    let code;
    try {
      code = codeOf(a, now);
    } catch (err) {
      li.querySelector('.code-text').textContent = describe(err);
      continue;
    }
    const shown = groupCode(code);
    const text = li.querySelector('.code-text');
    if (text.textContent !== shown) text.textContent = shown;
    const button = li.querySelector('.code');
    button.dataset.code = code;
    const label = `${shown}: copy the code for ${nameOf(a)}`;
    if (button.getAttribute('aria-label') !== label) button.setAttribute('aria-label', label);
    if (a.type === 'totp') showCountdown(li, a, remainingSeconds({ time: now, period: a.period }));
    else li.querySelector('.counter').textContent = `Counter ${a.counter}`;
  }
  if (accounts.all.some((a) => a.type === 'totp')) timer = setTimeout(tick, 1000 - (Date.now() % 1000) + 20);
}

async function copyCode(a, button) {
  const r = await copyText(button.dataset.code ?? '', {
    shown: button.querySelector('.code-text'),
    copied: `Copied the code for ${nameOf(a)}.`,
    what: 'the code',
  });
  ui.copyStatus.textContent = r.message;
  if (r.copied) {
    button.classList.add('copied');
    setTimeout(() => button.classList.remove('copied'), 1500);
  }
}

/** After a removal, focus goes to the next account's code (or the last one), else the heading. */
function focusAfterRemoval(index) {
  const codes = ui.list.querySelectorAll('.code');
  const next = codes[Math.min(index, codes.length - 1)];
  if (next) {
    next.focus();
    return;
  }
  const heading = $('accounts-title');
  heading.setAttribute('tabindex', '-1');
  heading.focus();
}

/** Draws the list now and whenever the accounts change. */
export function initList() {
  accounts.addEventListener('change', (e) => {
    const { reason, gone, index } = /** @type {CustomEvent} */ (e).detail;
    if (reason === 'counter') return tick();
    if (reason === 'locked') return updateEmpty();
    render();
    if (reason === 'remove') {
      ui.copyStatus.textContent = `Removed ${nameOf(gone)}.`;
      focusAfterRemoval(index);
    }
  });
  // Timers are throttled in background tabs: catch up as soon as the page is visible again.
  document.addEventListener('visibilitychange', () => {
    if (!document.hidden) tick();
  });
  render();
}
