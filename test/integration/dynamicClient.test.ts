/**
 * An entry without clientId (RFC 7591 dynamic registration) in the real extension host: registered with VS Code in
 * the same synchronous step as every entry (a stand-in while its client id is unknown: no SecretStorage read and no
 * request happen inside activate() or applySettings), then the client is registered at the server, the real
 * provider takes over, and sign-in works with the registered client.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { startOpProcess, type OpProcess } from '../support/op';
import { api, opPorts, setProviders, signIn, signOutAll, until, userinfo } from './support';

suite('An entry without clientId in the real extension host', function () {
  this.timeout(120_000);
  let op: OpProcess;

  suiteSetup(async () => { op = await startOpProcess({ port: opPorts()[0], registration: true }); });
  suiteTeardown(async () => {
    await setProviders(undefined);
    await op?.stop();
  });

  test('registered with VS Code at once, its client id registered afterwards; sign-in uses the registered client', async () => {
    const { registry } = await api();
    await op.resetStats();
    // The first change event comes from applySettings itself, in the configuration-change event: what VS Code
    // has registered at that instant is what an extension asking right then would find.
    const atApply = new Promise<{ registered: boolean; ready: boolean }>((resolve) => {
      const sub = registry.onDidChangeProviders(() => {
        sub.dispose();
        resolve({ registered: !!registry.registered('it-dynamic'), ready: !!registry.get('it-dynamic') });
      });
    });
    await setProviders([{ id: 'it-dynamic', label: 'IT Dynamic', issuer: op.issuer, flow: 'loopback' }]);
    assert.deepEqual(await atApply, { registered: true, ready: false }, 'registered in the same step, before its client id is known');
    assert.equal(await vscode.authentication.getSession('it-dynamic', [], { silent: true }), undefined, 'answers (no session) instead of "no provider registered"');

    await until('the registered client id', () => registry.get('it-dynamic'));
    assert.equal((await op.stats()).routes.registration, 1, 'one registration at the server');
    const session = await signIn('it-dynamic');
    assert.equal(session.account.label, 'alice');
    assert.equal((await userinfo(op.issuer, session.accessToken)).status, 200);
    await signOutAll('it-dynamic');
  });
});
