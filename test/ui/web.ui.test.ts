// The web bundle (package.json `browser` → dist/web/extension.js) in code-server's web-worker extension host (forced
// there with the remote.extensionKind user setting, see uiHarness), so it runs in the browser with the browser's
// fetch, and `auto` picks the URI handler. The token exchange is then a cross-origin request from the workbench origin
// to the AS: it works against a test AS that allows CORS, and fails with a message naming CORS against one that does
// not (src/web/extension.ts says why a bare TypeError happened). The device flow runs there too, and a consumer
// extension in the other (Node) extension host uses OAuth Accounts through the API commands.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { startOpProcess, TEST_CLIENTS, type OpProcess } from '../support/op';
import {
  clickDialogButton,
  openAccountsMenu,
  runCommand,
  signInThroughNewTab,
  screenshot,
  startWorkbench,
  waitForNotification,
  type Workbench,
} from './uiHarness';
import { waitForConsumerRecord } from './consumerRecords';
import { confirmDeviceCode, copyAndOpen } from './deviceCodePage';
import { REPO_ROOT } from '../host/codeServer';
import { findLeaks, leakCheckFiles, MIN_SECRET_LENGTH } from '../host/leakCheck';
import { capturedLineOf } from '../../src/vscode/captureConsole';

const WEB = { id: 'web-idp', label: 'Web IdP' };
const NO_CORS = { id: 'nocors-idp', label: 'No CORS IdP' };
/** The same CORS-enabled AS with the device flow forced: device authorization and polling from the browser. */
const WEB_DEVICE = { id: 'web-device', label: 'Web Device' };
/** Declared in code by the consumer extension, which runs in the other extension host (the remote Node one). */
const CROSS_HOST = { id: 'cross-host-idp', label: 'Cross-host IdP' };
const CONSUMER_EXT = path.join(REPO_ROOT, 'test', 'fixtures', 'consumer-ext');
const PICK_ROW = '.quick-input-widget .quick-input-list .monaco-list-row';

suite('UI: the web bundle in the web-worker extension host', function () {
  this.timeout(180_000);
  let wb: Workbench | undefined;
  let op: OpProcess | undefined;
  let noCorsOp: OpProcess | undefined;
  let consumerOut = '';
  /** What the web worker captured (log lines and notification texts), in order. */
  const captured: string[] = [];
  /** The test AS's record of issued secrets: the UI suite's (leakCheck.ui.test.ts), or this suite's own when run alone. */
  let issuedFile: string | undefined;
  let ownLeakDir: string | undefined;

  suiteSetup(async () => {
    consumerOut = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'oauth-web-consumer-')), 'consumer.jsonl');
    const env = process.env.OAUTH_TEST_ISSUED_FILE;
    issuedFile = env;
    if (!issuedFile) ({ issuedFile, dir: ownLeakDir } = leakCheckFiles());
    process.env.OAUTH_TEST_ISSUED_FILE = issuedFile; // startOpProcess passes process.env to the AS
    try {
      op = await startOpProcess({ cors: true, deviceInterval: 0.2 }); // 127.0.0.2, ephemeral port
      noCorsOp = await startOpProcess();
    } finally {
      if (env === undefined) delete process.env.OAUTH_TEST_ISSUED_FILE;
      else process.env.OAUTH_TEST_ISSUED_FILE = env;
    }
    const t0 = Date.now();
    wb = await startWorkbench({
      devExtKind: 'web',
      // The web-worker host's iframe CSP allows plain-http connections only to localhost and 127.0.0.1 (https
      // anywhere); the test AS is plain http on 127.0.0.2, because code-server rewrites 127.0.0.1/localhost URLs in
      // openExternal. Bypassing CSP leaves CORS in force, which is what these tests are about.
      bypassCSP: true,
      onConsole: (text) => {
        const line = capturedLineOf(text);
        if (line !== undefined) captured.push(line);
      },
      // The consumer fixture stays on the remote Node host: two extension hosts, as OAuth Accounts (extensionKind
      // ui first) and a workspace extension are in a desktop Remote-SSH/WSL/container window.
      extraDevExts: [CONSUMER_EXT],
      extraDevExtKind: 'workspace',
      env: { CONSUMER_OUT: consumerOut },
      trustedOrigins: [op.issuer, noCorsOp.issuer],
      userSettings: {
        'consumer.registerEntry': { ...CROSS_HOST, issuer: op.issuer, clientId: TEST_CLIENTS.public },
        'oauthAccounts.providers': [
          { ...WEB, issuer: op.issuer, clientId: TEST_CLIENTS.public },
          { ...NO_CORS, issuer: noCorsOp.issuer, clientId: TEST_CLIENTS.public },
          { ...WEB_DEVICE, issuer: op.issuer, clientId: TEST_CLIENTS.public, flow: 'device-code' },
        ],
      },
    });
    console.log(`      workbench ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    if (process.env.OAUTH_TEST_VERBOSE) {
      wb.context.on('requestfailed', (r) => console.log('[requestfailed]', r.url(), r.failure()?.errorText));
      wb.page.on('console', (m) => {
        if (/cors|origin|fetch|blocked/i.test(m.text())) console.log('[console]', m.type(), m.text().slice(0, 400));
      });
    }
  });
  suiteTeardown(async () => {
    // Into the UI suite's scan too (its test runs after every other suite), so the totals count the web worker.
    const logFile = process.env.OAUTH_ACCOUNTS_LOG_FILE;
    if (logFile && captured.length) fs.appendFileSync(logFile, captured.map((l) => `[web worker] ${l}\n`).join(''));
    if (ownLeakDir) fs.rmSync(ownLeakDir, { recursive: true, force: true });
    await wb?.close();
    await op?.stop();
    await noCorsOp?.stop();
    if (consumerOut) fs.rmSync(path.dirname(consumerOut), { recursive: true, force: true });
  });
  teardown(async function () {
    if (this.currentTest?.state === 'failed' && wb) {
      await screenshot(wb.page, `failed-web-${this.currentTest.title.replace(/\W+/g, '-').slice(0, 60)}`).catch(
        () => undefined,
      );
      for (let i = 0; i < 3; i++) await wb.page.keyboard.press('Escape').catch(() => undefined);
      console.error(
        '--- notifications ---\n' +
          (await wb.page
            .locator('.notifications-center .notification-list-item')
            .allInnerTexts()
            .catch((e) => [String(e)])),
      );
      console.error('--- extension log ---\n' + (await extensionLog(wb.page).catch((e) => String(e))));
    }
    for (let i = 0; i < 3; i++) await wb?.page.keyboard.press('Escape').catch(() => undefined);
  });

  async function accountsMenu(page: Page): Promise<string[]> {
    const items = await openAccountsMenu(page);
    await page.keyboard.press('Escape');
    return items;
  }

  async function waitForMenu(
    page: Page,
    what: string,
    pred: (items: string[]) => boolean,
    timeout = 60_000,
  ): Promise<string[]> {
    const end = Date.now() + timeout;
    for (;;) {
      const items = await accountsMenu(page);
      if (pred(items)) return items;
      if (Date.now() > end) throw new Error(`Accounts menu never ${what}; last items: ${JSON.stringify(items)}`);
      await page.waitForTimeout(500);
    }
  }

  /** "OAuth Accounts: Sign In..." and, in its provider pick, the row for label. */
  async function signInWith(page: Page, label: string): Promise<void> {
    await runCommand(page, 'OAuth Accounts: Sign In...');
    const row = page.locator(PICK_ROW, { hasText: label }).first();
    await row.waitFor({ timeout: 30_000 });
    await row.click();
  }

  /** The text of the "OAuth Accounts" output channel ("OAuth Accounts: Show Log"), read page by page from the top
   * (the Output view is an editor that only draws the lines in view). */
  async function extensionLog(page: Page): Promise<string> {
    await runCommand(page, 'OAuth Accounts: Show Log');
    const editor = page.locator('.part.panel .monaco-editor').first();
    await editor.waitFor({ timeout: 15_000 });
    await page.waitForTimeout(500);
    await editor.click({ position: { x: 100, y: 10 } });
    await page.keyboard.press('Control+Home');
    const seen = new Set<string>();
    const lines: string[] = [];
    for (let i = 0; i < 20; i++) {
      await page.waitForTimeout(150);
      const text = await editor.locator('.view-lines').innerText();
      let added = 0;
      for (const l of text.split('\n'))
        if (l.trim() && !seen.has(l)) {
          seen.add(l);
          lines.push(l);
          added++;
        }
      if (!added && i > 0) break;
      await page.keyboard.press('PageDown');
    }
    // The editor draws spaces as no-break spaces and wraps long lines: join a wrapped line's rest to its start.
    return lines
      .map((l) => l.replace(/\u00a0/g, ' '))
      .join('\n')
      .replace(/\n(?!\d{4}-\d\d-\d\d )/g, '');
  }

  test('signs in with the URI handler flow, the code exchange made by the browser (CORS allowed)', async () => {
    const page = wb!.page;
    const before = await accountsMenu(page);
    assert.ok(!before.includes(`alice (${WEB.label})`), JSON.stringify(before));

    const t0 = Date.now();
    // The AS logs in by itself and redirects to code-server's /callback, which hands the URI to the workbench.
    const { tabUrl } = await signInThroughNewTab(
      wb!.context,
      () => signInWith(page, WEB.label),
      () => waitForMenu(page, `listed alice (${WEB.label})`, (i) => i.includes(`alice (${WEB.label})`)),
    );
    console.log(`      sign-in took ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    assert.match(tabUrl, /vscode-authority=openauth\.oauth-accounts/, tabUrl);
    assert.match(await waitForNotification(page, `Signed in to ${WEB.label} as alice`), /alice/);
    assert.equal((await op!.stats()).logins.alice, 1);

    // It really ran in the web worker: the extension's own log says which extension host it chose flows for (src/vscode/ui.ts
    // extensionHostKind(): no Node `process`). Playwright sees no requests of the worker, so this is the proof; the
    // CORS failure of the next test shows the requests are the browser's.
    const log = await extensionLog(page);
    assert.match(log, /sign-in flows for a webworker extension host: uri-handler/, log);
    assert.doesNotMatch(log, /sign-in flows for a (local|remote) extension host/, log);
    await screenshot(page, 'web-signed-in');
  });

  test('against an AS without CORS the sign-in fails with a message that names CORS', async () => {
    const page = wb!.page;
    const tabs: Page[] = [];
    const onPage = (p: Page) => tabs.push(p);
    wb!.context.on('page', onPage);
    const t0 = Date.now();
    try {
      await signInWith(page, NO_CORS.label);
      const text = await waitForNotification(page, `Sign in to ${NO_CORS.label} failed`, 60_000);
      console.log(
        `      failure shown after ${((Date.now() - t0) / 1000).toFixed(1)} s: ${text.replace(/\s+/g, ' ').slice(0, 300)}`,
      );
      // src/web/extension.ts turns the browser's bare "Failed to fetch" TypeError into this explanation.
      // Discovery gets through (oidc-provider always answers it with CORS headers); the token endpoint does not.
      assert.match(text, /The code exchange failed/, text);
      assert.match(text, /does not allow cross-origin \(CORS\) requests from http:\/\/127\.0\.0\.1:\d+/, text);
    } finally {
      wb!.context.off('page', onPage);
      for (const t of tabs) await t.close().catch(() => undefined);
    }
    const log = await extensionLog(page);
    assert.match(log, /\[nocors-idp\] sign-in flows for a webworker extension host/, log);
    assert.match(log, /\[nocors-idp\].*CORS/, log);
    const items = await accountsMenu(page);
    assert.ok(!items.some((i) => i.endsWith(`(${NO_CORS.label})`)), JSON.stringify(items));
    assert.ok(items.includes(`alice (${WEB.label})`), JSON.stringify(items));
  });

  test('the device code flow in the web worker: the modal, the verification page, polling from the browser', async () => {
    const page = wb!.page;
    await wb!.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(page.url()).origin });
    const before = await op!.stats();
    await signInWith(page, WEB_DEVICE.label);
    const { code, tab } = await copyAndOpen(page, wb!.context);
    try {
      await confirmDeviceCode(tab, code);
    } finally {
      await tab.close().catch(() => undefined);
    }
    await waitForMenu(page, `listed alice (${WEB_DEVICE.label})`, (i) => i.includes(`alice (${WEB_DEVICE.label})`));
    assert.match(await waitForNotification(page, `Signed in to ${WEB_DEVICE.label} as alice`), /alice/);
    const after = await op!.stats();
    assert.equal(after.device_authorization - before.device_authorization, 1);
    assert.ok(
      after.tokenByGrant.device_code > before.tokenByGrant.device_code,
      'no device_code polling reached the AS',
    );
    assert.equal(
      after.tokenByGrant.authorization_code,
      before.tokenByGrant.authorization_code,
      'a redirect flow ran instead',
    );
    const log = await extensionLog(page);
    assert.match(log, /\[web-device\] sign-in flows for a webworker extension host: device-code/, log);
  });

  test('an extension in the other extension host declares its provider through the API commands and signs in', async () => {
    const page = wb!.page;
    // getExtension('openauth.oauth-accounts') is undefined on the consumer's host, so it takes the commands (the
    // README's pattern); VS Code carries the command, the session request and the session across the two hosts.
    const { result } = await signInThroughNewTab(
      wb!.context,
      async () => {
        await runCommand(page, 'Consumer: Register Provider and Sign In');
        await clickDialogButton(page, 'Allow', 30_000);
      },
      () => waitForConsumerRecord(consumerOut, 'apiProvider'),
    );
    assert.equal(result.kind, 'apiProvider', JSON.stringify(result));
    assert.equal(result.account, 'alice');
    assert.equal(result.via, 'commands', 'the consumer should not have reached the exports across hosts');
    assert.match(
      await waitForNotification(page, `Consumer signed in to ${CROSS_HOST.label} as alice (API through commands)`),
      /alice/,
    );
    await waitForMenu(page, `listed alice (${CROSS_HOST.label})`, (i) => i.includes(`alice (${CROSS_HOST.label})`));
    // The worker's own log lines as it wrote them (its test capture), not scraped from the Output view, whose
    // virtualised rendering can splice two lines together.
    const log = captured.join('\n');
    assert.match(
      log,
      /an extension \(through the registerProvider command\) registered provider "cross-host-idp"/,
      log.slice(-2000),
    );
    assert.match(log, /\[cross-host-idp\] sign-in flows for a webworker extension host/, log.slice(-2000));
  });

  test("the web worker's log lines and notifications reach the secret scan, and hold no issued secret", () => {
    // Proof that the capture is wired: lines this suite's sign-ins must have produced, from the log and notifications.
    assert.ok(
      captured.some((l) => /sign-in flows for a webworker extension host/.test(l)),
      `no log line captured: ${JSON.stringify(captured.slice(0, 5))}`,
    );
    assert.ok(
      captured.some((l) => l.startsWith('[notification info] Signed in to ')),
      `no notification captured: ${JSON.stringify(captured.slice(0, 5))}`,
    );
    const issued = fs.existsSync(issuedFile!)
      ? [
          ...new Set(
            fs
              .readFileSync(issuedFile!, 'utf8')
              .split('\n')
              .map((v) => v.trim())
              .filter((v) => v.length >= MIN_SECRET_LENGTH),
          ),
        ]
      : [];
    assert.ok(issued.length > 0, 'the test AS recorded no issued secret: nothing to scan for');
    const leaks = findLeaks(issued, captured);
    console.log(
      `      web worker: ${leaks.length} secrets leaked (${issued.length} issued, ${captured.length} lines scanned)`,
    );
    assert.deepEqual(leaks, [], leaks.map((l) => `${l.secret} in web-worker line ${l.lineNo}: ${l.line}`).join('\n'));
  });
});
