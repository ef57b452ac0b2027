/** Every stable error code totp-wasm throws. */
export type OtpErrorCode =
  | 'INVALID_ARGUMENT'
  | 'INVALID_SECRET'
  | 'INVALID_DIGITS'
  | 'INVALID_PERIOD'
  | 'INVALID_ALGORITHM'
  | 'INVALID_TIME'
  | 'INVALID_COUNTER'
  | 'INVALID_URI'
  | 'QR_DATA_TOO_LONG'
  | 'INVALID_STATE'
  | 'RANDOM_UNAVAILABLE';

/** An error thrown by totp-wasm: `code` is stable, `message` says what to change. */
export declare class OtpError extends Error {
  constructor(code: OtpErrorCode, message: string);
  readonly name: 'OtpError';
  /** Stable machine-readable code; switch on this, not on `message`. */
  readonly code: OtpErrorCode;
}
