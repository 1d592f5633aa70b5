/** A file part of a multipart/form-data upload. */
export interface UploadedFile {
  fieldName: string;
  fileName: string;
  contentType: string | undefined;
  bytes: Uint8Array;
}

export interface MultipartBody {
  fields: Map<string, string>;
  files: Map<string, UploadedFile>;
}

export class MultipartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MultipartError';
  }
}

const HEADER_END = Buffer.from('\r\n\r\n');

/**
 * Parses a multipart/form-data body. Written by hand rather than with `Request.formData()`
 * because grammY sends unquoted file names (`filename=my report.pdf`), which the WHATWG parser
 * cuts at the first space while Telegram keeps the whole name.
 */
export function parseMultipart(body: Buffer, contentType: string): MultipartBody {
  const boundaryMatch = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const boundary = boundaryMatch?.[1] ?? boundaryMatch?.[2];
  if (boundary === undefined) throw new MultipartError('multipart body without boundary');
  const delimiter = Buffer.from(`--${boundary}`);
  const partSeparator = Buffer.from(`\r\n--${boundary}`);
  const fields = new Map<string, string>();
  const files = new Map<string, UploadedFile>();

  let cursor = body.indexOf(delimiter);
  if (cursor < 0) throw new MultipartError('multipart body without its boundary');
  cursor += delimiter.length;
  for (;;) {
    if (body[cursor] === 0x2d && body[cursor + 1] === 0x2d) break; // closing `--boundary--`
    if (body[cursor] === 0x0d && body[cursor + 1] === 0x0a) cursor += 2;
    const headerEnd = body.indexOf(HEADER_END, cursor);
    if (headerEnd < 0) throw new MultipartError('multipart part without headers');
    const headers = parseHeaders(body.subarray(cursor, headerEnd).toString('utf8'));
    const contentStart = headerEnd + HEADER_END.length;
    const contentEnd = body.indexOf(partSeparator, contentStart);
    if (contentEnd < 0) throw new MultipartError('multipart part without end');
    const content = body.subarray(contentStart, contentEnd);
    cursor = contentEnd + partSeparator.length;

    const disposition = parseDisposition(headers.get('content-disposition') ?? '');
    if (disposition.name === undefined) continue;
    if (disposition.fileName === undefined) {
      fields.set(disposition.name, content.toString('utf8'));
    } else {
      files.set(disposition.name, {
        fieldName: disposition.name,
        fileName: disposition.fileName,
        contentType: headers.get('content-type'),
        bytes: new Uint8Array(content),
      });
    }
  }
  return { fields, files };
}

function parseHeaders(block: string): Map<string, string> {
  const headers = new Map<string, string>();
  for (const line of block.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return headers;
}

function parseDisposition(value: string): { name?: string; fileName?: string } {
  const result: { name?: string; fileName?: string } = {};
  const parameter = /;\s*([a-zA-Z*]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*))/g;
  for (const match of value.matchAll(parameter)) {
    const key = match[1]?.toLowerCase();
    const raw = match[2] !== undefined ? match[2].replace(/\\(.)/g, '$1') : (match[3] ?? '').trim();
    if (key === 'name') result.name = raw;
    else if (key === 'filename') result.fileName ??= raw;
    else if (key === 'filename*') result.fileName = decodeExtendedValue(raw);
  }
  return result;
}

function decodeExtendedValue(raw: string): string {
  const encoded = /^[^']*'[^']*'(.*)$/.exec(raw)?.[1] ?? raw;
  try {
    return decodeURIComponent(encoded);
  } catch {
    return encoded;
  }
}
