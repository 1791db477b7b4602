/**
 * Strict servers (issue: interop): a dead refresh token answered with a bare 400/401 ends the session like
 * invalid_grant; 429 and transient OAuth errors keep it. Against oidc-provider with rotation, faults injected at the
 * fetch seam. A sign-out racing a refresh: signOutRace.test.ts; the back-off after a transient failure: backoff.test.ts.
 */
import * as assert from 'node:assert/strict';
import { ProviderClient } from '../../../src/protocol/client';
import { AuthError } from '../../../src/protocol/errors';
import { refreshVerdict } from '../../../src/sessions/refreshingSource';
import { startOpProcess, type OpProcess } from '../../support/op';
import { FakeSecrets, openWindow, storedSession, TestClock } from '../../support/keeperHarness';
import { loopbackSignIn, testClient, testConfig } from '../../support/protocolHarness';

const HOUR = 3600_000;

suite('refresh failures by what they mean', function () {
  this.timeout(60_000);
  let op: OpProcess;
  suiteSetup(async () => {
    op = await startOpProcess({ accessTokenTtl: 5, clockTolerance: 0, rotateRefreshToken: true });
  });
  suiteTeardown(async () => {
    await op?.stop();
  });

  test('verdicts: bare 400/401 and invalid_grant end the session; 5xx, 429, network and transient errors retry', () => {
    const e = (code: AuthError['code'], status?: number, oauthError?: string) =>
      new AuthError(code, 'x', { status, oauthError });
    assert.equal(refreshVerdict(e('invalid_grant', 400, 'invalid_grant')), 'dead');
    assert.equal(refreshVerdict(e('invalid_response', 400)), 'dead', 'bare 400, no JSON');
    assert.equal(refreshVerdict(e('server_rejected', 401)), 'dead', 'bare 401');
    assert.equal(refreshVerdict(e('server_rejected', 400, 'invalid_client')), 'dead');
    assert.equal(refreshVerdict(e('server_rejected', 400, 'temporarily_unavailable')), 'retry');
    assert.equal(refreshVerdict(e('invalid_response', 429)), 'retry');
    assert.equal(refreshVerdict(e('network', 503)), 'retry');
    assert.equal(refreshVerdict(e('network')), 'retry');
    assert.equal(
      refreshVerdict(e('invalid_response')),
      'retry',
      'a garbled answer without a status is not proof the grant is gone',
    );
  });

  /** A signed-in window whose token requests can be answered by `reply` instead of the server. */
  async function signedIn(reply: (url: string) => Response | undefined) {
    const clock = new TestClock();
    const r = await loopbackSignIn(op, testClient(testConfig(op), null, clock.now));
    const client = new ProviderClient(testConfig(op), {
      now: clock.now,
      getClientSecret: async () => undefined,
      fetch: async (url, init) => reply(url) ?? fetch(url, init as RequestInit),
    });
    const w = openWindow(new FakeSecrets(), client, clock, { owner: 'w' });
    const session = storedSession('s1', r, clock.now());
    await w.keeper.add(session, []);
    return { clock, w, session, client };
  }

  for (const [what, response] of [
    ['HTTP 400 with an empty body', () => new Response('', { status: 400 })],
    [
      'HTTP 401 with an HTML body',
      () => new Response('<html>Unauthorized</html>', { status: 401, headers: { 'content-type': 'text/html' } }),
    ],
  ] as const) {
    test(`a refresh answered with ${what}: the session ends, the user is told once, getSession stops failing`, async () => {
      const { clock, w, session } = await signedIn((url) => (url.endsWith('/token') ? response() : undefined));
      clock.advance(HOUR);
      assert.equal(await w.keeper.usable(session), undefined, 'no session (and no error) for the caller');
      assert.deepEqual(await w.keeper.sessions(), []);
      assert.equal(w.signedOut.length, 1, w.signedOut.join('\n'));
      assert.equal(await w.keeper.usable(session), undefined, 'asked again: still no error');
      w.keeper.dispose();
    });
  }

  test('a refresh answered with HTTP 429: the session is kept for a retry', async () => {
    const { clock, w, session } = await signedIn((url) =>
      url.endsWith('/token') ? new Response('slow down', { status: 429 }) : undefined,
    );
    clock.advance(4_000); // inside the refresh margin, still valid
    assert.equal((await w.keeper.usable(session))?.tokens.accessToken, session.tokens.accessToken);
    assert.equal((await w.keeper.sessions()).length, 1);
    assert.equal(w.signedOut.length, 0);
    assert.ok(
      w.warnings.some((l) => /retrying in 15 s/.test(l)),
      w.warnings.join('\n'),
    );
    w.keeper.dispose();
  });
});
