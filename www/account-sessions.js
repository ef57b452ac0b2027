// "Where you're signed in": the account's sessions (GET /api/sessions) with when each started,
// how (password, code, backup code) and when it was last seen, this one marked; "Sign out" per
// session and "Sign out everywhere else". A change to 2FA or the password signs the others out
// by itself; this list is how a person sees that, and ends a session they do not recognise.
import { api } from './account-api.js';
import { describeError, formatDateTime } from './account-messages.js';
import { $ } from './dom.js';

const ui = {
  list: $('sessions'),
  others: /** @type {HTMLButtonElement} */ ($('sessions-revoke-others')),
  status: $('sessions-status'),
};

/** @type {{ flash: (m: string, kind?: string) => void, signedOut: (err: Error) => boolean }} */
let app;

const METHODS = { password: 'password', otp: 'password and code', recovery: 'password and backup code' };

function item(s) {
  const li = document.createElement('li');
  li.className = 'item';
  li.dataset.id = s.id;
  const main = document.createElement('div');
  main.className = 'item-main';
  const name = document.createElement('strong');
  name.className = 'item-name';
  name.textContent = s.current ? 'This browser' : `Signed in ${formatDateTime(s.created)}`;
  const meta = document.createElement('span');
  meta.className = 'item-meta';
  meta.textContent = `${s.current ? `Signed in ${formatDateTime(s.created)} · ` : ''}with ${METHODS[s.method] ?? s.method} · last seen ${formatDateTime(s.lastSeen)}`;
  main.append(name, meta);
  const tools = document.createElement('div');
  tools.className = 'item-tools';
  const out = document.createElement('button');
  out.type = 'button';
  out.className = 'link-button danger-link';
  out.textContent = 'Sign out';
  out.setAttribute('aria-label', s.current ? 'Sign out this browser' : `Sign out the session from ${formatDateTime(s.created)}`);
  out.addEventListener('click', () => endSession(s));
  tools.append(out);
  li.append(main, tools);
  return li;
}

/** Reloads the list from the service. */
export async function loadSessions() {
  try {
    const { sessions } = await api.listSessions();
    ui.list.replaceChildren(...sessions.map(item));
    ui.others.hidden = sessions.length < 2;
    ui.status.textContent = sessions.length < 2 ? 'Only this browser is signed in.' : '';
  } catch (err) {
    if (!app.signedOut(err)) app.flash(describeError(err).text, 'bad');
  }
}

async function endSession(s) {
  try {
    await api.endSession(s.id);
  } catch (err) {
    if (!app.signedOut(err)) app.flash(describeError(err).text, 'bad');
    return;
  }
  if (s.current) {
    app.signedOut({ code: 'UNAUTHENTICATED' });
    return;
  }
  await loadSessions();
  app.flash('That session is signed out.', 'good');
  ui.others.hidden ? ui.list.querySelector('button')?.focus() : ui.others.focus();
}

async function endOthers() {
  try {
    await api.endOtherSessions();
  } catch (err) {
    if (!app.signedOut(err)) app.flash(describeError(err).text, 'bad');
    return;
  }
  await loadSessions();
  app.flash('Every other browser is signed out.', 'good');
  ui.list.querySelector('button')?.focus();
}

/** @param {typeof app} options */
export function initSessions(options) {
  app = options;
  ui.others.addEventListener('click', endOthers);
}
