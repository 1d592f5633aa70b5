/**
 * QR codes of deep links: a PNG or SVG file for print (posters, flyers) and a PNG buffer for
 * Telegram. Error correction level M survives a little dirt and a glossy print.
 */
import { writeFile } from 'node:fs/promises';
import { extname } from 'node:path';
import QRCode from 'qrcode';

export type QrFileFormat = 'png' | 'svg';

const printOptions = { errorCorrectionLevel: 'M', margin: 4 } as const;

/**
 * The file format a path asks for, by its extension (case-insensitive).
 * @throws Error naming the supported extensions for any other path.
 */
export function qrFileFormat(path: string): QrFileFormat {
  const extension = extname(path).toLowerCase();
  if (extension === '.png') return 'png';
  if (extension === '.svg') return 'svg';
  throw new Error(`A QR code file must end in .png or .svg, got "${path}"`);
}

/** Writes the QR code of `url` to `path`: a 1024-pixel PNG or a scalable SVG, by the extension. */
export async function writeQrFile(path: string, url: string): Promise<QrFileFormat> {
  const format = qrFileFormat(path);
  if (format === 'png') {
    // Large enough to print at poster size without visible pixels.
    await QRCode.toFile(path, url, { ...printOptions, type: 'png', width: 1024 });
  } else {
    await writeFile(path, await QRCode.toString(url, { ...printOptions, type: 'svg' }));
  }
  return format;
}

/** A 512-pixel PNG of `url`, to send as a Telegram photo. */
export function qrPng(url: string): Promise<Buffer> {
  return QRCode.toBuffer(url, { ...printOptions, type: 'png', width: 512 });
}
