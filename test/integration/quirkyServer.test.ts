import * as assert from 'node:assert/strict';
import { startOpProcess, TEST_CLIENTS, type OpProcess } from '../support/op';
import { api, setProviders, until, userinfo, signIn, signOutAll } from './support';

/**
 * A server shaped like the independent acceptance server, configured only through the public settings contract:
 * metadata only at an explicit discoveryUrl, a revocation endpoint it does not advertise, no RFC 9207 `iss`, short
 * rotating tokens. Default flow (`auto`, the URI handler in code-server), then refresh and revocation.
 */
suite('A quirky server configured only through settings', function () {
  this.timeout(120_000);
  let op: OpProcess;

  suiteSetup(async () => {
    op = await startOpProcess({
      discovery: { path: '/meta/openid.json' },
      advertiseRevocation: false,
      issParameter: false,
      accessTokenTtl: 5,
      clockTolerance: 0,
      rotateRefreshToken: true,
    });
    const { registry } = await api();
    await setProviders([
      {
        id: 'it-quirky',
        label: 'Quirky IdP',
        clientId: TEST_CLIENTS.public,
        discoveryUrl: `${op.issuer}/meta/openid.json`,
        endpoints: { revocation: `${op.issuer}/token/revocation` },
      },
    ]);
    await until('registered', () => registry.get('it-quirky'));
  });
  suiteTeardown(async () => {
    await setProviders(undefined);
    await op?.stop();
  });

  test('sign-in (auto flow), refresh before expiry, and revocation at the unadvertised endpoint', async () => {
    const session = await signIn('it-quirky');
    assert.equal(session?.account.label, 'alice');
    const stats0 = await op.stats();
    assert.equal(stats0.discoveryNotFound, 0, 'no guessing at well-known paths when discoveryUrl is set');

    const provider = (await api()).registry.get('it-quirky')!;
    await new Promise((r) => setTimeout(r, 3600)); // inside the refresh margin of a 5 s token
    const [refreshed] = await provider.getSessions(undefined, {});
    assert.equal(refreshed.id, session.id);
    assert.notEqual(refreshed.accessToken, session.accessToken, 'refreshed before it expired');
    assert.equal((await userinfo(op.issuer, refreshed.accessToken)).status, 200);

    const [stored] = await provider.store.readAll();
    await op.resetStats();
    await signOutAll('it-quirky');
    assert.equal((await op.stats()).revocation, 2, 'refresh and access token revoked at the configured endpoint');
    await assert.rejects(provider.keeper['deps'].client.refresh(stored.tokens), /invalid_grant/);
  });
});
