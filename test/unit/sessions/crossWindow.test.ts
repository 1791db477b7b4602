/**
 * Two windows over one keychain whose operations take as long as a real one (KEYCHAIN_LATENCY: reads, writes and
 * change events in milliseconds, not one tick), against oidc-provider with rotating refresh tokens. Each test pins
 * one piece of cross-window coordination that a single-tick fake lets slip: the lease keeping a second window out,
 * adoption of another window's rotation, sign-out in another window winning, and expiry without refresh token.
 */
import * as assert from 'node:assert/strict';
import { ProviderClient } from '../../../src/protocol/client';
import { SessionStore, type StoredSession } from '../../../src/sessions/sessionStore';
import { TEST_BINDING } from '../../support/binding';
import { FakeSecrets, KEYCHAIN_LATENCY } from '../../support/fakeSecrets';
import { openWindow, storedSession, TestClock, type Window } from '../../support/keeperHarness';
import { startOpProcess, type OpProcess } from '../../support/op';
import { loopbackSignIn, testClient, testConfig } from '../../support/protocolHarness';
import { until } from '../../support/until';

const HOUR = 3600_000;
const isRefresh = (init: { body?: unknown }) => String(init.body ?? '').includes('grant_type=refresh_token');

suite('two windows over a keychain with real latency', function () {
  this.timeout(60_000);
  let op: OpProcess;
  suiteSetup(async () => {
    op = await startOpProcess({ accessTokenTtl: 5, clockTolerance: 0, rotateRefreshToken: true });
  });
  suiteTeardown(async () => {
    await op?.stop();
  });

  let open: Window[] = [];
  teardown(() => {
    for (const w of open) w.keeper.dispose();
    open = [];
  });

  /** Signs in once; windows are opened with their own client, whose token requests `onRefresh` may hold or answer. */
  async function signedIn() {
    const clock = new TestClock();
    const secrets = new FakeSecrets(KEYCHAIN_LATENCY);
    const r = await loopbackSignIn(op, testClient(testConfig(op), null, clock.now));
    const session = storedSession('s1', r, clock.now());
    const refreshes: string[] = [];
    const window = (owner: string, onRefresh?: () => Promise<Response | undefined>) => {
      const client = new ProviderClient(testConfig(op), {
        now: clock.now,
        getClientSecret: async () => undefined,
        fetch: async (url, init) => {
          if (isRefresh(init)) {
            refreshes.push(owner);
            const answer = await onRefresh?.();
            if (answer) return answer;
          }
          return fetch(url, init as RequestInit);
        },
      });
      const w = openWindow(secrets, client, clock, { owner });
      open.push(w);
      return w;
    };
    await op.resetStats();
    return { clock, secrets, session, refreshes, window };
  }

  test('while one window refreshes under the lease, the other waits and adopts its result: one refresh grant', async () => {
    const { clock, session, refreshes, window } = await signedIn();
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    const a = window('window-a', async () => {
      await held;
      return undefined;
    });
    const b = window('window-b');
    await a.keeper.add(session, []);
    await b.keeper.sessions();
    clock.advance(HOUR);
    const fromA = a.keeper.usable(session);
    await until('window A sent its refresh', () => refreshes.length === 1);
    const fromB = b.keeper.usable(session);
    await until(
      'window B waits for the lease',
      () => b.infos.some((l) => /another window is refreshing/.test(l)) || refreshes.length > 1,
    );
    assert.deepEqual(refreshes, ['window-a'], 'window B never sent the same refresh token');
    release();
    const [ra, rb] = await Promise.all([fromA, fromB]);
    assert.ok(ra && rb);
    assert.equal(rb.tokens.accessToken, ra.tokens.accessToken, "B adopted A's tokens");
    assert.equal((await op.stats()).tokenByGrant.refresh_token, 1);
    assert.equal(a.signedOut.length + b.signedOut.length, 0);
  });

  test('invalid_grant because another window rotated the refresh token first: its tokens are adopted, nobody is signed out', async () => {
    const { clock, secrets, session, window } = await signedIn();
    const other = new SessionStore(secrets, 'test', () => {}, TEST_BINDING);
    let rotated: StoredSession | undefined;
    // Just before this window's request reaches the server, another window (without the lease: an older version,
    // or one whose lease expired) refreshes the same token and stores the result; the server then refuses ours.
    const b = window('window-b', async () => {
      const tokens = await testClient(testConfig(op), null, clock.now).refresh(session.tokens);
      rotated = { ...session, tokens, refreshedAt: clock.now() };
      await other.write(rotated);
      return Response.json({ error: 'invalid_grant', error_description: 'grant request is invalid' }, { status: 400 });
    });
    await b.keeper.add(session, []);
    clock.advance(HOUR);
    const got = await b.keeper.usable(session);
    assert.ok(rotated);
    assert.equal(got?.tokens.accessToken, rotated.tokens.accessToken);
    assert.equal(b.signedOut.length, 0, b.signedOut.join('\n'));
    assert.deepEqual(
      (await b.keeper.sessions()).map((s) => s.tokens.refreshToken),
      [rotated.tokens.refreshToken],
    );
    assert.ok(b.infos.some((l) => /already rotated by another window/.test(l)));
  });

  test('signed out in another window while this one takes the lease: no refresh is sent, nobody is told to sign in', async () => {
    const { clock, secrets, session, refreshes, window } = await signedIn();
    const a = window('window-a');
    const b = window('window-b');
    await a.keeper.add(session, []);
    await b.keeper.sessions();
    clock.advance(HOUR);
    const store = secrets.store.bind(secrets);
    let signedOutInA: Promise<unknown> | undefined;
    secrets.store = (key, value) => {
      if (signedOutInA || !(key.includes('/lease/') && value.includes('window-b'))) return store(key, value);
      // Window A's sign-out lands between B's first look at storage and B's lease.
      signedOutInA = a.keeper.remove('s1', 'signed out');
      return signedOutInA.then(() => store(key, value));
    };
    assert.equal(await b.keeper.usable(session), undefined);
    assert.ok(signedOutInA, 'the sign-out raced the lease');
    assert.deepEqual(refreshes, [], 'a session signed out elsewhere is not refreshed');
    assert.deepEqual(b.signedOut, []);
    assert.deepEqual(await b.keeper.sessions(), []);
    assert.ok(b.events.some((e) => e.removed?.[0]?.id === 's1'));
  });

  test("signed out in another window while this window's refresh is on its way: invalid_grant, and the user is not told to sign in again", async () => {
    const { clock, session, refreshes, window } = await signedIn();
    const a = window('window-a');
    // A's sign-out revokes the grant at the server before B's refresh arrives there.
    const b = window('window-b', async () => {
      await a.keeper.remove('s1', 'signed out');
      return undefined;
    });
    await a.keeper.add(session, []);
    await b.keeper.sessions();
    clock.advance(HOUR);
    assert.equal(await b.keeper.usable(session), undefined);
    assert.deepEqual(refreshes, ['window-b']);
    assert.deepEqual(b.signedOut, [], 'the account was just left on purpose: no "sign in again"');
    assert.deepEqual(await b.keeper.sessions(), []);
    assert.deepEqual(await a.keeper.sessions(), []);
  });

  test('a session without refresh token is dropped by its timer when it expires, with that reason, and nothing is sent', async () => {
    const { clock, session, refreshes, window } = await signedIn();
    const w = window('window-a');
    const now = clock.now();
    await w.keeper.add(
      { ...session, tokens: { ...session.tokens, refreshToken: undefined, issuedAt: now, expiresAt: now + 300 } },
      [],
    );
    await until('the timer removed the session', () => w.signedOut.length > 0);
    assert.deepEqual(w.signedOut, ['alice: The access token expired and the server issued no refresh token.']);
    assert.deepEqual(await w.keeper.sessions(), []);
    assert.deepEqual(refreshes, []);
  });

  test('both windows refresh one rotating token at the same moment, 10 times: one grant each time, no session lost', async () => {
    const { clock, session, refreshes, window } = await signedIn();
    const a = window('window-a');
    const b = window('window-b');
    await a.keeper.add(session, []);
    await b.keeper.sessions();
    for (let i = 0; i < 10; i++) {
      clock.advance(HOUR);
      const [ra, rb] = await Promise.all([a.keeper.usable(session), b.keeper.usable(session)]);
      assert.ok(ra && rb, `iteration ${i}: a session was lost`);
      assert.equal(ra.tokens.accessToken, rb.tokens.accessToken, `iteration ${i}`);
    }
    // Ten, and at most a proactive timer's refresh more on a slow machine; two per iteration would be a replay.
    assert.ok(refreshes.length >= 10 && refreshes.length <= 12, refreshes.join(' '));
    assert.equal(a.signedOut.length + b.signedOut.length, 0);
  });
});
