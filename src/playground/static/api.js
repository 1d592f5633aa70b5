/** JSON calls to the playground server (which forwards them to the fake Telegram or the sandbox). */

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
  }
}

/**
 * `method` defaults to GET; `body` is sent as JSON. Resolves with the parsed answer, rejects with
 * an ApiError carrying the status and the server's own words when it refused.
 */
export async function callApi(path, { method = 'GET', body } = {}) {
  let response;
  try {
    response = await fetch(path, {
      method,
      headers: body === undefined ? { accept: 'application/json' } : { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch {
    throw new ApiError(0, 'The playground server is not reachable. Is `npm start` still running?');
  }
  const text = await response.text();
  let json;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (!response.ok) {
    const message = json?.error ?? json?.errorMessage ?? `${response.status} ${response.statusText}`;
    throw new ApiError(response.status, message);
  }
  return json;
}
