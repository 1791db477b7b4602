import * as assert from 'node:assert/strict';
import { startOpProcess, type OpProcess } from '../../support/op';
import { loopbackSignIn, testClient, testConfig } from '../../support/protocolHarness';

const API_A = 'https://api-a.example.test/';
const API_B = 'https://api-b.example.test/mcp';

function claimsOf(jwt: string): Record<string, unknown> {
  const parts = jwt.split('.');
  assert.equal(parts.length, 3, 'a JWT access token (the AS issues JWTs for resource servers)');
  return JSON.parse(Buffer.from(parts[1], 'base64url').toString());
}

suite('RFC 8707 resource indicators and RFC 9126 PAR against oidc-provider', function () {
  this.timeout(30_000);
  let op: OpProcess;
  suiteSetup(async () => {
    op = await startOpProcess({ resourceIndicators: [API_A, API_B], deviceInterval: 0.05 });
  });
  suiteTeardown(async () => {
    await op?.stop();
  });

  test('resource on the authorization request; the code exchange and the refresh give tokens for that resource only', async () => {
    const c = testClient(testConfig(op, { resources: [API_A] }));
    const pending = await c.beginAuthorization({
      requestedScopes: ['api:read'],
      redirectUri: 'http://127.0.0.1:1/callback',
    });
    assert.deepEqual(new URL(pending.url).searchParams.getAll('resource'), [API_A]);
    const r = await loopbackSignIn(op, c, ['api:read']);
    const at = claimsOf(r.tokens.accessToken);
    assert.equal(at.aud, API_A);
    assert.match(String(at.scope), /\bapi:read\b/);
    assert.ok(r.tokens.refreshToken);
    const before = (await op.stats()).tokenByGrant.refresh_token;
    const refreshed = await c.refresh(r.tokens);
    assert.equal(claimsOf(refreshed.accessToken).aud, API_A, 'the refreshed token is for the same resource');
    assert.equal((await op.stats()).tokenByGrant.refresh_token, before + 1);
  });

  test('different resources give tokens with different audiences', async () => {
    const b = await loopbackSignIn(op, testClient(testConfig(op, { resources: [API_B] })), ['api:read']);
    assert.equal(claimsOf(b.tokens.accessToken).aud, API_B);
  });

  test('no resources: no resource parameter, an opaque token as before', async () => {
    const c = testClient(testConfig(op));
    const pending = await c.beginAuthorization({ requestedScopes: [], redirectUri: 'http://127.0.0.1:1/callback' });
    assert.equal(new URL(pending.url).searchParams.get('resource'), null);
    const r = await loopbackSignIn(op, c);
    assert.equal(r.tokens.accessToken.split('.').length, 1);
  });

  test('device flow: resource on the device authorization and polling requests', async () => {
    const c = testClient(testConfig(op, { resources: [API_A], flow: 'device-code' }));
    const handle = await c.startDeviceAuthorization(['api:read']);
    await op.drive(handle.verificationUriComplete!);
    const r = await c.pollDeviceAuthorization(handle);
    assert.equal(claimsOf(r.tokens.accessToken).aud, API_A);
  });

  test('PAR by choice: the browser URL carries only client_id and request_uri, and the sign-in completes', async () => {
    const c = testClient(testConfig(op, { pushedAuthorizationRequests: true, resources: [API_A] }));
    const pending = await c.beginAuthorization({ requestedScopes: [], redirectUri: 'http://127.0.0.1:1/callback' });
    const q = new URL(pending.url).searchParams;
    assert.deepEqual([...q.keys()].sort(), ['client_id', 'request_uri']);
    assert.ok(!pending.url.includes('code_challenge'), 'PKCE challenge and state go to the server directly');
    const before = (await op.stats()).routes.pushed_authorization_request ?? 0;
    const r = await loopbackSignIn(op, c, ['api:read']);
    assert.equal(claimsOf(r.tokens.accessToken).aud, API_A);
    assert.equal((await op.stats()).routes.pushed_authorization_request, before + 1);
  });

  test('PAR not chosen and not required: a plain authorization URL', async () => {
    const pending = await testClient(testConfig(op)).beginAuthorization({
      requestedScopes: [],
      redirectUri: 'http://127.0.0.1:1/callback',
    });
    assert.equal(new URL(pending.url).searchParams.get('request_uri'), null);
  });

  test('PAR required by the server: used without being configured', async () => {
    const strict = await startOpProcess({ requirePar: true });
    try {
      const c = testClient(testConfig(strict));
      assert.equal((await c.serverMetadata()).require_pushed_authorization_requests, true);
      const r = await loopbackSignIn(strict, c);
      assert.equal(r.account.label, 'alice');
      assert.equal((await strict.stats()).routes.pushed_authorization_request, 1);
    } finally {
      await strict.stop();
    }
  });
});
