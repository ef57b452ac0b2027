// The one DOM lookup the pages share: a missing element is a bug in the page, said at once.

/** The element with this id. */
export function $(id) {
  const el = document.getElementById(id);
  if (!el) throw new Error(`missing #${id}`);
  return /** @type {any} */ (el);
}
