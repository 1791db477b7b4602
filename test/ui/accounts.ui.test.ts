// The user-facing sign-in surfaces of the real workbench (code-server, remote extension host, so `auto` = URI
// handler): the Accounts menu, VS Code's access dialog for a second extension, reload persistence, the Accounts
// menu's Sign Out, and the extension's own palette commands. A tiny consumer extension (test/fixtures/consumer-ext)
// plays "any other extension" that calls vscode.authentication.getSession('ui-idp', …).
// The tests run in order against one workbench and one test AS: each step starts from the state the previous left.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { extensionPath, REPO_ROOT } from '../host/codeServer';
import { startOpProcess, TEST_CLIENTS, type OpProcess } from '../support/op';
import { readConsumerRecords, waitForConsumerRecord } from './consumerRecords';
import {
  signInThroughNewTab,
  clickDialogButton,
  clickMenuItem,
  openAccountsMenu,
  reloadWorkbench,
  runCommand,
  screenshot,
  startWorkbench,
  waitForNotification,
  type Workbench,
} from './uiHarness';

const CONSUMER_EXT = path.join(REPO_ROOT, 'test', 'fixtures', 'consumer-ext');
const PROVIDER = { id: 'ui-idp', label: 'UI IdP' };
const SIGN_IN_ITEM = /^\s*Sign in with UI IdP to use Consumer/;
const accountItem = (name: string) => `${name} (${PROVIDER.label})`;

suite('UI: Accounts menu and commands', function () {
  // One workbench for the whole suite: start ~10 s; each sign-in a few seconds; 2 slow CI cores several times that.
  this.timeout(180_000);
  let wb: Workbench | undefined;
  let op: OpProcess | undefined;
  let tmp: string | undefined;
  let consumerOut = '';

  suiteSetup(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'oauth-ui-accounts-'));
    consumerOut = path.join(tmp, 'consumer.jsonl');
    op = await startOpProcess(); // 127.0.0.2, ephemeral port; its origin is trusted below (no link-protection modal)
    wb = await startWorkbench({
      extraDevExts: [CONSUMER_EXT],
      trustedOrigins: [op.issuer],
      env: { CONSUMER_OUT: consumerOut },
      userSettings: {
        'oauthAccounts.providers': [{ ...PROVIDER, issuer: op.issuer, clientId: TEST_CLIENTS.public }],
        'consumer.providerId': PROVIDER.id,
        // A real scope list: VS Code clears the menu's sign-in request only when the new session reports exactly it.
        'consumer.scopes': ['openid'],
        // For the API test: the provider the consumer declares in code through OAuth Accounts' API.
        'consumer.registerEntry': {
          id: 'consumer-idp',
          label: 'Consumer IdP',
          issuer: op.issuer,
          clientId: TEST_CLIENTS.public,
        },
      },
    });
  });
  suiteTeardown(async () => {
    await wb?.close();
    await op?.stop();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });
  teardown(async function () {
    if (this.currentTest?.state === 'failed' && wb) {
      await screenshot(wb.page, `failed-accounts-${this.currentTest.title.replace(/\W+/g, '-').slice(0, 60)}`).catch(
        () => undefined,
      );
    }
    // Leave no menu, submenu, palette or dialog open for the next test (Escape closes one level at a time).
    for (let i = 0; i < 3; i++) await wb?.page.keyboard.press('Escape').catch(() => undefined);
  });

  /** Current Accounts menu items; the menu is closed again unless keepOpen. */
  async function accountsMenu(page: Page, keepOpen = false): Promise<string[]> {
    const items = await openAccountsMenu(page);
    if (!keepOpen) await page.keyboard.press('Escape');
    return items;
  }

  /** Polls the Accounts menu until pred holds (sessions reach the menu through events, a moment after the fact). */
  async function waitForMenu(
    page: Page,
    what: string,
    pred: (items: string[]) => boolean,
    timeout = 60_000,
  ): Promise<string[]> {
    const end = Date.now() + timeout;
    let items: string[] = [];
    for (;;) {
      items = await accountsMenu(page);
      if (pred(items)) return items;
      if (Date.now() > end) throw new Error(`Accounts menu never ${what}; last items: ${JSON.stringify(items)}`);
      await page.waitForTimeout(500);
    }
  }

  /**
   * Runs an item of the submenu that clickMenuItem just opened. The submenu is drawn again when its hover timer fires
   * (~250 ms after the pointer reached the parent), and a click that lands during that swap leaves the item focused
   * but not run; so wait for it to settle, click, and press Enter on the focused item if nothing has happened.
   */
  async function activateSubmenuItem(page: Page, text: RegExp): Promise<void> {
    const item = page.locator('.monaco-submenu .action-item', { hasText: text }).first();
    await item.waitFor({ timeout: 10_000 });
    await page.waitForTimeout(500);
    await item.click();
    await page
      .locator('.monaco-dialog-box')
      .first()
      .waitFor({ timeout: 3_000 })
      .catch(async () => {
        if (await item.isVisible()) {
          await item.hover();
          await page.keyboard.press('Enter');
        }
      });
  }

  const records = () => readConsumerRecords(consumerOut);
  const waitForRecord = (kind: string, after: number) => waitForConsumerRecord(consumerOut, kind, after);

  const signInThroughTab = <T>(start: () => Promise<void>, done: () => Promise<T>) =>
    signInThroughNewTab(wb!.context, start, done);

  test('a passive request shows "Sign in with UI IdP to use Consumer" in the Accounts menu; clicking it signs in', async () => {
    const page = wb!.page;
    const before = await accountsMenu(page);
    assert.ok(!before.some((i) => SIGN_IN_ITEM.test(i)), `sign-in item before any request: ${JSON.stringify(before)}`);
    assert.ok(!before.includes(accountItem('alice')), `signed in before the test: ${JSON.stringify(before)}`);

    const n = records().length;
    await runCommand(page, 'Consumer: Request Session Passively');
    const passive = await waitForRecord('passive', n);
    assert.equal(passive.kind, 'passive');
    assert.equal(passive.account, null, 'a passive request must not produce a session by itself');

    const items = await waitForMenu(
      page,
      'offered the sign-in for Consumer',
      (i) => i.some((x) => SIGN_IN_ITEM.test(x)),
      30_000,
    );
    assert.ok(
      items.some((i) => SIGN_IN_ITEM.test(i)),
      JSON.stringify(items),
    );

    const { tabUrl } = await signInThroughTab(
      async () => {
        await openAccountsMenu(page);
        await clickMenuItem(page, SIGN_IN_ITEM);
      },
      () => waitForMenu(page, `listed ${accountItem('alice')}`, (i) => i.includes(accountItem('alice'))),
    );
    // auto in a remote extension host = the URI handler: the AS redirected to code-server's callback page.
    assert.match(tabUrl, /vscode-authority=openauth\.oauth-accounts/, tabUrl);

    const after = await accountsMenu(page, true);
    await screenshot(page, 'accounts-signed-in');
    await page.keyboard.press('Escape');
    assert.ok(after.includes(accountItem('alice')), JSON.stringify(after));
    // VS Code drops the sign-in request only when the added session reports exactly the requested scopes (the
    // provider adds its default scopes on the wire but reports the caller's): the item must be gone.
    const settled = await waitForMenu(
      page,
      'the sign-in request cleared',
      (i) => !i.some((x) => SIGN_IN_ITEM.test(x)),
      15_000,
    );
    assert.ok(!settled.some((x) => SIGN_IN_ITEM.test(x)), JSON.stringify(settled));
    const stats = await op!.stats();
    assert.equal(stats.logins.alice, 1, `logins: ${JSON.stringify(stats.logins)}`);
  });

  test('a second extension gets the session with createIfNone, without signing in again', async () => {
    const page = wb!.page;
    const loginsBefore = (await op!.stats()).logins.alice ?? 0;
    const n = records().length;
    await runCommand(page, 'Consumer: Get Session');
    // Signing in through "Sign in with UI IdP to use Consumer" already granted Consumer access to alice and made her
    // its preferred account, so VS Code normally hands the session over without asking; answer its dialog if it does
    // ask. The dialog itself is covered with bob below, whose session Consumer was never granted.
    const dialog = await clickDialogButton(page, 'Allow', 3_000).catch(() => undefined);
    const r = await waitForRecord('getSession', n);
    assert.equal(r.kind, 'getSession', `consumer error: ${JSON.stringify(r)}`);
    assert.equal(r.account, 'alice');
    assert.match(r.tokenSha256 ?? '', /^[0-9a-f]{64}$/);
    const text = await waitForNotification(page, 'Consumer got session for alice');
    assert.match(text, /Consumer got session for alice/);
    // The existing session was handed over: no second login at the AS.
    assert.equal((await op!.stats()).logins.alice ?? 0, loginsBefore, 'getSession from the consumer signed in again');
    if (dialog) assert.match(dialog, /Consumer/, `unexpected dialog: ${dialog}`);
  });

  test('a hostile extension calls every OAuth Accounts command with crafted arguments: nothing secret comes back, and Sign In / Sign Out stop at a modal', async () => {
    const page = wb!.page;
    const n = records().length;
    const before = await op!.stats();
    await runCommand(page, 'Consumer: Call Every OAuth Accounts Command');
    // Modal dialogs are the user's to answer (no extension can): answer each with Cancel until the attack is over.
    const dialogs: string[] = [];
    type Attack = {
      kind: string;
      results: Array<{
        command: string;
        args: string;
        outcome: string;
        returned: string;
        carriesToken: boolean;
        carriesClaims: boolean;
      }>;
    };
    let attack: Attack | undefined;
    for (const end = Date.now() + 150_000; !attack && Date.now() < end;) {
      const text = await clickDialogButton(page, 'Cancel', 1000).catch(() => undefined);
      if (text) dialogs.push(text);
      attack = (records().slice(n) as unknown as Attack[]).find((r) => r.kind === 'attack');
    }
    for (let i = 0; i < 5; i++) {
      const t = await clickDialogButton(page, 'Cancel', 1000).catch(() => undefined);
      if (t) dialogs.push(t);
      else break;
    }
    assert.ok(attack, 'the attack finished');
    assert.ok(attack.results.length >= 30, `${attack.results.length} calls`);
    for (const r of attack.results) {
      assert.ok(!r.carriesToken && !r.carriesClaims, `${r.command}(${r.args}) handed out ${r.returned}`);
      if (!r.command.startsWith('oauthAccounts.api.'))
        assert.equal(r.returned, 'null', `${r.command}(${r.args}) returned ${r.returned}`);
    }
    assert.ok(
      dialogs.some((d) => /Sign in to UI IdP\?/.test(d)),
      `the consent modal for Sign In with arguments: ${JSON.stringify(dialogs)}`,
    );
    assert.ok(
      dialogs.some((d) => /Sign out of alice \(UI IdP\)\?/.test(d)),
      `the Sign Out modal: ${JSON.stringify(dialogs)}`,
    );
    const after = await op!.stats();
    assert.equal(after.authorization, before.authorization, 'no sign-in was started');
    assert.equal(after.revocation, before.revocation, 'nothing was revoked');
    await page.keyboard.press('Escape');
    await runCommand(page, 'View: Close All Editors').catch(() => undefined);
    assert.ok((await accountsMenu(page)).includes(accountItem('alice')), 'still signed in');
  });

  test('the session survives a workbench reload', async () => {
    const page = wb!.page;
    const sha = records()
      .filter((x) => x.kind === 'getSession')
      .at(-1)?.tokenSha256;
    await reloadWorkbench(wb!.cs, page, extensionPath(), [CONSUMER_EXT]);
    await waitForMenu(page, `listed ${accountItem('alice')} after the reload`, (i) => i.includes(accountItem('alice')));
    // And through the API, from the other extension, without any UI: the same token, read back from SecretStorage.
    const n = records().length;
    await runCommand(page, 'Consumer: Get Session Silently');
    const r = await waitForRecord('silent', n);
    assert.equal(r.account, 'alice', JSON.stringify(r));
    assert.equal(r.tokenSha256, sha, 'the reloaded session should carry the same access token');
  });

  test('Accounts menu → alice (UI IdP) → Sign Out removes the account', async () => {
    const page = wb!.page;
    await openAccountsMenu(page);
    await clickMenuItem(page, new RegExp(`^\\s*${accountItem('alice').replace(/[()]/g, '\\$&')}\\s*$`));
    await activateSubmenuItem(page, /^\s*Sign Out\s*$/);
    // "The account 'alice' has been used by: Consumer. Sign out from these extensions?" → Sign Out
    const dialog = await clickDialogButton(page, 'Sign Out', 10_000);
    assert.match(dialog, /alice/, dialog);
    // A sign-out from the Accounts menu says so, as the command does (and says when the server refused to revoke).
    assert.match(await waitForNotification(page, 'Signed out of UI IdP (alice)'), /Signed out of UI IdP \(alice\)\./);
    const items = await waitForMenu(page, `dropped ${accountItem('alice')}`, (i) => !i.includes(accountItem('alice')));
    assert.ok(!items.includes(accountItem('alice')), JSON.stringify(items));
    const n = records().length;
    await runCommand(page, 'Consumer: Get Session Silently');
    assert.equal((await waitForRecord('silent', n)).account, null, 'the consumer still gets a session after sign-out');
  });

  test('"OAuth Accounts: Sign In..." from the command palette signs in (as bob)', async () => {
    const page = wb!.page;
    await op!.setState({ nextAccount: 'bob' });
    await signInThroughTab(
      async () => {
        // Even with one provider the palette asks which one: a command run without arguments starts nothing by itself.
        await runCommand(page, 'OAuth Accounts: Sign In...');
        const row = page
          .locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: 'UI IdP' })
          .first();
        await row.waitFor({ timeout: 15_000 });
        await row.click();
      },
      () => waitForMenu(page, `listed ${accountItem('bob')}`, (i) => i.includes(accountItem('bob'))),
    );
    const items = await accountsMenu(page);
    assert.ok(items.includes(accountItem('bob')), JSON.stringify(items));
    assert.ok(!items.includes(accountItem('alice')), JSON.stringify(items));
    assert.match(await waitForNotification(page, 'Signed in to UI IdP as bob'), /bob/);
    assert.equal((await op!.stats()).logins.bob, 1);
  });

  test("a second extension asks for bob: VS Code's access dialog → Allow → account pick → the consumer gets bob", async () => {
    const page = wb!.page;
    const n = records().length;
    await runCommand(page, 'Consumer: Get Session');
    // Consumer has no access to bob (signed in through the palette): "The extension 'Consumer' wants to sign in using UI IdP."
    const dialog = await clickDialogButton(page, 'Allow', 15_000);
    assert.match(dialog, /Consumer/, dialog);
    assert.match(dialog, /UI IdP/, dialog);
    // supportsMultipleAccounts: VS Code then lets the user pick the account (or sign in to another one).
    const row = page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: 'bob' }).first();
    await row.waitFor({ timeout: 15_000 });
    await row.click();
    const r = await waitForRecord('getSession', n);
    assert.equal(r.kind, 'getSession', `consumer error: ${JSON.stringify(r)}`);
    assert.equal(r.account, 'bob');
    assert.match(await waitForNotification(page, 'Consumer got session for bob'), /bob/);
    assert.equal((await op!.stats()).logins.bob, 1, 'handing bob over must not sign in again');
  });

  test('"OAuth Accounts: Sign Out..." from the command palette removes bob', async () => {
    const page = wb!.page;
    await runCommand(page, 'OAuth Accounts: Sign Out...');
    // Always confirmed in a modal, which no other extension can answer.
    const dialog = await clickDialogButton(page, 'Sign Out', 15_000);
    assert.match(dialog, /Sign out of bob \(UI IdP\)\?/, dialog);
    await waitForNotification(page, 'Signed out of UI IdP (bob)');
    const items = await waitForMenu(page, `dropped ${accountItem('bob')}`, (i) => !i.includes(accountItem('bob')));
    assert.ok(!items.some((i) => / \(UI IdP\)$/.test(i)), `an account is still listed: ${JSON.stringify(items)}`);
  });

  test('a second extension declares its provider through the API and gets a session for it', async () => {
    const page = wb!.page;
    const n = records().length;
    const { result } = await signInThroughTab(
      async () => {
        await runCommand(page, 'Consumer: Register Provider and Sign In');
        // VS Code's consent for the consumer to sign in with the provider it just registered.
        await clickDialogButton(page, 'Allow', 30_000);
      },
      () => waitForRecord('apiProvider', n),
    );
    assert.equal(result.kind, 'apiProvider');
    assert.equal(result.account, 'alice');
    assert.equal(result.via, 'exports', 'same extension host: the exports');
    await waitForNotification(page, 'Consumer signed in to Consumer IdP as alice (API through exports)');
    const items = await waitForMenu(page, 'listed the API provider account', (i) => i.includes('alice (Consumer IdP)'));
    assert.ok(items.includes('alice (Consumer IdP)'), JSON.stringify(items));
  });
});
