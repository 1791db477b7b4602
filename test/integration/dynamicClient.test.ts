/**
 * An entry without clientId (RFC 7591 dynamic registration) in the real extension host: registered with VS Code in
 * the same synchronous step as every entry (a stand-in while its client id is unknown: no SecretStorage read and no
 * request happen inside activate() or applySettings), then the client is registered at the server, the real
 * provider takes over, and sign-in works with the registered client.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { startOpProcess, type OpProcess } from '../support/op';
import { api, setProviders, signIn, signOutAll, until, userinfo } from './support';

suite('An entry without clientId in the real extension host', function () {
  this.timeout(120_000);
  let op: OpProcess;

  // Access tokens live 6 s, so the second test's refresh comes within seconds.
  suiteSetup(async () => {
    op = await startOpProcess({ registration: true, accessTokenTtl: 6 });
  });
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
    assert.deepEqual(
      await atApply,
      { registered: true, ready: false },
      'registered in the same step, before its client id is known',
    );
    assert.equal(
      await vscode.authentication.getSession('it-dynamic', [], { silent: true }),
      undefined,
      'answers (no session) instead of "no provider registered"',
    );

    await until('the registered client id', () => registry.get('it-dynamic'));
    assert.equal((await op.stats()).routes.registration, 1, 'one registration at the server');
    const session = await signIn('it-dynamic');
    assert.equal(session.account.label, 'alice');
    assert.equal((await userinfo(op.issuer, session.accessToken)).status, 200);
    await signOutAll('it-dynamic');
  });

  test('the server forgets the client: the refresh ends the session (VS Code is told), a new client is registered, sign-in works again', async () => {
    const { registry } = await api();
    const before = (await op.stats()).routes.registration ?? 0;
    const session = await signIn('it-dynamic');
    const oldClient = registry.get('it-dynamic')!.config.clientId;
    // VS Code is told: a session change event for the provider, after which the account is gone from VS Code's list
    // (VS Code updates that list after delivering the event, so it is polled, not read once inside the listener).
    const told = new Promise<void>((resolve) => {
      const sub = vscode.authentication.onDidChangeSessions((e) => {
        if (e.provider.id === 'it-dynamic') {
          sub.dispose();
          resolve();
        }
      });
    });
    await op.forgetClient(oldClient);
    // getSessions refreshes once the token is no longer fresh (after 4 of its 6 s): invalid_client ends the session.
    await until(
      'the session to end',
      async () => (await registry.registered('it-dynamic')!.getSessions(undefined, {})).length === 0,
      20_000,
    );
    await told;
    await until(
      'the account to leave VS Code',
      async () => (await vscode.authentication.getAccounts('it-dynamic')).length === 0,
    );
    const next = await until('a new client id', () => {
      const c = registry.get('it-dynamic')?.config.clientId;
      return c && c !== oldClient ? c : undefined;
    });
    assert.notEqual(next, oldClient);
    assert.equal((await op.stats()).routes.registration, before + 1, 'registered again, once');
    const again = await signIn('it-dynamic');
    assert.notEqual(again.accessToken, session.accessToken);
    assert.equal((await userinfo(op.issuer, again.accessToken)).status, 200);
    await signOutAll('it-dynamic');
  });
});
