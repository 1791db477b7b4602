import * as assert from 'node:assert/strict';
import { deviceCode } from '../../../src/flows/deviceCode';
import type { DeviceCodeInfo, FlowUi } from '../../../src/flows/flow';
import { AuthError } from '../../../src/protocol/errors';
import { startOpProcess, type OpProcess } from '../../support/op';
import { testClient, testConfig } from '../../support/protocolHarness';
import { rejectsWithAuthError } from '../../support/assertions';
import { until } from '../../support/until';

const rejects = rejectsWithAuthError;

const polls = async (op: OpProcess) => (await op.stats()).tokenByGrant.device_code;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A FlowUi whose "user" enters the code by letting the test AS play the browser on the verification page. */
function fakeUi(op: OpProcess, shown: DeviceCodeInfo[], answer = true): FlowUi {
  return {
    openExternal: async () => {
      throw new Error('not used by the device flow');
    },
    externalCallbackUri: async () => {
      throw new Error('not used by the device flow');
    },
    waitForUriCallback: async () => {
      throw new Error('not used by the device flow');
    },
    askForRedirectedUrl: async () => {
      throw new Error('not used by the device flow');
    },
    async showDeviceCode(info) {
      shown.push(info);
      if (answer) await op.drive(info.verificationUriComplete!);
      return answer;
    },
  };
}

suite('device authorization grant (RFC 8628) against oidc-provider', function () {
  this.timeout(30_000);
  let op: OpProcess;
  suiteSetup(async () => {
    op = await startOpProcess({ deviceInterval: 0.05 });
  });
  suiteTeardown(async () => {
    await op?.stop();
  });
  setup(async () => {
    await op.setState({ denyNextConsent: false, nextAccount: null, slowDownPolls: 0 });
    await op.resetStats();
  });

  test('success: user code and verification URIs; polling while pending, then tokens with a validated ID token', async () => {
    const c = testClient(testConfig(op));
    const handle = await c.startDeviceAuthorization(['email']);
    assert.match(handle.userCode, /\S/);
    assert.ok(handle.verificationUri.startsWith(op.issuer));
    assert.ok(handle.verificationUriComplete?.startsWith(op.issuer));
    assert.ok(handle.expiresAt > Date.now() + 60_000);
    assert.deepEqual([...handle.scopes].sort(), ['email', 'offline_access', 'openid', 'profile']);
    const result = c.pollDeviceAuthorization(handle);
    await until('a pending poll', async () => (await polls(op)) >= 2);
    await op.drive(handle.verificationUriComplete!);
    const r = await result;
    assert.equal(r.account.label, 'alice');
    assert.equal(r.account.id, `${op.issuer}#alice`);
    assert.equal(r.tokens.idClaims?.sub, 'alice');
    assert.ok(r.tokens.accessToken && r.tokens.refreshToken && r.tokens.idToken);
    assert.deepEqual(r.requestedScopes, handle.scopes);
    const stats = await op.stats();
    assert.equal(stats.device_authorization, 1);
    assert.ok(stats.tokenByGrant.device_code >= 3, 'pending polls, then the successful one');
  });

  test('the user can type the code on the plain verification page (no verification_uri_complete)', async () => {
    const c = testClient(testConfig(op));
    const handle = await c.startDeviceAuthorization([]);
    const result = c.pollDeviceAuthorization(handle);
    await op.drive(handle.verificationUri, { extraFormFields: { user_code: handle.userCode } });
    assert.equal((await result).account.label, 'alice');
  });

  test('the flow: shows the code through FlowUi, keeps it in the progress line, signs in', async () => {
    const shown: DeviceCodeInfo[] = [];
    const progress: string[] = [];
    await op.setState({ nextAccount: 'bob' });
    const r = await deviceCode.run({
      client: testClient(testConfig(op)),
      requestedScopes: [],
      ui: fakeUi(op, shown),
      signal: new AbortController().signal,
      progress: (m) => progress.push(m),
    });
    assert.equal(r.account.label, 'bob');
    assert.equal(shown.length, 1);
    assert.match(progress[0], new RegExp(`Enter code ${shown[0].userCode} at ${shown[0].verificationUri}`));
  });

  test('the flow: dismissing the code is a quiet cancel and nothing is polled', async () => {
    await rejects(
      deviceCode.run({
        client: testClient(testConfig(op)),
        requestedScopes: [],
        ui: fakeUi(op, [], false),
        signal: new AbortController().signal,
      }),
      'cancelled',
    );
    await sleep(200);
    assert.equal(await polls(op), 0);
  });

  test('slow_down adds 5 s to the polling interval', async function () {
    this.timeout(30_000);
    await op.setState({ slowDownPolls: 1 });
    const c = testClient(testConfig(op));
    const handle = await c.startDeviceAuthorization([]);
    const started = Date.now();
    const result = c.pollDeviceAuthorization(handle);
    await until('the slow_down answer', async () => (await polls(op)) >= 1);
    await op.drive(handle.verificationUriComplete!);
    await sleep(1000);
    assert.equal(await polls(op), 1, 'no poll within a second of slow_down (interval was 0.05 s)');
    assert.equal((await result).account.label, 'alice');
    assert.ok(Date.now() - started >= 5000, `the next poll waited ≥ 5 s (took ${Date.now() - started} ms)`);
    assert.equal(await polls(op), 2);
  });

  test('access_denied at the IdP is a quiet cancel', async () => {
    await op.setState({ denyNextConsent: true });
    const c = testClient(testConfig(op));
    const handle = await c.startDeviceAuthorization([]);
    const result = rejects(c.pollDeviceAuthorization(handle), 'cancelled', /denied at the identity provider/);
    // After the denial oidc-provider shows its code-input form again, which the fake browser keeps submitting
    // until it gives up (HTTP 500 from /__test/drive): the denial itself has happened by then.
    await op.drive(handle.verificationUriComplete!).catch(() => undefined);
    assert.equal((await result).details.oauthError, 'access_denied');
  });

  test('Cancel stops polling at once, even in the middle of an interval', async () => {
    const c = testClient(testConfig(op));
    const started = await c.startDeviceAuthorization([]);
    // An hour's interval: a Cancel that only took effect at the next poll would outlast the test's timeout, so the
    // rejection arriving at all proves it ended the wait (no clock reading needed, nothing for a slow machine to flake).
    const handle = { ...started, response: { ...started.response, interval: 3600 } };
    const controller = new AbortController();
    const result = c.pollDeviceAuthorization(handle, controller.signal);
    await sleep(200);
    controller.abort(new AuthError('cancelled', 'Sign-in cancelled.'));
    await rejects(result, 'cancelled');
    assert.equal(await polls(op), 0, 'the first poll had not even happened');
    await op.drive(handle.verificationUriComplete!);
    await sleep(300);
    assert.equal(await polls(op), 0, 'nothing polls after Cancel');
  });

  test('a sign-in timeout (AbortSignal reason) is passed through unchanged', async () => {
    const c = testClient(testConfig(op));
    const handle = await c.startDeviceAuthorization([]);
    const result = c.pollDeviceAuthorization(
      handle,
      AbortSignal.any([AbortSignal.timeout(1), new AbortController().signal]),
    );
    // AbortSignal.timeout's reason is a DOMException, not an AuthError: reported as a cancel.
    await rejects(result, 'cancelled');
    const controller = new AbortController();
    const second = c.pollDeviceAuthorization(handle, controller.signal);
    controller.abort(new AuthError('timeout', 'No answer from the browser within 5 minutes.'));
    await rejects(second, 'timeout', /5 minutes/);
  });

  test('polling stops at expires_in with a clear message', async () => {
    const c = testClient(testConfig(op));
    const started = await c.startDeviceAuthorization([]);
    const handle = { ...started, expiresAt: Date.now() + 300 };
    await rejects(c.pollDeviceAuthorization(handle), 'timeout', /code expired before sign-in was completed/);
    const after = await polls(op);
    await sleep(300);
    assert.equal(await polls(op), after, 'no poll after expiry');
  });

  test('a server without a device authorization endpoint: flow_unavailable', async () => {
    const c = testClient(
      testConfig(op, {
        issuer: undefined,
        endpoints: { authorization: `${op.issuer}/auth`, token: `${op.issuer}/token` },
      }),
    );
    await rejects(c.startDeviceAuthorization([]), 'flow_unavailable', /device authorization endpoint/);
  });
});

suite('device authorization grant: the server says expired_token', function () {
  this.timeout(30_000);
  let op: OpProcess;
  suiteSetup(async () => {
    op = await startOpProcess({
      deviceInterval: 0.05,
      // oidc-provider answers expired_token only while the expired code is still stored; its memory adapter drops it
      // clockTolerance after expiry (0 by default here), and a poll landing after that gets invalid_grant instead.
      // 5 s keeps the expired code findable; it does not move the expiry itself (isExpired ignores the tolerance).
      clockTolerance: 5,
      // `extra` replaces ttl as a whole.
      extra: {
        ttl: {
          AccessToken: 300,
          AuthorizationCode: 60,
          IdToken: 3600,
          RefreshToken: 86400,
          Interaction: 600,
          Session: 3600,
          Grant: 86400,
          DeviceCode: 1,
        },
      },
    });
  });
  suiteTeardown(async () => {
    await op?.stop();
  });

  test('expired_token maps to a clear timeout message', async () => {
    const c = testClient(testConfig(op));
    const started = await c.startDeviceAuthorization([]);
    // Our own expiry is pushed out so that the server's answer is the one under test.
    const handle = { ...started, expiresAt: Date.now() + 60_000 };
    const e = await rejects(c.pollDeviceAuthorization(handle), 'timeout', /code expired before sign-in was completed/);
    assert.equal(e.details.oauthError, 'expired_token');
  });
});
