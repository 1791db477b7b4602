/**
 * The one HTTP seam of the protocol core. openid-client and oauth4webapi call `fetch(url, init)` through
 * `customFetch`; this wraps whatever base fetch the platform has (node-fetch in the Node extension host so VS Code's
 * proxy and certificate patches apply, global fetch in the web worker) with the https rule for every URL, a timeout,
 * a response size cap and a log line that never contains a body, a query string or a header value.
 */
import { AuthError, NetworkError, ResponseTooLargeError } from './errors';
import { serverUrlProblem } from './urls';

export interface FetchInit {
  body?: unknown;
  headers?: Record<string, string>;
  method?: string;
  redirect?: 'manual';
  signal?: AbortSignal;
}
export type BaseFetch = (url: string, init: FetchInit) => Promise<Response>;
export type HttpLog = (line: string) => void;

interface HttpOptions {
  /** Per-request timeout; a server that does not answer in time fails as `network`, never hangs the UI. */
  timeoutMs?: number;
  /** Largest response body accepted; authorization servers never send megabytes. */
  maxBytes?: number;
  /** Cancels every request of one operation at once (the user pressed Cancel). */
  signal?: AbortSignal;
  log?: HttpLog;
}

export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_MAX_BYTES = 1024 * 1024;

/** Wraps `base` into the `customFetch` that every protocol call uses. */
export function createFetch(
  base: BaseFetch,
  options: HttpOptions = {},
): (url: string, init: FetchInit) => Promise<Response> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  return async (url, init) => {
    // The last line of the https rule: whatever asked for this URL (discovered metadata, a quirk's API call, a
    // configured endpoint), a request to a non-loopback http URL never leaves the machine, so a refresh token or a
    // client secret is never sent in cleartext. Discovery and settings validation refuse such URLs earlier with
    // the field's name; this catches anything they do not see.
    const problem = serverUrlProblem(url);
    if (problem) {
      options.log?.(`${init.method ?? 'GET'} ${describeUrl(url)} refused: the URL ${problem}`);
      throw new AuthError(
        'config',
        `OAuth Accounts refused to send a request to ${describeUrl(url)}: the URL ${problem}.`,
      );
    }
    const timeout = AbortSignal.timeout(timeoutMs);
    const signals = [timeout];
    if (init.signal) signals.push(init.signal);
    if (options.signal) signals.push(options.signal);
    const signal = AbortSignal.any(signals);
    const started = Date.now();
    const method = init.method ?? 'GET';
    try {
      // Never follow redirects here: a 3xx could point at a plain-http host the rule above never saw. The protocol
      // libraries already ask for 'manual' and treat a redirect as an error; this makes it true for every caller.
      const res = await base(url, { ...init, redirect: 'manual', signal });
      const body = await readCapped(res, maxBytes, signal);
      options.log?.(`${method} ${describeUrl(url)} → ${res.status} (${Date.now() - started} ms)`);
      // A fresh standard Response, whatever the base fetch returned, so the protocol library sees one shape.
      return new Response(isNullBodyStatus(res.status) ? null : body, {
        status: res.status,
        statusText: res.statusText,
        headers: copyHeaders(res.headers),
      });
    } catch (e) {
      options.log?.(
        `${method} ${describeUrl(url)} failed after ${Date.now() - started} ms: ${(e as Error)?.name ?? 'Error'}`,
      );
      // node-fetch replaces the abort reason with its own AbortError: give callers the real one (the user's cancel,
      // or our timeout) so a cancel never reads as a network failure.
      for (const s of [options.signal, init.signal, timeout]) if (s?.aborted) throw s.reason;
      if (e instanceof ResponseTooLargeError) throw e;
      // Everything else the platform fetch throws means no usable answer came: one class, so toAuthError never has
      // to guess from node-fetch's or undici's error names and messages.
      throw new NetworkError(e, hostOf(url));
    }
  };
}

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).host;
  } catch {
    return undefined;
  }
}

function isNullBodyStatus(status: number): boolean {
  return status === 101 || status === 204 || status === 205 || status === 304;
}

function copyHeaders(h: Headers): Headers {
  const out = new Headers();
  h.forEach((value, key) => out.append(key, value));
  return out;
}

async function readCapped(res: Response, maxBytes: number, signal: AbortSignal): Promise<ArrayBuffer> {
  const declared = Number(res.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(maxBytes);
  if (!res.body) return new ArrayBuffer(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  // node-fetch bodies are Node streams, global fetch bodies are WHATWG streams: both are async-iterable, except in
  // browsers without ReadableStream async iteration (Safari), where the reader is used.
  for await (const chunk of chunksOf(res.body as unknown as AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>)) {
    if (signal.aborted) throw signal.reason;
    total += chunk.byteLength;
    if (total > maxBytes) throw tooLarge(maxBytes);
    chunks.push(chunk);
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.byteLength;
  }
  return out.buffer;
}

async function* chunksOf(body: AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>): AsyncIterable<Uint8Array> {
  if (Symbol.asyncIterator in body) {
    yield* body as AsyncIterable<Uint8Array>;
    return;
  }
  const reader = (body as ReadableStream<Uint8Array>).getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

function tooLarge(maxBytes: number): Error {
  return new ResponseTooLargeError(`the response is larger than ${Math.round(maxBytes / 1024)} KB`);
}

/** Origin and path only (queries can carry codes and tokens), with anything that could form a link percent-encoded. */
export function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    // The origin cannot hold link syntax (IPv6 brackets aside); the path can, and `[x](command:…)` would be a link.
    return (
      u.origin +
      u.pathname.replace(/[[\]()<>`\s]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`)
    );
  } catch {
    return '(invalid URL)';
  }
}
