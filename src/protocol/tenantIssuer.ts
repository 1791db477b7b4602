/**
 * Microsoft Entra ID's multi-tenant endpoints (`…/common/v2.0`, `…/organizations/v2.0`) publish the issuer as
 * `https://login.microsoftonline.com/{tenantid}/v2.0`: each ID token's `iss` names the user's own tenant, the one in
 * its `tid` claim. openid-client knows this, but only inside a Configuration made by its own discovery — the hint is a
 * symbol that does not survive serverMetadata(). The two places that validate ID tokens get it back here, through
 * public API only: our own code exchange (oauth4webapi, given the metadata with the token's tenant filled in) and the
 * Configuration for refresh, device polling and revocation (openid-client's own discovery, replayed).
 */
import * as client from 'openid-client';
import * as oauth from 'oauth4webapi';
import { decodeJwtPayload } from './tokens';

const TENANT_PLACEHOLDER = '{tenantid}';

export function hasTenantIssuer(as: Pick<oauth.AuthorizationServer, 'issuer'>): boolean {
  return as.issuer.includes(TENANT_PLACEHOLDER);
}

/**
 * The metadata for oauth4webapi's checks of the ID token in this token response: `iss` must be the issuer with the
 * token's own `tid` filled in — the rule openid-client applies to Entra ID. The `tid` is read from the token before
 * validation, as openid-client's hook reads it from the token under validation; every other check (signature,
 * aud, nonce, exp, and `iss` against the result) is still the library's. `res` itself is left unread.
 */
export async function withTokenTenant<T extends oauth.AuthorizationServer>(as: T, res: Response): Promise<T> {
  if (!hasTenantIssuer(as)) return as;
  const body: unknown = await res
    .clone()
    .json()
    .catch(() => undefined);
  const idToken = typeof body === 'object' && body !== null ? (body as { id_token?: unknown }).id_token : undefined;
  const tid = typeof idToken === 'string' ? decodeJwtPayload(idToken)?.tid : undefined;
  return typeof tid === 'string' ? { ...as, issuer: as.issuer.replace(TENANT_PLACEHOLDER, tid) } : as;
}

/**
 * A Configuration that accepts per-tenant ID tokens: openid-client's discovery for the configured issuer, answered
 * with the metadata we already have (no request), so it marks the server as Entra ID the way it does itself.
 */
export function tenantAwareConfiguration(
  issuer: string,
  as: client.ServerMetadata,
  clientId: string,
  auth: client.ClientAuth,
): Promise<client.Configuration> {
  const replay = async () =>
    new Response(JSON.stringify(as), { status: 200, headers: { 'content-type': 'application/json' } });
  return client.discovery(new URL(issuer), clientId, undefined, auth, { [client.customFetch]: replay });
}
