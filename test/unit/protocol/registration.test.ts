import * as assert from 'node:assert/strict';
import { FakeSecrets } from '../../support/fakeSecrets';
import { ensureRegisteredClient } from '../../../src/engine/registerClient';
import { isForgottenClient } from '../../../src/sessions/dynamicClientIds';
import { grantTypesFor, registerPublicClient, DEVICE_CODE_GRANT } from '../../../src/protocol/registration';
import { createFetch } from '../../../src/protocol/http';
import { legacyRegistrationKey, RegistrationStore, registrationKey } from '../../../src/sessions/registrationStore';
import { rejectsWithAuthError } from '../../support/assertions';
import { startOpProcess, type OpProcess } from '../../support/op';
import { loopbackSignIn, testClient, testConfig } from '../../support/protocolHarness';

const REDIRECTS = ['http://127.0.0.1/callback', 'vscode://openauth.oauth-accounts/callback'];
const seam = createFetch((u, i) => fetch(u, i as RequestInit), { timeoutMs: 5_000 });

suite('dynamic client registration (RFC 7591) against oidc-provider', function () {
  this.timeout(30_000);
  let op: OpProcess;
  suiteSetup(async () => {
    op = await startOpProcess({ registration: true });
  });
  suiteTeardown(async () => {
    await op?.stop();
  });

  test('registers a public native client once per server, stores it by the server binding, and signs in with it', async () => {
    const server = { issuer: op.issuer, endpoints: {} };
    const as = await testClient(testConfig(op)).serverMetadata();
    assert.deepEqual(grantTypesFor(as), ['authorization_code', 'refresh_token', DEVICE_CODE_GRANT]);
    const secrets = new FakeSecrets();
    const store = new RegistrationStore(secrets);
    const first = await ensureRegisteredClient(store, server, as, { redirectUris: REDIRECTS }, seam);
    assert.ok(first.registeredNow);
    assert.ok(first.client.registrationAccessToken, 'RFC 7592 management token kept');
    assert.deepEqual([...secrets.data.keys()], [registrationKey(server)]);
    // Another window, another entry of the same server: the stored registration, no second request.
    const again = await ensureRegisteredClient(
      new RegistrationStore(secrets),
      server,
      as,
      { redirectUris: REDIRECTS },
      seam,
    );
    assert.equal(again.registeredNow, false);
    assert.equal(again.client.clientId, first.client.clientId);
    assert.equal((await op.stats()).routes.registration, 1);
    const r = await loopbackSignIn(op, testClient(testConfig(op, { clientId: first.client.clientId })));
    assert.equal(r.account.label, 'alice');
    assert.ok(r.tokens.refreshToken, 'refresh_token grant registered');
  });

  test('a record is only used for the server binding and registration endpoint it was made at', async () => {
    const secrets = new FakeSecrets();
    const store = new RegistrationStore(secrets);
    const a = { issuer: 'https://a.example', endpoints: {} };
    await store.set(a, 'https://a.example/reg', { clientId: 'x', redirectUris: [] });
    assert.equal((await store.get(a, 'https://a.example/reg'))?.clientId, 'x');
    assert.equal(
      (await store.get({ issuer: 'https://a.example', endpoints: {} }))?.clientId,
      'x',
      'the same binding, another object',
    );
    assert.equal(await store.get(a, 'https://evil.example/reg'), undefined);
    // The same issuer with anything else that decides where requests go is another server.
    for (const lookAlike of [
      {
        issuer: 'https://a.example',
        discoveryUrl: 'https://evil.example/.well-known/openid-configuration',
        endpoints: {},
      },
      { issuer: 'https://a.example', endpoints: { token: 'https://evil.example/token' } },
    ]) {
      assert.equal(await store.get(lookAlike), undefined, JSON.stringify(lookAlike));
      assert.equal(await store.forget(lookAlike, 'x'), true, 'forgets only under its own binding');
      assert.equal((await store.get(a))?.clientId, 'x', 'the real record stays');
    }
    const b = { issuer: 'https://b.example', endpoints: {} };
    secrets.data.set(registrationKey(b), secrets.data.get(registrationKey(a))!);
    assert.equal(await store.get(b), undefined, 'a copied record names its own binding');
  });

  test('a record stored by an earlier version under the issuer alone is adopted only by the plain entry and its own registration endpoint', async () => {
    const legacy = (issuer: string, endpoint: string) =>
      JSON.stringify({
        v: 1,
        issuer,
        registrationEndpoint: endpoint,
        client: { clientId: 'old', redirectUris: [] },
        createdAt: 1,
      });
    const secrets = new FakeSecrets();
    const store = new RegistrationStore(secrets);
    const plain = { issuer: 'https://a.example', endpoints: {} };
    secrets.data.set(legacyRegistrationKey('https://a.example'), legacy('https://a.example', 'https://a.example/reg'));
    assert.equal(
      await store.adoptLegacy({ ...plain, discoveryUrl: 'https://evil.example/d' }, 'https://a.example/reg'),
      undefined,
      'not by a look-alike',
    );
    assert.ok(secrets.data.has(legacyRegistrationKey('https://a.example')), 'and left for the real entry');
    assert.equal((await store.adoptLegacy(plain, 'https://a.example/reg'))?.clientId, 'old');
    assert.deepEqual([...secrets.data.keys()], [registrationKey(plain)], 'moved under the binding, the old copy gone');
    // One planted by a look-alike entry was made at another registration endpoint: deleted, never used.
    secrets.data.clear();
    secrets.data.set(
      legacyRegistrationKey('https://a.example'),
      legacy('https://a.example', 'https://evil.example/reg'),
    );
    assert.equal(await store.adoptLegacy(plain, 'https://a.example/reg'), undefined);
    assert.deepEqual([...secrets.data.keys()], []);
  });

  test('the server forgets the client: invalid_client, the record is dropped, the next call registers again', async () => {
    const as = await testClient(testConfig(op)).serverMetadata();
    const server = { issuer: op.issuer, endpoints: {} };
    const store = new RegistrationStore(new FakeSecrets());
    const { client } = await ensureRegisteredClient(store, server, as, { redirectUris: REDIRECTS }, seam);
    const signedIn = await loopbackSignIn(op, testClient(testConfig(op, { clientId: client.clientId })));
    await op.forgetClient(client.clientId);
    const err = await testClient(testConfig(op, { clientId: client.clientId }))
      .refresh(signedIn.tokens)
      .catch((e) => e);
    assert.ok(isForgottenClient(err), String(err));
    assert.ok(await store.forget(server, client.clientId));
    const next = await ensureRegisteredClient(store, server, as, { redirectUris: REDIRECTS }, seam);
    assert.ok(next.registeredNow);
    assert.notEqual(next.client.clientId, client.clientId);
    assert.equal(await store.forget(server, client.clientId), false, 'a stale id never deletes the new record');
  });

  test('initial access token (RFC 7591 §3): refused without it, registered with it', async () => {
    const gated = await startOpProcess({ registration: { initialAccessToken: 'test-only-iat-0123456789' } });
    try {
      const as = await testClient(testConfig(gated)).serverMetadata();
      await rejectsWithAuthError(
        registerPublicClient(as, { redirectUris: REDIRECTS }, seam),
        'server_rejected',
        /initial access token/,
      );
      await rejectsWithAuthError(
        registerPublicClient(as, { redirectUris: REDIRECTS, initialAccessToken: 'wrong' }, seam),
        'server_rejected',
        /initial access token/,
      );
      const c = await registerPublicClient(
        as,
        { redirectUris: REDIRECTS, initialAccessToken: 'test-only-iat-0123456789' },
        seam,
      );
      assert.ok(c.clientId);
    } finally {
      await gated.stop();
    }
  });

  test('a server without registration: the caller is told to enter a client id', async () => {
    const plain = await startOpProcess();
    try {
      const as = await testClient(testConfig(plain)).serverMetadata();
      assert.equal(as.registration_endpoint, undefined);
      await rejectsWithAuthError(
        ensureRegisteredClient(
          new RegistrationStore(new FakeSecrets()),
          { issuer: plain.issuer, endpoints: {} },
          as,
          { redirectUris: REDIRECTS },
          seam,
        ),
        'config',
        /clientId/,
      );
      await rejectsWithAuthError(
        registerPublicClient(as, { redirectUris: REDIRECTS }, seam),
        'flow_unavailable',
        /by hand/,
      );
    } finally {
      await plain.stop();
    }
  });
});
