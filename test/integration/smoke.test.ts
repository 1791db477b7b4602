// First test inside the real extension host: the packaged manifest and the bundle (dist/extension.js) load,
// activate, and register the commands the Accounts UI and the README rely on.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

const EXTENSION_ID = 'openauth.oauth-accounts';

suite('Smoke', () => {
  test('the extension is installed and activates', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} is not loaded as a development extension`);
    await ext.activate();
    assert.equal(ext.isActive, true);
  });

  test('sign-in and sign-out commands are registered', async () => {
    await vscode.extensions.getExtension(EXTENSION_ID)?.activate();
    const commands = new Set(await vscode.commands.getCommands(true));
    for (const id of ['oauthAccounts.signIn', 'oauthAccounts.signOut']) {
      assert.ok(commands.has(id), `command ${id} is not registered`);
    }
  });
});
