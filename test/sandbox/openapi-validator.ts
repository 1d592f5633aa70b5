/**
 * Checks sandbox answers against the studio's OpenAPI document with ajv, so the sandbox cannot
 * drift from the real API's shapes. Field names are checked too: every object schema that lists
 * properties is closed (`additionalProperties: false`) in our copy, so a misspelt or invented
 * field fails instead of slipping through.
 */
import { readFileSync } from 'node:fs';
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { fullFormats } from 'ajv-formats/dist/formats.js';

const documentUrl = new URL('../../spec/trial-offers.openapi.json', import.meta.url);
const documentId = 'https://trialgram.invalid/trial-offers.openapi.json';

interface OpenApiDocument {
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, unknown> }> }>>;
  components: { schemas: Record<string, unknown> };
}

function closeObjectSchemas(node: unknown): void {
  if (Array.isArray(node)) {
    for (const item of node) closeObjectSchemas(item);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const schema = node as Record<string, unknown>;
  if (
    schema.type === 'object' &&
    typeof schema.properties === 'object' &&
    !('additionalProperties' in schema)
  ) {
    schema.additionalProperties = false;
  }
  for (const value of Object.values(schema)) closeObjectSchemas(value);
}

const rfc3339DateTime = fullFormats['date-time'] as { validate: (text: string) => boolean };
const zoneSuffix = /\[[A-Za-z0-9_+\-/]+\]$/;

/** RFC 3339 date-time, optionally followed by the API's bracketed IANA zone (`…+02:00[Europe/Berlin]`). */
function isApiDateTime(text: string): boolean {
  return rfc3339DateTime.validate(text.replace(zoneSuffix, ''));
}

export interface ResponseValidator {
  /** ajv errors for this answer, empty when it matches the document. */
  validate(method: string, pathname: string, status: number, body: unknown): ErrorObject[];
}

/** Loads the document and compiles a validator; throws when the path or status is undocumented. */
export function createResponseValidator(): ResponseValidator {
  const document = JSON.parse(readFileSync(documentUrl, 'utf8')) as OpenApiDocument;
  closeObjectSchemas(document.components.schemas);

  const ajv = new Ajv2020({ strict: false, allErrors: true });
  // ajv-formats is CommonJS; under Node's ESM loader its default export is the plugin itself.
  const addFormats = addFormatsModule as unknown as (instance: Ajv2020) => void;
  addFormats(ajv);
  ajv.addFormat('date-time', { type: 'string', validate: isApiDateTime });
  ajv.addFormat('int64', { type: 'number', validate: (value: number) => Number.isSafeInteger(value) });
  ajv.addFormat('int32', {
    type: 'number',
    validate: (value: number) => Number.isInteger(value) && value >= -(2 ** 31) && value < 2 ** 31,
  });
  ajv.addFormat('double', { type: 'number', validate: (value: number) => Number.isFinite(value) });
  ajv.addFormat('ISO 3166-1', { type: 'string', validate: /^[A-Z]{2}$/ });
  ajv.addFormat('ISO 639-1', { type: 'string', validate: /^[a-z]{2}$/ });
  ajv.addSchema({ ...document, $id: documentId });

  const templates = Object.keys(document.paths).map((template) => ({
    template,
    pattern: new RegExp(`^${template.replace(/\{\w+\}/g, '[^/]+')}$`),
  }));

  return {
    validate(method, pathname, status, body) {
      const template = templates.find((candidate) => candidate.pattern.test(pathname))?.template;
      const operation = template === undefined ? undefined : document.paths[template]?.[method.toLowerCase()];
      const documented = template !== undefined && operation?.responses[String(status)] !== undefined;
      // Unknown routes (404) and wrong methods (405) are not in the document, but they are still
      // answered with the API's error body; a success there would be a sandbox bug.
      if (!documented && status < 400) throw new Error(`${method} ${pathname} ${status} is not documented`);
      const pointer = documented
        ? `/paths/${escapePointer(template)}/${method.toLowerCase()}/responses/${status}/content/application~1json/schema`
        : '/components/schemas/ErrorResponse';
      const validate = ajv.getSchema(`${documentId}#${encodeURI(pointer)}`);
      if (!validate) throw new Error(`no schema at ${pointer}`);
      return validate(body) ? [] : (validate.errors ?? []);
    },
  };
}

function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}
