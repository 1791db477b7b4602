import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { OAuthAccountsApi } from '../../api/oauth-accounts';
import { startOpProcess, TEST_CLIENTS, type OpProcess } from '../support/op';
import { EXTENSION_ID, opPorts, until, userinfo } from './support';

/** The public API, used the way another extension would: through the extension's exports. */
suite('Extension API (registerProvider)', function () {
  this.timeout(60_000);
  let op: OpProcess;
  let api: OAuthAccountsApi;

  suiteSetup(async () => {
    op = await startOpProcess({ port: opPorts()[2] });
    api = (await vscode.extensions.getExtension<OAuthAccountsApi>(EXTENSION_ID)!.activate());
  });
  suiteTeardown(async () => { await op?.stop(); });

  test('version 1, no token access through exports', () => {
    assert.equal(api.version, 1);
    assert.deepEqual(Object.keys(api).filter((k) => k !== 'testInternals').sort(), ['getProviders', 'onDidChangeProviders', 'registerProvider', 'version']);
  });

  test('an invalid entry throws naming the field; a taken id throws', () => {
    assert.throws(() => api.registerProvider({ id: 'api-bad', label: 'Bad', clientId: 'x', issuer: 'http://idp.example.com' }), /"issuer" must use https/);
    assert.throws(() => api.registerProvider({ id: 'github', label: 'Mine', clientId: 'x', issuer: op.issuer }), /already in use/);
  });

  test('a provider registered in code signs in, is listed, and goes away on dispose', async () => {
    let changes = 0;
    const sub = api.onDidChangeProviders(() => changes++);
    const registration = api.registerProvider({ id: 'api-idp', label: 'API IdP', issuer: op.issuer, clientId: TEST_CLIENTS.public, flow: 'loopback' });
    try {
      assert.deepEqual(api.getProviders().find((p) => p.id === 'api-idp'), { id: 'api-idp', label: 'API IdP', issuer: op.issuer, source: 'api' });
      assert.ok(changes >= 1);
      assert.throws(() => api.registerProvider({ id: 'api-idp', label: 'Again', clientId: 'x', issuer: op.issuer }), /already in use/);
      assert.equal(await vscode.authentication.getSession('api-idp', [], { silent: true }), undefined, 'registered with VS Code');
      const session = await vscode.commands.executeCommand<vscode.AuthenticationSession>('oauthAccounts.signIn', 'api-idp');
      assert.equal(session?.account.label, 'alice');
      assert.equal((await userinfo(op.issuer, session.accessToken)).status, 200);
      // Token details: account, scopes, decoded claims — never the raw tokens.
      const details = await vscode.commands.executeCommand<string>('oauthAccounts.showTokenDetails');
      assert.match(details, /# alice — API IdP/);
      assert.match(details, /Refresh token \| stored/);
      assert.ok(!details.includes(session.accessToken), 'no raw access token');
      const idToken = (session as { idToken?: string }).idToken!;
      assert.match(details, /"sub": "alice"/);
      assert.ok(!details.includes(idToken) && !details.includes(idToken.split('.')[2]), 'no raw ID token or signature');
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
      await vscode.commands.executeCommand('oauthAccounts.signOut', 'api-idp');
    } finally {
      registration.dispose();
      sub.dispose();
    }
    await until('unregistered', () => !api.getProviders().some((p) => p.id === 'api-idp'));
  });
});
