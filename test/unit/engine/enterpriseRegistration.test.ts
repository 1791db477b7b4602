/**
 * Dynamic registration at enterprise IdPs as they are deployed (issue #26), against the real oidc-provider with the
 * knobs of test/fixtures/op/enterpriseQuirks.mjs: a registration answered without client_secret_expires_at, a server
 * that makes every registered client confidential, and redirect URIs matched exactly (port included) with a
 * `loopbackPorts` pool that changes — kept in step by an RFC 7592 update, or by a new registration without one.
 */
import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import { ensureRegisteredClient } from '../../../src/engine/registerClient';
import { DynamicClientIds } from '../../../src/sessions/dynamicClientIds';
import { parseProvider } from '../../../src/protocol/config';
import { registerPublicClient } from '../../../src/protocol/registration';
import { registrationFits } from '../../../src/protocol/registeredClient';
import { registeredClientFrom } from '../../../src/protocol/registrationAnswer';
import { createFetch } from '../../../src/protocol/http';
import { RegistrationStore, registrationKey } from '../../../src/sessions/registrationStore';
import { FakeSecrets } from '../../support/fakeSecrets';
import { startOpProcess, type OpProcess } from '../../support/op';
import { loopbackSignIn, testClient, testConfig } from '../../support/protocolHarness';
import { rejectsWithAuthError } from '../../support/assertions';
import { AuthError } from '../../../src/protocol/errors';

const HANDLER = 'vscode://openauth.oauth-accounts/callback';
const seam = createFetch((u, i) => fetch(u, i as RequestInit), { timeoutMs: 5_000 });
const pool = (ports: number[]) => [...ports.map((p) => `http://127.0.0.1:${p}/callback`), HANDLER];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer().once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** Whether the server accepts an authorization request of `clientId` that sends this redirect URI. */
async function acceptsRedirect(op: OpProcess, clientId: string, redirectUri: string): Promise<boolean> {
  const pending = await testClient(testConfig(op, { clientId }), null).beginAuthorization({
    requestedScopes: [],
    redirectUri,
  });
  const nav = await op.drive(pending.url, { stopAt: 'http://127.0.0.1:' });
  return nav.url.startsWith(`${redirectUri}?`) && new URL(nav.url).searchParams.has('code');
}

suite('dynamic registration at an enterprise IdP as deployed (issue #26)', function () {
  this.timeout(60_000);

  test('a registration answer without client_secret_expires_at, from a server that makes every client confidential: used as registered, logged once', async () => {
    const op = await startOpProcess({
      registration: true,
      forceConfidentialRegistration: true,
      omitSecretExpiry: true,
      accessTokenTtl: 5,
    });
    try {
      const server = { issuer: op.issuer, endpoints: {} };
      const as = await testClient(testConfig(op)).serverMetadata();
      const logs: string[] = [];
      const secrets = new FakeSecrets();
      const store = new RegistrationStore(secrets, (l) => logs.push(l));
      const { client } = await ensureRegisteredClient(
        store,
        server,
        as,
        { redirectUris: ['http://127.0.0.1/callback', HANDLER] },
        seam,
      );
      assert.equal(client.clientAuthentication, 'client_secret_basic', 'the method the server answered');
      assert.ok(client.clientSecret, 'the secret it issued');
      assert.equal(client.clientSecretExpiresAt, undefined, 'taken as not expiring');
      assert.equal(logs.filter((l) => /client_secret_expires_at/.test(l)).length, 1, logs.join('\n'));
      assert.ok(
        logs.every((l) => !l.includes(client.clientSecret!)),
        'the secret is never logged',
      );
      // The secret is kept in the registration record (SecretStorage) of this server binding, and nowhere else.
      assert.deepEqual(await secrets.keys(), [registrationKey(server)]);
      assert.equal(await store.clientSecret(server, client.clientId), client.clientSecret);
      assert.equal(
        await store.clientSecret({ ...server, endpoints: { token: 'https://evil.example/token' } }, client.clientId),
        undefined,
        'not for a look-alike binding',
      );
      assert.equal(await store.clientSecret(server, 'another-client'), undefined, 'not for another client id');

      const confidential = testConfig(op, { clientId: client.clientId, clientAuthentication: 'client_secret_basic' });
      const signedIn = await loopbackSignIn(op, testClient(confidential, client.clientSecret!));
      assert.ok(signedIn.tokens.refreshToken);
      const refreshed = await testClient(confidential, client.clientSecret!).refresh(signedIn.tokens);
      assert.notEqual(refreshed.accessToken, signedIn.tokens.accessToken);
      await rejectsWithAuthError(
        testClient({ ...confidential, clientAuthentication: 'none' }).refresh(refreshed),
        'server_rejected',
        /invalid_client/,
      );
    } finally {
      await op.stop();
    }
  });

  test('what a registration answer may say about the client: kept, refused or dropped', () => {
    const log: string[] = [];
    const read = (body: Record<string, unknown>) =>
      registeredClientFrom(body, [HANDLER], 'https://idp.example', (l) => log.push(l));
    assert.deepEqual(
      read({ client_id: 'a', token_endpoint_auth_method: 'none', client_secret: 'unused' }),
      { clientId: 'a', redirectUris: [HANDLER] },
      'a secret next to none is not kept',
    );
    assert.equal(
      read({ client_id: 'b', client_secret: 's', client_secret_expires_at: 2_000_000_000 }).clientSecretExpiresAt,
      2_000_000_000_000,
      'omitted method + secret: client_secret_basic, expiry kept',
    );
    assert.equal(
      read({
        client_id: 'c',
        client_secret: 's',
        token_endpoint_auth_method: 'client_secret_post',
        client_secret_expires_at: 0,
      }).clientAuthentication,
      'client_secret_post',
    );
    assert.deepEqual(log, [], 'nothing to log while the expiry is a number');
    assert.equal(
      read({ client_id: 'd', client_secret: 's', client_secret_expires_at: 'never' }).clientSecretExpiresAt,
      undefined,
    );
    assert.equal(log.length, 1);
    assert.throws(() => read({ client_id: 'e', token_endpoint_auth_method: 'private_key_jwt' }), /cannot use/);
    assert.throws(
      () => read({ client_id: 'f', token_endpoint_auth_method: 'client_secret_basic' }),
      /sent no client_secret/,
    );
    const expiring = read({ client_id: 'g', client_secret: 's', client_secret_expires_at: 1_000 });
    assert.equal(registrationFits(expiring, [HANDLER], 999_999), true);
    assert.equal(registrationFits(expiring, [HANDLER], 1_000_000), false, 'an expired secret: registered anew');
    assert.equal(registrationFits(expiring, [HANDLER, 'http://127.0.0.1/callback'], 0), false, 'other redirect URIs');
  });

  test('exact redirect URIs: the loopbackPorts pool is registered port by port; a changed pool is updated in place (RFC 7592)', async () => {
    const op = await startOpProcess({
      registration: true,
      exactRedirectUris: true,
      extra: { features: { registrationManagement: { enabled: true, rotateRegistrationAccessToken: true } } },
    });
    try {
      const [p1, p2, p3] = [await freePort(), await freePort(), await freePort()];
      const server = { issuer: op.issuer, endpoints: {} };
      const as = await testClient(testConfig(op)).serverMetadata();
      // What was registered before: any port on 127.0.0.1. This server refuses the entry's registered port with it.
      const old = await registerPublicClient(as, { redirectUris: ['http://127.0.0.1/callback', HANDLER] }, seam);
      assert.equal(
        await acceptsRedirect(op, old.clientId, `http://127.0.0.1:${p1}/callback`),
        false,
        'the test server matches exactly',
      );

      const store = new RegistrationStore(new FakeSecrets());
      const first = await ensureRegisteredClient(store, server, as, { redirectUris: pool([p1, p2]) }, seam);
      assert.deepEqual(first.client.redirectUris, pool([p1, p2]));
      const r = await loopbackSignIn(
        op,
        testClient(testConfig(op, { clientId: first.client.clientId }), null),
        [],
        [p1, p2],
      );
      assert.equal(r.account.label, 'alice', 'signed in on the first registered port');

      const second = await ensureRegisteredClient(store, server, as, { redirectUris: pool([p2, p3]) }, seam);
      assert.ok(second.updatedNow && !second.registeredNow);
      assert.equal(second.client.clientId, first.client.clientId, 'the same client: its sessions stay');
      assert.notEqual(
        second.client.registrationAccessToken,
        first.client.registrationAccessToken,
        'the rotated token is kept',
      );
      assert.deepEqual((await store.get(server))?.redirectUris, pool([p2, p3]));
      assert.equal((await op.stats()).routes.client_update, 1);
      assert.equal(
        await acceptsRedirect(op, second.client.clientId, `http://127.0.0.1:${p3}/callback`),
        true,
        'the new port',
      );
      assert.equal(
        await acceptsRedirect(op, second.client.clientId, `http://127.0.0.1:${p1}/callback`),
        false,
        'the port that left the pool',
      );
      const again = await ensureRegisteredClient(store, server, as, { redirectUris: pool([p3, p2]) }, seam);
      assert.ok(!again.updatedNow && !again.registeredNow, 'the same URIs in another order: nothing to do');
    } finally {
      await op.stop();
    }
  });

  test('without RFC 7592 management a changed pool is registered anew; the registry notices a changed pool by itself', async () => {
    const op = await startOpProcess({ registration: true, exactRedirectUris: true });
    try {
      const [p1, p2] = [await freePort(), await freePort()];
      let ports = [p1];
      const parsed = parseProvider({ id: 'corp', label: 'Corp', issuer: op.issuer });
      assert.ok('config' in parsed);
      const store = new RegistrationStore(new FakeSecrets());
      let settled: () => void = () => {};
      const ids = new DynamicClientIds({
        store,
        redirectUris: () => pool(ports),
        register: async (c, redirectUris) =>
          (await ensureRegisteredClient(store, c, await testClient(c).serverMetadata(), { redirectUris }, seam)).client,
        onResolved: () => settled(),
        onFailed: (_c, m) => {
          throw new Error(m);
        },
      });
      const resolve = async () =>
        ids.effective(parsed.config) ??
        (await new Promise<void>((r) => {
          settled = r;
        }),
        ids.effective(parsed.config));
      const first = (await resolve())!;
      assert.equal(await acceptsRedirect(op, first.clientId, `http://127.0.0.1:${p1}/callback`), true);
      ports = [p2];
      assert.equal(ids.effective(parsed.config), undefined, 'the known client was registered for the old pool');
      const second = (await resolve())!;
      assert.notEqual(second.clientId, first.clientId, 'no registration access token to update with: a new client');
      assert.equal(await acceptsRedirect(op, second.clientId, `http://127.0.0.1:${p2}/callback`), true);
      assert.equal((await op.stats()).routes.registration, 2);
    } finally {
      await op.stop();
    }
  });

  test('the server cannot be reached when the pool changed: the stored registration keeps working; a refusal is reported', async () => {
    const parsed = parseProvider({ id: 'corp', label: 'Corp', issuer: 'https://sso.example.com' });
    assert.ok('config' in parsed);
    const store = new RegistrationStore(new FakeSecrets());
    await store.set(parsed.config, 'https://sso.example.com/reg', {
      clientId: 'made-for-any-port',
      redirectUris: ['http://127.0.0.1/callback', HANDLER],
    });
    for (const [error, expected] of [
      [new AuthError('network', 'offline'), 'made-for-any-port'],
      [new AuthError('server_rejected', 'no'), undefined],
    ] as const) {
      let settled: () => void = () => {};
      const failures: string[] = [];
      const ids = new DynamicClientIds({
        store,
        redirectUris: () => pool([8400]),
        register: async () => {
          throw error;
        },
        onResolved: () => settled(),
        onFailed: (_c, m) => {
          failures.push(m);
          settled();
        },
      });
      const done = new Promise<void>((r) => {
        settled = r;
      });
      assert.equal(ids.effective(parsed.config), undefined);
      await done;
      assert.equal(ids.effective(parsed.config)?.clientId, expected, error.code);
      assert.equal(failures.length, expected ? 0 : 1);
    }
  });
});
