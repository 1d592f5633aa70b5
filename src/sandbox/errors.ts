import {
  type EntityKind,
  entityNames,
  type Language,
  type MessageKey,
  type MessageParams,
  renderMessage,
} from './messages.ts';

/**
 * An error answer the sandbox gives on purpose. Its message is rendered once the caller's language
 * is known, which is why it carries a message key and parameters instead of text.
 */
export class SandboxHttpError extends Error {
  readonly status: number;
  readonly errorCode: string;
  readonly messageKey: MessageKey;
  readonly params: MessageParams;
  readonly reference: string | undefined;
  readonly headers: Record<string, string>;

  constructor(init: {
    status: number;
    errorCode: string;
    messageKey: MessageKey;
    params?: MessageParams;
    reference?: string;
    headers?: Record<string, string>;
  }) {
    super(`${init.status} ${init.errorCode}`);
    this.name = 'SandboxHttpError';
    this.status = init.status;
    this.errorCode = init.errorCode;
    this.messageKey = init.messageKey;
    this.params = init.params ?? {};
    this.reference = init.reference;
    this.headers = init.headers ?? {};
  }

  messageIn(language: Language): string {
    return renderMessage(this.messageKey, language, this.params);
  }
}

export function notFound(entity: EntityKind, id: number | string): SandboxHttpError {
  return new SandboxHttpError({
    status: 404,
    errorCode: 'ENTITY_NOT_FOUND',
    messageKey: 'ENTITY_NOT_FOUND',
    params: { id, entity: entityNames[entity] },
  });
}

export function badRequest(
  messageKey: MessageKey,
  reference: string,
  params: MessageParams = {},
): SandboxHttpError {
  return new SandboxHttpError({
    status: 400,
    errorCode: 'VALIDATION_FAILED',
    messageKey,
    params: { reference, ...params },
    reference,
  });
}
