// The documented API of the package's entries (README "JS API"), shared by the conformance
// cases and the Node-only checks of package.json and the .d.ts files.

export const FUNCTIONS = [
  'generateSecret',
  'totp',
  'hotp',
  'verifyTotp',
  'verifyHotp',
  'remainingSeconds',
  'buildUri',
  'parseUri',
  // Google Authenticator's export: every account of an otpauth-migration:// URI.
  'parseMigrationUri',
  // Verifier policy (enrollment, several authenticators, replay, throttling, recovery codes).
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
export const CLASSES = ['Totp', 'OtpError'];
export const QR = ['qrSvg', 'qrMatrix'];
