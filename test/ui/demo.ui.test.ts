// `npm run demo` exactly as a person uses it: start the demo, open the printed URL, sign in as alice on the Demo
// IdP's real login and consent pages, see alice in the Accounts menu, call the protected API from the example
// consumer extension, sign out, then Ctrl+C (SIGINT) and check that nothing the demo started is left behind.
// Also makes the README's screenshots (media/screenshots/demo-*.png; OAUTH_UPDATE_SCREENSHOTS=1 to refresh them).
import * as assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { blockNonLoopback, launchBrowser, REPO_ROOT } from '../host/codeServer';
import { readmeShot } from './readmeShots';
import {
  clickDialogButton,
  clickMenuItem,
  openAccountsMenu,
  runCommand,
  screenshot,
  waitForActivation,
  waitForToast,
  waitForWorkbench,
} from './uiHarness';

const FIRST_RUN_S = 600; // the first run installs the test host (~3 min on 2 cores), later runs start in seconds

/** Every process on the machine as pid → { ppid, pgid, start } (start time tells a reused pid apart). */
function processTable(): Map<number, { ppid: number; pgid: number; start: string }> {
  const table = new Map<number, { ppid: number; pgid: number; start: string }>();
  for (const name of fs.readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields from 3 (state) on; comm may hold spaces
      if (f[0] !== 'Z') table.set(Number(name), { ppid: Number(f[1]), pgid: Number(f[2]), start: f[19] });
    } catch {
      /* exited while listing */
    }
  }
  return table;
}

/** The demo and everything below it, plus anything in its process group. */
function demoProcesses(rootPid: number): Map<number, string> {
  const table = processTable();
  const found = new Map<number, string>();
  const walk = (pid: number) => {
    const p = table.get(pid);
    if (!p || found.has(pid)) return;
    found.set(pid, p.start);
    for (const [child, c] of table) if (c.ppid === pid) walk(child);
  };
  walk(rootPid);
  for (const [pid, p] of table) if (p.pgid === rootPid) found.set(pid, p.start);
  return found;
}

/** Text of the visible editor, with the non-breaking spaces Monaco renders turned back into spaces. */
async function editorText(page: Page): Promise<string> {
  return ((await page.locator('.editor-instance .monaco-editor .view-lines').first().textContent()) ?? '').replace(
    /\u00a0/g,
    ' ',
  );
}

async function waitForEditorText(page: Page, needle: string, timeout = 30_000): Promise<string> {
  const end = Date.now() + timeout;
  for (;;) {
    const text = await editorText(page).catch(() => '');
    if (text.includes(needle)) return text;
    if (Date.now() > end)
      throw new Error(`the editor never showed ${JSON.stringify(needle)}; it shows: ${text.slice(0, 500)}`);
    await page.waitForTimeout(300);
  }
}

suite('UI: npm run demo', function () {
  this.timeout(FIRST_RUN_S * 1000 + 180_000);
  let demo: ChildProcess | undefined;
  let output = '';
  let url = '';
  let profile = '';
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  let page: Page | undefined;
  const exited = () => demo?.exitCode !== null || demo?.signalCode !== null;
  /** The demo's terminal shows what the Demo IdP saw ("[idp] API answered for alice"): wait for a line. */
  const waitForOutput = async (re: RegExp, what: string, timeout = 30_000) => {
    const end = Date.now() + timeout;
    while (!re.test(output)) {
      if (Date.now() > end) throw new Error(`the demo's output never showed ${what} (${re})`);
      await new Promise((r) => setTimeout(r, 250));
    }
  };

  suiteSetup(async () => {
    // Its own process group, like a terminal's foreground job: SIGINT to the group is what Ctrl+C sends.
    demo = spawn(process.execPath, [path.join(REPO_ROOT, 'scripts', 'demo.mjs'), '--no-open'], {
      cwd: REPO_ROOT,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const onData = (d: Buffer) => {
      output += d.toString();
    };
    demo.stdout!.on('data', onData);
    demo.stderr!.on('data', onData);
    const end = Date.now() + FIRST_RUN_S * 1000;
    while (!/Stop with Ctrl\+C/.test(output)) {
      if (exited()) throw new Error(`the demo exited early (${demo.exitCode ?? demo.signalCode}):\n${output}`);
      if (Date.now() > end) throw new Error(`the demo did not print its URL within ${FIRST_RUN_S} s:\n${output}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    url = /^ Open:\s+(\S+)/m.exec(output)?.[1] ?? '';
    profile = /Temporary profile:\s+(\S+)/.exec(output)?.[1] ?? '';
    // A plain workbench URL: the extensions are installed in the demo's profile, not loaded through a test payload.
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/\?folder=[^&]+$/, output);
    assert.ok(fs.existsSync(profile), `temporary profile ${profile} exists while the demo runs`);
    assert.match(output, /alice \/ alice-password/);
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await blockNonLoopback(context);
  });

  suiteTeardown(async () => {
    await browser?.close().catch(() => undefined);
    if (demo?.pid && !exited())
      try {
        process.kill(-demo.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
  });

  teardown(async function () {
    if (this.currentTest?.state !== 'failed') return;
    if (page)
      await screenshot(page, `failed-demo-${this.currentTest.title.replace(/\W+/g, '-')}`).catch(() => undefined);
    console.log(`--- demo output ---\n${output}\n-------------------`);
  });

  test('a person signs in as alice on the real login and consent pages, calls the API and signs out', async () => {
    page = await context!.newPage();
    page.on('dialog', (d) => void d.dismiss().catch(() => undefined));
    await page.goto(url);
    await waitForWorkbench(page);
    await waitForActivation({ userDataDir: path.join(profile, 'user-data') }, 'openauth.oauth-accounts');

    // "Demo: Call Protected API" → VS Code asks whether Demo Consumer may sign in → the login page opens in a new tab.
    await runCommand(page, 'Demo: Call Protected API');
    const loginTab = context!.waitForEvent('page', { timeout: 30_000 });
    loginTab.catch(() => undefined); // awaited below; this only keeps an early failure from going unhandled
    const prompt = await clickDialogButton(page, 'Allow', 30_000);
    assert.match(prompt, /Demo Consumer.*wants to sign in using Demo IdP/s);
    const idp = await loginTab;
    await idp.locator('#username').waitFor({ timeout: 30_000 });
    assert.match(await idp.title(), /Sign in · Demo IdP/);
    await idp.fill('#password', 'wrong');
    await idp.fill('#username', 'alice');
    await idp.click('button[type=submit]');
    await idp.getByText('Wrong username or password.').waitFor({ timeout: 10_000 });
    await screenshot(idp, 'demo-login-page');
    await idp.fill('#password', 'alice-password');
    await idp.click('button[type=submit]');
    await idp.getByText('Allow access?').waitFor({ timeout: 10_000 });
    assert.match(await idp.locator('main').innerText(), /Stay signed in/); // offline_access → refresh token
    await screenshot(idp, 'demo-consent-page');
    await idp.getByRole('button', { name: 'Allow' }).click();
    await idp.waitForURL(/\/callback\?/, { timeout: 30_000 }); // the workbench's URI-handler page

    const first = await waitForEditorText(page, '"status": 200');
    assert.match(first, /"sub": "alice"/);
    assert.match(first, /"email": "alice@example\.test"/);
    assert.match(first, /"scope": "[^"]*openid/);
    assert.doesNotMatch(first, /Bearer [\w-]{10,}/, 'the result never shows the token');
    await idp.close();

    // The Accounts menu lists alice for the Demo IdP.
    const items = await openAccountsMenu(page);
    assert.ok(
      items.some((i) => /alice.*Demo IdP/.test(i)),
      `Accounts menu: ${JSON.stringify(items)}`,
    );
    await readmeShot(page, 'demo-accounts-menu');
    await page.keyboard.press('Escape');

    // A second call reuses the stored session: no prompt, no new tab.
    const newTabs: Page[] = [];
    context!.on('page', (p) => newTabs.push(p));
    await runCommand(page, 'Demo: Call Protected API');
    await waitForOutput(/(API answered for alice[^]*){2}/, 'the second API call');
    assert.match(await waitForEditorText(page, '"sub": "alice"'), /"account": "alice"/);
    // The pop-up a person sees (the demo runs code-server without the test driver, so toasts show).
    assert.match(await waitForToast(page, /the API answered for Alice Liddell/), /Demo Consumer|API/);
    // The palette helper's focus click left the cursor mid-word (highlighted): put it at the start for the picture.
    await page
      .locator('.editor-instance .view-line')
      .first()
      .click({ position: { x: 1, y: 5 } })
      .catch(() => undefined);
    assert.equal(newTabs.length, 0, 'the second call needed no sign-in');
    await readmeShot(page, 'demo-api-result');
    await page.keyboard.press('Escape');

    // Sign out from the Accounts menu: OAuth Accounts revokes the tokens at the Demo IdP.
    for (let attempt = 1; ; attempt++) {
      await openAccountsMenu(page);
      await clickMenuItem(page, /alice.*Demo IdP/);
      await page.waitForTimeout(300); // the submenu can swallow a click that lands while it is still opening
      await clickMenuItem(page, /^\s*Sign Out\s*$/); // exact: the parent item's text includes its submenu's
      if (
        await page
          .locator('.monaco-dialog-box')
          .first()
          .waitFor({ timeout: 5000 })
          .then(
            () => true,
            () => false,
          )
      )
        break;
      if (attempt === 3) throw new Error('"Sign Out" in the Accounts menu did nothing');
      await page.keyboard.press('Escape');
    }
    await clickDialogButton(page, 'Sign Out', 15_000);
    await waitForOutput(/alice's sign-in was revoked/, 'the sign-out revoking the tokens at the Demo IdP');
    const after = await openAccountsMenu(page);
    assert.ok(!after.some((i) => /alice/.test(i)), `alice is gone from the Accounts menu: ${JSON.stringify(after)}`);
    await page.keyboard.press('Escape');

    // Calling the API again asks for a new sign-in; declining it leaves no token, and the API refuses the call.
    await runCommand(page, 'Demo: Call Protected API');
    assert.match(await clickDialogButton(page, 'Cancel', 30_000), /wants to sign in using Demo IdP/);
    const refused = await waitForEditorText(page, '"status": 401');
    assert.match(refused, /"sent_bearer_token": false/);
    assert.match(refused, /"www_authenticate": "Bearer realm=\\"demo\\""/);
    await waitForToast(page, /API refused the call/);
  });

  test('Ctrl+C (SIGINT) stops every process the demo started and removes its temporary profile', async () => {
    const pid = demo!.pid!;
    const before = demoProcesses(pid);
    assert.ok(before.size >= 3, `the demo, code-server and its extension host are running: ${[...before.keys()]}`);
    const exit = new Promise<number | string>((r) => demo!.once('exit', (code, sig) => r(code ?? sig ?? -1)));
    process.kill(-pid, 'SIGINT');
    const timeout = new Promise<string>((r) => setTimeout(() => r('timeout'), 20_000));
    assert.equal(await Promise.race([exit, timeout]), 130);
    assert.match(output, /demo: stopped/);
    // Give the kernel a moment to reap the SIGKILLed group, then nothing of the snapshot may be alive.
    let left: number[] = [];
    for (let i = 0; i < 20; i++) {
      const now = processTable();
      left = [...before].filter(([p, start]) => now.get(p)?.start === start).map(([p]) => p);
      if (left.length === 0 && ![...now.values()].some((p) => p.pgid === pid)) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.deepEqual(left, [], 'processes left behind by the demo');
    assert.ok(!fs.existsSync(profile), `temporary profile ${profile} was removed`);
    await page?.close().catch(() => undefined);
  });
});
