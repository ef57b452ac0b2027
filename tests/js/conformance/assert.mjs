// A small strict assert for the shared conformance suite: the subset of node:assert/strict the
// cases use, with no import of its own, so that it runs unchanged in Node, Deno, Bun, workerd and
// browsers (bundled or not). Every comparison is strict (Object.is / same prototype).

export class AssertionError extends Error {
  constructor(message) {
    super(message);
    this.name = 'AssertionError';
  }
}

function show(value) {
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'string') return JSON.stringify(value.length > 200 ? `${value.slice(0, 200)}…` : value);
  if (value instanceof Uint8Array) return `Uint8Array(${value.length}) [${Array.from(value.slice(0, 16)).join(', ')}${value.length > 16 ? ', …' : ''}]`;
  if (typeof value === 'function') return `[function ${value.name}]`;
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  try {
    const text = JSON.stringify(value, (_, v) => (typeof v === 'bigint' ? `${v}n` : v));
    return text === undefined ? String(value) : text.length > 300 ? `${text.slice(0, 300)}…` : text;
  } catch {
    return String(value);
  }
}

function fail(message, detail) {
  throw new AssertionError(message ? `${message}${detail ? ` (${detail})` : ''}` : detail);
}

function ok(value, message) {
  if (!value) fail(message, `expected a truthy value, got ${show(value)}`);
}

function equal(actual, expected, message) {
  if (!Object.is(actual, expected)) fail(message, `expected ${show(expected)}, got ${show(actual)}`);
}

function notStrictEqual(actual, expected, message) {
  if (Object.is(actual, expected)) fail(message, `expected anything but ${show(expected)}`);
}

/** Strict deep equality: same prototypes, same own enumerable keys, Object.is on leaves. */
function deepEq(a, b, seen = new Map()) {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  if (seen.get(a) === b) return true;
  seen.set(a, b);
  if (ArrayBuffer.isView(a)) {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
    return true;
  }
  if (a instanceof Map) {
    if (a.size !== b.size) return false;
    for (const [k, v] of a) if (!b.has(k) || !deepEq(v, b.get(k), seen)) return false;
    return true;
  }
  if (a instanceof Set) {
    if (a.size !== b.size) return false;
    for (const v of a) if (!b.has(v)) return false;
    return true;
  }
  if (a instanceof Date) return Object.is(a.getTime(), b.getTime());
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (const k of ka) {
    if (!Object.prototype.hasOwnProperty.call(b, k) || !deepEq(a[k], b[k], seen)) return false;
  }
  return true;
}

function deepEqual(actual, expected, message) {
  if (!deepEq(actual, expected)) fail(message, `expected ${show(expected)}, got ${show(actual)}`);
}

function match(string, regexp, message) {
  if (typeof string !== 'string' || !regexp.test(string)) fail(message, `expected ${show(string)} to match ${regexp}`);
}

function doesNotMatch(string, regexp, message) {
  if (typeof string !== 'string' || regexp.test(string)) fail(message, `expected ${show(string)} not to match ${regexp}`);
}

/**
 * fn must throw; `check` is a predicate (returns true for the expected error) or a class.
 * Returns the error.
 */
function throws(fn, check, message) {
  let caught;
  let threw = false;
  try {
    fn();
  } catch (err) {
    caught = err;
    threw = true;
  }
  if (!threw) fail(message, 'expected the function to throw');
  if (typeof check === 'function') {
    const isClass = check.prototype !== undefined && (check === Error || check.prototype instanceof Error);
    const good = isClass ? caught instanceof check : check(caught) === true;
    if (!good) fail(message, `unexpected error ${show(caught)}`);
  }
  return caught;
}

function doesNotThrow(fn, message) {
  try {
    fn();
  } catch (err) {
    fail(message, `expected no error, got ${show(err)}`);
  }
}

export const assert = {
  ok,
  equal,
  strictEqual: equal,
  notStrictEqual,
  deepEqual,
  match,
  doesNotMatch,
  throws,
  doesNotThrow,
};

export default assert;
