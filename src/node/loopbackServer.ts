/**
 * RFC 8252 §7.3 loopback redirect receiver: listens on 127.0.0.1 only (never 0.0.0.0, never "localhost", which may
 * resolve to another interface), on an ephemeral port, for one sign-in. It answers only `/callback` carrying the
 * pending `state`, serves a static page that loads nothing and echoes nothing, and closes itself after the callback,
 * on cancel and on timeout (the caller's AbortSignal).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CallbackPages {
  /** Shown after a callback that carries a code. */
  readonly success: string;
  /** Shown after a callback that carries an OAuth error. */
  readonly error: string;
}

export interface LoopbackServer {
  /** `http://127.0.0.1:<port>/callback`: the exact string to send as redirect_uri in both requests. */
  readonly redirectUri: string;
  readonly port: number;
  /** Resolves with the callback's query once a request with `state` arrives; rejects when `signal` aborts. */
  waitForCallback(state: string, signal: AbortSignal): Promise<URLSearchParams>;
  close(): void;
}

const CALLBACK_PATH = '/callback';
/** Longest request line we look at; a real callback is a few hundred bytes. */
const MAX_URL_LENGTH = 8 * 1024;
const SECURITY_HEADERS = {
  'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'",
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
};

export async function startLoopbackServer(pages: CallbackPages): Promise<LoopbackServer> {
  let expectedState: string | undefined;
  let deliver: ((params: URLSearchParams) => void) | undefined;
  let done = false;

  const server = createServer((req, res) => handle(req, res));
  const close = () => {
    done = true;
    server.close();
    server.closeAllConnections();
  };

  function reply(res: ServerResponse, status: number, html: string) {
    res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', ...SECURITY_HEADERS });
    res.end(html);
  }

  function handle(req: IncomingMessage, res: ServerResponse) {
    if (done || req.method !== 'GET' || !req.url || req.url.length > MAX_URL_LENGTH) return reply(res, 404, notFoundPage);
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
    const params = new URLSearchParams(url.searchParams);
    const hasError = params.has('error');
    res.on('finish', close);
    reply(res, 200, hasError ? pages.error : pages.success);
    const d = deliver;
    deliver = undefined;
    d(params);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    port,
    redirectUri: `http://127.0.0.1:${port}${CALLBACK_PATH}`,
    close,
    waitForCallback(state, signal) {
      expectedState = state;
      return new Promise<URLSearchParams>((resolve, reject) => {
        const onAbort = () => {
          close();
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
const staleLinkPage = basePage('Sign-in link not recognised', 'This is not the sign-in OAuth Accounts is waiting for. Start the sign-in again from VS Code.');
