/**
 * Workspace recommendations in the real extension host (a trusted workspace: the test host runs with Workspace Trust
 * off, which VS Code treats as trusted). VS Code refuses modal dialogs under test, which is the user closing the
 * question: that is a decline — remembered for the workspace, nothing written. Accepting, and an untrusted
 * workspace, are clicked through in the real workbench (test/ui/teams.ui.test.ts).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { api, setProviders, until } from './support';

const RECOMMENDED = 'oauthAccounts.recommendedProviders';
const recommend = (value: unknown[] | undefined) =>
  vscode.workspace.getConfiguration().update(RECOMMENDED, value, vscode.ConfigurationTarget.Workspace);
/** How many times the question about `label` reached the workbench (the test capture of notify.ts). */
const asked = (label: string) => {
  const file = process.env.OAUTH_ACCOUNTS_LOG_FILE;
  if (!file || !fs.existsSync(file)) return 0;
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('[notification') && l.includes(`recommends the identity provider "${label}"`)).length;
};
const userEntries = () =>
  vscode.workspace.getConfiguration().inspect<unknown[]>('oauthAccounts.providers')?.globalValue;

suite('Workspace recommendations', function () {
  this.timeout(60_000);
  suiteTeardown(async () => {
    await recommend(undefined);
    await setProviders(undefined);
  });

  test('a new recommendation is asked about once; closing the question declines it: nothing written, not asked again', async () => {
    assert.ok(vscode.workspace.isTrusted);
    const { recommendations, workspaceState } = await api();
    await recommend([{ id: 'rec-corp', label: 'Rec Corp', issuer: 'https://sso.corp.example', clientId: 'vscode' }]);
    await until('the question', () => asked('Rec Corp') === 1);
    await recommendations.offer();
    assert.equal(userEntries(), undefined, 'nothing was written to the user settings');
    assert.equal(
      (workspaceState.get<string[]>('oauthAccounts.declinedRecommendations') ?? []).length,
      1,
      'remembered as declined for this workspace',
    );
    await recommendations.offer();
    assert.equal(asked('Rec Corp'), 1, 'not asked again');
  });

  test('a recommendation that would change the server of an entry the user has is never offered and never replaces it', async () => {
    const { recommendations } = await api();
    const mine = { id: 'rec-mine', label: 'Mine', issuer: 'https://sso.corp.example', clientId: 'vscode' };
    await setProviders([mine]);
    await recommend([{ id: 'rec-mine', label: 'Rec Evil', issuer: 'https://evil.example', clientId: 'vscode' }]);
    await recommendations.offer();
    assert.equal(asked('Rec Evil'), 0);
    assert.deepEqual(userEntries(), [mine]);
  });

  test('an invalid recommendation is not offered', async () => {
    const { recommendations } = await api();
    await recommend([{ id: 'rec-bad', label: 'Rec Bad', issuer: 'http://evil.example', clientId: 'vscode' }]);
    await recommendations.offer();
    assert.equal(asked('Rec Bad'), 0);
  });
});
