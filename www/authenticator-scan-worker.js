// The QR reader's own thread. The decoder (totp-wasm/scan, a third-party reader compiled to
// wasm) may trap on some images; here a trap only takes this worker down, never the page,
// which then starts a fresh worker with a fresh module. Messages in: { id, url, data, width,
// height } (url: the scan entry as the page's import map resolves it; data: RGBA pixels) or
// { id, url } to load the module ahead of time. Out: { id, texts } | { id, error: { code,
// message } } (an OtpError: bad input, the module is fine) | { id, failed: true } (anything
// else: this worker must not be used again).

/** @type {Promise<any> | null} */
let module = null;

self.addEventListener('message', async (event) => {
  const { id, url, data, width, height } = event.data;
  let scan;
  try {
    module ??= import(url);
    scan = await module;
  } catch {
    self.postMessage({ id, failed: true });
    return;
  }
  if (!data) {
    self.postMessage({ id, texts: [] });
    return;
  }
  try {
    self.postMessage({ id, texts: scan.scanQr(data, width, height) });
  } catch (err) {
    if (err instanceof scan.OtpError) self.postMessage({ id, error: { code: err.code, message: err.message } });
    else self.postMessage({ id, failed: true });
  }
});
