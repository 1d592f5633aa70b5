/**
 * One HTTP request over an undici dispatcher (a Pool or Client), its answer collected straight
 * from the dispatch handler's callbacks: no body stream, async iterator or abort bookkeeping of
 * `request()` per call, which were a share of each HTTP client's CPU. Both of trialgram's clients
 * use it: the Bot API transport and the studio client.
 */
import { type Dispatcher, errors } from 'undici';

/** An abort signal, also grammY's polyfilled one (undici accepts anything with this shape). */
export interface AbortSignalLike {
  readonly aborted: boolean;
  addEventListener(type: 'abort', listener: () => void): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

export interface Exchanged {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /**
   * The body's bytes; undefined when it was longer than `limit`. Decoded by whoever reads it: the
   * Bot API transport reads most of its answers only in part.
   */
  body: Buffer | undefined;
}

export interface ExchangeOptions {
  /** Ends the request when aborted, also while it waits for a connection. */
  signal?: AbortSignalLike | undefined;
  /**
   * The most bytes of body read: a longer one is not read further and its connection is closed, so
   * a runaway answer costs at most this much memory. Default: no limit.
   */
  limit?: number | undefined;
  /** The error for a failure after the answer began (an abort aside); default the failure itself. */
  cutOff?: ((error: Error) => Error) | undefined;
}

export function exchange(
  dispatcher: Dispatcher,
  request: {
    path: string;
    method: Dispatcher.HttpMethod;
    headers: Record<string, string>;
    body: string | Uint8Array | null;
  },
  options: ExchangeOptions = {},
): Promise<Exchanged> {
  const { signal, cutOff } = options;
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  return new Promise<Exchanged>((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortReason(signal));
      return;
    }
    // Listened to from the start: undici hands out the controller only once there is a connection.
    let controller: Dispatcher.DispatchController | undefined;
    let status = 0;
    let headers: Exchanged['headers'] = {};
    let answerBegan = false;
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const onAbort = () => controller?.abort(abortReason(signal as AbortSignalLike));
    signal?.addEventListener('abort', onAbort);
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      outcome();
    };
    const tooLarge = (at: Dispatcher.DispatchController) => {
      settle(() => resolve({ status, headers, body: undefined }));
      at.abort(new Error('answer larger than the limit'));
    };
    const handler: Dispatcher.DispatchHandler = {
      onRequestStart(started) {
        controller = started;
        if (signal?.aborted) started.abort(abortReason(signal));
      },
      onResponseStart(at, statusCode, responseHeaders) {
        answerBegan = true;
        status = statusCode;
        headers = responseHeaders;
        const length = responseHeaders['content-length'];
        if (typeof length === 'string' && Number(length) > limit) tooLarge(at);
      },
      onResponseData(at, chunk) {
        if (settled) return;
        size += chunk.length;
        if (size > limit) tooLarge(at);
        else chunks.push(chunk);
      },
      onResponseEnd() {
        const body = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size);
        settle(() => resolve({ status, headers, body }));
      },
      onResponseError(_at, error) {
        const failure = answerBegan && cutOff && !(signal?.aborted ?? false) ? cutOff(error) : error;
        settle(() => reject(failure));
      },
    };
    try {
      dispatcher.dispatch(request, handler);
    } catch (error) {
      settle(() => reject(error));
    }
  });
}

/** What an aborted request fails with: the signal's reason, else undici's own abort error. */
export function abortReason(signal: AbortSignalLike): Error {
  const reason = (signal as { reason?: unknown }).reason;
  return reason instanceof Error ? reason : new errors.RequestAbortedError();
}
