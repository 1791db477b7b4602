// Runs an extensionTestsPath module (mocha suites, the activation bench) in code-server's real Node extension host
// (codeServer.ts), driven by Debian chromium through playwright-core, and collects its results.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as util from 'node:util';
import type { BrowserContext } from 'playwright-core';
import {
  blockNonLoopback,
  CHROMIUM,
  CHROMIUM_ARGS,
  extensionPath,
  launchBrowser,
  removeOnEarlyExit,
  RESULTS_DIR,
  OP_ORIGINS,
  saveScreenshot,
  startCodeServer,
  workbenchUrl,
  type CodeServer,
} from './codeServer';

const NOISE =
  /^(Resolving connection token|Resolved connection token|Creating a socket|\[reconnection-grace-time\]|Updating additional builtin extensions cache|\[Service Worker\]|\[AgentHost|\[AccountPolicyGate\]|Ignoring fetching additional builtin extensions|Canceled: Canceled|Timed out waiting for authentication provider 'github'|Started local extension host|Loading development extension|.*ENOTFOUND|.*open-vsx\.org|.*vsda)/;

export interface TestFailure {
  title: string;
  error: string;
}
export interface TestRunResult {
  passed: number;
  failed: number;
  skipped?: number;
  failures: TestFailure[];
  exitCode: number;
}

export interface RunOptions {
  testsEntry: string; // absolute path of the compiled extensionTestsPath module
  env?: Record<string, string>;
  trustedOrigins?: string[];
  userSettings?: Record<string, unknown>;
  timeoutS?: number; // default 600
  folder?: string; // workspace; default an empty folder in the run dir
  /** Development extension folder; default the repo root (OAUTH_TEST_EXTENSION_PATH overrides, e.g. for a stub). */
  extensionPath?: string;
  keep?: boolean;
  verbose?: boolean; // also print filtered workbench noise and browser console
  /** Installed (non-development) extensions, as StartOptions.linkedExtensions: they run in ExtensionMode.Production. */
  linkedExtensions?: string[];
  /**
   * A browser profile kept across runs, with `port`: the workbench's storage (extensions' globalState lives in the
   * browser's IndexedDB, per origin) then survives into the next run, as it survives a user's restart.
   */
  browserProfile?: string;
  port?: number;
}

/** Runs testsEntry in the real Node extension host with the repo as development extension.
 * exitCode: 0 all passed, 1 failures (or the entry threw), 2 harness error or timeout. */
export async function runExtensionTests(o: RunOptions): Promise<TestRunResult> {
  const verbose = o.verbose ?? !!process.env.OAUTH_TEST_VERBOSE;
  const t0 = Date.now();
  const phase = (what: string) => {
    if (verbose) console.log(`[host ${((Date.now() - t0) / 1000).toFixed(1)}s] ${what}`);
  };
  const fail = (error: string, exitCode = 2, title = 'integration run'): TestRunResult => ({
    passed: 0,
    failed: 1,
    failures: [{ title, error }],
    exitCode,
  });
  if (!fs.existsSync(o.testsEntry))
    return fail(`tests entry not found: ${o.testsEntry} (run "node esbuild.mjs --tests")`);
  const resultsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'oauth-results-'));
  const resultsFile = path.join(resultsDir, 'results.json');
  const forgetResultsDir = removeOnEarlyExit(resultsDir);
  const timeoutS = o.timeoutS ?? 600;
  let cs: CodeServer | undefined;
  let closeBrowser: (() => Promise<void>) | undefined;
  try {
    cs = await startCodeServer({
      userSettings: o.userSettings,
      keep: o.keep,
      linkedExtensions: o.linkedExtensions,
      port: o.port,
      trustedOrigins: [...(o.trustedOrigins ?? []), ...OP_ORIGINS],
      env: { ...o.env, OAUTH_TEST_RESULTS: resultsFile },
    });
    phase(`code-server listening at ${cs.url}`);
    const viewport = { width: 1280, height: 800 };
    let context: BrowserContext;
    if (o.browserProfile) {
      const { chromium } = await import('playwright-core');
      context = await chromium.launchPersistentContext(o.browserProfile, {
        executablePath: CHROMIUM,
        headless: true,
        args: CHROMIUM_ARGS,
        viewport,
      });
      closeBrowser = () => context.close();
    } else {
      const b = await launchBrowser();
      context = await b.newContext({ viewport });
      closeBrowser = () => b.close();
    }
    await blockNonLoopback(context);
    const page = await context.newPage();
    phase('browser ready');
    let exited = false;
    // The workbench calls window.codeAutomationExit(code) when run() settles: 0 resolved, 1 rejected/threw.
    let onExit!: (code: number) => void;
    const exit = new Promise<number>((resolve) => {
      onExit = resolve;
    });
    await page.exposeFunction('codeAutomationExit', (code: number) => {
      exited = true;
      onExit(code);
    });
    // In test mode the extension host console goes to the workbench log service, which forwards it here.
    await page.exposeFunction('codeAutomationLog', (type: string, args: unknown[]) => {
      const text = util.format(...(args ?? []));
      if (!verbose && (exited || NOISE.test(text))) return;
      const line = verbose ? `[host ${((Date.now() - t0) / 1000).toFixed(1)}s] ${text}` : text;
      (type === 'error' ? process.stderr : process.stdout).write(line.endsWith('\n') ? line : line + '\n');
    });
    if (verbose)
      page.on('console', (m) =>
        console.log(`[browser ${((Date.now() - t0) / 1000).toFixed(1)}s]`, m.type(), m.text().slice(0, 300)),
      );
    await page.goto(
      workbenchUrl(cs, {
        folder: o.folder ?? cs.workspaceDir,
        devExt: o.extensionPath ?? extensionPath(),
        tests: o.testsEntry,
      }),
    );
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([
      exit,
      new Promise<'timeout'>((r) => {
        timer = setTimeout(() => r('timeout'), timeoutS * 1000);
      }),
    ]);
    clearTimeout(timer);
    phase(`test run finished: ${code}`);
    if (code === 'timeout') {
      const stem = `integration-timeout-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      const shot = await saveScreenshot(page, stem).catch((e) => `(no screenshot: ${e})`);
      const logCopy = path.join(RESULTS_DIR, `${stem}-code-server.log`);
      try {
        fs.copyFileSync(cs.logFile, logCopy);
      } catch {
        /* best effort */
      }
      return fail(
        `timed out after ${timeoutS} s waiting for the extension host test run to finish; screenshot: ${shot}; server log: ${logCopy}`,
      );
    }
    if (fs.existsSync(resultsFile)) {
      const r = JSON.parse(fs.readFileSync(resultsFile, 'utf8')) as {
        passed: number;
        failed: number;
        skipped?: number;
        failures: TestFailure[];
      };
      // run() rejecting with zero recorded failures still means something broke (e.g. after mocha finished).
      if (code !== 0 && r.failed === 0)
        r.failures.push({ title: 'integration run', error: `test entry exited with code ${code}` });
      return {
        passed: r.passed,
        failed: Math.max(r.failed, code !== 0 ? 1 : 0),
        skipped: r.skipped ?? 0,
        failures: r.failures,
        exitCode: code === 0 ? 0 : 1,
      };
    }
    // No results file: the entry threw before mocha ran (load error) or it is not the project's index.ts.
    return fail(
      code === 0
        ? 'test entry finished without writing results (OAUTH_TEST_RESULTS)'
        : `test entry failed before reporting results (exit code ${code}); see the output above`,
      code === 0 ? 2 : 1,
    );
  } catch (e) {
    return fail(`harness error: ${(e as Error)?.stack ?? e}`);
  } finally {
    if (closeBrowser) await closeBrowser().catch(() => undefined);
    if (cs) await cs.stop();
    fs.rmSync(resultsDir, { recursive: true, force: true });
    forgetResultsDir();
    phase('cleaned up');
  }
}
