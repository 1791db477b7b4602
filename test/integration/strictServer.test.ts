/**
 * A strict server in the real extension host: redirect URIs registered exactly (port included) and revocation
 * refused to public clients. Sign-in goes through the registered port that is free (the first is held by another
 * program), and the sign-out tells the truth: removed in VS Code, but the server refused to revoke (HTTP 401).
 */
import * as assert from 'node:assert/strict';
import { holdPorts, type HeldPorts } from '../support/heldPorts';
import { startOpProcess, TEST_CLIENTS, type OpProcess } from '../support/op';
import { api, notifications, setProviders, signIn, signOutAll, until, userinfo } from './support';

suite('A strict server in the real extension host', function () {
  this.timeout(120_000);
  let op: OpProcess;
  let held: HeldPorts;
  let ports: number[];

  suiteSetup(async () => {
    // Both held by "another program" from the start; the second is freed right before the sign-in.
    held = await holdPorts(2);
    ports = held.ports;
    op = await startOpProcess({ strictLoopbackPorts: ports, revocationConfidentialOnly: true });
    const { registry } = await api();
    await setProviders([
      {
        id: 'it-strict',
        label: 'IT Strict',
        issuer: op.issuer,
        clientId: TEST_CLIENTS.strict,
        flow: 'loopback',
        loopbackPorts: ports,
      },
    ]);
    await until('registered', () => registry.get('it-strict'));
  });
  suiteTeardown(async () => {
    await setProviders(undefined);
    await held?.close();
    await op?.stop();
  });

  test('loopback sign-in on the registered port that is free; sign-out says the server refused to revoke', async () => {
    await held.release(ports[1]);
    const session = await signIn('it-strict');
    assert.equal(session.account.label, 'alice');
    assert.equal((await userinfo(op.issuer, session.accessToken)).status, 200);
    const before = notifications().length;
    await op.resetStats();
    await signOutAll('it-strict');
    assert.deepEqual(
      await (await api()).registry.get('it-strict')!.getSessions(undefined, {}),
      [],
      'removed in VS Code whatever the server said',
    );
    assert.ok((await op.stats()).revocation >= 1, 'revocation was attempted');
    const shown = await until('the sign-out message', () =>
      notifications()
        .slice(before)
        .find((l) => /Signed out of IT Strict/.test(l)),
    );
    assert.match(
      shown,
      /Signed out of IT Strict \(alice\) in VS Code, but the server refused to revoke the token \(HTTP 401\); it stays valid at the server until it expires/,
    );
  });
});
