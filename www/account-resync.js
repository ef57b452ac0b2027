// Signing in when one code was refused and the phone's clock may be off (or a key fob was
// pressed ahead): two codes in a row, POST /api/login/resync. The service cannot tell "clock
// off" from "wrong" with one code, so the page only offers this; it never says the clock is off.
import { api } from './account-api.js';
import { clearErrors, fieldError, normaliseCode, onSubmit } from './account-form.js';
import { $ } from './dom.js';

const ui = {
  form: /** @type {HTMLFormElement} */ ($('resync-form')),
  first: /** @type {HTMLInputElement} */ ($('resync-first')),
  second: /** @type {HTMLInputElement} */ ($('resync-second')),
};

/** @type {{ ticket: () => string | null, signedIn: (r: any) => Promise<void>, refused: (err: unknown, input: HTMLInputElement) => void }} */
let page;

/** Shows the two-code form (after a refused code at the second step). */
export function offerResync() {
  ui.form.hidden = false;
}

/** Hides it again (a new second step starts without it). */
export function hideResync() {
  ui.form.hidden = true;
  ui.form.reset();
  clearErrors(ui.form);
}

async function submit() {
  clearErrors(ui.form);
  const codes = [normaliseCode(ui.first.value), normaliseCode(ui.second.value)];
  for (const [i, input] of [ui.first, ui.second].entries()) {
    if (!/^\d{6,8}$/.test(codes[i])) return fieldError(input, codes[i] === '' ? 'Enter a code.' : 'A code is 6 digits.');
  }
  const ticket = page.ticket();
  if (!ticket) return;
  try {
    await page.signedIn(await api.resyncLogin(ticket, codes));
  } catch (err) {
    page.refused(err, ui.first);
  }
}

export function initResync(hooks) {
  page = hooks;
  onSubmit(ui.form, submit);
}
