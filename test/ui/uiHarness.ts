// Helpers for Playwright UI tests against code-server with this extension loaded as a development extension
// (payload with extensionDevelopmentPath only: the workbench behaves as for a user, nothing runs tests in the host).
// Selectors were checked against code-server 4.139.1 (VS Code 1.139.1); see /work/shared/reference/vscode-host/ui-flow.js.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import {
  blockNonLoopback,
  CodeServer,
  extensionPath,
  launchBrowser,
  OP_ORIGINS,
  saveScreenshot,
  startCodeServer,
  StartOptions,
  workbenchUrl,
} from '../host/codeServer';

export type TextMatch = string | RegExp;
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** A string matches the whole (trimmed) text; a RegExp is used as is. */
const exact = (m: TextMatch) => (typeof m === 'string' ? new RegExp(`^\\s*${escape(m)}\\s*$`) : m);

const ACCOUNTS = '.part.activitybar [aria-label^="Accounts"]';
const MENU_ITEM = '.monaco-menu .action-item';
const QUICK_INPUT = '.quick-input-widget input';
const QUICK_ROW = '.quick-input-widget .quick-input-list .monaco-list-row';
const PALETTE_ROW = '.quick-input-widget .quick-input-list .monaco-list-row';
const DIALOG = '.monaco-dialog-box';

/** Opens the workbench in a new tab of browserContext and waits until it is usable: the workbench is drawn and
 * the development extension has been activated in the extension host (it activates onStartupFinished). Waiting
 * for activation matters: the dev extension's commands only reach the command palette seconds after the
 * workbench looks ready, and a palette opened earlier says "No matching commands". */
export async function openWorkbench(
  cs: CodeServer,
  browserContext: BrowserContext,
  o: {
    folder?: string;
    devExt?: string;
    extraDevExts?: string[];
    waitForActivation?: boolean;
    devExtKind?: 'ui' | 'workspace' | 'web';
  } = {},
): Promise<Page> {
  const page = await browserContext.newPage();
  // A stray window.alert/confirm would block the page forever; VS Code uses its own dialogs, so dismiss them.
  page.on('dialog', (d) => void d.dismiss().catch(() => undefined));
  const devExt = o.devExt ?? extensionPath();
  const all = [devExt, ...(o.extraDevExts ?? [])];
  const ids = all.map(extensionId);
  const before = ids.map((id) => activationCount(cs, id));
  // 90 s rather than Playwright's 30 s default: the load event comes late when other workbenches share 2 cores.
  await page.goto(
    workbenchUrl(cs, {
      folder: o.folder ?? cs.workspaceDir,
      devExt: all.length === 1 ? devExt : devExtensionsFolder(cs, all),
      devExtKind: o.devExtKind,
    }),
    { timeout: 90_000 },
  );
  await waitForWorkbench(page);
  // A web-worker extension host logs into the browser's storage, not remoteexthost.log: nothing to wait for on disk.
  if (o.waitForActivation !== false && o.devExtKind !== 'web')
    for (const [i, id] of ids.entries()) await waitForActivation(cs, id, before[i]);
  return page;
}

/**
 * One folder holding several development extensions, for a single extensionDevelopmentPath entry. Repeating the
 * entry does not work: the workbench keeps the URL payload in a Map, so only the last extensionDevelopmentPath
 * survives. A development path without package.json is scanned as a folder of extensions instead, so this makes a
 * folder in the run dir with one symlink per extension (named by id; removed with the run dir, targets untouched).
 */
export function devExtensionsFolder(cs: Pick<CodeServer, 'runDir'>, extensionDirs: string[]): string {
  const dir = fs.mkdtempSync(path.join(cs.runDir, 'dev-extensions-'));
  for (const ext of extensionDirs) fs.symlinkSync(path.resolve(ext), path.join(dir, extensionId(ext)), 'dir');
  return dir;
}

/** Reloads the tab (same browser profile, so SecretStorage in localStorage survives) and waits as openWorkbench does:
 * for devExt's activation and, when given, for each of extraDevExts (the reload keeps the URL, so the same set loads). */
export async function reloadWorkbench(
  cs: CodeServer,
  page: Page,
  devExt = extensionPath(),
  extraDevExts: string[] = [],
): Promise<void> {
  const ids = [devExt, ...extraDevExts].map(extensionId);
  const before = ids.map((id) => activationCount(cs, id));
  await page.reload({ timeout: 90_000 });
  await waitForWorkbench(page);
  for (const [i, id] of ids.entries()) await waitForActivation(cs, id, before[i]);
}

export async function waitForWorkbench(page: Page, timeout = 60_000): Promise<void> {
  await page.locator('.monaco-workbench').waitFor({ timeout });
  await page.locator(ACCOUNTS).first().waitFor({ timeout });
  await page.locator('.part.statusbar').waitFor({ timeout });
}

/** publisher.name from the extension's package.json, e.g. openauth.oauth-accounts. */
export function extensionId(extensionDir: string): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(extensionDir, 'package.json'), 'utf8')) as {
    publisher: string;
    name: string;
  };
  return `${pkg.publisher}.${pkg.name}`;
}

/** How often the extension host logged activating the extension, over every extension host of this server
 * (each page load or reload starts a new one: logs/<session>/exthost<N>/remoteexthost.log). */
export function activationCount(cs: Pick<CodeServer, 'userDataDir'>, id: string): number {
  const logs = path.join(cs.userDataDir, 'logs');
  if (!fs.existsSync(logs)) return 0;
  const needle = `_doActivateExtension ${id},`;
  let n = 0;
  for (const session of fs.readdirSync(logs)) {
    const dir = path.join(logs, session);
    if (!fs.statSync(dir).isDirectory()) continue;
    for (const host of fs.readdirSync(dir).filter((d) => d.startsWith('exthost'))) {
      const file = path.join(dir, host, 'remoteexthost.log');
      if (fs.existsSync(file)) n += fs.readFileSync(file, 'utf8').split(needle).length - 1;
    }
  }
  return n;
}

/** Waits until the extension host logs one more activation of id than `before`. */
export async function waitForActivation(
  cs: Pick<CodeServer, 'userDataDir'>,
  id: string,
  before = 0,
  timeout = 90_000,
): Promise<void> {
  const end = Date.now() + timeout;
  while (activationCount(cs, id) <= before) {
    if (Date.now() > end) throw new Error(`extension ${id} was not activated within ${timeout / 1000} s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export interface Workbench {
  cs: CodeServer;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

/** code-server + chromium + a workbench tab, in one call. New tabs opened by openExternal arrive as
 * context.on('page'); they load because 127.0.0.2 is loopback and the origins are trusted. */
export async function startWorkbench(
  o: StartOptions & {
    folder?: string;
    extraDevExts?: string[];
    devExtKind?: 'ui' | 'workspace' | 'web';
    /** The extraDevExts' kind when it differs from devExtKind (e.g. OAuth Accounts in the web worker, a consumer on
     * the remote Node host: two extension hosts, as in a desktop remote window). */
    extraDevExtKind?: 'ui' | 'workspace' | 'web';
    /** Playwright's bypassCSP for the browser context (e.g. the web-worker host's connect-src, which allows plain
     * http only to localhost and 127.0.0.1, not to a test AS on 127.0.0.2). */
    bypassCSP?: boolean;
    /** Every console message of the browser context (pages, their frames and workers), from before the first page
     * loads: the web-worker build's test capture arrives this way (src/vscode/captureConsole.ts). */
    onConsole?: (text: string) => void;
  } = {},
): Promise<Workbench> {
  // devExtKind: the payload key extensionDevelopmentKind alone does nothing in code-server 4.139.1's web workbench
  // (it parses the key into extensionDevelopmentLocationKind, but the running-location code reads
  // extensionDevelopmentKind, which only the desktop environment service has). The user setting remote.extensionKind
  // is read at runtime and accepts 'web' too, so it carries the kind; the payload key is sent as well.
  const extraKind = o.extraDevExtKind ?? o.devExtKind;
  const kindSetting =
    o.devExtKind || extraKind
      ? {
          'remote.extensionKind': Object.fromEntries([
            ...(o.devExtKind ? [[extensionId(extensionPath()), [o.devExtKind]]] : []),
            ...(extraKind ? (o.extraDevExts ?? []).map((d) => [extensionId(d), [extraKind]]) : []),
          ]),
        }
      : {};
  const cs = await startCodeServer({
    ...o,
    userSettings: { ...kindSetting, ...o.userSettings },
    trustedOrigins: [...(o.trustedOrigins ?? []), ...OP_ORIGINS],
    env: { ...o.env },
  });
  let browser: Browser | undefined;
  try {
    browser = await launchBrowser();
    const context = await browser.newContext({
      viewport: { width: 1280, height: 800 },
      ...(o.bypassCSP ? { bypassCSP: true } : {}),
    });
    await blockNonLoopback(context);
    if (o.onConsole) {
      const listen = o.onConsole;
      context.on('console', (m) => listen(m.text()));
    }
    const page = await openWorkbench(cs, context, {
      folder: o.folder,
      extraDevExts: o.extraDevExts,
      devExtKind: o.devExtKind,
    });
    const b = browser;
    return {
      cs,
      browser: b,
      context,
      page,
      async close() {
        await b.close().catch(() => undefined);
        await cs.stop();
      },
    };
  } catch (e) {
    await browser?.close().catch(() => undefined);
    await cs.stop();
    throw e;
  }
}

/** Opens the command palette with ">title" typed and returns the visible rows' labels (e.g. "OAuth Accounts: Sign In..."). */
export async function commandPaletteItems(page: Page, title: string): Promise<string[]> {
  // Focus the workbench first: F1 is a workbench keybinding and does nothing while focus is outside it. The click
  // may be refused (a webview's frame covers the editor part, a dialog is open); then F1 still works from where
  // focus is, so wait briefly rather than Playwright's default 30 s, which pushed later steps past their timeouts.
  await page
    .locator('.monaco-workbench .part.editor')
    .click({ position: { x: 300, y: 200 }, timeout: 2_000 })
    .catch(() => undefined);
  await page.keyboard.press('F1');
  const input = page.locator(QUICK_INPUT).first();
  await input.waitFor({ timeout: 10_000 });
  await input.fill('>' + title);
  // The list filters asynchronously; 1.5 s matched what the reference flow needed on 2 slow cores.
  await page.waitForTimeout(1500);
  return page.$$eval(`${PALETTE_ROW} .label-name`, (els) =>
    els.map((e) => (e.textContent ?? '').trim()).filter(Boolean),
  );
}

/** Runs a command by its palette title (category included, e.g. "OAuth Accounts: Sign In..."). Retries for a few
 * seconds while the palette does not list it yet (commands registered moments ago). */
export async function runCommand(page: Page, title: string, timeout = 15_000): Promise<void> {
  const end = Date.now() + timeout;
  for (;;) {
    const items = await commandPaletteItems(page, title);
    if (items.includes(title)) break;
    await page.keyboard.press('Escape');
    if (Date.now() > end)
      throw new Error(`command "${title}" is not in the command palette; saw: ${JSON.stringify(items)}`);
    await page.waitForTimeout(500);
  }
  // Enter runs the first row: make sure that is ours, not a fuzzier match ranked above it.
  const first = await page.locator(`${PALETTE_ROW} .label-name`).first().textContent();
  if ((first ?? '').trim() !== title) {
    await page
      .locator(`${PALETTE_ROW} .label-name`, { hasText: exact(title) })
      .first()
      .click();
  } else {
    await page.keyboard.press('Enter');
  }
}

/** Types `value` into the open quick input (or keeps what it proposes) and presses Enter. */
export async function answerQuickInput(page: Page, value?: string): Promise<void> {
  const input = page.locator(QUICK_INPUT);
  await input.waitFor({ state: 'visible', timeout: 15_000 });
  if (value !== undefined) await input.fill(value);
  await page.waitForTimeout(300);
  await page.keyboard.press('Enter');
  await page.waitForTimeout(300);
}

/** Clicks the open quick pick's row showing `label`; returns every row's text as it was offered. */
export async function pickQuickInputRow(page: Page, label: string): Promise<string[]> {
  const row = page.locator(QUICK_ROW, { hasText: label }).first();
  await row.waitFor({ timeout: 15_000 });
  const rows = await page.locator(QUICK_ROW).allInnerTexts();
  await row.click();
  return rows;
}

/** Clicks the Accounts icon in the activity bar and returns the menu item texts. Leaves the menu open. */
export async function openAccountsMenu(page: Page): Promise<string[]> {
  await page.locator(ACCOUNTS).first().click();
  await page.locator(MENU_ITEM).first().waitFor({ timeout: 10_000 });
  await page.waitForTimeout(300); // items are added right after the menu appears
  return page.$$eval(MENU_ITEM, (els) => els.map((e) => (e.textContent ?? '').trim()).filter(Boolean));
}

/** Clicks an item of the open context menu (Accounts menu or a submenu). */
export async function clickMenuItem(page: Page, text: TextMatch): Promise<void> {
  const item = page.locator(MENU_ITEM, { hasText: text }).first();
  await item.waitFor({ timeout: 10_000 });
  await item.click();
}

/** Opens the notification center unless it is open. Needed because the workbench never shows toasts with
 * enable-smoke-test-driver (NotificationsToasts.addToast checks it), and that flag is what makes code-server honour
 * the development-extension payload. The center lists every notification and updates while open. */
export async function showNotificationCenter(page: Page): Promise<void> {
  if (await page.locator('.notifications-center.visible').count()) return;
  await runCommand(page, 'Notifications: Show Notifications');
  await page.locator('.notifications-center.visible').waitFor({ timeout: 10_000 });
}

const notification = (page: Page, text: TextMatch) =>
  page.locator('.notifications-center .notification-list-item', { hasText: text }).first();

/** Waits for a notification whose text matches (substring or RegExp) and returns its full text (message, source,
 * buttons). Leaves the notification center open. */
export async function waitForNotification(page: Page, text: TextMatch, timeout = 30_000): Promise<string> {
  await showNotificationCenter(page);
  const item = notification(page, text);
  await item.waitFor({ timeout });
  return (await item.innerText()).trim();
}

/** Clicks a button (e.g. "Sign In", "Retry") of the notification whose text matches. */
export async function clickNotificationButton(
  page: Page,
  text: TextMatch,
  label: TextMatch,
  timeout = 30_000,
): Promise<void> {
  await showNotificationCenter(page);
  const button = notification(page, text)
    .locator('.monaco-button', { hasText: exact(label) })
    .first();
  await button.waitFor({ timeout });
  await button.click();
}

const toast = (page: Page, text: TextMatch) =>
  page.locator('.notifications-toasts .notification-toast', { hasText: text }).first();

/** Waits for a notification toast (the pop-up a person sees, bottom right) whose text matches and returns its text.
 * Only where code-server runs without enable-smoke-test-driver (the demo, the VSIX test): with it, toasts never show. */
export async function waitForToast(page: Page, text: TextMatch, timeout = 30_000): Promise<string> {
  const t = toast(page, text);
  await t.waitFor({ state: 'visible', timeout });
  return (await t.innerText()).trim();
}

/** Clicks a button of the modal dialog, e.g. "Allow" in "The extension '…' wants to sign in using …".
 * Returns the dialog's text (for assertions). Throws if no such button appears within timeout. */
export async function clickDialogButton(page: Page, label: TextMatch, timeout = 10_000): Promise<string> {
  const button = page.locator(`${DIALOG} .monaco-button`, { hasText: exact(label) }).first();
  await button.waitFor({ timeout });
  const text = (
    await page
      .locator(DIALOG)
      .first()
      .innerText()
      .catch(() => '')
  ).trim();
  await button.click();
  return text;
}

/** Saves a PNG under test-results/ and returns its path. */
export function screenshot(page: Page, name: string): Promise<string> {
  return saveScreenshot(page, name);
}

/**
 * Runs `start` (which should end in env.openExternal), then waits for the browser tab it opens: the test AS logs in
 * by itself and redirects the tab to code-server's /callback page, which hands the answer to the workbench.
 * Returns once `done` resolves (e.g. the account is in the menu), then closes the tab.
 */
export async function signInThroughNewTab<T>(
  context: BrowserContext,
  start: () => Promise<void>,
  done: () => Promise<T>,
): Promise<{ result: T; tabUrl: string }> {
  const tabs: Page[] = [];
  const onPage = (p: Page) => tabs.push(p);
  context.on('page', onPage);
  let tab: Page;
  try {
    await start();
    // The 30 s count from the click, not from before it: opening a menu or the palette can take a while.
    const end = Date.now() + 30_000;
    while (!tabs.length) {
      if (Date.now() > end) throw new Error('no browser tab was opened for the sign-in within 30 s');
      await new Promise((r) => setTimeout(r, 100));
    }
    tab = tabs[0];
  } finally {
    context.off('page', onPage);
  }
  try {
    await tab.waitForURL(/\/callback\?/, { timeout: 30_000, waitUntil: 'load' });
    const result = await done();
    return { result, tabUrl: tab.url() };
  } finally {
    await tab.close().catch(() => undefined);
  }
}
