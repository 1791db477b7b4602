/**
 * A sign-out racing a refresh, as the README promises it: the sign-out "waits for a refresh already on its way and
 * revokes the tokens that refresh produced". Against oidc-provider with rotation, configured to revoke only the
 * token it is given (revokeGrantOnRevocation: false). With oidc-provider's default, revoking the old refresh token
 * kills the whole grant, new tokens included, so a keeper that never revoked what the refresh produced would still
 * pass; many real servers revoke one token at a time.
 */
import * as assert from 'node:assert/strict';
import { ProviderClient } from '../../../src/protocol/client';
import type { AuthError } from '../../../src/protocol/errors';
import type { StoredSession } from '../../../src/sessions/sessionStore';
import { startOpProcess, type OpProcess } from '../../support/op';
import { FakeSecrets, openWindow, storedSession, TestClock } from '../../support/keeperHarness';
import { loopbackSignIn, testClient, testConfig } from '../../support/protocolHarness';
import { until } from '../../support/until';

const HOUR = 3600_000;

interface Produced {
  access_token: string;
  refresh_token: string;
}

suite('sign-out racing a refresh: waits for it, and revokes what it produced', function () {
  this.timeout(60_000);
  let op: OpProcess;
  suiteSetup(async () => {
    op = await startOpProcess({
      accessTokenTtl: 300,
      clockTolerance: 0,
      rotateRefreshToken: true,
      revokeGrantOnRevocation: false,
    });
  });
  suiteTeardown(async () => {
    await op?.stop();
  });

  /**
   * A signed-in window whose refresh has reached the server (which has rotated the tokens) while the answer is held
   * on its way back until release(). Records every token sent for revocation, once the server has answered.
   */
  async function refreshOnItsWay() {
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let produced: Produced | undefined;
    const revoked: string[] = [];
    const clock = new TestClock();
    const r = await loopbackSignIn(op, testClient(testConfig(op), null, clock.now));
    const client = new ProviderClient(testConfig(op), {
      now: clock.now,
      getClientSecret: async () => undefined,
      fetch: async (url, init) => {
        const res = await fetch(url, init as RequestInit);
        const body = new URLSearchParams(String(init?.body ?? ''));
        if (url.endsWith('/token/revocation')) revoked.push(body.get('token')!);
        if (url.endsWith('/token') && body.get('grant_type') === 'refresh_token') {
          produced = (await res.clone().json()) as Produced;
          await gate;
        }
        return res;
      },
    });
    const w = openWindow(new FakeSecrets(), client, clock, { owner: 'w' });
    const session = storedSession('s1', r, clock.now());
    await w.keeper.add(session, []);
    clock.advance(HOUR);
    const refreshing = w.keeper.usable(session);
    const { access_token, refresh_token } = await until('the refresh reached the server', () => produced);
    assert.notEqual(refresh_token, session.tokens.refreshToken, 'the server rotated the refresh token');
    return {
      w,
      session,
      refreshing,
      release,
      revoked,
      produced: { accessToken: access_token, refreshToken: refresh_token },
      clock,
    };
  }

  /** Whether the server still accepts this refresh token (a refresh with it succeeds). */
  async function refreshWorks(
    tokens: StoredSession['tokens'],
    refreshToken: string,
    clock: TestClock,
  ): Promise<boolean> {
    const plain = testClient(testConfig(op), null, clock.now);
    try {
      await plain.refresh({ ...tokens, refreshToken });
      return true;
    } catch (e) {
      assert.equal((e as AuthError).code, 'invalid_grant', (e as Error).message);
      return false;
    }
  }

  test('the tokens the racing refresh produced are revoked at the server, one by one', async () => {
    const { w, session, refreshing, release, revoked, produced, clock } = await refreshOnItsWay();
    const signingOut = w.keeper.remove('s1', 'signed out');
    await until('the sign-out revoked the old tokens', () => revoked.includes(session.tokens.accessToken));
    release();
    await signingOut;
    assert.equal(await refreshing, undefined, 'the refresh does not bring the session back');
    assert.deepEqual(await w.keeper.sessions(), []);
    // This server revokes one token at a time: only the keeper's revocation can have ended the new refresh token.
    assert.equal(
      await refreshWorks(session.tokens, produced.refreshToken, clock),
      false,
      'the new refresh token still works at the server',
    );
    const userinfo = await fetch(`${op.issuer}/me`, { headers: { authorization: `Bearer ${produced.accessToken}` } });
    assert.equal(userinfo.status, 401, 'the new access token still works at the server');
    assert.ok(
      revoked.includes(produced.refreshToken),
      `the new refresh token was sent for revocation; revoked: ${revoked.length}`,
    );
    assert.ok(revoked.includes(produced.accessToken), 'the new access token was sent for revocation');
    w.keeper.dispose();
  });

  test('remove() returns only once the refresh on its way has ended and its tokens are revoked', async () => {
    const { w, session, refreshing, release, revoked, produced } = await refreshOnItsWay();
    // What had been revoked at the moment remove() returned.
    const signingOut = w.keeper.remove('s1', 'signed out').then((r) => ({ r, revokedByThen: [...revoked] }));
    await until('the sign-out revoked the old tokens', () => revoked.includes(session.tokens.accessToken));
    release();
    const { r, revokedByThen } = await signingOut;
    assert.equal(r?.session.id, 's1');
    assert.ok(
      revokedByThen.includes(produced.refreshToken),
      'remove() returned before the refresh it raced had ended and been revoked',
    );
    assert.ok(
      revokedByThen.includes(produced.accessToken),
      'remove() returned before the new access token was revoked',
    );
    assert.equal(await refreshing, undefined);
    w.keeper.dispose();
  });
});
