// A tiny PNG encoder (8-bit greyscale, no interlace) with node:zlib, to render a QR module
// matrix for zbarimg.
import { deflateSync } from 'node:zlib';

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/**
 * Encodes a greyscale image as PNG.
 * @param {number} width
 * @param {number} height
 * @param {(x: number, y: number) => number} pixel 0..255
 */
export function encodePng(width, height, pixel) {
  const raw = Buffer.alloc((width + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width + 1)] = 0; // filter: none
    for (let x = 0; x < width; x++) raw[y * (width + 1) + 1 + x] = pixel(x, y);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // greyscale
  ihdr[10] = 0;
  ihdr[11] = 0;
  ihdr[12] = 0;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/**
 * Renders a QR module matrix ({ size, modules }, 1 = dark, no quiet zone) as a PNG.
 * @param {{ size: number, modules: Uint8Array }} matrix
 */
export function qrToPng({ size, modules }, { scale = 6, quietZone = 4 } = {}) {
  const px = (size + 2 * quietZone) * scale;
  return encodePng(px, px, (x, y) => {
    const mx = Math.floor(x / scale) - quietZone;
    const my = Math.floor(y / scale) - quietZone;
    if (mx < 0 || my < 0 || mx >= size || my >= size) return 255;
    return modules[my * size + mx] ? 0 : 255;
  });
}
