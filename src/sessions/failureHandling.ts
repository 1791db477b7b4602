/**
 * What a failed refresh does to the session. It runs inside the single flight, so N waiting callers cause one
 * outcome: a dead grant ends the session (the user is told once); anything else keeps it, retries after a back-off
 * (15 s … 5 min, never a hot loop) and hands out the token while it is still valid — after that, an AuthError that
 * says so. Network trouble never signs anyone out.
 */
import type { Logger } from '../protocol/log';
import { AuthError } from '../protocol/errors';
import { isExpired, type Clock } from '../protocol/tokens';
import { RefreshFailure } from './refreshingSource';
import type { StoredSession } from './sessionStore';
import type { TokenSource } from './tokenSource';

interface FailureHooks {
  readonly clock: Clock;
  readonly providerLabel: string;
  readonly log: Pick<Logger, 'warn'>;
  /** Ends the session for good: removed, revoked, the user told to sign in again. */
  end(s: StoredSession, why: AuthError): Promise<void>;
  /** Tries the session's refresh again after this long. */
  retryIn(id: string, ms: number): void;
}

const BACKOFF_MS = [15_000, 30_000, 60_000, 120_000, 300_000];

export function handlingFailures(inner: TokenSource, h: FailureHooks): TokenSource {
  /** Failed attempts in a row per session: the next back-off step. */
  const failures = new Map<string, number>();
  return {
    async token(current, signal) {
      try {
        const s = await inner.token(current, signal);
        failures.delete(current.id);
        return s;
      } catch (e) {
        if (!(e instanceof RefreshFailure)) throw e;
        const { session: s, error: err } = e;
        if (e.verdict === 'dead') {
          h.log.warn(
            `session of ${s.account.label} can no longer be refreshed (${err.details.oauthError ?? err.code}); removing it`,
          );
          await h.end(s, err);
          return undefined;
        }
        const n = (failures.get(s.id) ?? 0) + 1;
        failures.set(s.id, n);
        const delay = BACKOFF_MS[Math.min(n - 1, BACKOFF_MS.length - 1)];
        h.log.warn(`refresh failed (${err.message}); keeping the session, retrying in ${Math.round(delay / 1000)} s`);
        h.retryIn(s.id, delay);
        if (!isExpired(s.tokens, h.clock())) return s;
        throw new AuthError(
          err.code,
          `The ${h.providerLabel} access token for ${s.account.label} has expired and could not be refreshed: ${err.message}`,
          err.details,
        );
      }
    },
  };
}
