/**
 * RFC 8252 §7.3 loopback redirect receiver: listens on 127.0.0.1 only (never 0.0.0.0, never "localhost", which may
 * resolve to another interface), on an ephemeral port, for one sign-in. It answers only `/callback` carrying the
 * pending `state`, and closes itself after the callback, on cancel and on timeout (the caller's AbortSignal).
 *
 * The browser's request for that callback is held open until the flow knows how the sign-in ended (code exchange
 * and every check done) and calls `finish`: only then does the page say "signed in", "denied" or "failed". If the
 * flow never answers (a bug, a cancel, a hang) `close()` or the hold timeout answers "cancelled or timed out" and
 * closes the listener, so no tab spins forever and no server outlives its sign-in.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { renderCallbackPage, type CallbackOutcome, type CallbackPages } from './callbackPages';

export type { CallbackOutcome, CallbackPages } from './callbackPages';

interface LoopbackOptions {
  /** The provider's label from settings, shown (escaped) on the pages; without one they say "your identity provider". */
  readonly providerLabel?: string;
  /**
   * How long the callback's page waits for `finish` before it says "cancelled or timed out": longer than a code
   * exchange can take (token, JWKS and userinfo requests of up to 30 s each), short enough that a tab never hangs.
   */
  readonly holdTimeoutMs?: number;
  /** Ports registered at the server, tried in order; none: an ephemeral port (RFC 8252 §7.3). */
  readonly ports?: readonly number[];
}

export interface LoopbackServer {
  /** `http://127.0.0.1:<port>/callback`: the exact string to send as redirect_uri in both requests. */
  readonly redirectUri: string;
  readonly port: number;
  /** Resolves with the callback's query once a request with `state` arrives; rejects when `signal` aborts. */
  waitForCallback(state: string, signal: AbortSignal): Promise<URLSearchParams>;
  /** Answers the held callback request with the outcome's page, then closes. Later calls do nothing. */
  finish(outcome: CallbackOutcome): void;
  /** Closes now; a callback still held is answered "cancelled or timed out" first. */
  close(): void;
}

const CALLBACK_PATH = '/callback';
/** Longest request line we look at; a real callback is a few hundred bytes. */
const MAX_URL_LENGTH = 8 * 1024;
const DEFAULT_HOLD_TIMEOUT_MS = 120_000;
const SECURITY_HEADERS = {
  'Content-Security-Policy':
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'",
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
};
const NO_ANSWER: CallbackOutcome = { kind: 'failed', code: 'timeout' };

export async function startLoopbackServer(
  pages: CallbackPages,
  options: LoopbackOptions = {},
): Promise<LoopbackServer> {
  let expectedState: string | undefined;
  let deliver: ((params: URLSearchParams) => void) | undefined;
  let held: ServerResponse | undefined;
  let holdTimer: ReturnType<typeof setTimeout> | undefined;
  let done = false;
  let answered = false;

  const server = createServer((req, res) => handle(req, res));
  const shutDown = () => {
    done = true;
    server.close();
    server.closeAllConnections();
  };
  /** Answers the held request (if any) with `outcome`, then shuts down once the page is on its way. */
  const answer = (outcome: CallbackOutcome) => {
    // Once only: a later close() must not cut the page that is on its way.
    if (answered) return;
    answered = true;
    if (holdTimer) clearTimeout(holdTimer);
    const res = held;
    held = undefined;
    done = true;
    server.close(); // no new connections from here on
    if (!res || res.writableEnded || res.destroyed) return shutDown();
    res.on('close', shutDown);
    // Insurance: a response that somehow never reports 'close' must not keep the port open.
    setTimeout(shutDown, 2000).unref?.();
    reply(res, 200, renderCallbackPage(pages, outcome, options.providerLabel ?? ''));
  };

  function reply(res: ServerResponse, status: number, html: string) {
    res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', ...SECURITY_HEADERS });
    res.end(html);
  }

  function handle(req: IncomingMessage, res: ServerResponse) {
    if (done || req.method !== 'GET' || !req.url || req.url.length > MAX_URL_LENGTH)
      return reply(res, 404, notFoundPage);
    let url: URL;
    try {
      url = new URL(req.url, 'http://127.0.0.1');
    } catch {
      return reply(res, 400, notFoundPage);
    }
    if (url.pathname !== CALLBACK_PATH) return reply(res, 404, notFoundPage);
    const state = url.searchParams.get('state');
    // A callback for another (older, or forged) request: not ours to judge beyond "not this one". Keep waiting.
    if (!expectedState || state !== expectedState || !deliver) return reply(res, 400, staleLinkPage);
    // Held until finish(): the page must not say "signed in" before the code exchange and its checks are done.
    held = res;
    holdTimer = setTimeout(() => answer(NO_ANSWER), options.holdTimeoutMs ?? DEFAULT_HOLD_TIMEOUT_MS);
    holdTimer.unref?.();
    const d = deliver;
    deliver = undefined;
    d(new URLSearchParams(url.searchParams));
  }

  await listenOnFirstFreePort(server, options.ports);
  const port = (server.address() as AddressInfo).port;

  return {
    port,
    redirectUri: `http://127.0.0.1:${port}${CALLBACK_PATH}`,
    finish: answer,
    close: () => answer(NO_ANSWER),
    waitForCallback(state, signal) {
      expectedState = state;
      return new Promise<URLSearchParams>((resolve, reject) => {
        const onAbort = () => {
          answer(NO_ANSWER);
          reject(signal.reason);
        };
        if (signal.aborted) return onAbort();
        signal.addEventListener('abort', onAbort, { once: true });
        deliver = (params) => {
          signal.removeEventListener('abort', onAbort);
          resolve(params);
        };
      });
    },
  };
}

const basePage = (title: string, text: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title><meta name="referrer" content="no-referrer"></head>` +
  `<body style="font-family:system-ui,sans-serif;margin:3em"><h1>${title}</h1><p>${text}</p></body></html>`;
const notFoundPage = basePage('Not found', 'OAuth Accounts only answers its own sign-in redirect here.');
const staleLinkPage = basePage(
  'Sign-in link not recognised',
  'This is not the sign-in OAuth Accounts is waiting for. Start the sign-in again from VS Code.',
);

/**
 * An ephemeral port, or the first free one of the ports registered at a server that matches redirect URIs exactly
 * (RFC 8252's any-port rule is not honoured everywhere). Every registered port busy: a message naming them.
 */
async function listenOnFirstFreePort(
  server: ReturnType<typeof createServer>,
  ports: readonly number[] | undefined,
): Promise<void> {
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      const onError = (e: Error) => {
        server.off('listening', onListening);
        reject(e);
      };
      const onListening = () => {
        server.off('error', onError);
        resolve();
      };
      server.once('error', onError);
      server.once('listening', onListening);
      server.listen(port, '127.0.0.1');
    });
  if (!ports?.length) return listen(0);
  const busy: number[] = [];
  for (const port of ports) {
    try {
      return await listen(port);
    } catch (e) {
      if ((e as { code?: string }).code !== 'EADDRINUSE' && (e as { code?: string }).code !== 'EACCES') throw e;
      busy.push(port);
    }
  }
  throw new LoopbackPortsBusyError(busy);
}

export class LoopbackPortsBusyError extends Error {
  constructor(readonly ports: readonly number[]) {
    super(`every registered loopback port is in use by another program (${ports.join(', ')})`);
  }
}
