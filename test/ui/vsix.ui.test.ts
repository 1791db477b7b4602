// The artifact users get is the artifact tested: `npm run package`'s oauth-accounts.vsix is installed into a fresh
// code-server profile with `code-server --install-extension` (no development extension, no test driver), and a
// person signs in with it once against the test authorization server.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import {
  blockNonLoopback,
  launchBrowser,
  REPO_ROOT,
  saveScreenshot,
  startCodeServer,
  workbenchUrl,
  type CodeServer,
} from '../host/codeServer';
import { startOpProcess, TEST_CLIENTS, type OpProcess } from '../support/op';
import {
  openAccountsMenu,
  runCommand,
  signInThroughNewTab,
  waitForActivation,
  waitForToast,
  waitForWorkbench,
} from './uiHarness';

const VSIX = process.env.OAUTH_TEST_VSIX || path.join(REPO_ROOT, 'oauth-accounts.vsix');

suite('UI: the packaged VSIX, installed into code-server', function () {
  this.timeout(240_000);
  let op: OpProcess | undefined;
  let cs: CodeServer | undefined;
  let browser: Browser | undefined;
  let page: Page | undefined;

  suiteSetup(async () => {
    // CI packages before the suites run; alone, this test packages once.
    if (!fs.existsSync(VSIX))
      execFileSync(process.execPath, [path.join(REPO_ROOT, 'scripts', 'package.mjs')], {
        cwd: REPO_ROOT,
        stdio: 'ignore',
      });
    op = await startOpProcess();
    cs = await startCodeServer({
      testDriver: false,
      installExtensions: [VSIX],
      trustedOrigins: [op.issuer],
      userSettings: {
        'oauthAccounts.providers': [
          { id: 'vsix-idp', label: 'VSIX IdP', issuer: op.issuer, clientId: TEST_CLIENTS.public },
        ],
        // The server's Node host (the browser worker's CSP would block plain http to the AS on 127.0.0.2).
        'remote.extensionKind': { 'openauth.oauth-accounts': ['workspace'] },
      },
    });
  });
  suiteTeardown(async () => {
    await browser?.close().catch(() => undefined);
    await cs?.stop();
    await op?.stop();
  });
  teardown(async function () {
    if (this.currentTest?.state === 'failed' && page) await saveScreenshot(page, 'failed-vsix').catch(() => undefined);
  });

  test("the installed extension is the VSIX's files, not the working tree", () => {
    const installed = path.join(cs!.runDir, 'extensions', 'openauth.oauth-accounts-0.1.0');
    assert.ok(fs.existsSync(path.join(installed, 'dist', 'extension.js')), `installed at ${installed}`);
    assert.ok(!fs.existsSync(path.join(installed, 'src')), 'no sources: what was packaged, not the repo');
    assert.ok(!fs.lstatSync(installed).isSymbolicLink());
  });

  test('signs in once against the test authorization server', async () => {
    browser = await launchBrowser();
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await blockNonLoopback(context);
    page = await context.newPage();
    await page.goto(workbenchUrl(cs!, { folder: cs!.workspaceDir }), { timeout: 90_000 }); // no payload
    await waitForWorkbench(page);
    await waitForActivation(cs!, 'openauth.oauth-accounts');
    const p = page;
    await signInThroughNewTab(
      context,
      async () => {
        await runCommand(p, 'OAuth Accounts: Sign In...');
        // The palette always asks which provider, even for one.
        const row = p
          .locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: 'VSIX IdP' })
          .first();
        await row.waitFor({ timeout: 15_000 });
        await row.click();
      },
      () => waitForToast(p, /Signed in to VSIX IdP as alice/, 60_000),
    );
    const items = await openAccountsMenu(p);
    assert.ok(
      items.some((i) => i.includes('alice (VSIX IdP)')),
      JSON.stringify(items),
    );
  });
});
