// The one error class of totp-wasm. Both package entries (`totp-wasm`, `totp-wasm/core`) throw
// instances of this class, so `err instanceof OtpError` holds whichever entry threw it.
// The build rewrites each entry's wasm-bindgen snippet copy of this file into a re-export of
// pkg/otp-error.js; in wasm-bindgen-test runs the snippet is used as is.

/** An error thrown by totp-wasm: `code` is stable, `message` says what to change. */
export class OtpError extends Error {
  /**
   * @param {string} code stable machine-readable code, e.g. "INVALID_SECRET"
   * @param {string} message what was wrong and how to fix it
   */
  constructor(code, message) {
    super(message);
    this.name = 'OtpError';
    this.code = code;
  }
}
