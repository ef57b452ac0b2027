// Input rules of the API: JSON shapes (exact fields, exact types), usernames, passwords,
// names and codes. Every refusal is an ApiError INVALID_ARGUMENT naming the field; no input
// value is ever echoed back (it may be a password or a code).

import { ApiError } from './http.js';

/**
 * Checks a parsed body against a shape and returns it. `shape` maps each allowed field to its
 * type: 'string', 'boolean', 'integer', with a trailing '?' when optional. Unknown fields are
 * refused too, so that a misspelt field ("recovery_code") is an error, not silently ignored.
 * @param {Record<string, unknown>} body
 * @param {Record<string, string>} shape
 */
export function shape(body, shape) {
  for (const key of Object.keys(body)) {
    if (!Object.hasOwn(shape, key)) {
      throw invalid(null, `Unknown field: the fields are ${Object.keys(shape).join(', ') || 'none'}.`);
    }
  }
  for (const [key, spec] of Object.entries(shape)) {
    const optional = spec.endsWith('?');
    const type = optional ? spec.slice(0, -1) : spec;
    const value = body[key];
    if (value === undefined) {
      if (!optional) throw invalid(key, `"${key}" is missing.`);
      continue;
    }
    const ok = type === 'integer' ? Number.isSafeInteger(value) : typeof value === type;
    if (!ok) throw invalid(key, `"${key}" must be ${type === 'integer' ? 'an integer' : `a ${type}`}.`);
  }
  return body;
}

export function invalid(field, message) {
  return new ApiError('INVALID_ARGUMENT', message, field ? { field } : {});
}

// Letters, marks, digits, punctuation and symbols; inner spaces allowed. No control, format,
// surrogate, private-use or unassigned code points, no line separators, no other spaces.
const VISIBLE = String.raw`\p{L}\p{M}\p{N}\p{P}\p{S}`;
const USERNAME_RE = new RegExp(`^[${VISIBLE}](?:[${VISIBLE} ]*[${VISIBLE}])?$`, 'u');
export const USERNAME_MAX = 64;

/**
 * The canonical form of a username: NFC, lower case (so "Alice" and "alice" are one account),
 * 1 to 64 code points of visible text with single inner spaces allowed. The Durable Object of
 * a user is `idFromName` of this form.
 * @returns {string}
 */
export function normaliseUsername(value, field = 'username') {
  if (typeof value !== 'string') throw invalid(field, `"${field}" must be a string.`);
  // Bounded before normalising: NFC of a long string costs time.
  if (value.length === 0 || value.length > 4 * USERNAME_MAX || !value.isWellFormed()) {
    throw invalid(field, `A username is 1 to ${USERNAME_MAX} characters of visible text.`);
  }
  const name = value.normalize('NFC').toLowerCase().normalize('NFC');
  if ([...name].length > USERNAME_MAX || !USERNAME_RE.test(name) || name.includes('  ')) {
    throw invalid(
      field,
      `A username is 1 to ${USERNAME_MAX} characters of visible text (letters, digits, punctuation, symbols, single inner spaces).`,
    );
  }
  return name;
}

const CONTROL_RE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}]/u;

/**
 * A display name (authenticator, update token): trimmed, 1 to 64 bytes of UTF-8 (the package's
 * limit for authenticator labels), no control or format characters.
 */
export function normaliseName(value, field = 'name') {
  if (typeof value !== 'string') throw invalid(field, `"${field}" must be a string.`);
  const name = value.normalize('NFC').trim();
  if (
    name.length === 0 ||
    !name.isWellFormed() ||
    new TextEncoder().encode(name).byteLength > 64 ||
    CONTROL_RE.test(name)
  ) {
    throw invalid(field, `"${field}" must be 1 to 64 bytes of text without control characters.`);
  }
  return name;
}

/**
 * A one-time code as typed: at most 32 characters; spaces removed ("123 456"). Whether it is
 * well formed is the package's decision (a malformed code is simply not valid).
 */
export function normaliseOtp(value, field = 'code') {
  if (typeof value !== 'string') throw invalid(field, `"${field}" must be a string.`);
  if (value.length > 32) throw invalid(field, `"${field}" is too long for a code.`);
  return value.replace(/\s+/g, '');
}

/** A recovery or removal code as typed (the package normalises case, spaces, hyphens). */
export function boundedCode(value, field) {
  if (typeof value !== 'string') throw invalid(field, `"${field}" must be a string.`);
  if (value.length === 0 || value.length > 64) throw invalid(field, `"${field}" must be 1 to 64 characters.`);
  return value;
}

/** A positive integer id from a path segment ("3"), or null. */
export function pathId(segment) {
  return /^[1-9][0-9]{0,8}$/.test(segment) ? Number(segment) : null;
}
