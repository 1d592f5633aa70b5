export type FileKind = 'document' | 'photo' | 'sticker';

/** A file the fake holds in memory: uploaded by the bot or sent by a fake user. */
export interface StoredFile {
  kind: FileKind;
  fileId: string;
  fileUniqueId: string;
  bytes: Uint8Array;
  fileName?: string;
  mimeType?: string;
}

// Real file_ids start with a type-specific prefix; keeping that makes ids recognisable in logs.
const FILE_ID_PREFIX: Record<FileKind, string> = {
  document: 'BQACAgIAAxkBAAI',
  photo: 'AgACAgIAAxkBAAI',
  sticker: 'CAACAgIAAxkBAAI',
};

export class FileStore {
  readonly #byId = new Map<string, StoredFile>();
  #count = 0;

  add(
    kind: FileKind,
    bytes: Uint8Array,
    details: { fileName?: string | undefined; mimeType?: string | undefined },
  ): StoredFile {
    this.#count += 1;
    const serial = Buffer.from(`trialgram-fake-${this.#count}`).toString('base64url');
    const file: StoredFile = {
      kind,
      fileId: `${FILE_ID_PREFIX[kind]}${serial}`,
      fileUniqueId: `AgAD${serial}`,
      bytes,
      ...(details.fileName === undefined ? {} : { fileName: details.fileName }),
      ...(details.mimeType === undefined ? {} : { mimeType: details.mimeType }),
    };
    this.#byId.set(file.fileId, file);
    return file;
  }

  get(fileId: string): StoredFile | undefined {
    return this.#byId.get(fileId);
  }
}

const MIME_BY_EXTENSION: Record<string, string> = {
  pdf: 'application/pdf',
  txt: 'text/plain',
  csv: 'text/csv',
  ics: 'text/calendar',
  html: 'text/html',
  htm: 'text/html',
  json: 'application/json',
  xml: 'application/xml',
  zip: 'application/zip',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  svg: 'image/svg+xml',
  mp3: 'audio/mpeg',
  ogg: 'audio/ogg',
  mp4: 'video/mp4',
  doc: 'application/msword',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

const extensionOf = (fileName: string): string => {
  const dot = fileName.lastIndexOf('.');
  return dot < 0 ? '' : fileName.slice(dot + 1).toLowerCase();
};

/**
 * Telegram derives a document's mime_type from its name rather than trusting the upload's
 * Content-Type (grammY always sends application/octet-stream).
 */
export function mimeTypeFor(fileName: string, declared: string | undefined): string {
  const byExtension = MIME_BY_EXTENSION[extensionOf(fileName)];
  if (byExtension !== undefined) return byExtension;
  if (declared !== undefined && declared !== '' && declared !== 'application/octet-stream') return declared;
  return 'application/octet-stream';
}

export interface ImageInfo {
  format: 'png' | 'jpeg' | 'gif' | 'webp';
  width: number;
  height: number;
}

/** Reads the format and size of an image from its header, or undefined for non-images. */
export function imageInfo(bytes: Uint8Array): ImageInfo | undefined {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.length >= 24 && view.readUInt32BE(0) === 0x89504e47) {
    return { format: 'png', width: view.readUInt32BE(16), height: view.readUInt32BE(20) };
  }
  if (view.length >= 10 && view.toString('latin1', 0, 3) === 'GIF') {
    return { format: 'gif', width: view.readUInt16LE(6), height: view.readUInt16LE(8) };
  }
  if (
    view.length >= 30 &&
    view.toString('latin1', 0, 4) === 'RIFF' &&
    view.toString('latin1', 8, 12) === 'WEBP'
  ) {
    return { format: 'webp', ...webpSize(view) };
  }
  if (view.length >= 4 && view[0] === 0xff && view[1] === 0xd8) {
    const size = jpegSize(view);
    return size === undefined ? undefined : { format: 'jpeg', ...size };
  }
  return undefined;
}

function jpegSize(view: Buffer): { width: number; height: number } | undefined {
  let offset = 2;
  while (offset + 9 < view.length) {
    if (view[offset] !== 0xff) return undefined;
    const marker = view[offset + 1] ?? 0;
    // Start-of-frame markers carry the size; C4, C8 and CC are other segments in the same range.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: view.readUInt16BE(offset + 5), width: view.readUInt16BE(offset + 7) };
    }
    offset += 2 + view.readUInt16BE(offset + 2);
  }
  return undefined;
}

function webpSize(view: Buffer): { width: number; height: number } {
  const chunk = view.toString('latin1', 12, 16);
  if (chunk === 'VP8X') return { width: 1 + view.readUIntLE(24, 3), height: 1 + view.readUIntLE(27, 3) };
  if (chunk === 'VP8L') {
    const bits = view.readUInt32LE(21);
    return { width: (bits & 0x3fff) + 1, height: ((bits >> 14) & 0x3fff) + 1 };
  }
  return { width: view.readUInt16LE(26) & 0x3fff, height: view.readUInt16LE(28) & 0x3fff };
}

// A 1×1 PNG and a tiny WebP so fake users can send a photo or a sticker the bot may download.
export const SAMPLE_PNG = Uint8Array.from(
  Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
    'base64',
  ),
);
export const SAMPLE_WEBP = Uint8Array.from(
  Buffer.from('UklGRiIAAABXRUJQVlA4IBYAAAAwAQCdASoBAAEADsD+JaQAA3AAAAAA', 'base64'),
);
