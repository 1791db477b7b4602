/**
 * The pure half of "Add Identity Provider..." for a URL that may be an issuer or a protected resource (an API or an
 * MCP endpoint): try the URL as an authorization server first (today's path), and only when it is none, RFC 9728.
 * No `vscode` import, so it is unit-tested against oidc-provider and a local resource server.
 */
import type { ServerMetadata } from 'openid-client';
import { ProviderClient } from '../protocol/client';
import { AuthError, hasReason, isAuthError } from '../protocol/errors';
import { createFetch, type BaseFetch } from '../protocol/http';
import { discoverProtectedResource, type ProtectedResourceMetadata } from '../protocol/resourceMetadata';

type ServerLookup =
  | { readonly kind: 'issuer'; readonly metadata: ServerMetadata }
  | { readonly kind: 'resource'; readonly resource: ProtectedResourceMetadata };

/** Metadata of the authorization server at `issuer` (a throwaway client: discovery only). */
export function discoverIssuer(issuer: string, fetch: BaseFetch, signal?: AbortSignal): Promise<ServerMetadata> {
  const probe = new ProviderClient(
    {
      id: 'setup',
      label: 'setup',
      issuer,
      endpoints: {},
      clientId: 'setup',
      clientAuthentication: 'none',
      authorizationParameters: {},
      flow: 'auto',
    },
    { fetch, getClientSecret: async () => undefined },
  );
  return probe.serverMetadata(signal);
}

/**
 * `url` as an issuer, else as a protected resource. A network failure or a refused URL is the answer as it is;
 * when both lookups find nothing, one error says what each found.
 */
export async function lookUpServerUrl(url: string, fetch: BaseFetch, signal?: AbortSignal): Promise<ServerLookup> {
  let asIssuer: unknown;
  try {
    return { kind: 'issuer', metadata: await discoverIssuer(url, fetch, signal) };
  } catch (e) {
    if (!isAuthError(e, 'discovery')) throw e;
    asIssuer = e;
  }
  try {
    return {
      kind: 'resource',
      resource: await discoverProtectedResource(url, createFetch(fetch, { signal, timeoutMs: 15_000 }), { signal }),
    };
  } catch (e) {
    // A document that exists but is wrong (another resource, no usable server) is the more useful message.
    if (hasReason(e, 'no_resource_metadata')) {
      throw new AuthError(
        'discovery',
        `${url} is neither an authorization server (${(asIssuer as Error).message.replace(/\.$/, '')}) nor a protected resource with RFC 9728 metadata.`,
        { cause: e },
      );
    }
    throw e;
  }
}
