/**
 * A strict server in the real extension host: redirect URIs registered exactly (port included) and revocation
 * refused to public clients. Sign-in goes through the registered port that is free (the first is held by another
 * program), and the sign-out tells the truth: removed in VS Code, but the server refused to revoke (HTTP 401).
 */
import * as assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { freePort } from '../host/codeServer';
import { startOpProcess, TEST_CLIENTS, type OpProcess } from '../support/op';
import { api, notifications, opPorts, setProviders, signIn, signOutAll, until, userinfo } from './support';

suite('A strict server in the real extension host', function () {
  this.timeout(120_000);
  let op: OpProcess;
  let busy: Server;
  let ports: number[];

  suiteSetup(async () => {
    ports = [await freePort(), await freePort()];
    op = await startOpProcess({ port: opPorts()[1], strictLoopbackPorts: ports, revocationConfidentialOnly: true });
    busy = createServer((_, res) => res.end('another program'));
    await new Promise<void>((r) => busy.listen(ports[0], '127.0.0.1', r));
    const { registry } = await api();
    await setProviders([{ id: 'it-strict', label: 'IT Strict', issuer: op.issuer, clientId: TEST_CLIENTS.strict, flow: 'loopback', loopbackPorts: ports }]);
    await until('registered', () => registry.get('it-strict'));
  });
  suiteTeardown(async () => {
    await setProviders(undefined);
    busy?.close();
    await op?.stop();
  });

  test('loopback sign-in on the registered port that is free; sign-out says the server refused to revoke', async () => {
    const session = await signIn('it-strict');
    assert.equal(session.account.label, 'alice');
    assert.equal((await userinfo(op.issuer, session.accessToken)).status, 200);
    const before = notifications().length;
    await op.resetStats();
    await signOutAll('it-strict');
    assert.deepEqual(await (await api()).registry.get('it-strict')!.getSessions(undefined, {}), [], 'removed in VS Code whatever the server said');
    assert.ok((await op.stats()).revocation >= 1, 'revocation was attempted');
    const shown = await until('the sign-out message', () => notifications().slice(before).find((l) => /Signed out of IT Strict/.test(l)));
    assert.match(shown, /Signed out of IT Strict \(alice\) in VS Code, but the server refused to revoke the token \(HTTP 401\); it stays valid at the server until it expires/);
  });
});
