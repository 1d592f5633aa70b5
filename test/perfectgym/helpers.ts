import {
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface CraftedServer {
  url: string;
  port: number;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export type CraftedHandler = (request: RecordedRequest, response: ServerResponse, socket: Socket) => void;

/**
 * A tiny studio stand-in on loopback that answers whatever the test crafts, for the cases the
 * sandbox cannot produce (bodies that break the schema, unknown enum values, echoed keys).
 */
export async function startCraftedServer(handler: CraftedHandler, port = 0): Promise<CraftedServer> {
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const recorded: RecordedRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(recorded);
      handler(recorded, res, req.socket);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const actualPort = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${actualPort}`,
    port: actualPort,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

export function json(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(text);
}

/** A loopback port nothing listens on (it was free a moment ago), so connecting is refused. */
export async function refusedPort(): Promise<number> {
  const server = await startCraftedServer(() => {});
  await server.close();
  return server.port;
}

/**
 * Every string reachable from a value: own properties (enumerable or not, so `message`, `stack`
 * and `cause` are included), array items and nested objects.
 */
export function reachableStrings(value: unknown, seen = new Set<unknown>()): string[] {
  if (typeof value === 'string') return [value];
  if (typeof value !== 'object' || value === null || seen.has(value)) return [];
  seen.add(value);
  const strings: string[] = [];
  for (const key of Reflect.ownKeys(value)) {
    if (typeof key === 'string') strings.push(key);
    const descriptor = Object.getOwnPropertyDescriptor(value, key);
    if (descriptor && 'value' in descriptor) strings.push(...reachableStrings(descriptor.value, seen));
  }
  return strings;
}

/** Runs `promise`, expecting it to reject; returns the rejection. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

/** Answers a request in place of the studio; returns false to let the studio answer it. */
export type StudioOverride = (request: RecordedRequest, response: ServerResponse) => boolean;

/**
 * A loopback server in front of a real studio (the sandbox): passes every request on, except
 * those `override` answers itself (a huge body, `hasNext` for ever, a malformed item).
 */
export async function startStudioProxy(targetUrl: string, override: StudioOverride): Promise<CraftedServer> {
  const target = new URL(targetUrl);
  return startCraftedServer((request, response) => {
    if (override(request, response)) return;
    const upstream = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method: request.method,
        path: request.url,
        headers: request.headers,
      },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    upstream.on('error', () => response.destroy());
    upstream.end(request.body);
  });
}

/**
 * Answers a listing of well-formed offers, `totalBytes` long, written as fast as the client reads
 * and stopped when it hangs up; returns how many bytes were written so far.
 */
export function writeHugeOfferListing(response: ServerResponse, totalBytes: number): () => number {
  const offer = JSON.stringify({ trialOfferConfigId: 1, trialOfferClass: { id: 101, bookable: true } });
  const chunk = `${Array.from({ length: 1_000 }, () => offer).join(',')},`;
  let written = 0;
  response.writeHead(200, { 'content-type': 'application/json' });
  response.write('{"hasNext":false,"offset":"0","result":[');
  const writeMore = () => {
    while (written < totalBytes && !response.destroyed) {
      written += chunk.length;
      if (!response.write(chunk)) return void response.once('drain', writeMore);
    }
    if (!response.destroyed) response.end(`${offer}]}`);
  };
  writeMore();
  return () => written;
}
