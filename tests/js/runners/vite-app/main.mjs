// A small page importing the package as a Vite app would: 'totp-wasm' and 'totp-wasm/verifier'
// resolve through the package's `browser` condition; Vite emits the .wasm files as assets (the
// loaders name them with `new URL(..., import.meta.url)`) and keeps the top-level await.
import { generateSecret, buildUri, qrSvg, totp, remainingSeconds } from 'totp-wasm';
import { verifyCode } from 'totp-wasm/verifier';
import '../page.mjs';

// The README's page example, so the bundle holds what a real page uses.
const secret = generateSecret();
const box = document.createElement('div');
box.id = 'example';
box.innerHTML = qrSvg(buildUri({ issuer: 'Example', account: 'alice@example.com', secret }));
box.dataset.code = totp(secret);
box.dataset.left = String(remainingSeconds());
box.dataset.verifyCode = typeof verifyCode;
document.body.append(box);
