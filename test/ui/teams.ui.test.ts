// A provider recommended by the repository, as a teammate meets it in the real workbench: the folder's
// .vscode/settings.json names the test AS; opening it (trusted) asks once in a modal; "Don't Add" writes nothing;
// Review Recommended Providers offers it again; "Add to User Settings" copies exactly that entry into the user
// settings and the Sign In button of the confirmation signs in. In an untrusted folder nothing is offered.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startOpProcess, TEST_CLIENTS, type OpProcess } from '../support/op';
import {
  clickDialogButton,
  clickNotificationButton,
  runCommand,
  screenshot,
  signInThroughNewTab,
  startWorkbench,
  waitForActivation,
  waitForNotification,
  type Workbench,
} from './uiHarness';

const ROW = '.quick-input-widget .quick-input-list .monaco-list-row';

/** A workspace folder whose .vscode/settings.json recommends `entry`. */
function recommendingFolder(entry: object): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oauth-ui-team-'));
  fs.mkdirSync(path.join(dir, '.vscode'));
  fs.writeFileSync(
    path.join(dir, '.vscode', 'settings.json'),
    JSON.stringify({ 'oauthAccounts.recommendedProviders': [entry] }, null, 2),
  );
  return dir;
}

const userProviders = (wb: Workbench): unknown[] => {
  const text = fs.readFileSync(path.join(wb.cs.userDataDir, 'User', 'settings.json'), 'utf8');
  return (JSON.parse(text) as Record<string, unknown[]>)['oauthAccounts.providers'] ?? [];
};

suite('UI: a provider recommended by the workspace', function () {
  this.timeout(180_000);
  let op: OpProcess;
  let wb: Workbench | undefined;
  let folder = '';
  const entry = () => ({ id: 'team-idp', label: 'Team IdP', issuer: op.issuer, clientId: TEST_CLIENTS.public });

  suiteSetup(async () => {
    op = await startOpProcess();
    folder = recommendingFolder(entry());
    wb = await startWorkbench({ folder, trustedOrigins: [op.issuer] });
  });
  suiteTeardown(async () => {
    await wb?.close();
    await op?.stop();
    fs.rmSync(folder, { recursive: true, force: true });
  });
  teardown(async function () {
    if (this.currentTest?.state === 'failed' && wb)
      await screenshot(wb.page, `failed-teams-${this.currentTest.title.replace(/\W+/g, '-').slice(0, 60)}`).catch(
        () => undefined,
      );
  });

  test('asked once on opening, naming the server; "Don\'t Add" writes nothing', async () => {
    const text = await clickDialogButton(wb!.page, "Don't Add", 90_000);
    assert.match(text, /recommends the identity provider "Team IdP" at 127\.0\.0\.2:\d+/);
    assert.match(text, /"clientId": "oauth-accounts-public"|client id "/);
    assert.deepEqual(userProviders(wb!), []);
  });

  test('Review Recommended Providers offers it again; "Add to User Settings" copies it, and Sign In works', async () => {
    const { page, context } = wb!;
    await runCommand(page, 'OAuth Accounts: Review Recommended Providers...');
    const row = page.locator(ROW, { hasText: 'Team IdP' }).first();
    await row.waitFor({ timeout: 15_000 });
    assert.match(await row.innerText(), /not added yet/);
    await row.click();
    await clickDialogButton(page, 'Add to User Settings', 30_000);
    await waitForNotification(page, 'Added "Team IdP" to your user settings.');
    assert.deepEqual(userProviders(wb!), [entry()], 'exactly the recommended entry');
    await signInThroughNewTab(
      context,
      () => clickNotificationButton(page, 'Added "Team IdP" to your user settings.', 'Sign In'),
      () => waitForNotification(page, 'Signed in to Team IdP as alice', 60_000),
    );
  });
});

suite('UI: an untrusted workspace is offered nothing', function () {
  this.timeout(180_000);
  let wb: Workbench | undefined;
  let folder = '';

  suiteSetup(async () => {
    folder = recommendingFolder({
      id: 'untrusted-idp',
      label: 'Untrusted IdP',
      issuer: 'https://sso.example.invalid',
      clientId: 'x',
    });
    wb = await startWorkbench({ folder, workspaceTrust: true });
  });
  suiteTeardown(async () => {
    await wb?.close();
    fs.rmSync(folder, { recursive: true, force: true });
  });

  test('no question, nothing written; the review command says why', async () => {
    const { page, cs } = wb!;
    await waitForActivation(cs, 'openauth.oauth-accounts');
    await runCommand(page, 'OAuth Accounts: Review Recommended Providers...');
    await waitForNotification(page, 'recommendations are offered only in a trusted workspace');
    assert.equal(await page.locator('.monaco-dialog-box').count(), 0, 'no dialog was shown');
    assert.deepEqual(userProviders(wb!), []);
  });
});
