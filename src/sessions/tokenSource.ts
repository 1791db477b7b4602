/**
 * Refresh as composition (≈ golang.org/x/oauth2's TokenSource, tokenRefresher and reuseTokenSource): each layer is a
 * TokenSource wrapping the next, and none of them has a refresh method of its own. The keeper builds
 *
 *   reusing(handlingFailures(leased(refreshing(client))))
 *
 * - refreshing (refreshingSource.ts): one refresh grant; a failure says what it means (RefreshFailure).
 * - leased (leasedSource.ts): one window at a time through the SecretStorage lease; adopts another window's result.
 * - handlingFailures (failureHandling.ts): what a failure does to the session (sign-out, or back-off while the token lasts).
 * - reusing (here): hands the session out while its token is fresh; concurrent callers share one refresh.
 * The keeper owns memory, timers and storage; the layers reach them only through a SessionPort.
 * No `vscode` import: unit-tested on plain Node.
 */
import { isExpired, isFresh, type Clock } from '../protocol/tokens';
import type { SessionLookup, StoredSession } from './sessionStore';
import type { ProviderClient } from '../protocol/client';

/**
 * All the session layer asks of a protocol client. Both methods throw only AuthError; the provider's client may
 * still be loading (vscode/lazyClient.ts), so the session layer never constructs one.
 */
export type TokenClient = Pick<ProviderClient, 'refresh' | 'revoke'>;

/** Hands out a session whose access token may be used now. Safe for concurrent use. */
export interface TokenSource {
  /**
   * Starts from `current` (the keeper's copy). Resolves undefined when the session has ended (signed out here or in
   * another window, grant gone); rejects when it is kept but cannot be used now (AuthError or RefreshFailure).
   * `signal` only ends waiting for another window's refresh; a refresh already sent is never abandoned (its
   * tokens would be left valid at the server).
   */
  token(current: StoredSession, signal?: AbortSignal): Promise<StoredSession | undefined>;
}

/** What the layers may ask of the keeper's memory and storage. */
export interface SessionPort {
  /** The stored record; a change by another window is adopted into memory, a session gone is dropped from it. */
  lookup(id: string): Promise<SessionLookup>;
  /** Stores a refreshed session and hands it out, unless it was signed out meanwhile: then its new tokens are revoked. */
  commit(next: StoredSession): Promise<StoredSession | undefined>;
  /** Listens for any change to this provider's stored sessions (another window's write). */
  readonly onChange: (listener: () => void) => { dispose(): unknown };
}

export interface ReusingSource extends TokenSource {
  /** The refresh of this session now in flight, if any (a sign-out waits for it). */
  inFlight(id: string): Promise<unknown> | undefined;
}

/** Single flight per session, and the session as it is while its token is fresh (≈ x/oauth2's ReuseTokenSource). */
export function reusing(inner: TokenSource, clock: Clock): ReusingSource {
  const inflight = new Map<string, Promise<StoredSession | undefined>>();
  return {
    token(current, signal) {
      const now = clock();
      if (isFresh(current.tokens, now)) return Promise.resolve(current);
      // Without a refresh token there is nothing to do early: hand the token out until it really expires.
      if (!current.tokens.refreshToken && !isExpired(current.tokens, now)) return Promise.resolve(current);
      let p = inflight.get(current.id);
      if (!p) {
        p = inner.token(current, signal).finally(() => inflight.delete(current.id));
        inflight.set(current.id, p);
      }
      return p;
    },
    inFlight: (id) => inflight.get(id),
  };
}
