// Launches the real VS Code workbench offline: code-server (VS Code's own server, Node extension host) driven by
// Debian chromium through playwright-core. Used by the integration runner, the UI tests, the demo and the bench.
// Recipe and the reasons behind each flag: /work/shared/notes/vscode-host-recipe.md (code-server 4.139.1, Node 24).
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';

/** The extension folder (repo root): the nearest package.json above this file, compiled or not. */
export const REPO_ROOT = (() => {
  for (let d = __dirname; d !== path.dirname(d); d = path.dirname(d)) {
    if (fs.existsSync(path.join(d, 'package.json')) && fs.existsSync(path.join(d, 'esbuild.mjs'))) return d;
  }
  throw new Error('cannot find the extension folder above ' + __dirname);
})();
/** The extension loaded as development extension: the repo, unless OAUTH_TEST_EXTENSION_PATH points elsewhere. */
export const extensionPath = () => path.resolve(process.env.OAUTH_TEST_EXTENSION_PATH || REPO_ROOT);
export const RESULTS_DIR = path.join(REPO_ROOT, 'test-results');
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

// scripts/testHost.mjs installs the host (it reads the same variables); OAUTH_TEST_CACHE is this project's name.
const cacheDir = () =>
  process.env.OAUTH_TEST_CACHE || process.env.VSCODE_TEST_CACHE || path.join(REPO_ROOT, '.vscode-test');

/** Node 24 binary and code-server entry of the finished install (scripts/testHost.mjs: host.json in a folder that
 * only exists once the install is complete). */
export function testHostPaths(): { node: string; entry: string } {
  const v = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'scripts', 'test-host.json'), 'utf8')) as {
    codeServer: string;
    node: string;
  };
  const dir = path.join(cacheDir(), `code-server-${v.codeServer}-node${v.node}`);
  const hint = `run "node scripts/testHost.mjs" (or "npm run demo") first (cache: ${cacheDir()})`;
  const manifest = path.join(dir, 'host.json');
  if (!fs.existsSync(manifest)) throw new Error(`test host not installed: ${manifest} is missing; ${hint}`);
  const m = JSON.parse(fs.readFileSync(manifest, 'utf8')) as { node: string; entry: string };
  const node = path.join(dir, m.node),
    entry = path.join(dir, m.entry);
  for (const f of [node, entry])
    if (!fs.existsSync(f)) throw new Error(`test host incomplete: ${f} is missing; ${hint}`);
  return { node, entry };
}

export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, host, () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** Host of the test authorization server: loopback but not "localhost"/127.0.0.1, which code-server would tunnel
 * through its /proxy/PORT/ route (and re-encode the query) when openExternal is called. */
export const OP_HOST = '127.0.0.2';

/**
 * Trusted for openExternal (no link-protection modal): the test authorization server on any port of 127.0.0.2 (VS
 * Code's trusted-domain syntax, `:*` = any port). Tests inside the extension host start their servers on port 0,
 * bound by the server itself, instead of ports picked beforehand that another process could take meanwhile.
 */
export const OP_ORIGINS = [`http://${OP_HOST}:*`];

/** Settings that keep the workbench quiet and deterministic (no tips, no walkthroughs, no AI, no git scanning). */
export const QUIET_SETTINGS: Record<string, unknown> = {
  'telemetry.telemetryLevel': 'off',
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'update.mode': 'none',
  'security.workspace.trust.enabled': false,
  'chat.disableAIFeatures': true,
  'git.enabled': false,
  'git.autoRepositoryDetection': false,
  'window.restoreWindows': 'none',
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
};

export interface StartOptions {
  userSettings?: Record<string, unknown>;
  /** Origins (e.g. http://127.0.0.2:1234) that openExternal may open without the link-protection modal. */
  trustedOrigins?: string[];
  /** Extra env for code-server; the extension host inherits it, so tests see it. */
  env?: Record<string, string>;
  /** Keep the run dir (logs, user data) after stop(). */
  keep?: boolean;
  /** Bind address (default 127.0.0.1). 0.0.0.0 or a LAN address makes the workbench reachable from other machines. */
  host?: string;
  /** Port to listen on (default: a free one). */
  port?: number;
  /** Host name the browser uses, when it differs from `host` (e.g. the LAN address when binding 0.0.0.0). It is
   * also the remote authority in the payload's vscode-remote:// URIs, which must match the address bar. */
  publicHost?: string;
  /** Serve https with this certificate and key (PEM files). A browser on another machine needs a secure context:
   * the workbench encrypts SecretStorage with crypto.subtle, which plain http only has on localhost. */
  tls?: { cert: string; key: string };
  /** Require this password (code-server's login page) instead of --auth none; for any non-loopback bind address. */
  password?: string;
  /**
   * Start with --vscode-option enable-smoke-test-driver (default true): the only way a built workbench honours the
   * URL payload (development extension, tests), but it also suppresses notification toasts. false = code-server as
   * a user runs it (the demo; the VSIX test): extensions come from `installExtensions` instead.
   */
  testDriver?: boolean;
  /** VSIX files installed into the fresh extensions dir with `code-server --install-extension` before start. */
  installExtensions?: string[];
  /** Workspace Trust as users have it (default: off, every folder trusted); folders then open untrusted. */
  workspaceTrust?: boolean;
  /** Extension folders used in place, as installed (non-development) extensions: listed in the extensions dir's
   * extensions.json, which is where VS Code records what is installed. No copy, so the demo runs the working tree. */
  linkedExtensions?: string[];
}

export interface CodeServer {
  url: string; // http://127.0.0.1:PORT (https and publicHost when asked)
  authority: string; // 127.0.0.1:PORT, also the remote authority in vscode-remote:// URIs
  port: number;
  runDir: string;
  userDataDir: string;
  workspaceDir: string; // empty folder, the default workspace
  logFile: string; // code-server's stdout+stderr
  stop(): Promise<void>;
}

// Process groups of servers not yet stopped. If this process dies early (Ctrl-C, npm test's watchdog SIGTERM,
// process.exit from a crashed runner) they are killed too, so no code-server or extension host is left behind.
const liveGroups = new Set<number>();
const tempDirs = new Set<string>(); // removed on such an early exit too (not the ones asked to be kept)
let hooksInstalled = false;
function installExitHooks() {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', () => {
    for (const pid of liveGroups)
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    for (const dir of tempDirs)
      try {
        fs.rmSync(dir, { recursive: true, force: true });
      } catch {
        /* best effort */
      }
  });
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => process.exit(sig === 'SIGINT' ? 130 : 143));
}

/** Removes `dir` if this process dies early (like the servers' own run dirs); call the result once it is removed. */
export function removeOnEarlyExit(dir: string): () => void {
  installExitHooks();
  tempDirs.add(dir);
  return () => {
    tempDirs.delete(dir);
  };
}

/**
 * Starts code-server. Without `opts.port` it picks a free port, then code-server binds it: another process may take
 * the port in between (a 2-core CI machine runs other suites at the same time), so that case is retried on a new
 * port. A port the caller chose fails as it is.
 */
export async function startCodeServer(opts: StartOptions = {}): Promise<CodeServer> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startCodeServerOnce(opts);
    } catch (e) {
      if (opts.port !== undefined || attempt >= 5 || !/EADDRINUSE/.test(String((e as Error)?.message))) throw e;
      console.error(`[host] code-server's port was taken before it could bind it; retrying on another (${attempt})`);
    }
  }
}

async function startCodeServerOnce(opts: StartOptions): Promise<CodeServer> {
  const { node, entry } = testHostPaths();
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'oauth-cs-'));
  const userDataDir = path.join(runDir, 'user-data');
  const extensionsDir = path.join(runDir, 'extensions');
  const tmp = path.join(runDir, 'tmp');
  const workspaceDir = path.join(runDir, 'workspace');
  for (const d of [path.join(userDataDir, 'User'), extensionsDir, tmp, workspaceDir])
    fs.mkdirSync(d, { recursive: true });
  // Workspace Trust on: folders open in restricted mode without the startup question (the user never trusted them).
  const trust = opts.workspaceTrust
    ? { 'security.workspace.trust.enabled': true, 'security.workspace.trust.startupPrompt': 'never' }
    : {};
  fs.writeFileSync(
    path.join(userDataDir, 'User', 'settings.json'),
    JSON.stringify({ ...QUIET_SETTINGS, ...trust, ...opts.userSettings }, null, 2),
  );

  installExitHooks();
  if (!opts.keep) tempDirs.add(runDir);
  for (const vsix of opts.installExtensions ?? []) {
    // The same CLI a user runs; it exits after installing. The extension is then a normal, non-development one.
    const r = spawnSync(
      node,
      [entry, '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir, '--install-extension', vsix],
      { encoding: 'utf8', env: { EXTENSIONS_GALLERY: '{}', ...process.env, TMPDIR: tmp }, timeout: 120_000 },
    );
    if (r.status !== 0 || !/successfully installed/i.test(r.stdout + r.stderr)) {
      fs.rmSync(runDir, { recursive: true, force: true });
      throw new Error(
        `code-server --install-extension ${vsix} failed (${r.status ?? r.signal}):\n${r.stdout}${r.stderr}`,
      );
    }
  }
  if (opts.linkedExtensions?.length) {
    fs.writeFileSync(
      path.join(extensionsDir, 'extensions.json'),
      JSON.stringify(
        opts.linkedExtensions.map((dir) => {
          const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
            publisher: string;
            name: string;
            version: string;
          };
          return {
            identifier: { id: `${pkg.publisher}.${pkg.name}` },
            version: pkg.version,
            location: { $mid: 1, path: path.resolve(dir), scheme: 'file' },
          };
        }),
      ),
    );
  }
  const host = opts.host ?? '127.0.0.1';
  const port = opts.port ?? (await freePort(host));
  const authority = `${opts.publicHost ?? host}:${port}`;
  const args = [
    entry,
    '--auth',
    opts.password ? 'password' : 'none',
    '--bind-addr',
    `${host}:${port}`,
    ...(opts.tls ? ['--cert', opts.tls.cert, '--cert-key', opts.tls.key] : []),
    '--user-data-dir',
    userDataDir,
    '--extensions-dir',
    extensionsDir,
    '--disable-telemetry',
    '--disable-update-check',
    ...(opts.workspaceTrust ? [] : ['--disable-workspace-trust']),
    '--disable-getting-started-override',
    '--ignore-last-opened',
    '--log',
    'info',
    // Without this a built workbench ignores extensionDevelopmentPath/extensionTestsPath in the URL payload.
    ...(opts.testDriver === false ? [] : ['--vscode-option', 'enable-smoke-test-driver']),
    // code-server parses this as string[] and pushes each occurrence, so the flag is repeated per origin.
    ...(opts.trustedOrigins ?? []).flatMap((o) => ['--link-protection-trusted-domains', o]),
  ];
  const logFile = path.join(runDir, 'code-server.log');
  let logFd: number | undefined = fs.openSync(logFile, 'a');
  const closeLog = () => {
    if (logFd !== undefined) fs.closeSync(logFd);
    logFd = undefined;
  };
  // detached: own process group, so stop() takes down the server, extension host, pty host and watcher together.
  const proc = spawn(node, args, {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    // No gallery means no requests to open-vsx.org; TMPDIR holds the never-removed vscode-*.sock files.
    env: {
      EXTENSIONS_GALLERY: '{}',
      ...process.env,
      ...opts.env,
      TMPDIR: tmp,
      ...(opts.password ? { PASSWORD: opts.password } : {}),
    },
  });
  installExitHooks();
  if (proc.pid !== undefined) liveGroups.add(proc.pid);
  if (!opts.keep) tempDirs.add(runDir);
  await new Promise<void>((resolve, reject) => {
    let buf = '',
      ready = false;
    const timer = setTimeout(
      () => reject(new Error(`code-server did not start in 60 s; log: ${logFile}\n${buf}`)),
      60_000,
    );
    // Output keeps going to the log after startup (stdio can still flush after 'exit': hence the fd check).
    const onData = (d: Buffer) => {
      if (logFd !== undefined) fs.writeSync(logFd, d);
      if (ready) return;
      buf += d.toString();
      if (/HTTPS? server listening on/.test(buf)) {
        ready = true;
        clearTimeout(timer);
        resolve();
      } // HTTPS: opts.tls
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    proc.once('exit', (code, sig) => {
      clearTimeout(timer);
      reject(new Error(`code-server exited early (${code ?? sig}):\n${buf}`));
    });
  }).catch(async (e) => {
    await kill();
    closeLog();
    if (!opts.keep) {
      fs.rmSync(runDir, { recursive: true, force: true });
      tempDirs.delete(runDir);
    }
    throw e;
  });

  async function kill() {
    const pid = proc.pid;
    if (pid === undefined) return;
    if (proc.exitCode === null && proc.signalCode === null) {
      try {
        process.kill(-pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
      await new Promise<void>((r) => {
        const t = setTimeout(r, 5000);
        proc.once('exit', () => {
          clearTimeout(t);
          r();
        });
      });
    }
    // Whatever is left of the group (server ignoring SIGTERM, a straggling extension or pty host) goes now.
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      /* group already empty */
    }
    liveGroups.delete(pid);
  }
  let stopped = false;
  return {
    url: `${opts.tls ? 'https' : 'http'}://${authority}`,
    authority,
    port,
    runDir,
    userDataDir,
    workspaceDir,
    logFile,
    async stop() {
      if (stopped) return;
      stopped = true;
      await kill();
      closeLog();
      if (!opts.keep) fs.rmSync(runDir, { recursive: true, force: true });
      tempDirs.delete(runDir);
    },
  };
}

export async function launchBrowser(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

/** Refuses every http(s)/ws(s) request that leaves loopback (127.0.0.0/8, localhost); the tests must run offline. */
export async function blockNonLoopback(
  context: BrowserContext,
  onBlocked = (u: string) => console.error('[host] blocked non-loopback request', u),
) {
  const loopback = /^(https?|wss?):\/\/(127(\.\d{1,3}){3}|localhost)(:\d+)?(\/|$)/;
  await context.route(
    (u) => /^(https?|wss?):$/.test(u.protocol) && !loopback.test(u.href),
    (route) => {
      onBlocked(route.request().url());
      return route.abort();
    },
  );
}

/** Workbench URL; devExt/tests are absolute paths on this machine, sent in the payload as vscode-remote URIs.
 * Only ONE extensionDevelopmentPath works: code-server 4.139's workbench reads the payload into a Map, so a repeated
 * key keeps the last. For several extensions pass a folder of symlinks (devExtensionsFolder in test/ui/uiHarness.ts). */
export function workbenchUrl(
  cs: Pick<CodeServer, 'url' | 'authority'>,
  o: { folder: string; devExt?: string; tests?: string; devExtKind?: 'ui' | 'workspace' | 'web' },
): string {
  const remote = (p: string) => `vscode-remote://${cs.authority}${p}`;
  const payload: [string, string][] = [];
  if (o.devExt) payload.push(['extensionDevelopmentPath', remote(o.devExt)]);
  // Where the development extension runs, overriding its manifest: 'web' = the browser's web-worker extension host
  // (its `browser` entry). The workbench keeps one value (payload key extensionDevelopmentKind) for every dev extension.
  if (o.devExtKind) payload.push(['extensionDevelopmentKind', o.devExtKind]);
  if (o.tests) payload.push(['extensionTestsPath', remote(o.tests)]);
  let url = `${cs.url}/?folder=${encodeURIComponent(o.folder)}`;
  if (payload.length) url += `&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  return url;
}

export async function saveScreenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, name.endsWith('.png') ? name : `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

// Workbench log lines that share the automation-log channel with the extension host console (mocha's output).
