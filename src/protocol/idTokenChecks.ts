/**
 * Checks on ID token claims that openid-client leaves to the caller. Pure functions of the claims and the clock,
 * so the code exchange, the device flow and the refresh apply the same rule. No `vscode` import.
 */
import { AuthError } from './errors';
import type { IdTokenClaims } from './tokens';

/** How far a server's clock may run ahead of ours before an ID token's `iat` is refused. */
const ID_TOKEN_CLOCK_SKEW_MS = 5 * 60_000;

/**
 * OIDC Core §3.1.3.7: `iat` must be acceptable; the library only checks it is a number. An ID token issued in the
 * future (beyond clock skew) means a broken or hostile server.
 */
export function checkIssuedAt(claims: IdTokenClaims | undefined, now: number): void {
  const iat = claims?.iat;
  if (typeof iat === 'number' && iat * 1000 > now + ID_TOKEN_CLOCK_SKEW_MS) {
    throw new AuthError(
      'invalid_response',
      `The ID token was rejected: it is issued ${Math.round((iat * 1000 - now) / 1000)} s in the future (check the server's and this machine's clocks).`,
    );
  }
}

/** OIDC Core §12.2: a refreshed ID token must name the same iss, sub and aud as the one it follows. */
export function checkSameIdentity(before: IdTokenClaims | undefined, after: IdTokenClaims | undefined): void {
  if (!before || !after) return;
  if (
    after.iss !== before.iss ||
    after.sub !== before.sub ||
    JSON.stringify(after.aud) !== JSON.stringify(before.aud)
  ) {
    throw new AuthError(
      'invalid_grant',
      'The refreshed ID token names a different user or client (OIDC Core §12.2); the session is no longer valid.',
    );
  }
}
