/**
 * Microsoft Entra ID's multi-tenant endpoints (`…/common/v2.0`, `…/organizations/v2.0`) publish the issuer as
 * `https://login.microsoftonline.com/{tenantid}/v2.0`: each ID token's `iss` names the user's own tenant, the one in
 * its `tid` claim. openid-client knows this, but only inside a Configuration made by its own discovery — the hint is a
 * symbol that does not survive serverMetadata(). The two places that validate ID tokens get it back here: our own
 * code exchange (oauth4webapi) and the Configuration for refresh, device polling and revocation (openid-client).
 */
import * as client from 'openid-client';
import * as oauth from 'oauth4webapi';

const TENANT_PLACEHOLDER = '{tenantid}';
/** oauth4webapi's hook for "the expected `iss` of this ID token" (what openid-client itself sets for Entra ID). */
const EXPECTED_ISSUER = (oauth as unknown as { _expectedIssuer: symbol })._expectedIssuer;

export function hasTenantIssuer(as: Pick<oauth.AuthorizationServer, 'issuer'>): boolean {
  return as.issuer.includes(TENANT_PLACEHOLDER);
}

/** The metadata for oauth4webapi's ID token checks: `iss` must be the issuer with the token's own `tid` filled in. */
export function withTenantIssuer<T extends oauth.AuthorizationServer>(as: T): T {
  if (!hasTenantIssuer(as)) return as;
  const expected = ({ claims }: { claims: { tid?: unknown } }) =>
    typeof claims.tid === 'string' ? as.issuer.replace(TENANT_PLACEHOLDER, claims.tid) : as.issuer;
  return { ...as, [EXPECTED_ISSUER]: expected };
}

/**
 * A Configuration that accepts per-tenant ID tokens: openid-client's discovery for the configured issuer, answered
 * with the metadata we already have (no request), so it marks the server as Entra ID the way it does itself.
 */
export function tenantAwareConfiguration(issuer: string, as: client.ServerMetadata, clientId: string, auth: client.ClientAuth): Promise<client.Configuration> {
  const replay = async () => new Response(JSON.stringify(as), { status: 200, headers: { 'content-type': 'application/json' } });
  return client.discovery(new URL(issuer), clientId, undefined, auth, { [client.customFetch]: replay });
}
