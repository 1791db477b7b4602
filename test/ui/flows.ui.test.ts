// The remote/headless sign-in flows through the real workbench (code-server: a remote extension host, so `auto`
// means the URI handler): the device code flow as a person does it (modal with the code → "Copy & Open" → the AS's
// verification page in a new tab → Continue), and the "Having trouble signing in? Try a different way?" prompt after a
// forced failure of the first flow, in both orders.
//
// Only `timeout` and `flow_unavailable` lead to the prompt. In the first suite the failing first flow is the device
// code flow (first with oauthAccounts.preferDeviceCode) against an AS whose device codes expire after a few seconds:
// polling ends with `timeout` (expired_token / expires_in), and the prompt offers the URI handler. In the second the
// URI handler fails first: its redirect never comes back, and the sign-in timeout (5 minutes; shortened for that
// workbench through a development-only variable) ends it.
import * as assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { startOpProcess, TEST_CLIENTS, type OpProcess } from '../support/op';
import {
  clickNotificationButton,
  openAccountsMenu,
  runCommand,
  screenshot,
  showNotificationCenter,
  startWorkbench,
  waitForNotification,
  type Workbench,
} from './uiHarness';
import { confirmDeviceCode, copyAndOpen } from './deviceCodePage';

const DEVICE = { id: 'ui-device', label: 'UI Device' };
const LADDER = { id: 'ui-ladder', label: 'UI Ladder' };
/** Device codes of the ladder's AS expire this many seconds after they are issued. */
const LADDER_DEVICE_CODE_TTL = 4;
const TRY_URI_HANDLER = /Having trouble signing in\? Try a different way \(VS Code URI handler\)\?/;
const USER_CODE = /[A-Z]{4}-[A-Z]{4}/;

/** "OAuth Accounts: Sign In..." and the provider picked in "Sign in to which identity provider?". */
async function signInWith(page: Page, label: string): Promise<void> {
  await runCommand(page, 'OAuth Accounts: Sign In...');
  const row = page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: label }).first();
  await row.waitFor({ timeout: 15_000 });
  await row.click();
}

async function accountsMenuItems(page: Page): Promise<string[]> {
  const items = await openAccountsMenu(page);
  await page.keyboard.press('Escape');
  return items;
}

async function waitForAccount(page: Page, item: string, timeout = 60_000): Promise<string[]> {
  const end = Date.now() + timeout;
  for (;;) {
    const items = await accountsMenuItems(page);
    if (items.includes(item)) return items;
    if (Date.now() > end)
      throw new Error(`the Accounts menu never listed ${item}; last items: ${JSON.stringify(items)}`);
    await page.waitForTimeout(500);
  }
}

suite('UI: device code and the flow ladder', function () {
  this.timeout(180_000);
  let wb: Workbench | undefined;
  let op: OpProcess | undefined;
  let ladderOp: OpProcess | undefined;

  suiteSetup(async () => {
    op = await startOpProcess({ deviceInterval: 0.2 });
    ladderOp = await startOpProcess({
      deviceInterval: 0.2,
      // `extra` replaces ttl as a whole: the harness's values, with short-lived device codes.
      extra: {
        ttl: {
          AccessToken: 300,
          AuthorizationCode: 60,
          IdToken: 3600,
          RefreshToken: 24 * 3600,
          Interaction: 600,
          Session: 3600,
          Grant: 24 * 3600,
          DeviceCode: LADDER_DEVICE_CODE_TTL,
        },
      },
    });
    wb = await startWorkbench({
      trustedOrigins: [op.issuer, ladderOp.issuer],
      userSettings: {
        'oauthAccounts.providers': [
          { ...DEVICE, issuer: op.issuer, clientId: TEST_CLIENTS.public, flow: 'device-code' },
          { ...LADDER, issuer: ladderOp.issuer, clientId: TEST_CLIENTS.public, flow: 'auto' },
        ],
        // With `auto`: device code first, then the URI handler (UI Device forces its flow, so this does not touch it).
        'oauthAccounts.preferDeviceCode': true,
      },
    });
    // "Copy & Open" writes the clipboard through the workbench page: allow it, and let the test read it back.
    await wb.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(wb.page.url()).origin });
  });
  suiteTeardown(async () => {
    await wb?.close();
    await op?.stop();
    await ladderOp?.stop();
  });
  teardown(async function () {
    if (this.currentTest?.state === 'failed' && wb) {
      await screenshot(wb.page, `failed-flows-${this.currentTest.title.replace(/\W+/g, '-').slice(0, 60)}`).catch(
        () => undefined,
      );
    }
    for (let i = 0; i < 3; i++) await wb?.page.keyboard.press('Escape').catch(() => undefined);
  });

  test('device code: the modal shows the code, "Copy & Open" opens the verification page, Continue there signs in', async () => {
    const page = wb!.page;
    const started = Date.now();
    assert.ok(!(await accountsMenuItems(page)).includes('alice (UI Device)'), 'signed in before the test');
    await signInWith(page, DEVICE.label);

    const { code, dialog, tab } = await copyAndOpen(page, wb!.context);
    assert.match(dialog, new RegExp(`enter this code at ${op!.issuer}/device`), dialog);
    // The code was copied for typing it on another device.
    const clipboard = await page
      .evaluate(() => navigator.clipboard.readText())
      .catch((e: Error) => `(unreadable: ${e.message})`);
    assert.equal(clipboard, code, 'Copy & Open did not copy the user code');

    try {
      // verification_uri_complete carries the code; oidc-provider posts it on by itself and shows a confirmation
      // page with the code it received and a Continue button (and an Abort one).
      await tab.waitForLoadState('load', { timeout: 30_000 });
      const opened = new URL(tab.url()).searchParams.get('user_code');
      const cont = tab.locator('button[type="submit"]:not([name="abort"])', { hasText: 'Continue' }).first();
      await cont.waitFor({ timeout: 30_000 });
      const confirmText = await tab.locator('body').innerText();
      assert.match(confirmText, USER_CODE, `no user code on the confirmation page: ${confirmText}`);
      assert.equal(USER_CODE.exec(confirmText)![0], code, 'the page received another code than the modal showed');
      if (opened !== null) assert.equal(opened, code, `the tab opened ${tab.url()}`);
      // The code as a person would type it where there is no verification_uri_complete: the input page takes it.
      const input = tab.locator('input[name="user_code"][type="text"]');
      if (await input.count()) await input.fill(code);
      await cont.click();
      // Login and consent complete by themselves; the device flow ends on the AS's success page.
      await tab.waitForFunction(() => /success/i.test(document.body?.innerText ?? ''), undefined, { timeout: 30_000 });
    } finally {
      await tab.close().catch(() => undefined);
    }

    const items = await waitForAccount(page, 'alice (UI Device)');
    assert.ok(items.includes('alice (UI Device)'), JSON.stringify(items));
    assert.match(await waitForNotification(page, 'Signed in to UI Device as alice'), /alice/);
    const stats = await op!.stats();
    assert.equal(stats.device_authorization, 1, `device authorizations: ${stats.device_authorization}`);
    assert.ok(stats.tokenByGrant.device_code >= 1, 'the extension never polled the token endpoint');
    assert.equal(stats.tokenByGrant.authorization_code, 0, 'a redirect flow ran instead of the device flow');
    assert.equal(stats.authorization, 0, 'the authorization endpoint was used');
    assert.equal(stats.logins.alice, 1);
    console.log(`      device code through the UI: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });

  test('the first flow fails (device code expires): "Try a different way (VS Code URI handler)?" → Try → signed in', async () => {
    const page = wb!.page;
    const started = Date.now();
    await signInWith(page, LADDER.label);
    // Device code first (preferDeviceCode). Open the verification page but never confirm: the code expires.
    const { tab } = await copyAndOpen(page, wb!.context);
    await tab.close().catch(() => undefined);

    const prompt = await waitForNotification(page, TRY_URI_HANDLER, (LADDER_DEVICE_CODE_TTL + 30) * 1000);
    assert.match(prompt, /Try VS Code URI handler/, prompt);
    assert.match(prompt, /Cancel/, prompt);
    const failedAfter = (Date.now() - started) / 1000;
    await screenshot(page, 'flows-try-a-different-way').catch(() => undefined);

    const opened = wb!.context.waitForEvent('page', { timeout: 30_000 });
    await clickNotificationButton(page, TRY_URI_HANDLER, 'Try VS Code URI handler');
    const uriTab = await opened;
    try {
      // The AS logs in by itself and redirects to code-server's callback page, which hands the answer over.
      await uriTab.waitForURL(/\/callback\?/, { timeout: 30_000, waitUntil: 'load' });
      assert.match(uriTab.url(), /vscode-authority=openauth\.oauth-accounts/, uriTab.url());
      await waitForAccount(page, 'alice (UI Ladder)');
    } finally {
      await uriTab.close().catch(() => undefined);
    }
    assert.match(await waitForNotification(page, 'Signed in to UI Ladder as alice'), /alice/);
    const stats = await ladderOp!.stats();
    assert.equal(stats.device_authorization, 1, 'the device flow should have run first, once');
    assert.equal(stats.authorization, 1, 'the URI-handler flow should have run once, after the prompt');
    assert.equal(stats.tokenByGrant.authorization_code, 1);
    assert.equal(stats.logins.alice, 1);
    // The expired code never led to an error message of its own.
    assert.equal(
      await page
        .locator('.notifications-center .notification-list-item', { hasText: /Sign in to UI Ladder failed/ })
        .count(),
      0,
    );
    console.log(
      `      prompt ${failedAfter.toFixed(1)} s after the start; signed in after ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
  });

  test('"Cancel" on the "Try a different way?" prompt ends the sign-in quietly', async () => {
    const page = wb!.page;
    await ladderOp!.resetStats();
    await signInWith(page, LADDER.label);
    const { tab } = await copyAndOpen(page, wb!.context);
    await tab.close().catch(() => undefined);
    await waitForNotification(page, TRY_URI_HANDLER, (LADDER_DEVICE_CODE_TTL + 30) * 1000);
    await clickNotificationButton(page, TRY_URI_HANDLER, 'Cancel');

    await showNotificationCenter(page);
    const items = page.locator('.notifications-center .notification-list-item');
    // The prompt and the "Signing in to UI Ladder…" progress go away…
    await items.filter({ hasText: TRY_URI_HANDLER }).first().waitFor({ state: 'detached', timeout: 10_000 });
    await items
      .filter({ hasText: /Signing in to UI Ladder/ })
      .first()
      .waitFor({ state: 'detached', timeout: 10_000 });
    // …and nothing says the sign-in failed (a cancel is not an error), nothing opened the browser again.
    await page.waitForTimeout(2_000);
    assert.equal(await items.filter({ hasText: /Sign in to UI Ladder failed/ }).count(), 0, 'a cancel showed an error');
    const stats = await ladderOp!.stats();
    assert.equal(stats.authorization, 0, 'the URI-handler flow ran although the user cancelled');
    assert.equal(stats.device_authorization, 1);
  });
});

// The other order: the redirect flow first (`auto` on code-server's remote host: URI handler, then device code), and
// the browser never reaches the IdP (the test aborts the authorization request), so the URI handler times out. The
// sign-in timeout is shortened for this workbench only (OAUTH_ACCOUNTS_SIGN_IN_TIMEOUT_MS, honoured in development
// runs only). The device flow that follows has no such timeout — it ends at the server's expires_in — which the test
// shows by confirming the code only after the shortened timeout has passed.
suite('UI: the flow ladder when the redirect never comes back', function () {
  this.timeout(180_000);
  const REVERSE = { id: 'ui-reverse', label: 'UI Reverse' };
  const SIGN_IN_TIMEOUT_MS = 6_000;
  const TRY_DEVICE_CODE = /Having trouble signing in\? Try a different way \(device code\)\?/;
  let wb: Workbench | undefined;
  let op: OpProcess | undefined;

  suiteSetup(async () => {
    op = await startOpProcess({ deviceInterval: 0.2 });
    wb = await startWorkbench({
      trustedOrigins: [op.issuer],
      env: { OAUTH_ACCOUNTS_SIGN_IN_TIMEOUT_MS: String(SIGN_IN_TIMEOUT_MS) },
      userSettings: { 'oauthAccounts.providers': [{ ...REVERSE, issuer: op.issuer, clientId: TEST_CLIENTS.public }] },
    });
    await wb.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(wb.page.url()).origin });
  });
  suiteTeardown(async () => {
    await wb?.close();
    await op?.stop();
  });
  teardown(async function () {
    if (this.currentTest?.state === 'failed' && wb) {
      await screenshot(wb.page, `failed-flows-${this.currentTest.title.replace(/\W+/g, '-').slice(0, 60)}`).catch(
        () => undefined,
      );
    }
  });

  test('the URI handler times out: "Try a different way (device code)?" → Try → the device flow outlasts the timeout → signed in', async () => {
    const page = wb!.page;
    const authorizeUrl = (u: URL) => u.origin === op!.issuer && u.pathname === '/auth';
    let blocked = 0;
    await wb!.context.route(authorizeUrl, (r) => {
      blocked++;
      return r.abort('connectionrefused');
    });
    const tabs: Page[] = [];
    wb!.context.on('page', (p) => tabs.push(p));
    const started = Date.now();
    // The palette always asks which provider, even for one (a command run without arguments starts nothing alone).
    await signInWith(page, REVERSE.label);

    const prompt = await waitForNotification(page, TRY_DEVICE_CODE, SIGN_IN_TIMEOUT_MS + 30_000);
    const promptAfter = (Date.now() - started) / 1000;
    assert.ok(blocked >= 1, 'the URI-handler flow never opened the authorization request');
    assert.ok(promptAfter * 1000 >= SIGN_IN_TIMEOUT_MS - 500, `the prompt came before the timeout: ${promptAfter} s`);
    assert.match(prompt, /Try device code/, prompt);
    for (const t of tabs.splice(0)) await t.close().catch(() => undefined);

    await clickNotificationButton(page, TRY_DEVICE_CODE, 'Try device code');
    const { code, tab } = await copyAndOpen(page, wb!.context);
    try {
      // Longer than the sign-in timeout: a device flow cut short by it would end here.
      await page.waitForTimeout(SIGN_IN_TIMEOUT_MS + 2_000);
      await confirmDeviceCode(tab, code);
    } finally {
      await tab.close().catch(() => undefined);
    }
    await waitForAccount(page, 'alice (UI Reverse)');
    assert.match(await waitForNotification(page, 'Signed in to UI Reverse as alice'), /alice/);
    const stats = await op!.stats();
    assert.equal(stats.device_authorization, 1);
    assert.equal(stats.tokenByGrant.authorization_code, 0, 'the blocked redirect flow cannot have exchanged a code');
    assert.ok(stats.tokenByGrant.device_code >= 1);
    assert.equal(
      await page
        .locator('.notifications-center .notification-list-item', { hasText: /Sign in to UI Reverse failed/ })
        .count(),
      0,
    );
    console.log(
      `      prompt after ${promptAfter.toFixed(1)} s (timeout ${SIGN_IN_TIMEOUT_MS / 1000} s); signed in after ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
  });
});
