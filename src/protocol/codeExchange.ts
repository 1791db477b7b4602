/**
 * The authorization code flow's second half on oauth4webapi (openid-client's own layer) rather than openid-client:
 * our URI-handler redirect URI carries a query string that openid-client's helper would strip, and the token
 * request must send it byte for byte (RFC 6749 §4.1.3). No `vscode` import.
 */
import * as oauth from 'oauth4webapi';
import { AuthError } from './errors';
import { toAuthError } from './libraryErrors';
import type { PendingAuthorization } from './clientTypes';
import type { QuirkFetch } from './quirks';
import { withTokenTenant } from './tenantIssuer';
import type { IdTokenClaims } from './tokens';

/** The callback's parameters once state, RFC 9207 `iss` and `error` are checked; refuses one without a code. */
export function validateCallback(
  as: oauth.AuthorizationServer,
  clientId: string,
  callback: URLSearchParams,
  state: string,
): URLSearchParams {
  let params: URLSearchParams;
  try {
    params = oauth.validateAuthResponse(as, { client_id: clientId }, callback, state);
  } catch (e) {
    const mapped = toAuthError(e, 'The sign-in callback');
    throw mapped.code === 'authorization_denied'
      ? mapped
      : new AuthError('invalid_callback', `${mapped.message} The sign-in was not completed.`, { cause: e });
  }
  if (!params.get('code'))
    throw new AuthError(
      'invalid_callback',
      'The sign-in callback carries no authorization code. The sign-in was not completed.',
    );
  return params;
}

interface ExchangeOptions {
  /** Called inside the exchange, so a missing client secret fails like the exchange does. */
  readonly clientAuth: () => Promise<oauth.ClientAuth>;
  readonly fetch: QuirkFetch;
  readonly insecure: boolean;
  readonly jwksCache: oauth.JWKSCacheInput;
  /** RFC 8707 `resource` parameters (requestParams.ts withResources). */
  readonly additionalParameters: URLSearchParams;
  /** An OpenID provider that was sent a nonce must answer with an ID token. */
  readonly requireIdToken: boolean;
  readonly signal?: AbortSignal;
}

/**
 * The token request with the code and PKCE verifier. The ID token's signature and claims (iss, aud, azp, exp, iat
 * type, nonce) are checked by the library; every failure leaves as an AuthError.
 */
export async function exchangeCode(
  as: oauth.AuthorizationServer,
  clientId: string,
  callbackParams: URLSearchParams,
  pending: PendingAuthorization,
  o: ExchangeOptions,
): Promise<{ tokens: oauth.TokenEndpointResponse; idClaims?: IdTokenClaims }> {
  const c: oauth.Client = { client_id: clientId };
  const opts = {
    [oauth.customFetch]: o.fetch as typeof fetch,
    [oauth.allowInsecureRequests]: o.insecure,
    [oauth.jwksCache]: o.jwksCache,
    signal: o.signal,
    additionalParameters: o.additionalParameters,
  };
  try {
    const res = await oauth.authorizationCodeGrantRequest(
      as,
      c,
      await o.clientAuth(),
      callbackParams,
      pending.redirectUri,
      pending.codeVerifier,
      opts,
    );
    const tokens = await oauth.processAuthorizationCodeResponse(await withTokenTenant(as, res), c, res, {
      expectedNonce: pending.nonce ?? oauth.expectNoNonce,
      requireIdToken: o.requireIdToken,
    });
    if (tokens.id_token && as.jwks_uri) await oauth.validateApplicationLevelSignature(as, res, opts);
    return { tokens, idClaims: oauth.getValidatedIdTokenClaims(tokens) as IdTokenClaims | undefined };
  } catch (e) {
    throw toAuthError(e, 'The code exchange');
  }
}
