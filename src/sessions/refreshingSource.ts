/**
 * The innermost TokenSource (≈ x/oauth2's tokenRefresher): one refresh_token grant and nothing else. A rotated
 * refresh token comes back in the new TokenSet (an absent one means "keep yours", RFC 6749 §6, fromTokenResponse).
 * A failure is thrown as a RefreshFailure that says what it means for the session.
 */
import type { Logger } from '../protocol/log';
import { type AuthError, asAuthError } from '../protocol/errors';
import type { Clock } from '../protocol/tokens';
import type { StoredSession } from './sessionStore';
import type { TokenClient, TokenSource } from './tokenSource';

export function refreshing(client: TokenClient, clock: Clock, log: Pick<Logger, 'info'>): TokenSource {
  return {
    async token(current) {
      const started = clock();
      try {
        const tokens = await client.refresh(current.tokens);
        const refreshedAt = clock();
        log.info(`the server answered the refresh in ${refreshedAt - started} ms`);
        return { ...current, tokens, refreshedAt };
      } catch (e) {
        throw refreshFailure(current, e);
      }
    },
  };
}

/**
 * What a failed refresh means, by what the server said rather than only the `error` code: strict servers answer a
 * dead refresh token with a bare HTTP 400 or 401 (no JSON, no invalid_grant), and some enterprise servers with
 * `400 invalid_request` for as long as the user's portal session lives. Those end the session unless they name a
 * transient error; 5xx, 429, timeouts, certificate and network errors keep it for a retry. invalid_request is safe
 * to read as "dead" here: it only reaches this point as the server's answer to a refresh request, and that request is
 * always well-formed: grant_type, the stored non-empty refresh token, the client's credentials and the `resource`
 * values the sign-in already used (a session whose entry names other resources is never refreshed: serverBinding.ts).
 */
const TRANSIENT_OAUTH_ERRORS = new Set(['temporarily_unavailable', 'server_error', 'slow_down']);
export function refreshVerdict(err: AuthError): 'dead' | 'retry' {
  if (err.code === 'invalid_grant') return 'dead';
  const status = err.details.status;
  if (err.transient || status === 429 || (status !== undefined && status >= 500)) return 'retry';
  if (err.details.oauthError && TRANSIENT_OAUTH_ERRORS.has(err.details.oauthError)) return 'retry';
  return status === 400 || status === 401 ? 'dead' : 'retry';
}

/** A refresh of `session` that failed: `dead` ends the session, `retry` keeps it for a later attempt. */
export class RefreshFailure extends Error {
  override readonly name = 'RefreshFailure';
  constructor(
    readonly session: StoredSession,
    readonly error: AuthError,
    readonly verdict: 'dead' | 'retry',
  ) {
    super(error.message);
  }
}

/** Classifies anything thrown while refreshing `session`; without a refresh token only a transient error keeps it. */
export function refreshFailure(session: StoredSession, e: unknown): RefreshFailure {
  if (e instanceof RefreshFailure) return e;
  const err = asAuthError(e, 'The token refresh');
  const dead = refreshVerdict(err) === 'dead' || (!session.tokens.refreshToken && !err.transient);
  return new RefreshFailure(session, err, dead ? 'dead' : 'retry');
}
