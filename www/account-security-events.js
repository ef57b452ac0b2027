// "Security events" on the profile: the user's security log (GET /api/security-log) in words
// (account-security-log.js), and the notice a sign-in brings after support reset 2FA or a
// sign-in stopped a reset on hold (the `notice` of the sign-in answer, told once).
import { api } from './account-api.js';
import { describeError } from './account-messages.js';
import { describeEvent, renderSecurityLog } from './account-security-log.js';
import { $ } from './dom.js';

const ui = { list: $('security-events'), status: $('security-status') };

/** Fills the card; a failure is said in the card, the rest of the profile stays. */
export async function loadSecurityEvents() {
  ui.status.textContent = '';
  try {
    const log = await api.securityLog();
    renderSecurityLog(ui.list, log.events);
  } catch (err) {
    ui.list.replaceChildren();
    ui.status.textContent = `The security events could not be loaded: ${describeError(err).text}`;
  }
}

/**
 * The flash message of a sign-in's notice, or null.
 * @param {{ kind: string, at: number, reason?: string } | undefined} notice
 */
export function signInNotice(notice) {
  if (notice?.kind === 'operator-reset') {
    const event = { at: notice.at, type: 'operator-reset', detail: { reason: notice.reason } };
    return `${describeEvent(event)} 2FA is off: set it up again below. If you did not ask support for this, change your password now.`;
  }
  if (notice?.kind === 'operator-reset-cancelled') {
    return 'Support had scheduled a reset of your 2FA; your sign-in with a code cancelled it. If you did not ask support for a reset, change your password now.';
  }
  return null;
}
