// Every conformance case, registered in this order. Runners import this one module.
import './exports.mjs';
import './rfc.mjs';
import './errors.mjs';
import './verify.mjs';
import './uri.mjs';
import './qr.mjs';
import './policy.mjs';
import './resync.mjs';

export { cases, runCases, toTap } from './harness.mjs';
