import * as assert from 'node:assert/strict';
import { ProviderClient } from '../../../src/protocol/client';
import { startOpProcess, TEST_CLIENTS, type OpProcess } from '../../support/op';
import { callbackFor, loopbackSignIn, testClient, testConfig } from '../../support/protocolHarness';
import { rejectsWithAuthError } from '../../support/assertions';

const URI_HANDLER_REDIRECT =
  'http://127.0.0.1:4567/stable-abc123/callback?vscode-reqid=7&vscode-scheme=code-oss&vscode-authority=openauth.oauth-accounts&vscode-path=%2Fcallback';

const rejects = rejectsWithAuthError;
const advertisesSelectAccount = (as: object) => {
  const v = (as as Record<string, unknown>).prompt_values_supported;
  return Array.isArray(v) && v.includes('select_account');
};

suite('protocol/client against oidc-provider', () => {
  let op: OpProcess;
  suiteSetup(async () => {
    op = await startOpProcess({ accessTokenTtl: 60 });
  });
  suiteTeardown(async () => {
    await op?.stop();
  });

  test('OpenID discovery finds the endpoints and default scopes', async () => {
    const c = testClient(testConfig(op));
    const as = await c.serverMetadata();
    assert.equal(as.issuer, op.issuer);
    assert.ok(as.token_endpoint?.startsWith(op.issuer));
    assert.deepEqual(await c.scopesToRequest([]), ['email', 'offline_access', 'openid', 'profile']);
  });

  test('authorization URL has PKCE S256, one-time state and nonce, scopes, extra parameters and login_hint', async () => {
    const c = testClient(testConfig(op, { authorizationParameters: { audience: 'https://api.example' } }));
    const a = await c.beginAuthorization({
      requestedScopes: ['email'],
      redirectUri: 'http://127.0.0.1:1/callback',
      loginHint: 'alice',
    });
    const b = await c.beginAuthorization({ requestedScopes: ['email'], redirectUri: 'http://127.0.0.1:1/callback' });
    const q = new URL(a.url).searchParams;
    assert.equal(q.get('response_type'), 'code');
    assert.equal(q.get('client_id'), TEST_CLIENTS.public);
    assert.equal(q.get('code_challenge_method'), 'S256');
    assert.match(q.get('code_challenge')!, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(q.get('state'), a.state);
    assert.equal(q.get('nonce'), a.nonce);
    assert.equal(q.get('audience'), 'https://api.example');
    assert.equal(q.get('login_hint'), 'alice');
    assert.equal(q.get('prompt'), 'consent', 'offline_access needs prompt=consent (OIDC Core §11)');
    assert.deepEqual(q.get('scope')!.split(' ').sort(), ['email', 'offline_access', 'openid', 'profile']);
    assert.notEqual(a.state, b.state);
    assert.notEqual(a.codeVerifier, b.codeVerifier);
    assert.ok(!a.url.includes(a.codeVerifier), 'the verifier never leaves the client');
  });

  test('loopback sign-in: code exchange, validated ID token, account from userinfo, refresh token', async () => {
    const r = await loopbackSignIn(op, testClient(testConfig(op)));
    assert.equal(r.account.label, 'alice');
    assert.equal(r.account.id, `${op.issuer}#alice`);
    assert.ok(r.tokens.accessToken && r.tokens.refreshToken && r.tokens.idToken);
    assert.equal(r.tokens.idClaims?.sub, 'alice');
    assert.ok(r.tokens.expiresAt! > Date.now() + 50_000);
  });

  test('a server that does not advertise select_account never gets it, even when another account is wanted', async () => {
    const c = testClient(testConfig(op, { scopes: ['openid'] }));
    assert.ok(!advertisesSelectAccount(await c.serverMetadata()), 'this test AS does not advertise it');
    const a = await c.beginAuthorization({
      requestedScopes: [],
      redirectUri: 'http://127.0.0.1:1/callback',
      selectAccount: true,
    });
    assert.equal(new URL(a.url).searchParams.get('prompt'), null);
  });

  suite('a server that advertises prompt=select_account', () => {
    let picker: OpProcess;
    suiteSetup(async () => {
      picker = await startOpProcess({ accessTokenTtl: 60, selectAccount: true });
    });
    suiteTeardown(async () => {
      await picker?.stop();
    });
    const begin = (o: { selectAccount?: boolean; loginHint?: string; scopes?: string[] }) =>
      testClient(testConfig(picker, { scopes: o.scopes ?? ['openid'] })).beginAuthorization({
        requestedScopes: [],
        redirectUri: 'http://127.0.0.1:1/callback',
        ...o,
      });
    const prompt = async (o: Parameters<typeof begin>[0]) => new URL((await begin(o)).url).searchParams.get('prompt');

    test('another account wanted: prompt=select_account, next to consent when offline_access needs it', async () => {
      assert.ok(advertisesSelectAccount(await testClient(testConfig(picker)).serverMetadata()));
      assert.equal(await prompt({ selectAccount: true }), 'select_account');
      assert.equal(
        await prompt({ selectAccount: true, scopes: ['openid', 'offline_access'] }),
        'select_account consent',
      );
    });

    test('not with login_hint (the account is already named), and not for a first sign-in', async () => {
      assert.equal(await prompt({ selectAccount: true, loginHint: 'alice' }), null);
      assert.equal(await prompt({}), null);
    });

    test('the server shows its account picker and the sign-in completes', async () => {
      const c = testClient(testConfig(picker, { scopes: ['openid'] }));
      await picker.resetStats();
      const pending = await c.beginAuthorization({
        requestedScopes: [],
        redirectUri: 'http://127.0.0.1:9/callback',
        selectAccount: true,
      });
      const r = await c.completeAuthorization(pending, await callbackFor(picker, pending));
      assert.equal(r.account.label, 'alice');
      assert.equal((await picker.stats()).prompts.select_account, 1);
    });
  });

  test('accountLabelClaim picks the label', async () => {
    const r = await loopbackSignIn(op, testClient(testConfig(op, { accountLabelClaim: 'email' })));
    assert.equal(r.account.label, 'alice@example.test');
  });

  test('URI-handler redirect URI with a query string is sent byte-identical to the token endpoint', async () => {
    const c = testClient(testConfig(op));
    const pending = await c.beginAuthorization({ requestedScopes: [], redirectUri: URI_HANDLER_REDIRECT });
    const nav = await op.drive(pending.url, { stopAt: 'http://127.0.0.1:4567/' });
    const r = await c.completeAuthorization(pending, new URL(nav.url).searchParams);
    assert.equal(r.account.label, 'alice');
  });

  for (const method of ['client_secret_basic', 'client_secret_post'] as const) {
    test(`confidential client with ${method}`, async () => {
      const clientId = method === 'client_secret_basic' ? TEST_CLIENTS.basic : TEST_CLIENTS.post;
      const r = await loopbackSignIn(op, testClient(testConfig(op, { clientId, clientAuthentication: method })));
      assert.equal(r.account.label, 'alice');
    });
  }

  test('a confidential client without a stored secret fails with a config error naming the command', async () => {
    const c = testClient(
      testConfig(op, { clientId: TEST_CLIENTS.basic, clientAuthentication: 'client_secret_basic' }),
      null,
    );
    const pending = await c.beginAuthorization({ requestedScopes: [], redirectUri: 'http://127.0.0.1:9/callback' });
    await rejects(c.completeAuthorization(pending, await callbackFor(op, pending)), 'config', /Set Client Secret/);
  });

  test("wrong client secret is rejected with the server's words", async () => {
    const c = testClient(
      testConfig(op, { clientId: TEST_CLIENTS.basic, clientAuthentication: 'client_secret_basic' }),
      'wrong-secret',
    );
    const pending = await c.beginAuthorization({ requestedScopes: [], redirectUri: 'http://127.0.0.1:9/callback' });
    await rejects(
      c.completeAuthorization(pending, await callbackFor(op, pending)),
      'server_rejected',
      /invalid_client/,
    );
  });

  test('callback with a different state is rejected', async () => {
    const c = testClient(testConfig(op));
    const pending = await c.beginAuthorization({ requestedScopes: [], redirectUri: 'http://127.0.0.1:9/callback' });
    const cb = await callbackFor(op, pending);
    cb.set('state', 'forged');
    await rejects(c.completeAuthorization(pending, cb), 'invalid_callback', /state/);
  });

  test('callback without iss is rejected when the server advertises RFC 9207', async () => {
    const c = testClient(testConfig(op));
    const pending = await c.beginAuthorization({ requestedScopes: [], redirectUri: 'http://127.0.0.1:9/callback' });
    const cb = await callbackFor(op, pending);
    cb.delete('iss');
    await rejects(c.completeAuthorization(pending, cb), 'invalid_callback', /iss/);
  });

  test('ID token with the wrong nonce is rejected', async () => {
    const c = testClient(testConfig(op));
    const pending = await c.beginAuthorization({ requestedScopes: [], redirectUri: 'http://127.0.0.1:9/callback' });
    const cb = await callbackFor(op, pending);
    await rejects(c.completeAuthorization({ ...pending, nonce: 'another-nonce' }, cb), 'invalid_response', /nonce/);
  });

  test('a replayed code is rejected as invalid_grant', async () => {
    const c = testClient(testConfig(op));
    const pending = await c.beginAuthorization({ requestedScopes: [], redirectUri: 'http://127.0.0.1:9/callback' });
    const cb = await callbackFor(op, pending);
    await c.completeAuthorization(pending, cb);
    await rejects(c.completeAuthorization(pending, cb), 'invalid_grant');
  });

  test('access_denied becomes a message a person understands', async () => {
    const c = testClient(testConfig(op));
    await op.setState({ denyNextConsent: true });
    const pending = await c.beginAuthorization({ requestedScopes: [], redirectUri: 'http://127.0.0.1:9/callback' });
    await rejects(c.completeAuthorization(pending, await callbackFor(op, pending)), 'authorization_denied', /denied/);
  });

  test('refresh rotates the refresh token and keeps the subject; revocation kills it', async () => {
    const c = testClient(testConfig(op));
    const first = await loopbackSignIn(op, c);
    const second = await c.refresh(first.tokens);
    assert.notEqual(second.refreshToken, first.tokens.refreshToken);
    assert.notEqual(second.accessToken, first.tokens.accessToken);
    assert.equal(second.idClaims?.sub, 'alice');
    assert.equal(await c.revoke(second.refreshToken!, 'refresh_token'), true);
    await rejects(c.refresh(second), 'invalid_grant');
  });

  test('refreshed ID token for another subject is rejected (OIDC Core §12.2)', async () => {
    const c = testClient(testConfig(op));
    const first = await loopbackSignIn(op, c);
    const tampered = { ...first.tokens, idClaims: { ...first.tokens.idClaims!, sub: 'mallory' } };
    await rejects(c.refresh(tampered), 'invalid_grant', /12\.2/);
  });

  test('an unreachable server is a network error, not a rejection', async () => {
    const c = new ProviderClient(testConfig(op, { issuer: 'http://127.0.0.3:9' }), {
      fetch: (u, i) => fetch(u, i as RequestInit),
      getClientSecret: async () => undefined,
    });
    await rejects(c.serverMetadata(), 'network');
  });
});

suite('protocol/discovery variants', () => {
  test('RFC 8414 fallback when there is no OpenID metadata', async () => {
    const op = await startOpProcess({ discovery: 'oauth2' });
    try {
      const as = await testClient(testConfig(op)).serverMetadata();
      assert.equal(as.issuer, op.issuer);
    } finally {
      await op.stop();
    }
  });

  test('discoveryUrl used as-is; revocation endpoint configured; no RFC 9207 iss', async () => {
    const op = await startOpProcess({
      discovery: { path: '/custom/meta.json' },
      advertiseRevocation: false,
      issParameter: false,
    });
    try {
      const noUrl = testClient(testConfig(op));
      await rejects(noUrl.serverMetadata(), 'discovery', /No OAuth metadata/);
      const c = testClient(
        testConfig(op, {
          discoveryUrl: `${op.issuer}/custom/meta.json`,
          endpoints: { revocation: `${op.issuer}/token/revocation` },
        }),
      );
      const r = await loopbackSignIn(op, c);
      assert.equal(r.account.label, 'alice');
      assert.equal(await c.revoke(r.tokens.refreshToken!, 'refresh_token'), true);
      assert.equal((await op.stats()).revocation, 1);
    } finally {
      await op.stop();
    }
  });

  test('issuer mismatch names both values', async () => {
    const op = await startOpProcess();
    try {
      const c = testClient(
        testConfig(op, {
          discoveryUrl: `${op.issuer}/.well-known/openid-configuration`,
          issuer: 'http://127.0.0.2:1/other',
        }),
      );
      await rejects(c.serverMetadata(), 'discovery', /names issuer .*configured as http:\/\/127\.0\.0\.2:1\/other/);
    } finally {
      await op.stop();
    }
  });

  test('endpoints alone, without discovery: signs in with no metadata request at all', async () => {
    const op = await startOpProcess();
    try {
      const as = await testClient(testConfig(op)).serverMetadata();
      const c = testClient(
        testConfig(op, {
          issuer: undefined,
          scopes: ['openid'],
          endpoints: { authorization: as.authorization_endpoint!, token: as.token_endpoint! },
        }),
      );
      const r = await loopbackSignIn(op, c);
      assert.equal(r.account.label, 'alice', 'label from the ID token subject: no userinfo endpoint is known');
      assert.equal((await op.stats()).discovery, 1, 'only the lookup above hit discovery');
    } finally {
      await op.stop();
    }
  });
});
