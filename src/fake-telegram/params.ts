import type { IncomingMessage } from 'node:http';
import { BodyTooLargeError, readBody as readRequestBody } from '../runtime/http.ts';
import { BotApiError, badRequest } from './errors.ts';
import { MultipartError, parseMultipart, type UploadedFile } from './multipart.ts';

/** What a Bot API call carried, after Telegram-style decoding of every transport. */
export interface CallInput {
  params: Record<string, unknown>;
  files: Map<string, UploadedFile>;
}

// Telegram accepts uploads up to 50 MB; bigger requests are refused before any parsing.
export const MAX_REQUEST_BYTES = 50 * 1024 * 1024;

/** Reads the whole request body, refusing Telegram's way when it is too large. */
export async function readBody(request: IncomingMessage, limit = MAX_REQUEST_BYTES): Promise<Buffer> {
  try {
    return await readRequestBody(request, limit);
  } catch (error) {
    if (error instanceof BodyTooLargeError) throw new BotApiError(413, 'Request Entity Too Large');
    throw error;
  }
}

// Parameters whose value is a JSON-serialised object when sent as a string (form data, query).
const JSON_PARAMS = new Set([
  'reply_markup',
  'entities',
  'caption_entities',
  'commands',
  'scope',
  'link_preview_options',
  'reply_parameters',
  'allowed_updates',
  'menu_button',
  'media',
]);

const INTEGER_PARAMS = new Set([
  'chat_id',
  'message_id',
  'offset',
  'limit',
  'timeout',
  'user_id',
  'cache_time',
  'max_connections',
  'reply_to_message_id',
  'message_thread_id',
]);

const BOOLEAN_PARAMS = new Set([
  'show_alert',
  'disable_notification',
  'protect_content',
  'drop_pending_updates',
  'disable_web_page_preview',
  'allow_sending_without_reply',
  'disable_content_type_detection',
  'has_spoiler',
  'show_caption_above_media',
]);

function jsonParseError(name: string): BotApiError {
  if (name === 'reply_markup') return badRequest("can't parse reply keyboard markup JSON object");
  if (name === 'entities' || name === 'caption_entities')
    return badRequest("can't parse entities JSON object");
  return badRequest(`can't parse ${name} JSON object`);
}

function coerce(name: string, value: unknown): unknown {
  if (typeof value !== 'string') return value;
  if (JSON_PARAMS.has(name)) {
    try {
      return JSON.parse(value);
    } catch {
      throw jsonParseError(name);
    }
  }
  if (INTEGER_PARAMS.has(name) && /^-?\d+$/.test(value.trim())) return Number(value.trim());
  if (BOOLEAN_PARAMS.has(name)) {
    const lowered = value.toLowerCase();
    if (lowered === 'true' || lowered === '1') return true;
    if (lowered === 'false' || lowered === '0' || lowered === '') return false;
  }
  return value;
}

/**
 * Merges query string and body (JSON, urlencoded or multipart) into one parameter object, the way
 * the Bot API does: body wins over query, JSON-encoded nested parameters are decoded, numbers and
 * booleans sent as text become numbers and booleans.
 */
export function parseCallInput(
  query: URLSearchParams,
  body: Buffer,
  contentType: string | undefined,
): CallInput {
  const raw: Record<string, unknown> = {};
  for (const [key, value] of query) raw[key] = value;
  let files = new Map<string, UploadedFile>();
  const type = (contentType ?? '').toLowerCase();

  if (body.length > 0) {
    if (type.startsWith('application/json')) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(body.toString('utf8'));
      } catch {
        throw badRequest("can't parse JSON object");
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        throw badRequest("can't parse JSON object");
      }
      Object.assign(raw, parsed);
    } else if (type.startsWith('multipart/form-data')) {
      try {
        const multipart = parseMultipart(body, contentType ?? '');
        for (const [key, value] of multipart.fields) raw[key] = value;
        files = multipart.files;
      } catch (error) {
        if (error instanceof MultipartError)
          throw badRequest(`can't parse multipart/form-data: ${error.message}`);
        throw error;
      }
    } else if (type.startsWith('application/x-www-form-urlencoded') || type === '') {
      for (const [key, value] of new URLSearchParams(body.toString('utf8'))) raw[key] = value;
    }
  }

  const params: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (value === null || value === undefined) continue;
    params[key] = coerce(key, value);
  }
  return { params, files };
}

/**
 * Finds the file a parameter refers to: `attach://<part>` (what grammY sends), or a file part
 * sent under the parameter's own name.
 */
export function uploadedFileFor(input: CallInput, name: string): UploadedFile | undefined {
  const value = input.params[name];
  if (typeof value === 'string' && value.startsWith('attach://')) {
    return input.files.get(value.slice('attach://'.length));
  }
  return value === undefined ? input.files.get(name) : undefined;
}

/** The call's parameters as recorded in `calls`: uploads summarised instead of raw bytes. */
export function recordableParams(input: CallInput): Record<string, unknown> {
  if (input.files.size === 0) return input.params;
  const params: Record<string, unknown> = { ...input.params };
  const referenced = new Set<string>();
  for (const [key, value] of Object.entries(params)) {
    if (typeof value === 'string' && value.startsWith('attach://')) {
      const part = value.slice('attach://'.length);
      const file = input.files.get(part);
      if (file === undefined) continue;
      referenced.add(part);
      params[key] = { fileName: file.fileName, size: file.bytes.length };
    }
  }
  for (const [name, file] of input.files) {
    if (!referenced.has(name) && !(name in params)) {
      params[name] = { fileName: file.fileName, size: file.bytes.length };
    }
  }
  return params;
}
