// A QR module matrix drawn as a PNG:
// test images for the authenticator's "scan a QR code" without an image library.
// The encoder is the JS suite's (tests/js/node/support/png.mjs); this adds screenshot-like margins.
import { encodePng } from '../../js/node/support/png.mjs';

/** A greyscale PNG of `width × height`; `pixel(x, y)` gives 0 (black) .. 255 (white). */
export const greyPng = encodePng;

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
