/**
 * Revocation of a removed session's tokens (RFC 7009), best effort: the session is already gone locally, and the
 * outcome is reported so the user is told the truth about what the server did.
 */
import type { Logger } from '../protocol/log';
import { asAuthError } from '../protocol/errors';
import type { StoredSession } from './sessionStore';
import type { TokenClient } from './tokenSource';

/** What the server did with a removed session's tokens. */
export type Revocation =
  | { readonly outcome: 'revoked' }
  | { readonly outcome: 'unsupported' }
  | { readonly outcome: 'failed'; readonly message: string; readonly status?: number };

/** Revokes both tokens; never throws (a failure is logged and returned). */
export async function revokeTokens(
  client: TokenClient,
  s: StoredSession,
  log: Pick<Logger, 'info' | 'warn'>,
): Promise<Revocation> {
  const { refreshToken, accessToken } = s.tokens;
  try {
    // Revoking the refresh token revokes the grant at most servers; the access token is revoked on its own too.
    const done = refreshToken ? await client.revoke(refreshToken, 'refresh_token') : false;
    const doneAt = await client.revoke(accessToken, 'access_token');
    log.info(
      done || doneAt
        ? 'tokens revoked at the server'
        : 'the server has no revocation endpoint; tokens were only deleted locally',
    );
    return { outcome: done || doneAt ? 'revoked' : 'unsupported' };
  } catch (e) {
    const err = asAuthError(e, 'Revocation');
    log.warn(
      `revocation failed (${err.message}${err.details.status ? `, HTTP ${err.details.status}` : ''}); the session was removed locally anyway`,
    );
    return { outcome: 'failed', message: err.message, status: err.details.status };
  }
}
