// "OAuth Accounts: Add Identity Provider..." driven through the real workbench: the failure messages a person sees
// for a bad URL and an unreachable server, then the happy path against oidc-provider up to a signed-in account.
import * as assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { saveScreenshot } from '../host/codeServer';
import { CONFIDENTIAL_SECRET, startOpProcess, TEST_CLIENTS, type OpProcess } from '../support/op';
import { startHostileAs } from '../security/support';
import { readmeShot } from './readmeShots';
import {
  clickDialogButton,
  clickNotificationButton,
  openAccountsMenu,
  runCommand,
  startWorkbench,
  waitForNotification,
  type Workbench,
} from './uiHarness';

const INPUT = '.quick-input-widget input';

async function quickInput(page: Page, value: string, { clear = true } = {}): Promise<void> {
  const input = page.locator(INPUT);
  await input.waitFor({ state: 'visible', timeout: 15_000 });
  if (clear) await input.fill('');
  await input.fill(value);
  await page.waitForTimeout(300);
  await page.keyboard.press('Enter');
  await page.waitForTimeout(300);
}

/** Types an id into the open input box and returns the message line under it (the prompt, or the validation error). */
async function typedIdProblem(page: Page, id: string): Promise<string> {
  await page.locator(INPUT).fill(id);
  await page.waitForTimeout(500); // validateInput runs in the extension host
  const message = page.locator('.quick-input-widget .quick-input-message');
  return ((await message.isVisible()) ? await message.innerText() : '').trim();
}

async function pickPreset(page: Page, label: string): Promise<void> {
  await runCommand(page, 'OAuth Accounts: Add Identity Provider...');
  await quickInput(page, label);
}

suite('UI: Add Identity Provider wizard', function () {
  this.timeout(180_000);
  let wb: Workbench | undefined;
  let op: OpProcess | undefined;

  suiteSetup(async () => {
    op = await startOpProcess();
    wb = await startWorkbench({
      trustedOrigins: [op.issuer],
      // A confidential client for the client-secret round trip (last test); the wizard adds its own provider.
      userSettings: {
        'oauthAccounts.providers': [
          {
            id: 'ui-conf',
            label: 'UI Confidential',
            issuer: op.issuer,
            clientId: TEST_CLIENTS.basic,
            clientAuthentication: 'client_secret_basic',
          },
        ],
      },
    });
  });
  suiteTeardown(async () => {
    await wb?.close();
    await op?.stop();
  });
  teardown(async function () {
    if (this.currentTest?.state === 'failed' && wb)
      await saveScreenshot(wb.page, `failed-wizard-${this.currentTest.title.replace(/\W+/g, '-').slice(0, 50)}`).catch(
        () => undefined,
      );
    for (let i = 0; i < 3; i++) await wb?.page.keyboard.press('Escape').catch(() => undefined);
  });

  test('a plain-http issuer on a remote host is refused with what to fix', async () => {
    const page = wb!.page;
    await pickPreset(page, 'Other OpenID Connect');
    await quickInput(page, 'http://idp.example.com');
    const text = await clickDialogButton(page, 'Cancel', 20_000);
    assert.match(text, /must use https:\/\//, text);
  });

  test('an unreachable server says so and offers to edit the URL', async () => {
    const page = wb!.page;
    await pickPreset(page, 'Other OpenID Connect');
    await quickInput(page, 'http://127.0.0.3:9/realms/none');
    const text = await clickDialogButton(page, 'Cancel', 40_000);
    assert.match(text, /could not be reached|did not answer/, text);
    assert.match(text, /Edit/, 'the dialog offers to edit the URL');
  });

  test('a URL that is not an OAuth server says no metadata was found and what to set instead', async () => {
    const page = wb!.page;
    await pickPreset(page, 'Other OpenID Connect');
    await quickInput(page, `${op!.issuer}/not-an-issuer`);
    const text = await clickDialogButton(page, 'Cancel', 30_000);
    assert.match(text, /No OAuth metadata found/, text);
    assert.match(text, /discoveryUrl|endpoints/, text);
  });

  test('a server whose metadata names another issuer: the message shows both and how to fix it', async () => {
    const page = wb!.page;
    const hostile = await startHostileAs(); // a small AS on 127.0.0.1 whose discovery names https://idp.attacker.example
    try {
      const tenant = await hostile.tenant('discovery-issuer-mismatch');
      await pickPreset(page, 'Other OpenID Connect');
      await quickInput(page, tenant.issuer);
      const text = await clickDialogButton(page, 'Cancel', 30_000);
      assert.match(text, /names issuer "https:\/\/idp\.attacker\.example"/, text);
      assert.match(text, /Set "issuer" to exactly the value the server publishes/, text);
    } finally {
      await hostile.stop();
    }
  });

  test('happy path: discovery summary, redirect URIs with Copy, settings written, sign-in offered and working', async () => {
    const page = wb!.page;
    await pickPreset(page, 'Other OpenID Connect');
    await quickInput(page, op!.issuer);
    const found = await clickDialogButton(page, 'Continue', 30_000);
    assert.match(found, /✓ PKCE S256/);
    assert.match(found, /✓ Device code sign-in/);
    assert.match(found, /✓ Token revocation on sign-out/);
    await quickInput(page, TEST_CLIENTS.public); // client id
    await quickInput(page, 'Wizard IdP'); // label
    // Ids registered elsewhere are refused while typing, before anything is written to the settings.
    assert.match(
      await typedIdProblem(page, 'github'),
      /"github" is already registered in this VS Code by VS Code's built-in sign-in/,
    );
    assert.match(await typedIdProblem(page, 'ui-conf'), /"ui-conf" is already registered .*OAuth Accounts settings/);
    assert.doesNotMatch(await typedIdProblem(page, 'wizard-idp'), /already registered/, 'a free id is accepted');
    await quickInput(page, 'wizard-idp'); // id
    // What this code-server window really sends: the workbench's callback URL (asExternalUri), then the device
    // code flow; no loopback (the extension host is remote) and no vscode:// link.
    const register = await clickDialogButton(page, 'Copy Redirect URIs', 15_000);
    assert.match(
      register,
      /VS Code URI handler\s+register: http:\/\/127\.0\.0\.1:\d+\/stable-[0-9a-f]+\/callback\s+sends: \S+\?vscode-reqid=\d+/,
      register,
    );
    assert.match(register, /device code\s+\(no redirect URI/, register);
    assert.doesNotMatch(register, /127\.0\.0\.1\/callback|code-oss:\/\//, register);
    assert.ok(register.indexOf('URI handler') < register.indexOf('device code'), 'in the order they are tried');
    await readmeShot(page, 'wizard-register-redirects');
    await clickDialogButton(page, 'Add Provider', 15_000);
    const opened = wb!.context.waitForEvent('page', { timeout: 60_000 });
    await clickNotificationButton(page, /Added "Wizard IdP" to your user settings/, 'Sign In', 30_000);
    const tab = await opened;
    await tab.waitForURL(/\/callback\?/, { timeout: 30_000 }).catch(() => undefined);
    await tab.close().catch(() => undefined);
    const deadline = Date.now() + 30_000;
    let items: string[] = [];
    while (Date.now() < deadline) {
      items = await openAccountsMenu(page);
      await page.keyboard.press('Escape');
      if (items.some((i) => i.includes('alice (Wizard IdP)'))) break;
      await page.waitForTimeout(500);
    }
    assert.ok(
      items.some((i) => i.includes('alice (Wizard IdP)')),
      JSON.stringify(items),
    );
  });

  test('Show Token Details opens a view titled with account and provider, without any raw token', async () => {
    const page = wb!.page;
    await runCommand(page, 'OAuth Accounts: Show Token Details');
    // A webview (no other extension can read it), in a tab named after the account, never a session id.
    await page
      .locator('.tabs-container .tab', { hasText: 'Token details: alice — Wizard IdP' })
      .first()
      .waitFor({ timeout: 15_000 });
    let text = '';
    for (const deadline = Date.now() + 15_000; Date.now() < deadline && !text.includes('Access token expires');) {
      for (const frame of page.frames()) {
        const t = await frame
          .locator('body')
          .innerText({ timeout: 1000 })
          .catch(() => '');
        if (t.includes('Access token expires')) text = t;
      }
      if (!text) await page.waitForTimeout(300);
    }
    assert.match(text, /alice — Wizard IdP/);
    assert.match(text, /Access token expires/);
    assert.ok(!/eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\./.test(text), 'no raw JWT on screen');
    await readmeShot(page, 'token-details');
  });

  test('client secret round trip: sign-in names the missing secret, Set Client Secret stores it, sign-in works', async () => {
    const page = wb!.page;
    const pick = async (label: string) => {
      await quickInput(page, label);
    };
    // The token details webview of the test above takes focus back when the palette closes, and a quick pick that
    // loses focus closes: the one this test needs would vanish before it is answered. Start with no editor open.
    await runCommand(page, 'View: Close All Editors');
    await page.locator('.tabs-container .tab').first().waitFor({ state: 'detached', timeout: 15_000 });
    await runCommand(page, 'OAuth Accounts: Sign In...');
    await pick('UI Confidential');
    await waitForNotification(page, /no client secret is stored/, 30_000);
    await runCommand(page, 'OAuth Accounts: Set Client Secret...');
    await pick('UI Confidential');
    await quickInput(page, CONFIDENTIAL_SECRET);
    await waitForNotification(page, /Client secret for "ui-conf" stored/, 15_000);
    const opened = wb!.context.waitForEvent('page', { timeout: 60_000 });
    await runCommand(page, 'OAuth Accounts: Sign In...');
    await pick('UI Confidential');
    const tab = await opened;
    await tab.waitForURL(/\/callback\?/, { timeout: 30_000 }).catch(() => undefined);
    await tab.close().catch(() => undefined);
    await waitForNotification(page, /Signed in to UI Confidential as alice/, 30_000);
  });
});
