/** Reading rendered PNGs back: header size, and decoded pixels for content checks. */
import { createCanvas, loadImage } from '@napi-rs/canvas';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Width and height from the IHDR chunk, which a valid PNG has right after the signature. */
export function pngSize(png: Buffer): { width: number; height: number } {
  if (!png.subarray(0, 8).equals(SIGNATURE)) throw new Error('not a PNG: bad signature');
  if (png.toString('latin1', 12, 16) !== 'IHDR') throw new Error('not a PNG: first chunk is not IHDR');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

export interface Pixels {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}

export async function decode(png: Buffer): Promise<Pixels> {
  const image = await loadImage(png);
  const canvas = createCanvas(image.width, image.height);
  const ctx = canvas.getContext('2d');
  ctx.drawImage(image, 0, 0);
  return { width: image.width, height: image.height, data: ctx.getImageData(0, 0, image.width, image.height).data };
}

const hex = (c: string) => [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16)) as [number, number, number];

/** Pixels within `tolerance` (per channel) of a #rrggbb colour, optionally inside a box. */
export function countColour(p: Pixels, colour: string, tolerance = 12, box = { x0: 0, y0: 0, x1: p.width, y1: p.height }): number {
  const [r, g, b] = hex(colour);
  let n = 0;
  for (let y = box.y0; y < box.y1; y++) {
    for (let x = box.x0; x < box.x1; x++) {
      const i = (y * p.width + x) * 4;
      if (Math.abs(p.data[i]! - r) <= tolerance && Math.abs(p.data[i + 1]! - g) <= tolerance && Math.abs(p.data[i + 2]! - b) <= tolerance)
        n++;
    }
  }
  return n;
}

/** Variance of the grey level over the whole image: near 0 for a blank canvas. */
export function greyVariance(p: Pixels): number {
  let sum = 0;
  let sq = 0;
  const n = p.width * p.height;
  for (let i = 0; i < p.data.length; i += 4) {
    const grey = (p.data[i]! + p.data[i + 1]! + p.data[i + 2]!) / 3;
    sum += grey;
    sq += grey * grey;
  }
  const mean = sum / n;
  return sq / n - mean * mean;
}

/** Pixels in a box that differ clearly from a background colour (text, lines). */
export function inkIn(p: Pixels, background: string, box: { x0: number; y0: number; x1: number; y1: number }): number {
  const area = (box.x1 - box.x0) * (box.y1 - box.y0);
  return area - countColour(p, background, 24, box);
}
