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
    let down = true;
    const { client, attempts } = countingClient(op, clock, () => down);
    const r = await loopbackSignIn(op, testClient(testConfig(op), null, clock.now));
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

  /** One window signed in as s1 over a keychain whose deletes can be held, its server down (503) or not. */
  const heldWindow = async (down: boolean) => {
    const clock = new FrozenClock();
    const timers = new ManualTimers(clock);
    const { client, attempts } = countingClient(op, clock, () => down);
    const secrets = new HeldDeletes();
    const w = openWindow(secrets, client, clock, { owner: 'w', timers });
    const r = await loopbackSignIn(op, testClient(testConfig(op), null, clock.now));
    await w.keeper.add(storedSession('s1', r, clock.now()), []);
    return { clock, timers, attempts, secrets, w };
  };

  test('a timer that fires while the refresh before it is still finishing refreshes all the same, and leaves a timer', async () => {
    const { timers, attempts, secrets, w } = await heldWindow(false);

    // The proactive refresh lands, and its flight stays open: releasing the lease (a keychain delete) is held.
    let release!: () => void;
    secrets.held = new Promise((resolve) => (release = resolve));
    timers.advance(200_000);
    await until('the refresh to be stored', () => attempts.length === 1 && w.events.some((e) => e.changed?.length));
    assert.deepEqual(timers.delays(), [200_000], "the new token's proactive timer");
    // That timer fires before the flight has ended (a slow keychain, or a short-lived token).
    timers.advance(200_000);
    secrets.held = undefined;
    release();
    await until(
      () =>
        `a second refresh and the next timer; timers: ${JSON.stringify(timers.delays())}, attempts: ${attempts.length}`,
      () => attempts.length === 2 && timers.delays().length === 1,
    );
    assert.deepEqual(timers.delays(), [200_000]);
    w.keeper.dispose();
  });

  test('a timer that fires while a failing refresh is still finishing leaves the back-off to it: no second attempt', async () => {
    const { clock, timers, attempts, secrets, w } = await heldWindow(true);
    assert.deepEqual(timers.delays(), [200_000]);

    // A caller's refresh fails (503) once the token is no longer fresh; its lease release is held, so the failure has
    // not been handled yet (no back-off timer) when the proactive timer, due by now, fires.
    let release!: () => void;
    secrets.held = new Promise((resolve) => (release = resolve));
    clock.advance(200_000);
    const caller = w.keeper.usable((await w.keeper.sessions())[0]);
    await until('the failed attempt', () => attempts.length === 1);
    timers.advance(0);
    secrets.held = undefined;
    release();
    await caller;
    await until('the back-off timer', () => timers.delays().length === 1);
    await new Promise((r) => setTimeout(r, 1_000)); // a second attempt would come now
    assert.equal(attempts.length, 1, 'the timer left the retry to the back-off');
    assert.deepEqual(timers.delays(), [BACKOFF[0]]);
    w.keeper.dispose();
  });
});

/** A client whose refresh requests are stamped with the keeper's clock, answered 503 while `isDown()`. */
function countingClient(op: OpProcess, clock: FrozenClock, isDown: () => boolean) {
  const attempts: number[] = [];
  const client = new ProviderClient(testConfig(op), {
    now: clock.now,
    getClientSecret: async () => undefined,
    fetch: async (url, init) => {
      if (
        url.endsWith('/token') &&
        new URLSearchParams(String(init?.body ?? '')).get('grant_type') === 'refresh_token'
      ) {
        attempts.push(clock.now());
        if (isDown())
          return new Response(JSON.stringify({ error: 'temporarily_unavailable' }), {
            status: 503,
            headers: { 'content-type': 'application/json' },
          });
      }
      return fetch(url, init as RequestInit);
    },
  });
  return { client, attempts };
}

/** A keychain whose deletes wait while `held` is set (the refresh lease is released by a delete). */
class HeldDeletes extends FakeSecrets {
  held?: Promise<void>;
  override delete(key: string): Promise<void> {
    const held = this.held;
    return held ? held.then(() => super.delete(key)) : super.delete(key);
  }
}
