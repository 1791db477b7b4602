/**
 * One client request carried to its MCP server by the bridge (mcpBridge.ts): with the provider's current access
 * token, streamed back unchanged (JSON or SSE, status, Mcp-Session-Id), cancelled when the client goes away.
 *
 * A refused token gets exactly one more attempt: after a 401 with a refreshed token, after a 403 insufficient_scope
 * with a token for the larger scope set (step-up). Whatever the second answer, it is the last: nothing is retried in a
 * loop. A refusal the bridge cannot fix reaches the client as 502/503 with a plain-text reason, never as 401/403 —
 * VS Code's MCP client answers those by starting a sign-in of its own against the bridge. Redirects are not followed
 * and not passed on: tokens go to the configured URL and nowhere else. The request body lives only as long as the
 * request (it is needed once more for the retry) and is never logged.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import { pipeline } from 'node:stream';
import { clientResponseHeaders, refusalOf, upstreamRequestHeaders } from '../mcp/forwarding';
import { plainText } from '../protocol/plainText';

/** A token for one request, or why there is none (plain text for the client; the user has been told already). */
export type Grant = { readonly token: string } | { readonly refused: string };

export interface BridgeAuth {
  /** The current access token for the server `name`. */
  token(name: string): Promise<Grant>;
  /** The server refused `rejected` (HTTP 401): a refreshed token, once. */
  refreshed(name: string, rejected: string): Promise<Grant>;
  /** The server wants these scopes (HTTP 403 insufficient_scope): a token for them, with the user's consent. */
  stepUp(name: string, scopes: readonly string[]): Promise<Grant>;
  /** How a request ended, for the server's status (no secrets in `error`). */
  outcome?(name: string, outcome: { readonly ok: true } | { readonly error: string }): void;
}

export interface UpstreamRoute {
  readonly name: string;
  readonly target: URL;
}

export type Log = (level: 'trace' | 'info' | 'warn', line: string) => void;

/** Answers the client with a bridge-made status and one line of text (and closes the connection). */
export function answer(
  res: http.ServerResponse,
  status: number,
  text: string,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'close',
    ...headers,
  });
  res.end(`${text}\n`);
}

function send(
  target: URL,
  method: string,
  headers: Record<string, string | string[]>,
  body: Buffer | undefined,
  signal: AbortSignal,
): Promise<http.IncomingMessage> {
  // node:http(s) rather than fetch: no redirect following, no decompression (bytes pass unchanged), and VS Code's
  // proxy and certificate support applies to these modules in the extension host.
  const request = target.protocol === 'https:' ? https.request : http.request;
  return new Promise((resolve, reject) => {
    const r = request(target, { method, headers, signal }, resolve);
    r.on('error', reject);
    r.end(body);
  });
}

export async function forward(
  route: UpstreamRoute,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  body: Buffer | undefined,
  auth: BridgeAuth,
  log: Log,
): Promise<void> {
  const started = Date.now();
  const method = req.method ?? 'GET';
  const where = `MCP server "${route.name}": ${method}`;
  const abort = new AbortController();
  // The client went away (cancelled request, closed SSE stream): so does the request to the server.
  res.on('close', () => {
    if (!res.writableFinished) abort.abort();
  });
  const fail = (status: number, text: string) => {
    auth.outcome?.(route.name, { error: text });
    log('warn', `${where} → ${status} from the bridge: ${text}`);
    answer(res, status, `OAuth Accounts: ${text}`);
  };

  let grant = await auth.token(route.name);
  for (let attempt = 0; ; attempt++) {
    if (abort.signal.aborted) return;
    if ('refused' in grant) return fail(503, grant.refused);
    let up: http.IncomingMessage;
    try {
      up = await send(
        route.target,
        method,
        upstreamRequestHeaders(req.headers, grant.token, body?.length),
        body,
        abort.signal,
      );
    } catch (e) {
      if (abort.signal.aborted) return;
      return fail(
        502,
        `could not reach ${route.target.origin} (${plainText((e as Error)?.message ?? String(e), 200)}).`,
      );
    }
    const status = up.statusCode ?? 502;
    const refusal = refusalOf(status, up.headers['www-authenticate']);
    if (refusal || (status >= 300 && status < 400)) up.resume(); // its body is not passed on
    if (refusal && attempt === 0 && refusal.kind !== 'forbidden') {
      log(
        'info',
        `${where} → ${status} (${refusal.kind}); ${refusal.kind === 'invalid_token' ? 'refreshing the token' : `asking for the scopes ${plainText(refusal.scopes.join(' '), 200)}`} and trying once more`,
      );
      grant =
        refusal.kind === 'invalid_token'
          ? await auth.refreshed(route.name, grant.token)
          : await auth.stepUp(route.name, refusal.scopes);
      continue;
    }
    if (refusal) {
      const again = attempt > 0 ? ' again after a fresh token' : '';
      return fail(
        502,
        `${route.target.origin} refused the request${again} (HTTP ${status}${refusal.kind === 'forbidden' ? '' : `, ${refusal.kind}`}).`,
      );
    }
    if (status >= 300 && status < 400)
      return fail(
        502,
        `${route.target.origin} answered with a redirect (HTTP ${status}), which the bridge does not follow.`,
      );
    res.writeHead(status, clientResponseHeaders(up.headers));
    pipeline(up, res, (err) => {
      if (err && !abort.signal.aborted)
        log('warn', `${where}: the answer stopped early (${plainText(err.message, 200)})`);
    });
    auth.outcome?.(route.name, status < 400 ? { ok: true } : { error: `the server answered HTTP ${status}.` });
    log('trace', `${where} → ${status} (${Date.now() - started} ms to the first byte)`);
    return;
  }
}
