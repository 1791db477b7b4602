/**
 * Finding the authorization server's metadata: OpenID discovery, then RFC 8414, or an explicit metadata URL, or no
 * discovery at all when the endpoints are configured — and the endpoint overrides on top. The returned metadata's
 * `issuer` was checked against the configured one wherever one was configured.
 */
import * as client from 'openid-client';
import * as oauth from 'oauth4webapi';
import type { ProviderConfig } from './config';
import { AuthError } from './errors';
import { isLibraryError, toAuthError } from './libraryErrors';
import { describeUrl } from './http';
import { HTTP_LOOPBACK_RULE, reachesIntoLocal, serverUrlProblem } from './urls';
import { plainText } from './plainText';

type CustomFetch = (url: string, init: client.CustomFetchOptions) => Promise<Response>;

export async function discoverMetadata(
  config: ProviderConfig,
  fetch: CustomFetch,
  insecure: boolean,
): Promise<client.ServerMetadata> {
  let metadata: client.ServerMetadata;
  if (config.discoveryUrl) {
    metadata = await fromMetadataUrl(config, fetch, insecure);
  } else if (config.issuer) {
    metadata = await fromIssuer(config, fetch, insecure);
  } else {
    // Plain OAuth 2.0 without metadata: the configured endpoints are the whole server. No ID token can be validated
    // without an issuer, which is why OpenID servers should be configured with `issuer`.
    metadata = {
      issuer: new URL(config.endpoints.authorization!).origin,
      // Without metadata the library would accept only RS256 ID tokens; allow the asymmetric algorithms ("none" and
      // HMAC stay refused).
      id_token_signing_alg_values_supported: [
        'RS256',
        'PS256',
        'ES256',
        'EdDSA',
        'RS384',
        'RS512',
        'PS384',
        'PS512',
        'ES384',
        'ES512',
      ],
    };
  }
  const out = withOverrides(metadata, config);
  checkEndpointUrls(out, config);
  return out;
}

async function fromMetadataUrl(
  config: ProviderConfig,
  fetch: CustomFetch,
  insecure: boolean,
): Promise<client.ServerMetadata> {
  const url = config.discoveryUrl!;
  try {
    const res = await fetch(url, {
      method: 'GET',
      headers: { accept: 'application/json' },
      redirect: 'manual',
      body: undefined,
    });
    const expected = config.issuer ? new URL(config.issuer) : await issuerNamedIn(res, url);
    return await oauth.processDiscoveryResponse(expected, res);
  } catch (e) {
    throw discoveryError(e, url, config, insecure);
  }
}

/**
 * With a discoveryUrl and no configured issuer, the metadata's own `issuer` is accepted: read it from a copy of the
 * body and let processDiscoveryResponse check the rest (status, JSON, issuer present). A body without a usable
 * issuer gets the metadata URL as the expected value, so the library's own checks fail it with their usual errors.
 */
async function issuerNamedIn(res: Response, url: string): Promise<URL> {
  const body: unknown = await res
    .clone()
    .json()
    .catch(() => undefined);
  const issuer = typeof body === 'object' && body !== null ? (body as { issuer?: unknown }).issuer : undefined;
  if (typeof issuer === 'string' && URL.canParse(issuer)) return new URL(issuer);
  if (typeof issuer === 'string')
    throw new AuthError(
      'discovery',
      `The metadata at ${describeUrl(url)} names an issuer that is not a URL. Is this the right discoveryUrl?`,
    );
  return new URL(url);
}

async function fromIssuer(
  config: ProviderConfig,
  fetch: CustomFetch,
  insecure: boolean,
): Promise<client.ServerMetadata> {
  const issuer = config.issuer!;
  const execute = insecure ? [client.allowInsecureRequests] : [];
  const attempt = (algorithm: 'oidc' | 'oauth2') =>
    client.discovery(new URL(issuer), 'discovery-only', undefined, undefined, {
      algorithm,
      execute,
      [client.customFetch]: fetch,
    });
  try {
    return (await attempt('oidc')).serverMetadata();
  } catch (first) {
    // Only "no OpenID metadata here" moves on to RFC 8414; an issuer mismatch or a dead server is the answer.
    if (!isMissingMetadata(first))
      throw discoveryError(first, `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`, config, insecure);
    try {
      return (await attempt('oauth2')).serverMetadata();
    } catch (second) {
      if (isMissingMetadata(second)) {
        throw new AuthError(
          'discovery',
          `No OAuth metadata found for issuer ${issuer}: neither /.well-known/openid-configuration nor /.well-known/oauth-authorization-server answered with metadata. Check "issuer", or set "discoveryUrl" or "endpoints".`,
          { cause: second },
        );
      }
      throw discoveryError(second, issuer, config, insecure);
    }
  }
}

function isMissingMetadata(e: unknown): boolean {
  if (!isLibraryError(e)) return false;
  // RESPONSE_IS_NOT_CONFORM keeps the Response as its cause.
  const status = (e.cause as { status?: unknown } | undefined)?.status;
  if (typeof status === 'number')
    return status === 404 || status === 400 || status === 405 || (status >= 300 && status < 400);
  return e.code === oauth.RESPONSE_IS_NOT_JSON || e.code === oauth.RESPONSE_IS_NOT_CONFORM;
}

function discoveryError(e: unknown, url: string, config: ProviderConfig | undefined, insecure: boolean): AuthError {
  if (isLibraryError(e, oauth.JSON_ATTRIBUTE_COMPARISON)) {
    // Both libraries keep { expected, body, attribute } as the cause. The server's issuer value, shown as plain text
    // (one line, no link syntax): it is the server's to choose.
    const issuer = (e.cause as { body?: { issuer?: unknown } } | undefined)?.body?.issuer;
    const found = plainText(typeof issuer === 'string' ? issuer : JSON.stringify(issuer), 200);
    return new AuthError(
      'discovery',
      `The metadata at ${describeUrl(url)} names issuer ${JSON.stringify(found)}, but "issuer" is configured as ${config?.issuer ?? 'a different value'}. Set "issuer" to exactly the value the server publishes (including any trailing slash).`,
      { cause: e },
    );
  }
  if (isLibraryError(e, oauth.HTTP_REQUEST_FORBIDDEN) && !insecure) {
    return new AuthError(
      'config',
      `Discovery at ${describeUrl(url)} was refused: only https:// servers are allowed (${HTTP_LOOPBACK_RULE}).`,
      { cause: e },
    );
  }
  const mapped = toAuthError(e, `Discovery at ${describeUrl(url)}`);
  // Keep transient failures transient (a later sign-in retries), everything else is a discovery problem.
  return mapped.code === 'network' || mapped.code === 'cancelled'
    ? mapped
    : new AuthError('discovery', `${mapped.message.replace(/\.?$/, '.')} Is this the right issuer or discoveryUrl?`, {
        ...mapped.details,
        cause: e,
      });
}

function withOverrides(metadata: client.ServerMetadata, config: ProviderConfig): client.ServerMetadata {
  const e = config.endpoints;
  const overrides: Record<string, string | undefined> = {
    authorization_endpoint: e.authorization,
    token_endpoint: e.token,
    userinfo_endpoint: e.userinfo,
    revocation_endpoint: e.revocation,
    device_authorization_endpoint: e.deviceAuthorization,
    jwks_uri: e.jwks,
  };
  const out: client.ServerMetadata = { ...metadata };
  for (const [key, value] of Object.entries(overrides)) if (value) Object.assign(out, { [key]: value });
  if (!out.authorization_endpoint || !out.token_endpoint) {
    const missing = !out.authorization_endpoint ? 'authorization' : 'token';
    throw new AuthError(
      'discovery',
      `The server metadata has no ${missing}_endpoint. Set "endpoints.${missing}" for provider "${config.id}".`,
    );
  }
  return out;
}

/** The endpoint comes from the entry's own `endpoints` override, not from the server. */
function isOverridden(field: string, config: ProviderConfig): boolean {
  const key = OVERRIDE_KEYS[field] as keyof ProviderConfig['endpoints'] | undefined;
  return !!key && config.endpoints[key] !== undefined;
}

/** Metadata fields that have a setting to override them, for the fix the error message proposes. */
const OVERRIDE_KEYS: Readonly<Record<string, string>> = {
  authorization_endpoint: 'authorization',
  token_endpoint: 'token',
  userinfo_endpoint: 'userinfo',
  revocation_endpoint: 'revocation',
  device_authorization_endpoint: 'deviceAuthorization',
  jwks_uri: 'jwks',
};

/**
 * The https rule for every endpoint the metadata names (after the overrides): authorization, token, userinfo,
 * revocation, device authorization, jwks, end_session, registration, PAR, introspection, … and the mTLS aliases.
 * One that fails it fails discovery, even an optional one the sign-in never uses (revocation, end_session): the
 * document comes from one server, so one cleartext endpoint means that server is misconfigured (typically a
 * TLS-terminating proxy that does not pass on the original scheme), and failing here, before any token exists, is
 * better than a sign-out that silently cannot revoke a refresh token later. The six endpoints we use can be
 * overridden in settings, which is the way out the message names. The fetch seam (http.ts) refuses such requests
 * anyway; this check is what gives the user the field's name.
 */
function checkEndpointUrls(metadata: client.ServerMetadata, config: ProviderConfig): void {
  const fields: Array<[string, unknown]> = Object.entries(metadata).filter(
    ([k]) => k.endsWith('_endpoint') || k === 'jwks_uri',
  );
  const aliases = (metadata as { mtls_endpoint_aliases?: unknown }).mtls_endpoint_aliases;
  if (aliases && typeof aliases === 'object') {
    for (const [k, v] of Object.entries(aliases)) fields.push([`mtls_endpoint_aliases.${k}`, v]);
  }
  for (const [field, value] of fields) {
    // A non-string value is not a URL we could request; the protocol library rejects it where it would be used.
    if (typeof value !== 'string') continue;
    // A remote server's metadata may not point into this machine's loopback network (the metadata came from the
    // issuer, or from discoveryUrl; a configured override is the user's own choice and is not checked here).
    const from = config.discoveryUrl ?? config.issuer;
    const local =
      from && reachesIntoLocal(value, from) && !isOverridden(field, config)
        ? 'is on a loopback or local address, which a server that is not itself on one may not name'
        : undefined;
    const problem = serverUrlProblem(value) ?? local;
    if (!problem) continue;
    const key = OVERRIDE_KEYS[field];
    const fix = key
      ? `Set "endpoints.${key}" for provider "${config.id}" to the endpoint's https:// URL, or have the server publish https:// URLs`
      : 'Have the server publish https:// URLs';
    throw new AuthError(
      'discovery',
      `The server metadata's ${field} ${describeUrl(value)} ${problem}; OAuth Accounts sends nothing there and does not use this metadata. ${fix} (behind a TLS-terminating proxy it usually needs to be told the original scheme).`,
    );
  }
}
