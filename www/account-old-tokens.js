// After 2FA is turned on, update tokens made before keep working without a code (that is what
// they are for): the tokens card says which ones, so a token an intruder made with a phished
// password before 2FA was on does not go unnoticed. Deleting is the list's own button.
import { api } from './account-api.js';
import { plural } from './account-messages.js';
import { $ } from './dom.js';

const notice = $('tokens-before-2fa');
/** The profile last shown, for a re-check when the tokens list changes (a token deleted). */
let shown = null;
new MutationObserver(() => {
  if (shown && !notice.hidden) noteOldTokens(shown);
}).observe($('tokens'), { childList: true });

/** Shows how many tokens predate the first authenticator (hidden when none, or 2FA is off). */
export async function noteOldTokens(profile) {
  shown = profile;
  notice.hidden = true;
  const added = profile?.twoFactor.enabled ? Math.min(...profile.twoFactor.authenticators.map((a) => a.added)) : null;
  if (added === null) return;
  let tokens;
  try {
    ({ tokens } = await api.listTokens());
  } catch {
    return; // the tokens card reports errors itself
  }
  const old = tokens.filter((t) => !t.expired && t.created <= added);
  if (old.length === 0) return;
  notice.textContent = `${plural(old.length, 'update token')} ${old.length === 1 ? 'was' : 'were'} made before two-factor authentication was on (${old.map((t) => `“${t.name}”`).join(', ')}): they keep working without a code. Delete any you do not recognise.`;
  notice.hidden = false;
}
