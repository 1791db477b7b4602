/**
 * After a transient refresh failure the keeper retries in the background, on its own, after 15 s, 30 s, 1 min,
 * 2 min, then every 5 min, and starts again at 15 s after a success (failureHandling.ts). Observed through the
 * keeper's clock and timers (test/support/manualTimers.ts), not through its log text: every refresh request is
 * stamped with the keeper's clock, and the timers fire only when the test moves that clock.
 */
import * as assert from 'node:assert/strict';
import { ProviderClient } from '../../../src/protocol/client';
import { startOpProcess, type OpProcess } from '../../support/op';
import { FakeSecrets, openWindow, storedSession } from '../../support/keeperHarness';
import { FrozenClock, ManualTimers } from '../../support/manualTimers';
import { loopbackSignIn, testClient, testConfig } from '../../support/protocolHarness';
import { until } from '../../support/until';

const BACKOFF = [15_000, 30_000, 60_000, 120_000, 300_000, 300_000];

suite("back-off after a transient refresh failure, on the keeper's clock", function () {
  this.timeout(60_000);
  let op: OpProcess;
  suiteSetup(async () => {
    op = await startOpProcess({ accessTokenTtl: 300, clockTolerance: 0, rotateRefreshToken: true });
  });
  suiteTeardown(async () => {
    await op?.stop();
  });

  test('a transient failure starts a background retry whose delay grows, and starts again at 15 s after a success', async () => {
    const clock = new FrozenClock();
    const timers = new ManualTimers(clock);
    /** The keeper's clock at every refresh request, and whether the server is "down" (HTTP 503) for them. */
    const attempts: number[] = [];
    let down = true;
    const r = await loopbackSignIn(op, testClient(testConfig(op), null, clock.now));
    const client = new ProviderClient(testConfig(op), {
      now: clock.now,
      getClientSecret: async () => undefined,
      fetch: async (url, init) => {
        if (
          url.endsWith('/token') &&
          new URLSearchParams(String(init?.body ?? '')).get('grant_type') === 'refresh_token'
        ) {
          attempts.push(clock.now());
          if (down)
            return new Response(JSON.stringify({ error: 'temporarily_unavailable' }), {
              status: 503,
              headers: { 'content-type': 'application/json' },
            });
        }
        return fetch(url, init as RequestInit);
      },
    });
    const w = openWindow(new FakeSecrets(), client, clock, { owner: 'w', timers });
    const session = storedSession('s1', r, clock.now());
    await w.keeper.add(session, []);

    /** Fires the one pending timer (after checking nothing fires a millisecond earlier) and waits for its outcome. */
    const fireNext = async (expectedDelay: number) => {
      assert.deepEqual(timers.delays(), [expectedDelay], 'one timer, with this delay');
      const fired = timers.fired;
      const before = attempts.length;
      timers.advance(expectedDelay - 1);
      assert.equal(timers.fired, fired, `nothing fires before ${expectedDelay} ms`);
      timers.advance(1);
      assert.equal(timers.fired, fired + 1);
      await until(
        () =>
          `a refresh attempt and the next timer; timers: ${JSON.stringify(timers.delays())}, attempts: ${attempts.length}`,
        () => attempts.length === before + 1 && timers.delays().length === 1,
      );
    };

    // The proactive refresh, before the token expires (5 minutes' token: a third of it is the margin).
    await fireNext(200_000);
    // Every later attempt is a retry the keeper started itself, each after a longer pause, up to 5 minutes.
    for (const delay of BACKOFF) await fireNext(delay);
    assert.deepEqual(
      attempts.slice(1).map((t, i) => t - attempts[i]),
      BACKOFF,
      "the pauses between attempts, on the keeper's clock",
    );
    assert.deepEqual(
      await w.keeper.sessions().then((l) => l.map((s) => s.id)),
      ['s1'],
      'network trouble never signs anyone out',
    );
    assert.equal(w.signedOut.length, 0);

    // The server is back: the next retry refreshes, and the proactive timer of the new token replaces the back-off.
    down = false;
    assert.deepEqual(timers.delays(), [300_000]);
    timers.advance(300_000);
    await until(
      'the refresh to be stored',
      () => w.events.some((e) => e.changed?.some((s) => s.id === 's1')) && timers.delays().length === 1,
    );
    const [next] = await w.keeper.sessions();
    assert.notEqual(next.tokens.accessToken, session.tokens.accessToken);
    // Down again at the next proactive refresh: the back-off starts again from 15 s.
    down = true;
    await fireNext(200_000);
    assert.deepEqual(timers.delays(), [BACKOFF[0]], 'after a success the back-off starts again at 15 s');
    w.keeper.dispose();
  });
});
