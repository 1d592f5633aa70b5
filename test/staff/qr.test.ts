import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jsQRModule from 'jsqr';
import { PNG } from 'pngjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { qrFileFormat, qrPng, writeQrFile } from '../../src/staff/qr.ts';
import { readQrCode } from './helpers.ts';

const url = 'https://t.me/kiez_trial_bot?start=c101_poster';

let directory: string;
beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'trialgram-qr-'));
});
afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

/**
 * Draws an SVG from the qrcode package (one path of unit-high horizontal strokes: `M x y`,
 * `m dx dy`, `h n`) onto pixels, so the test can scan it like a printed poster.
 */
function rasterizeQrSvg(svg: string, pixelsPerModule = 4): { data: Uint8ClampedArray; size: number } {
  const viewBox = /viewBox="0 0 (\d+) (\d+)"/.exec(svg);
  const strokes = /<path stroke="#000000" d="([^"]+)"/.exec(svg);
  if (!viewBox || !strokes) throw new Error('not a QR code SVG from the qrcode package');
  const modules = Number(viewBox[1]);
  const size = modules * pixelsPerModule;
  const data = new Uint8ClampedArray(size * size * 4).fill(255);
  let x = 0;
  let y = 0;
  for (const [, command, args = ''] of (strokes[1] ?? '').matchAll(/([MmHh])([^MmHh]*)/g)) {
    const numbers = args
      .trim()
      .split(/[\s,]+/)
      .map(Number);
    if (command === 'M') [x, y] = [numbers[0] ?? 0, numbers[1] ?? 0];
    else if (command === 'm') [x, y] = [x + (numbers[0] ?? 0), y + (numbers[1] ?? 0)];
    else {
      const length = numbers[0] ?? 0;
      const row = Math.floor(y);
      for (let column = x; column < x + length; column++) {
        for (let dy = 0; dy < pixelsPerModule; dy++) {
          for (let dx = 0; dx < pixelsPerModule; dx++) {
            const offset = ((row * pixelsPerModule + dy) * size + column * pixelsPerModule + dx) * 4;
            data.fill(0, offset, offset + 3);
          }
        }
      }
      x += length;
    }
  }
  return { data, size };
}

describe('QR codes', () => {
  it('writes a PNG file that scans back to the link, large enough to print', async () => {
    const file = join(directory, 'poster.png');
    expect(await writeQrFile(file, url)).toBe('png');

    const bytes = await readFile(file);
    expect(readQrCode(bytes)).toBe(url);
    expect(PNG.sync.read(bytes).width).toBeGreaterThanOrEqual(1000);
  });

  it('writes an SVG file (by extension, in any case) that is an SVG drawing of the same link', async () => {
    const file = join(directory, 'flyer.SVG');
    expect(await writeQrFile(file, url)).toBe('svg');

    const svg = await readFile(file, 'utf8');
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" viewBox="0 0 \d+ \d+"[^>]*>/);
    expect(svg).toMatch(/<path [^>]*d="M[^"]+"\/>/);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    const { data, size } = rasterizeQrSvg(svg);
    expect(jsQRModule.default(data, size, size)?.data).toBe(url);
  });

  it('refuses any other extension with a message naming the supported ones, writing nothing', async () => {
    const file = join(directory, 'poster.jpg');
    await expect(writeQrFile(file, url)).rejects.toThrow('A QR code file must end in .png or .svg, got');
    await expect(readFile(file)).rejects.toThrow(/ENOENT/);
    expect(() => qrFileFormat('qr')).toThrow(/\.png or \.svg/);
  });

  it('makes a PNG for Telegram that scans back to the link', async () => {
    const png = await qrPng(url);
    expect(readQrCode(png)).toBe(url);
  });
});
