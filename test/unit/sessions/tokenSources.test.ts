/**
 * The token sources one by one, without a server: freshness on the token, reusing (single flight, fresh hand-out),
 * the refresh lease, and the lease-coordinated source with a scripted SessionPort. Faults that take a real clock
 * minutes (a window that holds the lease and never finishes) run here in milliseconds.
 */
import * as assert from 'node:assert/strict';
import { leased } from '../../../src/sessions/leasedSource';
import { AuthError } from '../../../src/protocol/errors';
import { freshUntil, isExpired, isFresh, type TokenSet } from '../../../src/protocol/tokens';
import { RefreshFailure } from '../../../src/sessions/refreshingSource';
import { readLease, tryAcquireLease, type LeaseOptions } from '../../../src/sessions/refreshLease';
import type { SessionLookup, StoredSession } from '../../../src/sessions/sessionStore';
import { reusing, type SessionPort, type TokenSource } from '../../../src/sessions/tokenSource';
import { FakeSecrets, KEYCHAIN_LATENCY } from '../../support/fakeSecrets';

const T0 = 1_000_000_000;
const MIN = 60_000;

function session(tokens: Partial<TokenSet>, id = 's1'): StoredSession {
  return {
    v: 1,
    id,
    account: { id: 'a', label: 'alice' },
    scopes: ['openid'],
    defaultScopes: ['openid'],
    createdAt: T0,
    tokens: {
      accessToken: 'at-0',
      tokenType: 'bearer',
      refreshToken: 'rt-0',
      issuedAt: T0,
      expiresAt: T0 + 60 * MIN,
      ...tokens,
    },
  };
}

/** An inner source that counts its calls and answers with a new token after `ms`. */
function counting(ms = 20, now = () => T0) {
  const source = {
    calls: 0,
    async token(s: StoredSession) {
      source.calls++;
      await new Promise((r) => setTimeout(r, ms));
      return session(
        {
          accessToken: `at-${source.calls}`,
          refreshToken: `rt-${source.calls}`,
          issuedAt: now(),
          expiresAt: now() + 60 * MIN,
        },
        s.id,
      );
    },
  };
  return source;
}

/** A SessionPort whose stored record is `stored()`; commit stores the refreshed session. */
function scriptedPort(stored: () => SessionLookup): SessionPort & { committed: StoredSession[] } {
  const committed: StoredSession[] = [];
  return {
    committed,
    lookup: async () => stored(),
    commit: async (next) => {
      committed.push(next);
      return next;
    },
    onChange: () => ({ dispose: () => {} }),
  };
}

suite('token sources', () => {
  test('freshness lives on the token: one margin (5 min, or a third of a short lifetime); no expiry is always fresh', () => {
    const hour = session({}).tokens;
    assert.equal(freshUntil(hour), T0 + 55 * MIN);
    assert.ok(isFresh(hour, T0 + 55 * MIN - 1) && !isFresh(hour, T0 + 55 * MIN));
    const short = session({ expiresAt: T0 + 6_000 }).tokens;
    assert.equal(freshUntil(short), T0 + 4_000, 'a 6 s token is refreshed with 2 s left');
    assert.ok(!isExpired(short, T0 + 5_999) && isExpired(short, T0 + 6_000));
    const forever = session({ expiresAt: undefined }).tokens;
    assert.ok(isFresh(forever, T0 + 1e12) && !isExpired(forever, T0 + 1e12) && freshUntil(forever) === undefined);
    assert.equal(
      freshUntil(session({ issuedAt: undefined }).tokens),
      T0 + 55 * MIN,
      'unknown lifetime: the 5-minute margin',
    );
  });

  test('reusing: a fresh session as it is; 50 callers on a stale one share one refresh; no refresh token: kept until expiry', async () => {
    let now = T0;
    const inner = counting(20, () => now);
    const source = reusing(inner, () => now);
    const s = session({});
    assert.equal(await source.token(s), s);
    now = T0 + 56 * MIN;
    const results = await Promise.all(Array.from({ length: 50 }, () => source.token(s)));
    assert.equal(inner.calls, 1);
    assert.equal(new Set(results.map((r) => r!.tokens.accessToken)).size, 1);
    assert.equal(source.inFlight('s1'), undefined, 'the flight is over');
    const noRt = session({ refreshToken: undefined });
    assert.equal(await source.token(noRt), noRt, 'inside the margin, nothing to refresh with: handed out');
    assert.equal(inner.calls, 1);
  });

  test('the lease: another window holding it keeps us out until it expires; our own is ours again', async () => {
    const secrets = new FakeSecrets(KEYCHAIN_LATENCY);
    let now = T0;
    const mine: LeaseOptions = { secrets, key: 'lease/s1', owner: 'me', now: () => now, settleMs: 5 };
    await secrets.store('lease/s1', JSON.stringify({ owner: 'other', until: T0 + 20_000 }));
    assert.equal(await tryAcquireLease(mine), false, 'held by another window');
    assert.equal((await readLease(secrets, 'lease/s1'))?.owner, 'other', 'and left alone');
    now = T0 + 20_000;
    assert.equal(await tryAcquireLease(mine), true, 'expired: taken over');
    assert.equal(await tryAcquireLease(mine), true, 'held by us: still ours');
  });

  test('leased: a window that holds the lease and never stores a result is waited for three times, then we refresh', async () => {
    const secrets = new FakeSecrets(KEYCHAIN_LATENCY);
    // A window that renews its lease for ever (stuck, or its clock runs ahead): never free, never expired.
    await secrets.store('lease/s1', JSON.stringify({ owner: 'stuck', until: T0 + 3600_000 }));
    const stale = session({ expiresAt: T0 - 1 });
    const port = scriptedPort(() => ({ kind: 'present', session: stale }));
    const inner = counting();
    const waits: string[] = [];
    const started = Date.now();
    const clock = () => T0 + (Date.now() - started);
    const source = leased(inner, {
      port,
      clock,
      log: { info: (l) => waits.push(l) },
      maxWaitMs: 30,
      lease: () => ({ secrets, key: 'lease/s1', owner: 'me', now: clock, settleMs: 5 }),
    });
    const got = await source.token(stale);
    assert.equal(waits.filter((l) => /waiting for its result/.test(l)).length, 3);
    assert.equal(inner.calls, 1, 'refreshed once, after the waits');
    assert.equal(got?.tokens.accessToken, 'at-1');
    assert.deepEqual(
      port.committed.map((s) => s.tokens.accessToken),
      ['at-1'],
      'and stored',
    );
  });

  test('leased: a session gone from storage when the lease is ours is never refreshed', async () => {
    const secrets = new FakeSecrets(KEYCHAIN_LATENCY);
    const stale = session({ expiresAt: T0 - 1 });
    let reads = 0;
    // Present before the lease is taken, gone once it is held (another window signed out in between).
    const port = scriptedPort(() => (++reads === 1 ? { kind: 'present', session: stale } : { kind: 'gone' }));
    const inner = counting();
    const source = leased(inner, {
      port,
      clock: () => T0,
      log: { info: () => {} },
      lease: () => ({ secrets, key: 'lease/s1', owner: 'me', now: () => T0, settleMs: 5 }),
    });
    assert.equal(await source.token(stale), undefined);
    assert.equal(inner.calls, 0);
    assert.equal(secrets.data.get('lease/s1'), undefined, 'lease released');
  });

  test("leased: a dead refresh token after another window rotated it adopts that window's tokens; gone means quietly ended", async () => {
    const secrets = new FakeSecrets();
    const stale = session({ expiresAt: T0 - 1 });
    const rotated = session({ accessToken: 'at-other', refreshToken: 'rt-other' });
    const dead: TokenSource = {
      token: async (s) => {
        throw new RefreshFailure(s, new AuthError('invalid_grant', 'grant request is invalid'), 'dead');
      },
    };
    /** Storage as read before the lease, under it, and after the refresh failed. */
    const run = (afterFailure: SessionLookup) => {
      const reads: SessionLookup[] = [
        { kind: 'present', session: stale },
        { kind: 'present', session: stale },
        afterFailure,
      ];
      return leased(dead, {
        port: scriptedPort(() => reads.shift() ?? afterFailure),
        clock: () => T0,
        log: { info: () => {} },
        lease: () => ({ secrets, key: 'lease/s1', owner: 'me', now: () => T0, settleMs: 1 }),
      }).token(stale);
    };
    assert.equal(await run({ kind: 'present', session: rotated }), rotated);
    assert.equal(await run({ kind: 'gone' }), undefined, 'signed out elsewhere: no failure to report');
    await assert.rejects(
      run({ kind: 'present', session: stale }),
      (e: unknown) => e instanceof RefreshFailure && e.verdict === 'dead',
    );
    await assert.rejects(
      run({ kind: 'unreadable' }),
      (e: unknown) => e instanceof RefreshFailure && e.verdict === 'dead',
    );
  });
});
