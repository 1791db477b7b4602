/**
 * What the MCP bridge passes on and what it keeps back, as pure functions (no `vscode`, no `node:http`): unit-tested
 * on their own, and the bridge (src/node/mcpBridge.ts) has no header logic of its own.
 *
 * Towards the MCP server: the client's headers minus hop-by-hop headers (RFC 9110 §7.6.1, and any the client's
 * Connection header names), minus everything that authenticates or identifies the client or the browser it might
 * be (Authorization carries the bridge's own secret; Cookie, Origin, Referer, Sec-Fetch-*, Forwarded), plus the
 * provider's access token. Towards the client: the server's headers minus hop-by-hop ones, cookies, and its
 * WWW-Authenticate challenges — VS Code's MCP client answers a challenge by starting its own sign-in, which is exactly
 * what the bridge is there to do instead.
 */
import { bearerChallengeParams } from '../protocol/resourceMetadata';

/** RFC 9110 §7.6.1 plus the de-facto ones (Keep-Alive, Proxy-Connection). */
const HOP_BY_HOP = [
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
];
/** Never forwarded to the MCP server: the client's credentials and browser context, and what the bridge sets itself. */
const CLIENT_ONLY = [
  'authorization',
  'cookie',
  'host',
  'origin',
  'referer',
  'forwarded',
  'x-forwarded-for',
  'x-forwarded-host',
  'x-forwarded-proto',
  'x-real-ip',
  'content-length',
  'expect',
];
/** Never passed back: a challenge would start VS Code's own sign-in; cookies have no business on a loopback port. */
const SERVER_ONLY = ['www-authenticate', 'set-cookie', 'set-cookie2'];

type HeaderMap = Readonly<Record<string, string | readonly string[] | undefined>>;

/** Header names a Connection header lists (they are hop-by-hop for that message). */
function connectionListed(headers: HeaderMap): Set<string> {
  const value = headers.connection;
  const text = Array.isArray(value) ? value.join(',') : typeof value === 'string' ? value : '';
  return new Set(
    text
      .split(',')
      .map((t) => t.trim().toLowerCase())
      .filter(Boolean),
  );
}

function filter(headers: HeaderMap, dropped: readonly string[]): Record<string, string | string[]> {
  const listed = connectionListed(headers);
  const out: Record<string, string | string[]> = {};
  for (const [rawName, value] of Object.entries(headers)) {
    const name = rawName.toLowerCase();
    if (
      value === undefined ||
      HOP_BY_HOP.includes(name) ||
      dropped.includes(name) ||
      listed.has(name) ||
      name.startsWith('sec-fetch-')
    )
      continue;
    out[name] = Array.isArray(value) ? [...value] : (value as string);
  }
  return out;
}

/** Headers for the request to the MCP server: the client's, filtered, with the access token and the body's length. */
export function upstreamRequestHeaders(
  client: HeaderMap,
  accessToken: string,
  bodyLength: number | undefined,
): Record<string, string | string[]> {
  const out = filter(client, CLIENT_ONLY);
  out.authorization = `Bearer ${accessToken}`;
  if (bodyLength !== undefined) out['content-length'] = String(bodyLength);
  return out;
}

/** Headers for the answer to the client: the server's, filtered. */
export function clientResponseHeaders(server: HeaderMap): Record<string, string | string[]> {
  return filter(server, SERVER_ONLY);
}

/** What a 401 or 403 from the MCP server asks for (RFC 6750 §3.1). */
type Refusal =
  | { readonly kind: 'invalid_token' }
  | { readonly kind: 'insufficient_scope'; readonly scopes: readonly string[] }
  | { readonly kind: 'forbidden' };

export function refusalOf(status: number, wwwAuthenticate: string | string[] | undefined): Refusal | undefined {
  if (status !== 401 && status !== 403) return undefined;
  const header = Array.isArray(wwwAuthenticate) ? wwwAuthenticate.join(', ') : wwwAuthenticate;
  const params = bearerChallengeParams(header);
  if (status === 403 && params?.error === 'insufficient_scope') {
    return { kind: 'insufficient_scope', scopes: (params.scope ?? '').split(' ').filter(Boolean) };
  }
  // A 401 means the token is not (or no longer) accepted, whatever the challenge's details.
  return status === 401 ? { kind: 'invalid_token' } : { kind: 'forbidden' };
}
