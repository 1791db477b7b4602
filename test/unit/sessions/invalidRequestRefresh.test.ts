/**
 * Enterprise servers (issue #26) answer a dead refresh token with `400 invalid_request` instead of invalid_grant for as
 * long as the user's portal session lives. Against oidc-provider whose dead-token answer is rewritten that way
 * (enterpriseQuirks.mjs deadRefreshError): the session ends like any dead refresh token and the user is told once;
 * the same error with a 5xx status, or a transient error, keeps the session.
 */
import * as assert from 'node:assert/strict';
import { ProviderClient } from '../../../src/protocol/client';
import { AuthError } from '../../../src/protocol/errors';
import { refreshVerdict } from '../../../src/sessions/refreshingSource';
import { startOpProcess, type OpProcess } from '../../support/op';
import { FakeSecrets, openWindow, storedSession, TestClock } from '../../support/keeperHarness';
import { loopbackSignIn, testClient, testConfig } from '../../support/protocolHarness';

const HOUR = 3600_000;

suite('a dead refresh token answered 400 invalid_request', function () {
  this.timeout(60_000);
  let op: OpProcess;
  suiteSetup(async () => {
    op = await startOpProcess({ deadRefreshError: 'invalid_request', rotateRefreshToken: true });
  });
  suiteTeardown(async () => {
    await op?.stop();
  });

  test('verdicts: invalid_request with 400 ends the session; with 5xx or beside a transient error it does not', () => {
    const e = (status: number, oauthError: string) =>
      new AuthError(status >= 500 ? 'network' : 'server_rejected', 'x', { status, oauthError });
    assert.equal(refreshVerdict(e(400, 'invalid_request')), 'dead');
    assert.equal(refreshVerdict(e(503, 'invalid_request')), 'retry');
    assert.equal(refreshVerdict(e(400, 'temporarily_unavailable')), 'retry');
  });

  test('the server says invalid_request for a revoked grant: the session ends, the user is told once, callers get no session and no error', async () => {
    const clock = new TestClock();
    const config = testConfig(op);
    const r = await loopbackSignIn(op, testClient(config, null, clock.now));
    const client = new ProviderClient(config, {
      now: clock.now,
      getClientSecret: async () => undefined,
      fetch: (u, i) => fetch(u, i as RequestInit),
    });
    // The grant dies at the server (an admin, a logout elsewhere); what the server then answers is what is tested.
    await client.revoke(r.tokens.refreshToken!, 'refresh_token');
    const answer = await client.refresh(r.tokens).catch((e: AuthError) => e);
    assert.ok(
      answer instanceof AuthError && answer.details.oauthError === 'invalid_request' && answer.details.status === 400,
      String(answer),
    );

    const w = openWindow(new FakeSecrets(), client, clock, { owner: 'w' });
    const session = storedSession('s1', r, clock.now());
    await w.keeper.add(session, []);
    clock.advance(HOUR);
    assert.equal(await w.keeper.usable(session), undefined, 'a silent caller gets no session, not an error');
    assert.deepEqual(await w.keeper.sessions(), []);
    assert.deepEqual(
      w.signedOut.map((l) => l.split(':')[0]),
      ['alice'],
      'told once, with the reason',
    );
    assert.match(w.signedOut[0], /invalid_request/);
    assert.equal(await w.keeper.usable(session), undefined);
    assert.equal(w.signedOut.length, 1, 'asked again: not told again');
    w.keeper.dispose();
  });
});
