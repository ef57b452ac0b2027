// QR codes from images (file input, drop, paste) and the camera. The decoding runs in a Web
// Worker of its own (authenticator-scan-worker.js): a trap in the third-party decoder, or a
// decoder that never returns, ends that worker, not the page; the person is told the image
// could not be read and the next scan starts a fresh worker (a fresh module).
import { OtpError } from 'totp-wasm';
import { addScanned, report } from './authenticator-add.js';
import { describe } from './format.js';
import { $ } from './dom.js';

/** How long one image may take before its worker is given up. */
const SCAN_TIMEOUT_MS = 10_000;

const ui = {
  drop: $('drop'),
  file: /** @type {HTMLInputElement} */ ($('qr-file')),
  cameraBlock: $('camera-block'),
  cameraStart: /** @type {HTMLButtonElement} */ ($('camera-start')),
  cameraView: $('camera-view'),
  cameraVideo: /** @type {HTMLVideoElement} */ ($('camera-video')),
  cameraStop: $('camera-stop'),
};

/** The decoder failed (trap, timeout, load error): not the image's fault, nor an OtpError. */
class ScanFailed extends Error {}

const FAILED = 'Couldn’t read that image: the QR reader failed on it. Try another picture, or paste the setup link or key instead.';

/** @type {Worker | null} */
let worker = null;
/** @type {Map<number, { resolve: (t: string[]) => void, reject: (e: Error) => void, timer: number }>} */
const pending = new Map();
let nextId = 1;

/** Ends the worker and fails whatever it was doing; the next scan starts a new one. */
function dropWorker() {
  worker?.terminate();
  worker = null;
  for (const p of pending.values()) {
    clearTimeout(p.timer);
    p.reject(new ScanFailed('scanner failed'));
  }
  pending.clear();
}

function onWorkerMessage(event) {
  const { id, texts, error, failed } = event.data;
  const p = pending.get(id);
  if (!p) return;
  pending.delete(id);
  clearTimeout(p.timer);
  if (failed) {
    p.reject(new ScanFailed('scanner failed'));
    dropWorker();
  } else if (error) p.reject(new OtpError(error.code, error.message));
  else p.resolve(texts);
}

function scanWorker() {
  if (!worker) {
    worker = new Worker(new URL('./authenticator-scan-worker.js', import.meta.url), { type: 'module', name: 'qr-reader' });
    worker.addEventListener('message', onWorkerMessage);
    worker.addEventListener('error', (e) => {
      e.preventDefault();
      dropWorker();
    });
  }
  return worker;
}

/**
 * Sends one job to the worker: RGBA pixels to read, or none to load the module ahead of time.
 * @param {ImageData | null} image
 * @returns {Promise<string[]>}
 */
function ask(image) {
  const id = nextId++;
  const url = import.meta.resolve('totp-wasm/scan');
  const w = scanWorker();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => dropWorker(), SCAN_TIMEOUT_MS);
    pending.set(id, { resolve, reject, timer });
    if (!image) return w.postMessage({ id, url });
    w.postMessage({ id, url, data: image.data, width: image.width, height: image.height }, [image.data.buffer]);
  });
}

/** Reads the QR codes in a drawable (ImageBitmap or video), drawn at most `max` px on its longer side. */
function scanDrawable(source, width, height, max, canvas) {
  const scale = Math.min(1, max / Math.max(width, height));
  const w = Math.max(1, Math.round(width * scale));
  const h = Math.max(1, Math.round(height * scale));
  canvas.width = w;
  canvas.height = h;
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  ctx.drawImage(source, 0, 0, w, h);
  return ask(ctx.getImageData(0, 0, w, h));
}

async function scanFile(file) {
  if (!file.type.startsWith('image/')) {
    report('bad', `“${file.name}” is not an image. Choose a picture or screenshot of the QR code.`);
    return;
  }
  report('', 'Reading the QR code…');
  let bitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    report('bad', `This browser cannot read “${file.name}” as an image.`);
    return;
  }
  try {
    const canvas = document.createElement('canvas');
    // Large screenshots are read scaled down first (fast), then at full size up to 4096 px.
    let texts = await scanDrawable(bitmap, bitmap.width, bitmap.height, 1600, canvas);
    if (texts.length === 0 && Math.max(bitmap.width, bitmap.height) > 1600) {
      texts = await scanDrawable(bitmap, bitmap.width, bitmap.height, 4096, canvas);
    }
    if (texts.length === 0) {
      report('bad', 'No QR code found in this image. Try a sharper or larger picture, or crop it around the code.');
      return;
    }
    await addScanned(texts, 'the image');
  } catch (err) {
    report('bad', err instanceof OtpError ? describe(err) : FAILED);
  } finally {
    bitmap.close();
    ui.file.value = '';
  }
}

function initImages() {
  ui.file.addEventListener('change', () => {
    const file = ui.file.files?.[0];
    if (file) scanFile(file);
  });
  for (const type of ['dragenter', 'dragover']) {
    ui.drop.addEventListener(type, (e) => {
      if (!e.dataTransfer?.types.includes('Files')) return;
      e.preventDefault();
      e.dataTransfer.dropEffect = 'copy';
      ui.drop.classList.add('dragging');
    });
  }
  for (const type of ['dragleave', 'drop']) {
    ui.drop.addEventListener(type, () => ui.drop.classList.remove('dragging'));
  }
  ui.drop.addEventListener('drop', (e) => {
    const file = e.dataTransfer?.files?.[0];
    if (!file) return;
    e.preventDefault();
    scanFile(file);
  });
  // An image pasted anywhere on the page (a screenshot in the clipboard) is scanned.
  document.addEventListener('paste', (e) => {
    const file = [...(e.clipboardData?.files ?? [])].find((f) => f.type.startsWith('image/'));
    if (!file) return;
    e.preventDefault();
    scanFile(file);
  });
}

/** @type {MediaStream | null} */
let stream = null;
let cameraTimer = 0;

async function openCamera() {
  try {
    await ask(null);
  } catch {
    report('bad', FAILED);
    return false;
  }
  try {
    stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: { ideal: 'environment' } }, audio: false });
    return true;
  } catch (err) {
    stream = null;
    const denied = err?.name === 'NotAllowedError' || err?.name === 'SecurityError';
    report('bad', denied ? 'The camera is not allowed for this page. Allow it in the browser, or choose an image instead.' : 'No camera could be started. Choose an image of the QR code instead.');
    return false;
  }
}

/** Reads a frame every 200 ms until a setup code is found or the camera stops. */
function readFrames() {
  const canvas = document.createElement('canvas');
  const frame = async () => {
    if (!stream) return;
    const v = ui.cameraVideo;
    if (v.readyState >= 2 && v.videoWidth > 0) {
      try {
        const texts = await scanDrawable(v, v.videoWidth, v.videoHeight, 800, canvas);
        if (texts.length && (await addScanned(texts, 'the camera'))) return stopCamera();
      } catch (err) {
        if (!(err instanceof OtpError)) {
          stopCamera();
          return report('bad', FAILED);
        }
      }
    }
    if (stream) cameraTimer = setTimeout(frame, 200);
  };
  frame();
}

async function startCamera() {
  report('', 'Starting the camera…');
  if (!(await openCamera())) return;
  ui.cameraVideo.srcObject = stream;
  ui.cameraView.hidden = false;
  ui.cameraStart.hidden = true;
  try {
    await ui.cameraVideo.play();
  } catch {
    // Autoplay of a muted video is allowed; if not, frames are still read once they arrive.
  }
  report('', 'Hold the QR code in front of the camera.');
  ui.cameraStop.focus();
  readFrames();
}

function stopCamera() {
  clearTimeout(cameraTimer);
  for (const track of stream?.getTracks() ?? []) track.stop();
  const wasOn = stream !== null;
  stream = null;
  ui.cameraVideo.srcObject = null;
  ui.cameraView.hidden = true;
  ui.cameraStart.hidden = false;
  if (wasOn && document.activeElement === document.body) ui.cameraStart.focus();
}

export function initScan() {
  initImages();
  if (navigator.mediaDevices?.getUserMedia) {
    ui.cameraBlock.hidden = false;
    ui.cameraStart.addEventListener('click', startCamera);
    ui.cameraStop.addEventListener('click', () => {
      stopCamera();
      report('', 'Camera stopped.');
      ui.cameraStart.focus();
    });
  }
  // Never film a tab nobody looks at.
  document.addEventListener('visibilitychange', () => {
    if (document.hidden) stopCamera();
  });
}
