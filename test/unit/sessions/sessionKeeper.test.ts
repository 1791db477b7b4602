import * as assert from 'node:assert/strict';
import { ProviderClient } from '../../../src/protocol/client';
import { AuthError } from '../../../src/protocol/errors';
import { keys, type StoredSession } from '../../../src/sessions/sessionStore';
import { startOpProcess, type OpProcess } from '../../support/op';
import { FakeSecrets, openWindow, signedInWindows } from '../../support/keeperHarness';
import { testConfig } from '../../support/protocolHarness';
import { until } from '../../support/until';

const HOUR = 3600_000;

suite('sessionKeeper: token lifecycle against oidc-provider with rotation', function () {
  this.timeout(60_000);
  let op: OpProcess;
  suiteSetup(async () => {
    op = await startOpProcess({ accessTokenTtl: 5, clockTolerance: 0, rotateRefreshToken: true });
  });
  suiteTeardown(async () => {
    await op?.stop();
  });

  const signedIn = (windows = 1) => signedInWindows(op, windows);

  test('lazy refresh: same session id, changed event, rotated refresh token stored', async () => {
    const {
      clock,
      secrets,
      ws: [w],
      session,
    } = await signedIn();
    assert.equal(await w.keeper.usable(session), session, 'fresh token is handed out as is');
    clock.advance(HOUR);
    const next = (await w.keeper.usable(session))!;
    assert.equal(next.id, 's1');
    assert.notEqual(next.tokens.accessToken, session.tokens.accessToken);
    assert.notEqual(next.tokens.refreshToken, session.tokens.refreshToken);
    assert.ok(w.events.some((e) => e.changed?.[0]?.id === 's1' && !e.removed));
    const stored = JSON.parse(secrets.data.get(keys.session('test', 's1'))!);
    assert.equal(stored.tokens.refreshToken, next.tokens.refreshToken);
    assert.equal((await op.stats()).tokenByGrant.refresh_token, 1);
    w.keeper.dispose();
  });

  test("a session the organisation's rules refuse is never handed out, not even refreshed", async () => {
    const { client, clock, secrets, session, ws } = await signedInWindows(op);
    ws[0].keeper.dispose();
    let refuse = false;
    const w = openWindow(secrets, client, clock, { owner: 'rules', allowed: () => !refuse });
    assert.deepEqual(
      (await w.keeper.matching(['openid'])).map((s) => s.id),
      ['s1'],
    );
    refuse = true;
    assert.deepEqual(await w.keeper.matching(['openid']), [], 'not listed');
    assert.equal(await w.keeper.usable(session), undefined, 'not handed out');
    clock.advance(HOUR);
    assert.equal(await w.keeper.usable(session), undefined, 'not refreshed either');
    assert.equal((await op.stats()).tokenByGrant.refresh_token, 0);
    assert.deepEqual(
      (await w.keeper.sessions()).map((s) => s.id),
      ['s1'],
      "signing it out is the provider's part",
    );
    w.keeper.dispose();
  });

  test('single flight: 100 concurrent callers on an expired token make exactly one token request', async () => {
    const {
      clock,
      ws: [w],
      session,
    } = await signedIn();
    clock.advance(HOUR);
    const results = await Promise.all(Array.from({ length: 100 }, () => w.keeper.usable(session)));
    assert.equal(new Set(results.map((r) => r!.tokens.accessToken)).size, 1);
    assert.equal((await op.stats()).tokenByGrant.refresh_token, 1);
    w.keeper.dispose();
  });

  test('invalid_grant: session removed, user told once', async () => {
    const {
      client,
      clock,
      ws: [w],
      session,
    } = await signedIn();
    await client.revoke(session.tokens.refreshToken!, 'refresh_token');
    clock.advance(HOUR);
    assert.equal(await w.keeper.usable(session), undefined);
    assert.deepEqual(await w.keeper.sessions(), []);
    assert.equal(w.signedOut.length, 1);
    assert.ok(w.events.some((e) => e.removed?.[0]?.id === 's1'));
    w.keeper.dispose();
  });

  test('server down: session kept (token still valid, then a clear error), recovered when the server returns', async () => {
    const {
      clock,
      ws: [w],
      session,
    } = await signedIn();
    const port = op.port;
    await op.stop();
    try {
      clock.advance(2_000); // inside the refresh margin, not yet expired
      assert.equal((await w.keeper.usable(session))?.tokens.accessToken, session.tokens.accessToken);
      clock.advance(HOUR); // expired
      await assert.rejects(
        w.keeper.usable(session),
        (e: AuthError) => e.code === 'network' && /expired and could not be refreshed/.test(e.message),
      );
      assert.equal((await w.keeper.sessions()).length, 1, 'never a sign-out on network errors');
      assert.equal(w.signedOut.length, 0);
    } finally {
      op = await startOpProcess({ port, accessTokenTtl: 5, clockTolerance: 0 });
    }
    const next = await w.keeper.usable(session);
    assert.notEqual(next?.tokens.accessToken, session.tokens.accessToken);
    w.keeper.dispose();
  });

  for (const fault of ['HTTP 503', 'timeout'] as const) {
    test(`token endpoint ${fault}: session kept, retried later, never a sign-out`, async () => {
      const {
        clock,
        ws: [w],
        session,
      } = await signedIn();
      let failing = true;
      const faulty = new ProviderClient(testConfig(op), {
        now: clock.now,
        timeoutMs: 300,
        getClientSecret: async () => undefined,
        fetch: async (url, init) => {
          if (failing && url.endsWith('/token')) {
            if (fault === 'HTTP 503')
              return new Response('<html>Service Unavailable</html>', {
                status: 503,
                headers: { 'content-type': 'text/html' },
              });
            return new Promise((_r, reject) =>
              init.signal?.addEventListener('abort', () => reject(init.signal!.reason)),
            );
          }
          return fetch(url, init as RequestInit);
        },
      });
      const w2 = openWindow(w.keeper['deps'].secrets as FakeSecrets, faulty, clock, { owner: 'faulty' });
      clock.advance(4_000); // inside the refresh margin, one second before expiry
      assert.equal(
        (await w2.keeper.usable(session))?.tokens.accessToken,
        session.tokens.accessToken,
        'still-valid token handed out',
      );
      assert.ok(
        w2.warnings.some((l) => /keeping the session, retrying in 15 s/.test(l)),
        w2.warnings.join('\n'),
      );
      assert.equal(w2.signedOut.length, 0);
      failing = false;
      const next = await w2.keeper.usable(session);
      assert.notEqual(next?.tokens.accessToken, session.tokens.accessToken, 'recovered once the server answers');
      w.keeper.dispose();
      w2.keeper.dispose();
    });
  }

  test('proactive refresh before expiry while running (5 s tokens, real time)', async () => {
    const {
      ws: [w],
    } = await signedIn();
    // Wait for exactly what is asserted (a sync event may carry an empty `changed` list). 25 s: one back-off retry
    // (15 s) still counts, so a slow machine that misses the first attempt does not fail the test.
    await until(
      () => `a changed event from the background refresh; warnings: ${w.warnings.join(' | ')}`,
      () => w.events.some((e) => e.changed?.[0]?.id === 's1'),
      25_000,
    );
    w.keeper.dispose();
  });

  // Node starts a timer from the event loop's cached time, which lags the clock after busy work, so a timer can fire
  // before its time on the clock (a CI run caught the proactive refresh above being skipped for good that way). Here
  // the clock is set back after scheduling, so the timer fires early; short-lived copies of the session keep it quick.
  const shortLived = (
    s: StoredSession,
    id: string,
    now: number,
    ms: number,
    { withRefreshToken = true } = {},
  ): StoredSession => ({
    ...s,
    id,
    createdAt: now,
    tokens: {
      ...s.tokens,
      refreshToken: withRefreshToken ? s.tokens.refreshToken : undefined,
      issuedAt: now,
      expiresAt: now + ms,
    },
  });

  test('a refresh timer that fires before the token is due on the clock waits the rest, then refreshes', async () => {
    const {
      clock,
      ws: [w],
      session,
    } = await signedIn();
    await w.keeper.add(shortLived(session, 's3', clock.now(), 600), []); // fresh for 400 ms
    clock.advance(-300);
    await until(
      () => `the refresh; warnings: ${w.warnings.join(' | ')}`,
      () => w.events.some((e) => e.changed?.[0]?.id === 's3'),
    );
    assert.equal((await op.stats()).tokenByGrant.refresh_token, 1);
    w.keeper.dispose();
  });

  test('an expiry timer (no refresh token) that fires early waits the rest, then removes the session', async () => {
    const {
      clock,
      ws: [w],
      session,
    } = await signedIn();
    const noRt = shortLived(session, 's2', clock.now(), 400, { withRefreshToken: false });
    await w.keeper.add(noRt, []);
    clock.advance(-300);
    await until('the session removed once expired on the clock', () => w.signedOut.length === 1);
    assert.ok(w.signedOutAt[0] >= noRt.tokens.expiresAt!, 'not removed before it expired on the clock');
    assert.deepEqual(
      (await w.keeper.sessions()).map((s) => s.id),
      ['s1'],
    );
    w.keeper.dispose();
  });

  test('sign-out revokes at the server: the refresh token no longer works', async () => {
    const {
      client,
      ws: [w],
      session,
    } = await signedIn();
    await w.keeper.remove('s1', 'signed out');
    assert.equal((await op.stats()).revocation, 2, 'refresh token and access token');
    await assert.rejects(client.refresh(session.tokens), (e: AuthError) => e.code === 'invalid_grant');
    w.keeper.dispose();
  });

  test('revocation endpoint down: the session is still removed', async () => {
    const {
      ws: [w],
    } = await signedIn();
    const port = op.port;
    await op.stop();
    try {
      await w.keeper.remove('s1', 'signed out');
      assert.deepEqual(await w.keeper.sessions(), []);
      assert.ok(w.warnings.some((l) => /revocation failed/.test(l)));
    } finally {
      op = await startOpProcess({ port, accessTokenTtl: 5, clockTolerance: 0 });
    }
    w.keeper.dispose();
  });

  test('a session without refresh token is kept until it expires, then removed with a message', async () => {
    const {
      clock,
      ws: [w],
      session,
    } = await signedIn();
    // A minute-long token on the test clock: no real-time timer can fire while the test runs, even on a busy machine.
    const noRt = {
      ...session,
      id: 's2',
      createdAt: clock.now(),
      tokens: { ...session.tokens, refreshToken: undefined, expiresAt: clock.now() + 60_000 },
    };
    await w.keeper.add(noRt, []);
    clock.advance(50_000); // inside the refresh margin: kept, there is nothing to refresh with
    assert.equal((await w.keeper.usable(noRt))?.id, 's2');
    clock.advance(HOUR);
    assert.equal(await w.keeper.usable(noRt), undefined);
    assert.equal(w.signedOut.length, 1);
    w.keeper.dispose();
  });

  test('other windows see added, refreshed and removed sessions', async () => {
    const {
      clock,
      ws: [a, b],
      session,
    } = await signedIn(2);
    assert.equal((await b.keeper.sessions()).length, 1);
    clock.advance(HOUR);
    const next = await a.keeper.usable(session);
    await b.keeper.syncFromStorage();
    assert.equal((await b.keeper.sessions())[0].tokens.accessToken, next!.tokens.accessToken);
    await a.keeper.remove('s1', 'signed out');
    await b.keeper.syncFromStorage();
    assert.deepEqual(await b.keeper.sessions(), []);
    assert.ok(b.events.some((e) => e.changed) && b.events.some((e) => e.removed));
    a.keeper.dispose();
    b.keeper.dispose();
  });

  test('a corrupt or foreign record is skipped with a warning; the other sessions work', async () => {
    const {
      secrets,
      ws: [w],
      client,
      clock,
    } = await signedIn();
    await secrets.store(keys.session('test', 'junk'), '{not json');
    await secrets.store(keys.index('test'), JSON.stringify(['s1', 'junk']));
    const fresh = openWindow(secrets, client, clock, { owner: 'reloaded' });
    assert.deepEqual(
      (await fresh.keeper.sessions()).map((s) => s.id),
      ['s1'],
    );
    assert.ok(fresh.warnings.some((l) => /corrupt/.test(l)));
    w.keeper.dispose();
    fresh.keeper.dispose();
  });

  test('two windows refreshing one rotating token at the same moment, 50 times: no session lost, grant alive', async function () {
    this.timeout(120_000);
    const {
      clock,
      ws: [a, b],
      session,
      client,
    } = await signedIn(2);
    let lost = 0;
    for (let i = 0; i < 50; i++) {
      clock.advance(HOUR);
      const [ra, rb] = await Promise.all([a.keeper.usable(session), b.keeper.usable(session)]);
      if (!ra || !rb) lost++;
    }
    console.log(`      two-window race: 50 iterations, lost sessions: ${lost}`);
    const [latest] = await a.keeper.sessions();
    assert.equal(lost, 0, 'lost sessions');
    assert.equal(a.signedOut.length + b.signedOut.length, 0);
    // The grant survived: the newest refresh token still works at the AS.
    await client.refresh(latest.tokens);
    const stats = await op.stats();
    // 50 iterations + the check above; a background (proactive) refresh may add one on a slow machine. A replayed
    // refresh token would have revoked the grant, which the successful refresh above rules out.
    assert.ok(
      stats.tokenByGrant.refresh_token >= 51 && stats.tokenByGrant.refresh_token <= 55,
      `refreshes: ${stats.tokenByGrant.refresh_token}`,
    );
    a.keeper.dispose();
    b.keeper.dispose();
  });
});
