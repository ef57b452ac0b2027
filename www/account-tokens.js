// Update-client tokens (the No-IP "DUC" case): a dynamic-DNS client or a script calls
// /api/update with a token of its own, without a code, also with 2FA on. Create one with a
// name and an expiry (its value is shown once, with Copy), list them, delete them.
import { api } from './account-api.js';
import { clearErrors, fieldError, onSubmit, valueOf } from './account-form.js';
import { describeError, formatDate, formatDateTime } from './account-messages.js';
import { copyText } from './clipboard.js';
import { $ } from './dom.js';

const ui = {
  form: /** @type {HTMLFormElement} */ ($('token-form')),
  name: /** @type {HTMLInputElement} */ ($('token-name')),
  expires: /** @type {HTMLSelectElement} */ ($('token-expires')),
  fresh: $('token-new'),
  value: $('token-value'),
  copy: $('token-copy'),
  endpoint: $('token-endpoint'),
  empty: $('tokens-empty'),
  list: $('tokens'),
  title: $('tokens-title'),
};

/** @type {{ flash: (m: string, kind?: string) => void, signedOut: (err: Error) => boolean }} */
let app;
/** The id of the token whose value is on screen. */
let freshId = null;

function renderTokens(tokens) {
  ui.empty.hidden = tokens.length > 0;
  ui.list.replaceChildren(
    ...tokens.map((t) => {
      const li = document.createElement('li');
      li.className = 'item';
      const main = document.createElement('div');
      main.className = 'item-main';
      const name = document.createElement('strong');
      name.className = 'item-name';
      name.textContent = t.name;
      const meta = document.createElement('span');
      meta.className = 'item-meta';
      const expiry = t.expired ? `Expired ${formatDate(t.expiresAt)}` : `Expires ${formatDate(t.expiresAt)}`;
      const used = t.lastUsed ? `last used ${formatDateTime(t.lastUsed)}` : 'never used';
      meta.textContent = `Created ${formatDate(t.created)} · ${expiry} · ${used}`;
      if (t.expired) li.classList.add('expired');
      main.append(name, meta);
      const tools = document.createElement('div');
      tools.className = 'item-tools';
      const del = document.createElement('button');
      del.type = 'button';
      del.className = 'link-button danger-link';
      del.textContent = 'Delete';
      del.setAttribute('aria-label', `Delete token ${t.name}`);
      del.addEventListener('click', () => deleteToken(t));
      tools.append(del);
      li.append(main, tools);
      return li;
    }),
  );
}

/** Reloads the list from the service. */
export async function loadTokens() {
  try {
    const r = await api.listTokens();
    renderTokens(r.tokens);
  } catch (err) {
    if (!app.signedOut(err)) app.flash(describeError(err).text, 'bad');
  }
}

/** Hides a token value shown earlier (leaving the page or signing out). */
export function forgetFreshToken() {
  freshId = null;
  ui.fresh.hidden = true;
  ui.value.textContent = '';
}

async function createToken() {
  clearErrors(ui.form);
  const name = valueOf(ui.name);
  if (!name) {
    fieldError(ui.name, 'Give the token a name, like the device that uses it.');
    return;
  }
  let t;
  try {
    t = await api.createToken(name, Number(ui.expires.value));
  } catch (err) {
    if (app.signedOut(err)) return;
    const m = describeError(err);
    fieldError(m.field === 'expires' ? ui.expires : ui.name, m);
    return;
  }
  freshId = t.id;
  ui.value.textContent = t.token;
  ui.endpoint.textContent = `${location.origin}/api/update`;
  ui.fresh.hidden = false;
  ui.name.value = '';
  await loadTokens();
  app.flash(`Token “${t.name}” created: copy it now, it is shown only once.`, 'good');
  ui.copy.focus();
}

async function deleteToken(t) {
  try {
    await api.deleteToken(t.id);
  } catch (err) {
    if (!app.signedOut(err)) app.flash(describeError(err).text, 'bad');
    return;
  }
  if (freshId === t.id) forgetFreshToken();
  await loadTokens();
  app.flash(`Token “${t.name}” deleted: update clients using it are refused from now on.`, 'good');
  ui.title.focus();
}

async function copyToken() {
  const r = await copyText(ui.value.textContent ?? '', { shown: ui.value, copied: 'Token copied.', what: 'the token' });
  app.flash(r.message, r.copied ? 'good' : undefined);
}

/** Wires the token card to the page. */
export function initTokens(page) {
  app = page;
  ui.copy.addEventListener('click', copyToken);
  onSubmit(ui.form, createToken);
}
