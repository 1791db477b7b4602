import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { OAuthAccountsApi } from '../../api/oauth-accounts';
import { startOpProcess, TEST_CLIENTS, type OpProcess } from '../support/op';
import { EXTENSION_ID, until, userinfo, signIn, signOutAll } from './support';

/** The public API, used the way another extension would: through the extension's exports. */
suite('Extension API (registerProvider)', function () {
  this.timeout(60_000);
  let op: OpProcess;
  let api: OAuthAccountsApi;

  suiteSetup(async () => {
    op = await startOpProcess();
    api = await vscode.extensions.getExtension<OAuthAccountsApi>(EXTENSION_ID)!.activate();
  });
  suiteTeardown(async () => {
    await op?.stop();
  });

  test('version 1, no token access through exports', () => {
    assert.equal(api.version, 1);
    assert.deepEqual(
      Object.keys(api)
        .filter((k) => k !== 'testInternals')
        .sort(),
      ['getProviders', 'onDidChangeProviders', 'registerProvider', 'version'],
    );
  });

  test('an invalid entry throws naming the field; a taken id throws', () => {
    assert.throws(
      () => api.registerProvider({ id: 'api-bad', label: 'Bad', clientId: 'x', issuer: 'http://idp.example.com' }),
      /"issuer" must use https/,
    );
    assert.throws(
      () => api.registerProvider({ id: 'github', label: 'Mine', clientId: 'x', issuer: op.issuer }),
      /already in use/,
    );
  });

  test('a provider registered in code signs in, is listed, and goes away on dispose', async () => {
    let changes = 0;
    const sub = api.onDidChangeProviders(() => changes++);
    const registration = api.registerProvider({
      id: 'api-idp',
      label: 'API IdP',
      issuer: op.issuer,
      clientId: TEST_CLIENTS.public,
      flow: 'loopback',
    });
    try {
      assert.deepEqual(
        api.getProviders().find((p) => p.id === 'api-idp'),
        { id: 'api-idp', label: 'API IdP', issuer: op.issuer, source: 'api' },
      );
      assert.ok(changes >= 1);
      assert.throws(
        () => api.registerProvider({ id: 'api-idp', label: 'Again', clientId: 'x', issuer: op.issuer }),
        /already in use/,
      );
      assert.equal(
        await vscode.authentication.getSession('api-idp', [], { silent: true }),
        undefined,
        'registered with VS Code',
      );
      const session = await signIn('api-idp');
      assert.equal(session?.account.label, 'alice');
      assert.equal((await userinfo(op.issuer, session.accessToken)).status, 200);
      // Token details open in a webview that no other extension can read: the command returns nothing, and no open
      // text document (readable by every extension through workspace.textDocuments) carries the claims.
      assert.equal(await vscode.commands.executeCommand('oauthAccounts.showTokenDetails'), undefined);
      await new Promise((r) => setTimeout(r, 300));
      assert.ok(
        !vscode.workspace.textDocuments.some(
          (d) => d.getText().includes('"sub"') || d.getText().includes(session.accessToken),
        ),
        'no readable document with claims or tokens',
      );
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
      await signOutAll('api-idp');
    } finally {
      registration.dispose();
      sub.dispose();
    }
    await until('unregistered', () => !api.getProviders().some((p) => p.id === 'api-idp'));
  });

  // The same API as commands, for extensions in another extension host (OAuth Accounts prefers the UI side; see
  // src/vscode/api.ts). The UI suite runs this across two real hosts; here the contract itself.
  test('the API commands: a handle proves the registrant; identical re-registration is idempotent; errors name the field', async () => {
    const exec = <T>(command: string, ...args: unknown[]) =>
      Promise.resolve(vscode.commands.executeCommand<T>(command, ...args));
    const entry = {
      id: 'cmd-idp',
      label: 'Command IdP',
      issuer: op.issuer,
      clientId: TEST_CLIENTS.public,
      flow: 'loopback' as const,
    };
    await assert.rejects(
      exec('oauthAccounts.api.registerProvider', { ...entry, issuer: 'http://idp.example.com' }),
      /"issuer" must use https/,
    );
    await assert.rejects(exec('oauthAccounts.api.registerProvider', { ...entry, id: 'github' }), /already in use/);
    type Registered = { id: string; label: string; source: string; handle?: string };
    const first = await exec<Registered>('oauthAccounts.api.registerProvider', entry);
    const handle = first.handle!;
    try {
      assert.match(handle, /^[0-9a-f-]{36}$/);
      assert.deepEqual(
        { ...first, handle: undefined },
        { id: 'cmd-idp', label: 'Command IdP', issuer: op.issuer, source: 'api', handle: undefined },
      );
      // The registrant's host restarted and it registers the same entry again: idempotent, no handle needed.
      const same = await exec<Registered>('oauthAccounts.api.registerProvider', entry);
      assert.equal(same.label, 'Command IdP');
      assert.equal(same.handle, undefined, 'the handle is never handed to a caller that cannot show it');
      // Anyone else: neither replace nor unregister.
      await assert.rejects(
        exec('oauthAccounts.api.registerProvider', { ...entry, label: 'Hijacked' }),
        /registered by another extension/,
      );
      await assert.rejects(
        exec('oauthAccounts.api.registerProvider', { ...entry, label: 'Hijacked' }, 'not-the-handle'),
        /registered by another extension/,
      );
      assert.equal(await exec('oauthAccounts.api.unregisterProvider', 'cmd-idp'), false);
      assert.equal(await exec('oauthAccounts.api.unregisterProvider', 'cmd-idp', 'not-the-handle'), false);
      assert.deepEqual(
        api
          .getProviders()
          .filter((p) => p.id === 'cmd-idp')
          .map((p) => p.label),
        ['Command IdP'],
      );
      // The registrant replaces it with its handle.
      const again = await exec<Registered>(
        'oauthAccounts.api.registerProvider',
        { ...entry, label: 'Command IdP 2' },
        handle,
      );
      assert.equal(again.label, 'Command IdP 2');
      assert.equal(again.handle, handle);
      const listed = await exec<Array<{ id: string; label: string }>>('oauthAccounts.api.getProviders');
      assert.deepEqual(
        listed.filter((p) => p.id === 'cmd-idp').map((p) => p.label),
        ['Command IdP 2'],
      );
      // An invalid replacement is refused and leaves the registered one in place.
      await assert.rejects(exec('oauthAccounts.api.registerProvider', { ...entry, clientId: '' }, handle), /clientId/);
      assert.deepEqual(
        api
          .getProviders()
          .filter((p) => p.id === 'cmd-idp')
          .map((p) => p.label),
        ['Command IdP 2'],
      );
      const session = await signIn('cmd-idp');
      assert.equal(session?.account.label, 'alice');
      await signOutAll('cmd-idp');
      // Providers from settings or from the exports are not the commands' to remove.
      const viaExports = api.registerProvider({ ...entry, id: 'exports-idp' });
      try {
        assert.equal(await exec('oauthAccounts.api.unregisterProvider', 'exports-idp', handle), false);
        await assert.rejects(
          exec('oauthAccounts.api.registerProvider', { ...entry, id: 'exports-idp' }),
          /already in use/,
        );
        assert.ok(api.getProviders().some((p) => p.id === 'exports-idp'));
      } finally {
        viaExports.dispose();
      }
    } finally {
      assert.equal(await exec('oauthAccounts.api.unregisterProvider', 'cmd-idp', handle), true);
    }
    await until('unregistered', () => !api.getProviders().some((p) => p.id === 'cmd-idp'));
    assert.equal(await exec('oauthAccounts.api.unregisterProvider', 'cmd-idp', handle), false);
  });
});
