// The documented API of the package's entries (README "JS API"), shared by the conformance
// cases and the Node-only checks of package.json and the .d.ts files. Each entry carries only
// what its users call; every entry has the OTP functions and the two classes.

/** Codes, secrets, URIs, verify: every entry. */
export const FUNCTIONS = [
  'generateSecret',
  'totp',
  'hotp',
  'verifyTotp',
  'verifyHotp',
  'remainingSeconds',
  'buildUri',
  'parseUri',
];
export const CLASSES = ['Totp', 'OtpError'];
/** QR rendering: the page entry `totp-wasm`. */
export const QR = ['qrSvg', 'qrMatrix'];
/** Verifier policy (enrollment, several authenticators, replay, throttling, recovery codes). */
export const VERIFIER = [
  'newState',
  'describeState',
  'startEnrollment',
  'confirmEnrollment',
  'verifyCode',
  'renameFactor',
  'removeFactor',
  'disableTwoFactor',
  'generateRecoveryCodes',
  'useRecoveryCode',
  'useRemovalCode',
  // Learned drift, two-code resync (TOTP and HOTP).
  'resync',
  'resetDrift',
];
/** QR reading and Google Authenticator's export (otpauth-migration://): the scan entry. */
export const SCAN = ['scanQr', 'parseMigrationUri'];

/** What each import specifier exports besides FUNCTIONS and CLASSES. */
export const ENTRY_EXTRAS = {
  'totp-wasm/otp': [],
  'totp-wasm': QR,
  'totp-wasm/verifier': VERIFIER,
  'totp-wasm/scan': SCAN,
};
