// A tiny PNG encoder (8-bit greyscale) with node:zlib, and a QR module matrix drawn with it:
// test images for the authenticator's "scan a QR code" without an image library.
import { deflateSync } from 'node:zlib';

const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
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
 * A greyscale PNG of `width × height`; `pixel(x, y)` gives 0 (black) .. 255 (white).
 * @returns {Buffer}
 */
export function greyPng(width, height, pixel) {
  const rows = Buffer.alloc((width + 1) * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) rows[y * (width + 1) + 1 + x] = pixel(x, y); // filter byte 0: none
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth; colour type 0 (grey), no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/**
 * A QR module matrix ({ size, modules }, row-major, 1 = dark, as qrMatrix returns it) as a
 * PNG, `scale` pixels per module, with a `border` of light modules and `margin` extra pixels
 * of a grey background around it (like a screenshot).
 */
export function qrPng({ size, modules }, { scale = 6, border = 4, margin = 0, background = 230 } = {}) {
  const side = (size + 2 * border) * scale + 2 * margin;
  return greyPng(side, side, (x, y) => {
    const px = x - margin;
    const py = y - margin;
    const inside = px >= 0 && py >= 0 && px < side - 2 * margin && py < side - 2 * margin;
    if (!inside) return background;
    const mx = Math.floor(px / scale) - border;
    const my = Math.floor(py / scale) - border;
    const dark = mx >= 0 && my >= 0 && mx < size && my < size && modules[my * size + mx] === 1;
    return dark ? 0 : 255;
  });
}
