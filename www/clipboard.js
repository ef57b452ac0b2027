// Copying a value for the person, with the fallback every page needs: where the browser
// refuses clipboard access (permissions, an insecure context), the text on screen is
// selected instead and the person is told to press Ctrl+C.

/**
 * Copies `text`; if that is not allowed, selects the contents of `shown` instead.
 * Returns the sentence to show: `copied` on success, else the select-and-press hint naming
 * `what` ("the key", "the codes"), or `refused` when given (nothing to select).
 * @param {string} text
 * @param {{ shown?: Node, copied: string, what?: string, refused?: string }} options
 * @returns {Promise<{ copied: boolean, message: string }>}
 */
export async function copyText(text, { shown, copied, what = 'the text', refused }) {
  try {
    await navigator.clipboard.writeText(text);
    return { copied: true, message: copied };
  } catch {
    if (!shown) return { copied: false, message: refused ?? 'Copying is not allowed here.' };
    const range = document.createRange();
    range.selectNodeContents(shown);
    const selection = window.getSelection();
    selection?.removeAllRanges();
    selection?.addRange(range);
    return { copied: false, message: refused ?? `Copying is not allowed here: ${what} is selected, press Ctrl+C (⌘C).` };
  }
}
