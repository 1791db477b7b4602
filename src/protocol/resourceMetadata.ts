/**
 * RFC 9728 OAuth 2.0 Protected Resource Metadata: from the URL of an API or MCP endpoint to the authorization
 * servers that issue tokens for it. No `vscode` import: unit-tested on plain Node against a local resource server.
 *
 * Where the metadata is looked for, in order:
 *  1. the `resource_metadata` parameter of a Bearer challenge the caller already has (a 401's WWW-Authenticate);
 *  2. the well-known location with the resource's path inserted (§3.1):
 *     https://r.example/mcp → https://r.example/.well-known/oauth-protected-resource/mcp;
 *  3. the root well-known location (what MCP clients also try, for servers that publish one document per host);
 *  4. a 401 from the resource itself, for its challenge's `resource_metadata` (one unauthenticated GET).
 * Every request goes through the caller's fetch, which is the protocol core's seam (https rule, timeout, size cap).
 *
 * A resource that is not on this machine cannot send us to one that is: a `resource_metadata` URL or an authorization
 * server on a loopback address is followed only when the resource itself is loopback. Otherwise a remote resource
 * could make the extension (in code-server: on the server's host) send requests into that host's loopback network.
 *
 * §3.3: the `resource` in the document MUST be identical to the resource URL the metadata was looked up for (also
 * when it came from a challenge: then it is the URL the request went to). Anything else is refused, naming both
 * values, because a document that names another resource could send the user's tokens for this one elsewhere.
 */
import { AuthError } from './errors';
import { toAuthError } from './libraryErrors';
import { describeUrl } from './http';
import { plainText } from './plainText';
import { reachesIntoLocal, serverUrlProblem } from './urls';

type Fetch = (
  url: string,
  init: { method?: string; headers?: Record<string, string>; redirect?: 'manual'; signal?: AbortSignal },
) => Promise<Response>;

const PROTECTED_RESOURCE_WELL_KNOWN = '/.well-known/oauth-protected-resource';

export interface ProtectedResourceMetadata {
  /** The resource identifier, identical to the URL it was looked up for. */
  readonly resource: string;
  /** Issuer URLs, each of which passed the https rule; at least one. */
  readonly authorizationServers: readonly string[];
  readonly scopesSupported?: readonly string[];
  /** Human-readable name (server text: already through plainText). */
  readonly resourceName?: string;
  /** Where the document was found, for messages and the log. */
  readonly metadataUrl: string;
}

/** The well-known URLs for `resource`: path-inserted first, then the root (once, when the resource has no path). */
export function wellKnownUrls(resource: string): string[] {
  const u = new URL(resource);
  // §3.1: a terminating slash after the host is removed before inserting; the query stays.
  const path = u.pathname === '/' ? '' : u.pathname.replace(/\/$/, '');
  const inserted = `${u.origin}${PROTECTED_RESOURCE_WELL_KNOWN}${path}${u.search}`;
  const root = `${u.origin}${PROTECTED_RESOURCE_WELL_KNOWN}`;
  return inserted === root ? [root] : [inserted, root];
}

/**
 * §3.3 "identical". One equivalence is accepted: an origin with and without its "/" path (`https://r.example` and
 * `https://r.example/`), which RFC 3986 §6.2.3 defines as the same URI and which a URL typed into a box often differs
 * in. Any other difference, trailing slashes on a path included, is a different resource.
 */
export function sameResource(published: string, expected: string): boolean {
  if (published === expected) return true;
  const strip = (s: string) => s.replace(/^(https?:\/\/[^/?#]+)\/$/i, '$1');
  return strip(published) === strip(expected);
}

/**
 * RFC 7235 §4.1 challenges → the auth-params of the first Bearer challenge (names lower-cased), or undefined. A
 * small scanner rather than a regular expression: quoted values may hold commas, "=" and escaped quotes.
 */
export function bearerChallengeParams(header: string | null | undefined): Record<string, string> | undefined {
  if (!header) return undefined;
  const tchar = /[A-Za-z0-9!#$%&'*+.^_`|~-]/;
  let i = 0;
  const skip = (chars: RegExp) => {
    while (i < header.length && chars.test(header[i])) i++;
  };
  const token = () => {
    const from = i;
    while (i < header.length && tchar.test(header[i])) i++;
    return header.slice(from, i);
  };
  let current: Record<string, string> | undefined;
  let bearer: Record<string, string> | undefined;
  while (i < header.length) {
    skip(/[\s,]/);
    const name = token();
    if (!name) {
      i++;
      continue;
    } // a stray character: skip it rather than loop
    skip(/[ \t]/);
    if (header[i] === '=' && header[i + 1] !== '=') {
      i++;
      skip(/[ \t]/);
      let value = '';
      if (header[i] === '"') {
        for (i++; i < header.length && header[i] !== '"'; i++)
          value += header[i] === '\\' ? (header[++i] ?? '') : header[i];
        i++;
      } else {
        value = token();
      }
      if (current) current[name.toLowerCase()] = value;
      continue;
    }
    // A new challenge (its token68, if any, is skipped as the next stray token).
    if (bearer) break;
    current = {};
    if (name.toLowerCase() === 'bearer') bearer = current;
  }
  return bearer;
}

export interface DiscoverResourceOptions {
  /** A WWW-Authenticate header the caller already received from this resource. */
  readonly challenge?: string;
  /** Probe the resource for a 401 challenge when no well-known document exists (default true). */
  readonly probe?: boolean;
  readonly signal?: AbortSignal;
}

/** RFC 9728 discovery for `resource`; throws AuthError('discovery' | 'config' | 'network' | 'cancelled'). */
export async function discoverProtectedResource(
  resource: string,
  fetch: Fetch,
  o: DiscoverResourceOptions = {},
): Promise<ProtectedResourceMetadata> {
  const problem = serverUrlProblem(resource);
  if (problem) throw new AuthError('config', `The resource URL ${describeUrl(resource)} ${problem}.`);
  if (new URL(resource).hash)
    throw new AuthError('config', 'A resource URL must not contain a fragment (#…) (RFC 8707 §2).');

  const fromChallenge = (header: string | null | undefined) => {
    const url = bearerChallengeParams(header)?.resource_metadata;
    return url ? fetchDocument(url, resource, fetch, o.signal, true) : undefined;
  };
  const direct = o.challenge ? await fromChallenge(o.challenge) : undefined;
  if (direct) return direct;

  const tried: string[] = [];
  for (const url of wellKnownUrls(resource)) {
    tried.push(describeUrl(url));
    const found = await fetchDocument(url, resource, fetch, o.signal, false);
    if (found) return found;
  }
  if (o.probe !== false) {
    // Accept JSON: a streaming endpoint (MCP's GET opens an SSE stream) answers 405/406/401 instead of streaming.
    const res = await request(fetch, resource, o.signal, 'application/json');
    await res.body?.cancel().catch(() => {});
    if (res.status === 401) {
      const found = await fromChallenge(res.headers.get('www-authenticate'));
      if (found) return found;
    }
    tried.push(
      `${describeUrl(resource)} (HTTP ${res.status}${res.status === 401 ? ' without resource_metadata' : ''})`,
    );
  }
  throw new AuthError(
    'discovery',
    `${describeUrl(resource)} publishes no OAuth protected resource metadata (RFC 9728); tried ${tried.join(', ')}. Enter the authorization server's issuer URL instead.`,
    { reason: 'no_resource_metadata' },
  );
}

async function request(fetch: Fetch, url: string, signal: AbortSignal | undefined, accept: string): Promise<Response> {
  try {
    return await fetch(url, { method: 'GET', headers: { accept }, redirect: 'manual', signal });
  } catch (e) {
    if (signal?.aborted) throw new AuthError('cancelled', 'Cancelled.', { cause: e });
    // The one mapping of network, timeout and size failures (an AuthError, e.g. the https rule's, passes through).
    throw toAuthError(e, `The request to ${describeUrl(url)}`);
  }
}

/**
 * One metadata document, validated. Undefined when the location has none (404/405/400/3xx, not JSON), so the next
 * location is tried; a document that exists but is wrong (another resource, no usable server) is an error: it is
 * the resource's answer, and looking further could only find a less specific one.
 */
async function fetchDocument(
  url: string,
  resource: string,
  fetch: Fetch,
  signal: AbortSignal | undefined,
  required: boolean,
): Promise<ProtectedResourceMetadata | undefined> {
  const problem = serverUrlProblem(url) ?? (reachesIntoLocal(url, resource) ? LOOPBACK_FROM_REMOTE : undefined);
  if (problem)
    throw new AuthError(
      'discovery',
      `The resource's metadata URL ${describeUrl(url)} ${problem}; nothing was requested from it.`,
    );
  const res = await request(fetch, url, signal, 'application/json');
  const where = describeUrl(url);
  if (res.status >= 500) throw new AuthError('network', `${where} answered HTTP ${res.status}; try again later.`);
  let body: unknown;
  if (res.status === 200) {
    try {
      body = JSON.parse(await res.text());
    } catch {
      body = undefined;
    }
  }
  if (!isObject(body)) {
    if (required)
      throw new AuthError(
        'discovery',
        `The resource named ${where} as its metadata, but it answered HTTP ${res.status} without a JSON document.`,
      );
    return undefined;
  }
  const published = body.resource;
  if (typeof published !== 'string')
    throw new AuthError(
      'discovery',
      `The protected resource metadata at ${where} has no "resource" value (RFC 9728 §2).`,
    );
  if (!sameResource(published, resource)) {
    throw new AuthError(
      'discovery',
      `The protected resource metadata at ${where} is for the resource ${JSON.stringify(plainText(published, 200))}, not ${JSON.stringify(resource)}; it was refused (RFC 9728 §3.3 requires them to be identical). Enter the URL the server publishes as its resource, or the authorization server's issuer.`,
    );
  }
  const servers = Array.isArray(body.authorization_servers)
    ? body.authorization_servers.filter((s): s is string => typeof s === 'string')
    : [];
  const usable = servers.filter((s) => !serverUrlProblem(s) && !reachesIntoLocal(s, resource));
  if (!usable.length) {
    const why = servers.length
      ? `none of its authorization servers is a usable URL (${servers.map((s) => `${plainText(describeUrl(s), 120)}: ${serverUrlProblem(s) ?? LOOPBACK_FROM_REMOTE}`).join('; ')})`
      : 'it names no authorization_servers';
    throw new AuthError('discovery', `The protected resource metadata at ${where} cannot be used: ${why}.`);
  }
  const scopes = Array.isArray(body.scopes_supported)
    ? body.scopes_supported.filter((s): s is string => typeof s === 'string' && !!s && !/\s/.test(s))
    : undefined;
  const name =
    typeof body.resource_name === 'string' && body.resource_name.trim() ? plainText(body.resource_name, 80) : undefined;
  return {
    resource,
    authorizationServers: [...new Set(usable)],
    ...(scopes?.length ? { scopesSupported: scopes } : {}),
    ...(name ? { resourceName: name } : {}),
    metadataUrl: url,
  };
}

const LOOPBACK_FROM_REMOTE =
  'is on a loopback or local address, which a resource that is not itself on one may not send OAuth Accounts to';

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
