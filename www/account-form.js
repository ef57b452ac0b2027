// Form plumbing of the account page: messages next to their fields (aria-describedby +
// aria-invalid), one submission at a time, and the one-time-code inputs (pasted "123 456"
// becomes "123456"; the last digit submits the form).
import { formatClock } from './account-messages.js';

/**
 * Shows a message in `el` (empty for none). `{time}` in the text becomes a <time> element with
 * `retryAt` in local time (to the second unless `seconds: false`), its `datetime` the exact
 * instant.
 * @param {HTMLElement} el
 * @param {{ text: string, retryAt?: number, seconds?: boolean } | string | null} message
 */
export function renderMessage(el, message) {
  const m = typeof message === 'string' ? { text: message } : message;
  if (!m || !m.text) {
    el.replaceChildren();
    return;
  }
  const parts = m.text.split('{time}');
  const nodes = [];
  parts.forEach((part, i) => {
    if (i > 0 && m.retryAt) {
      const time = document.createElement('time');
      time.dateTime = new Date(m.retryAt * 1000).toISOString();
      time.textContent = formatClock(m.retryAt, { seconds: m.seconds !== false });
      nodes.push(time);
    }
    if (part) nodes.push(document.createTextNode(part));
  });
  el.replaceChildren(...nodes);
}

/** The element that holds an input's error: `#<input id>-error`, named in its aria-describedby. */
function errorElementOf(input) {
  return document.getElementById(`${input.id}-error`);
}

/**
 * Puts a message next to a field and marks it invalid; `focus` moves the caret there (and
 * selects what was typed, so the next attempt replaces it).
 * @param {HTMLInputElement} input
 * @param {{ text: string, retryAt?: number } | string} message
 */
export function fieldError(input, message, { focus = true } = {}) {
  const el = errorElementOf(input);
  if (el) renderMessage(el, message);
  input.setAttribute('aria-invalid', 'true');
  if (focus) {
    input.focus();
    if (typeof input.select === 'function' && input.type !== 'checkbox') input.select();
  }
}

/** Clears every field message and form message inside `root`. */
export function clearErrors(root) {
  for (const input of root.querySelectorAll('[aria-invalid]')) {
    input.removeAttribute('aria-invalid');
    const el = errorElementOf(input);
    if (el) el.replaceChildren();
  }
  for (const el of root.querySelectorAll('.form-error, .field-error')) el.replaceChildren();
}

/** A field's message goes away as soon as the person changes the field. */
function clearOnInput(root) {
  root.addEventListener('input', (e) => {
    const input = /** @type {HTMLInputElement} */ (e.target);
    if (!input.hasAttribute?.('aria-invalid')) return;
    input.removeAttribute('aria-invalid');
    errorElementOf(input)?.replaceChildren();
  });
}

/**
 * Calls `handler` on submit, one submission at a time (a second Enter or an auto-submit while
 * the first request runs is ignored). Fields stay enabled, so focus never jumps away.
 * @param {HTMLFormElement} form
 * @param {(form: HTMLFormElement) => Promise<void>} handler
 */
export function onSubmit(form, handler) {
  clearOnInput(form);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (form.dataset.busy) return;
    form.dataset.busy = 'true';
    form.setAttribute('aria-busy', 'true');
    try {
      await handler(form);
    } finally {
      delete form.dataset.busy;
      form.removeAttribute('aria-busy');
    }
  });
}

/** "123 456", "123-456", " 123456 " → "123456": codes as apps and messages show them. */
export function normaliseCode(value) {
  return value.replace(/[\s\u00a0\u2007\u202f.-]/g, '');
}

/**
 * A one-time-code input: spaces and hyphens vanish as they are typed or pasted, and when the
 * field holds `length` digits the form submits itself, if `ready()` says the rest of the form
 * is filled in.
 * @param {HTMLInputElement} input
 * @param {{ length?: number, ready?: () => boolean }} options
 */
export function codeInput(input, { length = 6, ready = () => true } = {}) {
  input.addEventListener('input', () => {
    const clean = normaliseCode(input.value);
    if (clean !== input.value) input.value = clean;
    if (clean.length === length && /^\d+$/.test(clean) && ready()) input.form?.requestSubmit();
  });
}

/** Trimmed value of an input. */
export const valueOf = (input) => input.value.trim();
