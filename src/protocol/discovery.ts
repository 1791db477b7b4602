/**
 * Finding the authorization server's metadata: OpenID discovery, then RFC 8414, or an explicit metadata URL, or no
 * discovery at all when the endpoints are configured — and the endpoint overrides on top. The returned metadata's
 * `issuer` was checked against the configured one wherever one was configured.
 */
import * as client from 'openid-client';
import * as oauth from 'oauth4webapi';
import type { ProviderConfig } from '../config';
import { AuthError, toAuthError } from './errors';
import { describeUrl } from './http';
import { plainText } from './plainText';

type CustomFetch = (url: string, init: client.CustomFetchOptions) => Promise<Response>;

/** oauth4webapi's sentinel for "accept the issuer the metadata names"; only used with an explicit discoveryUrl. */
const ACCEPT_METADATA_ISSUER = (oauth as unknown as { _nodiscoverycheck: symbol })._nodiscoverycheck;

export async function discoverMetadata(config: ProviderConfig, fetch: CustomFetch, insecure: boolean): Promise<client.ServerMetadata> {
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
      id_token_signing_alg_values_supported: ['RS256', 'PS256', 'ES256', 'EdDSA', 'RS384', 'RS512', 'PS384', 'PS512', 'ES384', 'ES512'],
    };
  }
  return withOverrides(metadata, config);
}

async function fromMetadataUrl(config: ProviderConfig, fetch: CustomFetch, insecure: boolean): Promise<client.ServerMetadata> {
  const url = config.discoveryUrl!;
  try {
    const res = await fetch(url, { method: 'GET', headers: { accept: 'application/json' }, redirect: 'manual', body: undefined });
    const expected = config.issuer ? new URL(config.issuer) : ACCEPT_METADATA_ISSUER;
    return await oauth.processDiscoveryResponse(expected as URL, res);
  } catch (e) {
    throw discoveryError(e, url, config, insecure);
  }
}

async function fromIssuer(config: ProviderConfig, fetch: CustomFetch, insecure: boolean): Promise<client.ServerMetadata> {
  const issuer = config.issuer!;
  const execute = insecure ? [client.allowInsecureRequests] : [];
  const attempt = (algorithm: 'oidc' | 'oauth2') =>
    client.discovery(new URL(issuer), 'discovery-only', undefined, undefined, { algorithm, execute, [client.customFetch]: fetch });
  try {
    return (await attempt('oidc')).serverMetadata();
  } catch (first) {
    // Only "no OpenID metadata here" moves on to RFC 8414; an issuer mismatch or a dead server is the answer.
    if (!isMissingMetadata(first)) throw discoveryError(first, `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`, config, insecure);
    try {
      return (await attempt('oauth2')).serverMetadata();
    } catch (second) {
      if (isMissingMetadata(second)) {
        throw new AuthError('discovery', `No OAuth metadata found for issuer ${issuer}: neither /.well-known/openid-configuration nor /.well-known/oauth-authorization-server answered with metadata. Check "issuer", or set "discoveryUrl" or "endpoints".`, { cause: second });
      }
      throw discoveryError(second, issuer, config, insecure);
    }
  }
}

function isMissingMetadata(e: unknown): boolean {
  const err = e as { code?: string; cause?: { status?: number } };
  const status = err?.cause?.status;
  if (status !== undefined) return status === 404 || status === 400 || status === 405 || (status >= 300 && status < 400);
  return err?.code === 'OAUTH_RESPONSE_IS_NOT_JSON' || err?.code === 'OAUTH_RESPONSE_IS_NOT_CONFORM';
}

function discoveryError(e: unknown, url: string, config: ProviderConfig | undefined, insecure: boolean): AuthError {
  const err = e as { code?: string; cause?: { attribute?: string; body?: { issuer?: unknown } } };
  if (err?.code === 'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED' || err?.code === 'OAUTH_JSON_ATTRIBUTE_COMPARISON') {
    // The server's issuer value, shown as plain text (one line, no link syntax): it is the server's to choose.
    const found = plainText(typeof err.cause?.body?.issuer === 'string' ? err.cause.body.issuer : JSON.stringify(err.cause?.body?.issuer), 200);
    return new AuthError('discovery', `The metadata at ${describeUrl(url)} names issuer ${JSON.stringify(found)}, but "issuer" is configured as ${config?.issuer ?? 'a different value'}. Set "issuer" to exactly the value the server publishes (including any trailing slash).`, { cause: e });
  }
  if (err?.code === 'OAUTH_HTTP_REQUEST_FORBIDDEN' && !insecure) {
    return new AuthError('config', `Discovery at ${describeUrl(url)} was refused: only https:// servers are allowed (http only on loopback addresses).`, { cause: e });
  }
  const mapped = toAuthError(e, `Discovery at ${describeUrl(url)}`);
  // Keep transient failures transient (a later sign-in retries), everything else is a discovery problem.
  return mapped.code === 'network' || mapped.code === 'cancelled' ? mapped : new AuthError('discovery', `${mapped.message.replace(/\.?$/, '.')} Is this the right issuer or discoveryUrl?`, { ...mapped.details, cause: e });
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
    throw new AuthError('discovery', `The server metadata has no ${missing}_endpoint. Set "endpoints.${missing}" for provider "${config.id}".`);
  }
  return out;
}
