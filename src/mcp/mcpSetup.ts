/**
 * The pure half of "Add MCP Server...": which client paths a server offers, in the order the MCP authorization
 * specification (2026-07-28) tries them; which configured providers can already serve the server; and the two
 * settings entries the wizard writes. No `vscode` import: unit-tested.
 */
import type { ServerMetadata } from 'openid-client';
import { serverUrlProblem } from '../protocol/urls';

/**
 * How the new provider gets its client, in the specification's order: a client registered by hand at the server, a
 * client ID metadata document (the client id is an https URL of a document describing the client; offered when the
 * server says `client_id_metadata_document_supported`), then dynamic client registration (RFC 7591).
 */
export type ClientPath = 'pre-registered' | 'metadata-document' | 'dynamic';

export function clientPaths(
  as: Pick<ServerMetadata, 'registration_endpoint'> & { client_id_metadata_document_supported?: unknown },
): ClientPath[] {
  return [
    'pre-registered',
    ...(as.client_id_metadata_document_supported === true ? ['metadata-document' as const] : []),
    ...(typeof as.registration_endpoint === 'string' ? ['dynamic' as const] : []),
  ];
}

/**
 * Why `url` cannot be a client ID metadata document's URL (the client id itself), or undefined. The document must be
 * served over https from a URL with a path (draft-ietf-oauth-client-id-metadata-document §3), so a loopback or plain
 * http URL, a bare origin, a fragment or credentials are refused.
 */
export function metadataDocumentUrlProblem(url: string): string | undefined {
  const problem = serverUrlProblem(url);
  if (problem) return problem;
  const u = new URL(url);
  if (u.protocol !== 'https:')
    return 'must be an https:// URL (a client ID metadata document is never served over plain http)';
  if (u.pathname === '/' || !u.pathname) return "must have a path (the document's location), not only a host";
  if (u.hash || u.username || u.password) return 'must not contain a fragment, a user name or a password';
  return undefined;
}

/** How the server's tokens are bound to this MCP server. */
export type TokenBinding =
  | { readonly kind: 'resource'; readonly resource: string } // RFC 8707: what MCP specifies
  | { readonly kind: 'audience'; readonly audience: string } // Auth0 and others: an `audience` parameter
  | { readonly kind: 'scopes' }; // Microsoft Entra ID: the scope names the API

/** The part of a provider config reuse is decided on. */
export interface ProviderSummary {
  readonly id: string;
  readonly label: string;
  readonly issuer?: string;
  readonly resources?: readonly string[];
  readonly authorizationParameters: Readonly<Record<string, string>>;
}

/** Configured providers of `issuer` that already ask for tokens bound as `binding` needs (their sessions serve it). */
export function reusableProviders<P extends ProviderSummary>(
  providers: readonly P[],
  issuer: string,
  binding: TokenBinding,
): P[] {
  return providers.filter((p) => {
    if (p.issuer !== issuer) return false;
    if (binding.kind === 'resource') return (p.resources ?? []).includes(binding.resource);
    if (binding.kind === 'audience') return p.authorizationParameters.audience === binding.audience;
    return !p.resources?.length && !p.authorizationParameters.audience;
  });
}

/** The new provider's entry for oauthAccounts.providers (no clientId: registered dynamically). */
export function providerEntry(o: {
  id: string;
  label: string;
  issuer: string;
  clientId?: string;
  binding: TokenBinding;
}): Record<string, unknown> {
  return {
    id: o.id,
    label: o.label,
    issuer: o.issuer,
    ...(o.clientId ? { clientId: o.clientId } : {}),
    ...(o.binding.kind === 'resource' ? { resources: [o.binding.resource] } : {}),
    ...(o.binding.kind === 'audience' ? { authorizationParameters: { audience: o.binding.audience } } : {}),
  };
}

/** The oauthAccounts.mcpServers entry. */
export function mcpEntry(o: {
  name: string;
  url: string;
  providerId: string;
  scopes: readonly string[];
  binding: TokenBinding;
}): Record<string, unknown> {
  return {
    name: o.name,
    url: o.url,
    providerId: o.providerId,
    ...(o.scopes.length ? { scopes: [...o.scopes] } : {}),
    ...(o.binding.kind === 'resource' ? { resource: o.binding.resource } : {}),
    ...(o.binding.kind === 'audience' ? { audience: o.binding.audience } : {}),
  };
}

/** A server name from the resource's own name or the URL's host, unique among `taken` (compared ignoring case). */
export function suggestName(resourceName: string | undefined, url: string, taken: readonly string[]): string {
  const base =
    (resourceName ?? new URL(url).host)
      .replace(/[^A-Za-z0-9 ._-]+/g, ' ')
      .replace(/\s+/g, ' ')
      .trim()
      .replace(/^[^A-Za-z0-9]+/, '')
      .slice(0, 56) || 'MCP server';
  const lower = new Set(taken.map((t) => t.toLowerCase()));
  let name = base;
  for (let n = 2; lower.has(name.toLowerCase()); n++) name = `${base} ${n}`;
  return name;
}
