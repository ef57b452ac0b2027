// The security log in words, for the profile: "2FA was reset by support on 3 Dec 2026:
// reason “lost phone, ID checked by video call”." Pure formatting plus one render function
// for a <ul>/<ol>; no fetch, no page state, so it is testable on its own.
//
// The event types and detail fields are those of edge/security-log.js (EVENTS); the unit
// test checks that every type there has words here. An unknown type (a newer server) still
// gets a sentence. Texts that people or support wrote (authenticator names, token names,
// reasons) are set with textContent, never as HTML.
//
// Used by account-security-events.js: the profile's "Security events" card
// (`<ul id="security-events">`, newest first) and the notice of a sign-in after a support reset.

const CAUSES = {
  user: 'you signed them out',
  'sign-out-everywhere': 'you signed out everywhere else',
  'password-changed': 'the password was changed',
  'second-factor-changed': 'the 2FA settings changed',
  '2fa-off': '2FA was turned off',
  support: 'support reset 2FA',
};

const quoted = (text) => `“${text}”`;
const count = (n, one, many) => `${n} ${n === 1 ? one : many}`;
const reasonNote = (d) => (d.reason ? `reason ${quoted(d.reason)}` : undefined);

/**
 * type -> (detail, format) -> { text, note? }: the sentence is "<text> on <date>[: <note>]."
 * `format.date(seconds)` writes a time in the reader's words.
 */
export const WORDS = Object.freeze({
  'sign-in': (d) => ({
    text: { password: 'Signed in with the password', otp: 'Signed in with the password and an authenticator code', recovery: 'Signed in with a backup code' }[d.method] ?? 'Signed in',
  }),
  'second-factor-failed': (d) => ({
    text: { otp: 'A wrong authenticator code was entered', recovery: 'A wrong backup code was entered', removal: 'A wrong 2FA removal code was entered' }[d.method] ?? 'A wrong code was entered',
  }),
  lockout: (d, f) => ({
    text: d.what === 'password' ? 'Sign-in was locked after too many wrong passwords' : 'Sign-in was locked after too many wrong codes',
    note: `until ${f.date(d.until)}`,
  }),
  '2fa-enabled': (d) => ({ text: `2FA was turned on with ${quoted(d.name)}` }),
  '2fa-disabled': (d) => ({
    text: {
      user: '2FA was turned off',
      'last-authenticator': '2FA was turned off: the last authenticator was removed',
      'removal-code': '2FA was removed with the removal code',
      support: '2FA was turned off by support',
    }[d.via] ?? '2FA was turned off',
  }),
  'authenticator-added': (d) => ({ text: `Authenticator ${quoted(d.name)} was added` }),
  'authenticator-removed': (d) => ({ text: `Authenticator ${quoted(d.name)} was removed` }),
  'authenticator-renamed': (d) => ({ text: `Authenticator ${quoted(d.from)} was renamed to ${quoted(d.to)}` }),
  'recovery-codes-regenerated': (d) => ({
    text: d.removal ? 'New backup codes and a new removal code were made' : 'New backup codes were made',
    note: 'the old ones no longer work',
  }),
  'recovery-code-used': (d) => ({ text: 'A backup code was used', note: `${count(d.remaining, 'code', 'codes')} left` }),
  'removal-code-used': () => ({ text: 'The 2FA removal code was used' }),
  'token-created': (d, f) => ({ text: `Update token ${quoted(d.name)} was created`, note: `it expires ${f.date(d.expires)}` }),
  'token-revoked': (d) => ({ text: `Update token ${quoted(d.name)} was deleted` }),
  'tokens-revoked': (d) => ({ text: `${count(d.count, 'update token was', 'update tokens were')} revoked`, note: CAUSES[d.cause] }),
  // A support reset signs out every session, the user's own too: not "other" there.
  'sessions-revoked': (d) => ({
    text: `${d.cause === 'support' ? count(d.count, 'session was', 'sessions were') : count(d.count, 'other session was', 'other sessions were')} signed out`,
    note: CAUSES[d.cause],
  }),
  'password-changed': () => ({ text: 'The password was changed' }),
  'operator-lookup': (d) => ({ text: 'Support looked at your 2FA settings', note: reasonNote(d) }),
  'operator-log-read': (d) => ({ text: 'Support read this security log', note: reasonNote(d) }),
  'operator-reset-scheduled': (d, f) => ({
    text: `Support scheduled a 2FA reset for ${f.date(d.due)}`,
    note: `${reasonNote(d)}. Sign in with a code or a backup code before then to stop it`,
  }),
  'operator-reset-cancelled': () => ({ text: 'The scheduled 2FA reset was cancelled by a sign-in with a second factor' }),
  'operator-reset': (d) => ({ text: '2FA was reset by support', note: reasonNote(d) }),
  'operator-unlock': (d) => ({ text: 'Sign-in locks were cleared by support', note: reasonNote(d) }),
});

/** Events a person should notice (shown with the `alert` class). */
const ALERTS = new Set(['lockout', '2fa-disabled', 'removal-code-used', 'password-changed', 'operator-reset-scheduled', 'operator-reset', 'operator-unlock']);

/**
 * A date formatter: "3 Dec 2026" (en-GB), in the reader's locale and time zone unless given.
 * @param {{ locale?: string, timeZone?: string }} [options]
 */
export function dateFormatter({ locale, timeZone } = {}) {
  const fmt = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone });
  return { date: (seconds) => fmt.format(new Date(seconds * 1000)) };
}

/**
 * One event in three parts: `{ text, date, note }`, the sentence being
 * "<text> on <date>[: <note>]." (renderSecurityLog puts the date in a <time> element).
 */
export function eventParts(event, options = {}) {
  const f = dateFormatter(options);
  const words = Object.hasOwn(WORDS, event.type) ? WORDS[event.type](event.detail ?? {}, f) : { text: `A security event (${event.type})` };
  return { text: words.text, date: f.date(event.at), note: words.note ?? null };
}

/**
 * One event as a sentence: "2FA was reset by support on 3 Dec 2026: reason “…”."
 * @param {{ at: number, type: string, detail: object }} event
 * @param {{ locale?: string, timeZone?: string }} [options]
 */
export function describeEvent(event, options = {}) {
  const { text, date, note } = eventParts(event, options);
  return `${text} on ${date}${note ? `: ${note}` : ''}.`;
}

/** Whether an event is one to draw attention to. */
export function isAlert(event) {
  return ALERTS.has(event.type);
}

/**
 * The notice for the next sign-in after a support reset: the newest 'operator-reset' after
 * `since` (Unix seconds, e.g. the previous sign-in), in words, or null.
 */
export function resetNotice(events, since = 0, options = {}) {
  const reset = [...events].reverse().find((e) => e.type === 'operator-reset' && e.at > since);
  if (!reset) return null;
  return `${describeEvent(reset, options)} Set up 2FA again to protect your account; if you did not ask support for this, change your password now.`;
}

/**
 * Fills a list element with the newest `limit` events, newest first: each an <li> with the
 * sentence, its date a <time datetime> (title: the exact date and time).
 * @param {HTMLOListElement | HTMLUListElement} list
 * @param {{ seq: number, at: number, type: string, detail: object }[]} events oldest first, as exported
 */
export function renderSecurityLog(list, events, { limit = 20, locale, timeZone } = {}) {
  const doc = list.ownerDocument;
  const exact = new Intl.DateTimeFormat(locale, { dateStyle: 'full', timeStyle: 'short', timeZone });
  const items = events.slice(-limit).reverse().map((event) => {
    const li = doc.createElement('li');
    li.className = isAlert(event) ? 'security-event alert' : 'security-event';
    li.dataset.seq = String(event.seq);
    const { text, date, note } = eventParts(event, { locale, timeZone });
    const time = doc.createElement('time');
    const when = new Date(event.at * 1000);
    time.dateTime = when.toISOString();
    time.title = exact.format(when);
    time.textContent = date;
    li.append(`${text} on `, time, `${note ? `: ${note}` : ''}.`);
    return li;
  });
  if (items.length === 0) {
    const li = doc.createElement('li');
    li.className = 'security-event empty';
    li.textContent = 'No security events yet.';
    items.push(li);
  }
  list.replaceChildren(...items);
}
