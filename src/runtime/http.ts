/**
 * What every `node:http` server of trialgram needs and nothing more: listen and report where,
 * close with every connection, read a body up to a limit, check a secret header, answer JSON. The bot's own server,
 * the sandbox studio, the fake Telegram and the playground each route and answer their own way
 * on top of these.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Listens on `host:port` (port 0: any free one) and resolves with the address once it listens. */
export function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

/**
 * `http://127.0.0.1:8080`: where a client on this machine reaches a server listening at
 * `address`; a wildcard address (all interfaces) is reached through loopback.
 */
export function originOf(address: AddressInfo): string {
  const host = address.address === '0.0.0.0' || address.address === '::' ? '127.0.0.1' : address.address;
  return `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
}

/** Stops listening and ends every connection, idle or not (event streams, long polls, keep-alive). */
export function closeServer(server: Server): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  return closed;
}

/** A request body over the limit its server takes. */
export class BodyTooLargeError extends Error {
  readonly limitBytes: number;
  constructor(limitBytes: number) {
    super(`request body larger than ${limitBytes} bytes`);
    this.name = 'BodyTooLargeError';
    this.limitBytes = limitBytes;
  }
}

/**
 * The whole request body. Past `limitBytes` it rejects with {@link BodyTooLargeError} at once,
 * without keeping any more of it; the rest is read and dropped, so the answer still reaches the
 * client and a keep-alive connection stays usable.
 */
export function readBody(request: IncomingMessage, limitBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limitBytes) {
        chunks.push(chunk);
        return;
      }
      request.off('data', onData);
      request.off('end', onEnd);
      request.resume();
      reject(new BodyTooLargeError(limitBytes));
    };
    const onEnd = () => resolve(Buffer.concat(chunks));
    request.on('data', onData);
    request.once('end', onEnd);
    request.once('error', reject);
  });
}

/**
 * Answers `body` as JSON (`application/json` unless `headers` name another content type). A
 * response already under way or gone is left alone: an error that strikes after the answer
 * started cannot turn into a second one.
 */
export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (response.headersSent || response.destroyed) return;
  const json = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(json)),
    ...headers,
  });
  response.end(json);
}

/** Whether a request header carries exactly `expected` (a key, a secret token), compared in constant time. */
export function headerMatches(given: string | string[] | undefined, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
