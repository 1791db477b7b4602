/**
 * Another extension's `configurationDefaults` cannot supply providers: `oauthAccounts.providers` (and
 * `oauthAccounts.preferDeviceCode`) set `disallowConfigurationDefault`, so VS Code drops such defaults. The host runs
 * with test/fixtures/defaults-ext installed, which contributes a planted provider and a changed preference.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { api, setProviders } from './support';

suite('Settings another extension cannot default', () => {
  test('a planted configurationDefaults entry is not a default and registers no provider', async () => {
    assert.ok(
      vscode.extensions.getExtension('openauth-tests.defaults'),
      'the fixture that plants defaults is installed',
    );
    await setProviders(undefined);
    const providers = vscode.workspace.getConfiguration().inspect<unknown[]>('oauthAccounts.providers');
    assert.deepEqual(providers?.defaultValue, []);
    assert.deepEqual(vscode.workspace.getConfiguration().get('oauthAccounts.providers'), []);
    assert.equal(
      vscode.workspace.getConfiguration().inspect<boolean>('oauthAccounts.preferDeviceCode')?.defaultValue,
      false,
    );
    const { registry } = await api();
    assert.equal(
      registry.configs().some((c) => c.id === 'planted-by-defaults'),
      false,
    );
  });
});
