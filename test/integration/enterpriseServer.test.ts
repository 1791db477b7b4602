/**
 * An enterprise IdP as deployed (issue #26), in the real extension host: dynamic registration at a server that makes
 * every registered client confidential, answers without client_secret_expires_at and matches redirect URIs exactly
 * (port included), for an entry with a `loopbackPorts` pool; and a dead refresh token answered `400 invalid_request`.
 * The server is oidc-provider with the knobs of test/fixtures/op/enterpriseQuirks.mjs.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { freePort } from '../host/codeServer';
import { registrationKey } from '../../src/sessions/registrationStore';
import { startOpProcess, type OpProcess } from '../support/op';
import { api, notifications, setProviders, signIn, signOutAll, until, userinfo } from './support';

suite('An enterprise IdP as deployed, in the real extension host', function () {
  this.timeout(120_000);
  let op: OpProcess;
  let ports: number[];
  const entry = (pool: number[]) => ({
    id: 'it-corp',
    label: 'IT Corp',
    issuer: op.issuer,
    flow: 'loopback',
    loopbackPorts: pool,
  });
  const server = () => ({ issuer: op.issuer, endpoints: {} });

  suiteSetup(async () => {
    ports = [await freePort(), await freePort(), await freePort()];
    op = await startOpProcess({
      accessTokenTtl: 6,
      registration: true,
      forceConfidentialRegistration: true,
      omitSecretExpiry: true,
      exactRedirectUris: true,
      deadRefreshError: 'invalid_request',
      extra: { features: { registrationManagement: { enabled: true } } },
    });
    await (await api()).secrets.delete(registrationKey(server())); // an earlier suite's server at this address
  });
  suiteTeardown(async () => {
    await setProviders(undefined);
    await (await api()).secrets.delete(registrationKey(server()));
    await op?.stop();
  });

  test('registered for exactly its ports, as the confidential client the server made it; a changed pool is updated in place and the session stays', async () => {
    const { registry } = await api();
    await setProviders([entry([ports[0], ports[1]])]);
    const config = await until('the registered client', () => registry.get('it-corp')?.config, 20_000);
    assert.equal(config.clientAuthentication, 'client_secret_basic', 'the method the server registered');
    const record = (await registry.registrations.get(server()))!;
    assert.ok(record.clientSecret, 'its secret is in the registration record');
    assert.deepEqual(
      record.redirectUris.filter((u) => u.startsWith('http://127.0.0.1')),
      [`http://127.0.0.1:${ports[0]}/callback`, `http://127.0.0.1:${ports[1]}/callback`],
    );

    const session = await signIn('it-corp');
    assert.equal(session.account.label, 'alice');
    assert.equal((await userinfo(op.issuer, session.accessToken)).status, 200);

    await setProviders([entry([ports[2]])]);
    const updated = await until(
      'the updated registration',
      () =>
        registry.get('it-corp')?.config.loopbackPorts?.[0] === ports[2] ? registry.get('it-corp')!.config : undefined,
      20_000,
    );
    assert.equal(updated.clientId, config.clientId, 'RFC 7592: the same client');
    assert.equal((await op.stats()).routes.client_update, 1);
    assert.deepEqual(
      (await registry.get('it-corp')!.getSessions(undefined, {})).map((s) => s.id),
      [session.id],
      'the session outlives the pool change',
    );
    const again = await signIn('it-corp');
    assert.equal((await userinfo(op.issuer, again.accessToken)).status, 200, 'signed in on the new port');
    await signOutAll('it-corp');
    await signIn('it-corp');
  });

  test('a dead refresh token answered 400 invalid_request: the silent lookup gets no session, VS Code is told, the user gets one notice with Sign In', async () => {
    const { registry } = await api();
    const p = registry.get('it-corp')!;
    const [stored] = await p.store.readAll();
    const before = notifications().length;
    const told = new Promise<void>((resolve) => {
      const sub = vscode.authentication.onDidChangeSessions((e) => {
        if (e.provider.id === 'it-corp') {
          sub.dispose();
          resolve();
        }
      });
    });
    // The grant dies at the server (revoked with the registered client's own secret); the next refresh is refused.
    await (
      p.keeper as unknown as { deps: { client: { revoke(t: string, h: string): Promise<boolean> } } }
    ).deps.client.revoke(stored.tokens.refreshToken!, 'refresh_token');
    // What VS Code calls for a silent getSession: the provider's getSessions, once the token is no longer fresh.
    await until(
      'the session to end',
      async () => (await registry.registered('it-corp')!.getSessions(undefined, {})).length === 0,
      20_000,
    );
    await told;
    const shown = notifications()
      .slice(before)
      .filter((l) => /IT Corp: alice needs to sign in again/.test(l));
    assert.equal(shown.length, 1, shown.join('\n'));
    assert.match(shown[0], /invalid_request.*\[Sign In\]/);
    assert.equal(
      await vscode.authentication.getSession('it-corp', [], { silent: true }),
      undefined,
      'no session, and no error',
    );
    assert.equal(
      notifications()
        .slice(before)
        .filter((l) => /needs to sign in again/.test(l)).length,
      1,
      'asked again: no second notice',
    );
  });
});
