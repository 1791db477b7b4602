/**
 * The lease-coordinated TokenSource: one window at a time refreshes a session (refreshLease.ts explains why); the
 * others wait for its result and adopt it from storage. Storage is read again under the lease, because another
 * window may have refreshed or signed out meanwhile, and a session gone from storage is never refreshed here.
 */
import type { Logger } from '../protocol/log';
import { isFresh, type Clock } from '../protocol/tokens';
import { refreshFailure } from './refreshingSource';
import { releaseLease, tryAcquireLease, waitForLease, type LeaseOptions } from './refreshLease';
import type { SessionLookup, StoredSession } from './sessionStore';
import type { SessionPort, TokenSource } from './tokenSource';

interface LeasedOptions {
  readonly port: SessionPort;
  /** The lease of one session, for this window. */
  readonly lease: (id: string) => LeaseOptions;
  readonly clock: Clock;
  readonly log: Pick<Logger, 'info'>;
  /** Waits for another window before refreshing anyway (its lease keeps being renewed but nothing lands). */
  readonly waits?: number;
  /** Longest single wait; the lease's TTL by default. */
  readonly maxWaitMs?: number;
}

const WAITS = 3;

/** The stored session, or `fallback` when the record cannot be read (a damaged record is not a sign-out). */
const orElse = (found: Exclude<SessionLookup, { kind: 'gone' }>, fallback: StoredSession) =>
  found.kind === 'present' ? found.session : fallback;

export function leased(inner: TokenSource, o: LeasedOptions): TokenSource {
  /** Refreshes `latest` and stores the result; a dead refresh token may only mean another window was first. */
  async function refresh(latest: StoredSession, signal?: AbortSignal): Promise<StoredSession | undefined> {
    try {
      const next = await inner.token(latest, signal);
      return next && (await o.port.commit(next));
    } catch (e) {
      const failure = refreshFailure(latest, e);
      if (failure.verdict !== 'dead') throw failure;
      const now = await o.port.lookup(latest.id);
      // Signed out in another window (whose revocation is why the grant is dead): nothing to keep, nobody to tell.
      if (now.kind === 'gone') return undefined;
      // Another window rotated the refresh token while we sent the old one: its tokens are the session's now.
      if (now.kind === 'present' && now.session.tokens.refreshToken !== latest.tokens.refreshToken) {
        o.log.info('refresh token was already rotated by another window; adopting its tokens');
        return now.session;
      }
      throw failure;
    }
  }

  return {
    async token(s, signal) {
      for (let attempt = 0; attempt < (o.waits ?? WAITS); attempt++) {
        const seen = await o.port.lookup(s.id);
        if (seen.kind === 'gone') return undefined;
        if (seen.kind === 'present' && isFresh(seen.session.tokens, o.clock())) return seen.session;
        const lease = o.lease(s.id);
        if (await tryAcquireLease(lease)) {
          try {
            const found = await o.port.lookup(s.id);
            if (found.kind === 'gone') return undefined;
            const latest = orElse(found, s);
            return isFresh(latest.tokens, o.clock()) ? latest : await refresh(latest, signal);
          } finally {
            await releaseLease(lease);
          }
        }
        o.log.info('another window is refreshing this session; waiting for its result');
        await waitForLease(lease, o.port.onChange, o.maxWaitMs, signal);
        signal?.throwIfAborted();
      }
      // The other window never finished (it keeps the lease but stores nothing): refresh ourselves.
      const found = await o.port.lookup(s.id);
      return found.kind === 'gone' ? undefined : refresh(orElse(found, s), signal);
    },
  };
}
