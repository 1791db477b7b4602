/**
 * What a stored session or client secret belongs to: the server and client that issued it. A provider id is only a
 * name that any extension can re-use (by rewriting the user setting, or by registering a freed id through the API),
 * so secrets are never trusted on the id alone. Every stored session and client secret carries the binding of the
 * configuration it was obtained with; a provider whose current configuration binds differently never sends them
 * anywhere, never serves them, and retires the sessions at the server that issued them.
 *
 * The binding is made of every setting that decides where a token or secret is sent: issuer, discoveryUrl, the
 * endpoint overrides, the client id, the preset (its quirks call the IdP's own APIs) and the RFC 8707 resources (a
 * token issued for resource A must never be served to a caller once the entry names resource B). Label, scopes, flow,
 * authorization parameters and the account claim do not: changing them keeps the sessions.
 * No `vscode` import: unit-tested on plain Node.
 */
import type { ClientAuthentication, EndpointOverrides, ProviderConfig } from '../protocol/config';

export interface ServerBinding {
  readonly issuer?: string;
  readonly discoveryUrl?: string;
  readonly endpoints: Readonly<EndpointOverrides>;
  readonly clientId: string;
  readonly preset?: string;
  /** RFC 8707 resources the tokens were issued for; absent ≡ none. */
  readonly resources?: readonly string[];
  /** Kept so a retired session can be revoked the way it was obtained; not part of the match. */
  readonly clientAuthentication?: ClientAuthentication;
}

export function bindingOf(config: ProviderConfig): ServerBinding {
  return {
    ...(config.issuer !== undefined ? { issuer: config.issuer } : {}),
    ...(config.discoveryUrl !== undefined ? { discoveryUrl: config.discoveryUrl } : {}),
    endpoints: { ...config.endpoints },
    clientId: config.clientId,
    ...(config.preset !== undefined ? { preset: config.preset } : {}),
    ...(config.resources?.length ? { resources: [...config.resources] } : {}),
    clientAuthentication: config.clientAuthentication,
  };
}

/**
 * The settings that decide which server discovery, registration and every request talk to: a binding without the
 * client. Dynamically registered clients are stored under it (sessions/registrationStore.ts).
 */
export type ServerLocation = Pick<ServerBinding, 'issuer' | 'discoveryUrl' | 'endpoints'>;

/** Canonical text of a ServerLocation (endpoint keys sorted, absent ≡ null). */
export function serverKey(s: ServerLocation): string {
  return JSON.stringify([s.issuer ?? null, s.discoveryUrl ?? null, sortedEndpoints(s.endpoints)]);
}

function sortedEndpoints(endpoints: Readonly<EndpointOverrides> | undefined): string[][] {
  return Object.keys(endpoints ?? {})
    .sort()
    .map((k) => [k, (endpoints as Record<string, string>)[k]]);
}

/** Canonical text of the fields that decide where secrets go (endpoint keys sorted, absent ≡ undefined). */
export function bindingKey(b: ServerBinding): string {
  const key: unknown[] = [
    b.issuer ?? null,
    b.discoveryUrl ?? null,
    sortedEndpoints(b.endpoints),
    b.clientId,
    b.preset ?? null,
  ];
  // Appended only when present, so the key of every binding stored before resources existed stays the same.
  if (b.resources?.length) key.push([...b.resources].sort());
  return JSON.stringify(key);
}

export function sameBinding(a: ServerBinding | undefined, b: ServerBinding | undefined): boolean {
  return !!a && !!b && bindingKey(a) === bindingKey(b);
}

/** For messages and the log: where the secret belongs, without any secret. */
export function describeBinding(b: ServerBinding): string {
  const server = b.issuer ?? b.discoveryUrl ?? b.endpoints.token ?? b.endpoints.authorization ?? 'an unknown server';
  return `client "${b.clientId}" at ${server}`;
}

/**
 * The configuration a retired session was obtained with, to revoke it at the server that issued it (never at the
 * provider's current server). Only the fields a revocation needs.
 */
export function configForBinding(b: ServerBinding, id: string, label: string): ProviderConfig {
  return {
    id,
    label,
    issuer: b.issuer,
    discoveryUrl: b.discoveryUrl,
    endpoints: { ...b.endpoints },
    clientId: b.clientId,
    clientAuthentication: b.clientAuthentication ?? 'none',
    authorizationParameters: {},
    flow: 'auto',
    ...(b.preset !== undefined ? { preset: b.preset } : {}),
    ...(b.resources?.length ? { resources: [...b.resources] } : {}),
  };
}

/** Strict shape check for a binding read back from SecretStorage. */
export function parseBinding(v: unknown): ServerBinding | undefined {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const b = v as Record<string, unknown>;
  const optionalString = (x: unknown) => x === undefined || typeof x === 'string';
  if (
    typeof b.clientId !== 'string' ||
    !optionalString(b.issuer) ||
    !optionalString(b.discoveryUrl) ||
    !optionalString(b.preset)
  )
    return undefined;
  if (!optionalString(b.clientAuthentication)) return undefined;
  if (b.resources !== undefined && (!Array.isArray(b.resources) || !b.resources.every((r) => typeof r === 'string')))
    return undefined;
  if (!b.endpoints || typeof b.endpoints !== 'object' || Array.isArray(b.endpoints)) return undefined;
  if (!Object.values(b.endpoints).every((x) => typeof x === 'string')) return undefined;
  return b as unknown as ServerBinding;
}

/**
 * A client secret in SecretStorage: the value with the binding it was set for. A plain string (stored before
 * bindings existed) has no binding and is not used: it could have been set for another server.
 */
export function encodeClientSecret(secret: string, binding: ServerBinding): string {
  return JSON.stringify({ v: 1, secret, binding });
}

type StoredClientSecret =
  | { readonly kind: 'bound'; readonly secret: string }
  | { readonly kind: 'missing' }
  | { readonly kind: 'foreign'; readonly why: string };

export function decodeClientSecret(raw: string | undefined, current: ServerBinding): StoredClientSecret {
  if (raw === undefined || raw === '') return { kind: 'missing' };
  let parsed: { v?: unknown; secret?: unknown; binding?: unknown } | undefined;
  try {
    parsed = JSON.parse(raw);
  } catch {
    parsed = undefined;
  }
  if (!parsed || parsed.v !== 1 || typeof parsed.secret !== 'string') {
    return { kind: 'foreign', why: 'it was stored by an older version without the server it belongs to' };
  }
  const binding = parseBinding(parsed.binding);
  if (!binding) return { kind: 'foreign', why: 'its record is damaged' };
  if (!sameBinding(binding, current))
    return { kind: 'foreign', why: `it was set for ${describeBinding(binding)}, not ${describeBinding(current)}` };
  return { kind: 'bound', secret: parsed.secret };
}

/**
 * Every host the entry sends something to, with the fields that name it, the issuer's (or the first) first: the
 * question names them all, so an entry with the company's issuer and its token endpoint elsewhere cannot pass as the
 * company's server.
 */
export function serverHosts(
  config: Pick<ProviderConfig, 'issuer' | 'discoveryUrl' | 'endpoints' | 'resources'>,
): Array<{ host: string; fields: string[] }> {
  const named: Array<[string, string | undefined]> = [
    ['issuer', config.issuer],
    ['discoveryUrl', config.discoveryUrl],
    ...Object.entries(config.endpoints).map(([k, v]): [string, string | undefined] => [`endpoints.${k}`, v]),
    ...(config.resources ?? []).map((r): [string, string] => ['resources', r]),
  ];
  const hosts = new Map<string, string[]>();
  for (const [field, url] of named) {
    if (!url) continue;
    let host: string;
    try {
      host = new URL(url).host;
    } catch {
      continue;
    }
    hosts.set(host, [...(hosts.get(host) ?? []), field]);
  }
  return [...hosts].map(([host, fields]) => ({ host, fields: [...new Set(fields)] }));
}
