#!/usr/bin/env node
// `npm run demo`: the whole product in one command. Builds the extension, starts the embedded Demo IdP
// (demo/demoIdp.mjs) and a real VS Code (code-server from the cached test host, or desktop `code` with --desktop)
// with OAuth Accounts and the example consumer (examples/demo-consumer) loaded as development extensions, in a
// temporary profile configured for the Demo IdP. Ctrl+C stops everything it started and removes the profile.
//
//   node scripts/demo.mjs [--port N] [--host ADDR] [--desktop] [--no-open] [--team]
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { installTestHost } from './testHost.mjs';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const consumerDir = path.join(root, 'examples', 'demo-consumer');
const t0 = Date.now();
const secs = (from = t0) => ((Date.now() - from) / 1000).toFixed(1);
const fail = (msg) => {
  console.error(`demo: ${msg}`);
  process.exit(1);
};

const USAGE = `Usage: npm run demo -- [--port N] [--host ADDR] [--desktop] [--no-open] [--team]
  --port N     code-server port (default: a free port)
  --host ADDR  bind code-server and the Demo IdP to ADDR (default 127.0.0.1 and 127.0.0.2), e.g. 0.0.0.0 to open
               the demo from another machine on a trusted network (https with a self-signed certificate, password)
  --desktop    use the desktop VS Code ("code" on PATH) instead of code-server
  --no-open    do not open the browser
  --team       start as a teammate: no provider of your own; the workspace recommends the Demo IdP
               (.vscode/settings.json) and VS Code asks whether to add it`;
const opts = { port: undefined, host: undefined, desktop: false, open: true, team: false };
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i];
  const value = () => process.argv[++i] ?? fail(`${a} needs a value\n${USAGE}`);
  if (a === '--port') {
    opts.port = Number(value());
    if (!Number.isInteger(opts.port) || opts.port < 1 || opts.port > 65535) fail(`--port: not a port number\n${USAGE}`);
  } else if (a === '--host') opts.host = value();
  else if (a === '--desktop') opts.desktop = true;
  else if (a === '--no-open') opts.open = false;
  else if (a === '--team') opts.team = true;
  else if (a === '--help' || a === '-h') {
    console.log(USAGE);
    process.exit(0);
  } else fail(`unknown option ${a}\n${USAGE}`);
}
if (opts.desktop && (opts.port || opts.host))
  fail('--port and --host are for code-server; --desktop opens a local window');

const onPath = (cmd) =>
  (process.env.PATH ?? '').split(path.delimiter).some((d) => {
    try {
      fs.accessSync(path.join(d, cmd), fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
if (opts.desktop && !onPath('code')) {
  fail(
    '--desktop needs the desktop VS Code\'s "code" command on PATH (in VS Code: Command Palette → "Shell Command: Install \'code\' command in PATH"), or run without --desktop to use code-server.',
  );
}

// code-server makes its own run dir (profile, logs); anything else (certificate, desktop profile) goes in this temp
// dir, made on first use. Both are removed on exit, whatever the reason (Ctrl+C, SIGTERM, an error).
let tmpDir;
const tmp = () => (tmpDir ??= fs.mkdtempSync(path.join(os.tmpdir(), 'oauth-demo-')));
let desktopGroup;
let stopping = false;
process.on('exit', (code) => {
  if (desktopGroup) {
    try {
      process.kill(-desktopGroup, 'SIGTERM');
    } catch {
      /* already gone */
    }
    // The `code` launcher starts Electron in a process group of its own: find it by the profile path in its
    // arguments, and stop its whole group (renderer and helper processes).
    const ps = spawnSync('ps', ['-A', '-o', 'pid=,pgid=,args='], { encoding: 'utf8' });
    const ownGroup = Number(spawnSync('ps', ['-o', 'pgid=', '-p', String(process.pid)], { encoding: 'utf8' }).stdout);
    for (const m of (ps.stdout ?? '').matchAll(/^\s*(\d+)\s+(\d+)\s+(.*)$/gm)) {
      if (!m[3].includes(tmpDir) || Number(m[1]) === process.pid) continue;
      for (const target of Number(m[2]) === ownGroup ? [Number(m[1])] : [-Number(m[2]), Number(m[1])]) {
        try {
          process.kill(target, 'SIGTERM');
        } catch {
          /* gone */
        }
      }
    }
  }
  if (tmpDir) fs.rmSync(tmpDir, { recursive: true, force: true });
  if (stopping)
    console.log(
      `\ndemo: stopped; every process it started is gone and its temporary files are removed (exit ${code}).`,
    );
});
// code-server's helper (test/host/codeServer.ts) also hooks these: it kills its process groups and removes its run
// dir on exit. The first handler to run exits, which runs both 'exit' hooks.
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'])
  process.once(sig, () => {
    stopping = true;
    process.exit(sig === 'SIGINT' ? 130 : 143);
  });

// 1. Build the extension bundle (dist/extension.js); the consumer is plain JavaScript.
let t = Date.now();
const build = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) fail('building the extension failed (node esbuild.mjs)');
const timings = [`build ${secs(t)} s`];

// 2. The cached test host (Node 24 + code-server). The first time this takes minutes: keep people informed.
if (!opts.desktop) {
  t = Date.now();
  // Same installer as the tests and the bench (clean npm environment, atomic); failures name cause and fix.
  await installTestHost().catch((e) => fail(e.message));
  timings.push(`test host ${secs(t)} s`);
}

// 3. The code-server helpers are TypeScript shared with the UI tests: bundle them on the fly (esbuild is already a
// dev dependency) rather than depend on out/, which `node esbuild.mjs --tests` wipes and rebuilds.
const cacheDir = path.join(root, 'node_modules', '.cache', 'oauth-accounts-demo');
const esbuild = await import('esbuild');
await esbuild.build({
  stdin: { contents: "export * from './test/host/codeServer';", resolveDir: root, loader: 'ts' },
  outfile: path.join(cacheDir, 'codeServer.cjs'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['playwright-core'],
  logLevel: 'warning',
});
await esbuild.stop(); // its service process would otherwise live as long as the demo
const host = createRequire(import.meta.url)(path.join(cacheDir, 'codeServer.cjs'));

// 4. Addresses. Plain http is fine on loopback; anything else gets https (the extension only accepts http issuers
// on loopback, and the browser's workbench needs a secure context off localhost) and a password.
const isLoopback = (h) => h === 'localhost' || /^127\./.test(h) || h === '::1';
const bind = opts.host ?? '127.0.0.1';
const remote = !isLoopback(bind);
const publicHost = !remote ? bind : bind === '0.0.0.0' || bind === '::' ? lanAddress() : bind;
let tls;
let password;
if (remote) {
  tls = makeCertificate(publicHost);
  password = (await import('node:crypto')).randomBytes(9).toString('base64url');
  console.warn(
    `\ndemo: WARNING: --host ${bind} makes this VS Code reachable from other machines. It can run commands and\n` +
      'open files as you on this machine, so use it only on a network you trust. It asks for the password printed below,\n' +
      'and your browser will warn about the self-signed certificate of the workbench and of the Demo IdP (accept both).\n',
  );
}

// 5. The Demo IdP.
t = Date.now();
const { startDemoIdp, USERS, CLIENT_ID } = await import('../demo/demoIdp.mjs');
// Not 127.0.0.1 for code-server: its openExternal rewrites localhost URLs through /proxy/PORT/. Desktop VS Code
// does not, and macOS has no 127.0.0.2 unless aliased.
const idpHost = remote ? bind : opts.desktop ? '127.0.0.1' : '127.0.0.2';
const idp = await startDemoIdp({ host: idpHost, publicHost: remote ? publicHost : undefined, tls }).catch((e) =>
  fail(
    e.code === 'EADDRNOTAVAIL'
      ? `cannot listen on ${idpHost} (on macOS: sudo ifconfig lo0 alias ${idpHost} up), or use --desktop`
      : `the Demo IdP did not start: ${e.message}`,
  ),
);
const demoEntry = {
  id: 'demo',
  label: 'Demo IdP',
  issuer: idp.issuer,
  clientId: CLIENT_ID,
  scopes: ['openid', 'profile', 'email', 'offline_access'],
};
// --team: the provider comes as the workspace's recommendation (written into the folder below), not in user settings.
const recommend = (workspaceDir) => {
  fs.mkdirSync(path.join(workspaceDir, '.vscode'), { recursive: true });
  fs.writeFileSync(
    path.join(workspaceDir, '.vscode', 'settings.json'),
    JSON.stringify({ 'oauthAccounts.recommendedProviders': [demoEntry] }, null, 2),
  );
};
const settings = {
  ...(opts.team ? {} : { 'oauthAccounts.providers': [demoEntry] }),
  'demoConsumer.apiBase': idp.issuer,
  // With https (--host), the extension host trusts the Demo IdP's certificate through NODE_EXTRA_CA_CERTS, which
  // VS Code's own fetch (it builds its CA list from the system store) ignores; Node's fetch honours it.
  ...(tls ? { 'http.fetchAdditionalSupport': false } : {}),
};

// 6. VS Code.
let url;
let profileDir;
if (opts.desktop) {
  profileDir = tmp();
  const userData = path.join(profileDir, 'user-data');
  fs.mkdirSync(path.join(userData, 'User'), { recursive: true });
  fs.mkdirSync(path.join(profileDir, 'workspace'));
  if (opts.team) recommend(path.join(profileDir, 'workspace'));
  fs.writeFileSync(
    path.join(userData, 'User', 'settings.json'),
    JSON.stringify({ ...host.QUIET_SETTINGS, ...settings }, null, 2),
  );
  // --wait keeps `code` running until the window closes; its own process group lets Ctrl+C close the window.
  const code = spawn(
    'code',
    [
      '--new-window',
      '--wait',
      '--user-data-dir',
      userData,
      '--extensions-dir',
      path.join(profileDir, 'extensions'),
      `--extensionDevelopmentPath=${root}`,
      `--extensionDevelopmentPath=${consumerDir}`,
      path.join(profileDir, 'workspace'),
    ],
    { detached: true, stdio: 'ignore' },
  );
  desktopGroup = code.pid;
  code.on('error', (e) => fail(`could not start "code": ${e.message}`));
  code.on('exit', () => {
    desktopGroup = undefined;
    console.log('demo: the VS Code window was closed');
    stopping = true;
    process.exit(0);
  });
  url = '(a desktop VS Code window titled "[Extension Development Host]")';
} else {
  const cs = await host
    .startCodeServer({
      host: bind,
      port: opts.port,
      publicHost,
      tls,
      password,
      // code-server as a user runs it: no test driver (which would hide notification toasts); both extensions
      // installed in the profile, used in place from this working tree.
      testDriver: false,
      linkedExtensions: [root, consumerDir],
      userSettings: {
        ...settings,
        // On the server's Node extension host, as in any remote window. Its default here (extensionKind "ui" first)
        // is the browser's web worker, whose content security policy blocks plain http to the Demo IdP on 127.0.0.2.
        'remote.extensionKind': { 'openauth.oauth-accounts': ['workspace'] },
      },
      trustedOrigins: [idp.issuer], // the login page opens without the "open external website?" dialog
      env: tls ? { NODE_EXTRA_CA_CERTS: tls.cert } : {}, // the extension host trusts the Demo IdP's certificate
    })
    .catch((e) =>
      fail(
        /EADDRINUSE/.test(e.message)
          ? `port ${opts.port} on ${bind} is already in use: choose another --port, or leave it out for a free one`
          : e.message,
      ),
    );
  profileDir = cs.runDir;
  if (opts.team) recommend(cs.workspaceDir);
  // Sign-in comes back through the workbench's URI-handler callback page, on whatever name the browser used.
  for (const h of [publicHost, '127.0.0.1', 'localhost'])
    idp.allowCallbackOrigin(`${tls ? 'https' : 'http'}://${h}:${cs.port}`);
  url = host.workbenchUrl(cs, { folder: cs.workspaceDir });
}
timings.push(`Demo IdP + VS Code ${secs(t)} s`);

const users = Object.entries(USERS)
  .map(([u, v]) => `${u} / ${v.password}`)
  .join('     ');
const line = '─'.repeat(78);
console.log(`\n${line}
 OAuth Accounts demo is running (ready in ${secs()} s: ${timings.join(', ')})

 Open:      ${url}${password ? `\n Password:  ${password}   (code-server's login page)` : ''}
 Users:     ${users}
 Demo IdP:  ${idp.issuer}   (protected API: ${idp.issuer}/api/protected_data)

 Try:
${
  opts.team
    ? `   0. The workspace recommends "Demo IdP" (.vscode/settings.json): VS Code asks once whether to add it to your
      user settings → "Add to User Settings" → "Sign In" (or later: "OAuth Accounts: Review Recommended Providers...").
`
    : ''
}   1. Command Palette (F1 or Ctrl+Shift+P) → "OAuth Accounts: Sign In..." → sign in as alice and allow access.
   2. The Accounts menu (person icon, bottom left) lists "alice (Demo IdP)"; its submenu signs out.
   3. Command Palette → "Demo: Call Protected API": an example extension gets the session and shows the JSON.

 Temporary profile: ${profileDir}   (removed when the demo stops)
 Stop with Ctrl+C.
${line}\n`);
if (opts.open && !opts.desktop) {
  const why = openBrowser(url);
  // Say so, and put the URL where it cannot be missed: a headless box, SSH or a container has no browser to open.
  if (why) console.log(`demo: could not open a browser (${why}). Open this address yourself:\n\n    ${url}\n`);
}

// ---------------------------------------------------------------------------------------------------------------

function lanAddress() {
  for (const list of Object.values(os.networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return os.hostname();
}

/** A self-signed certificate for this run only (openssl); trusted by the extension host via NODE_EXTRA_CA_CERTS. */
function makeCertificate(name) {
  if (!onPath('openssl')) fail(`--host ${opts.host} serves https and needs "openssl" on PATH to make a certificate`);
  const cert = path.join(tmp(), 'demo-cert.pem');
  const key = path.join(tmp(), 'demo-key.pem');
  const san = /^[\d.]+$/.test(name) || name.includes(':') ? `IP:${name}` : `DNS:${name}`;
  const r = spawnSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-days',
      '7',
      '-subj',
      '/CN=OAuth Accounts demo',
      '-keyout',
      key,
      '-out',
      cert,
      '-addext',
      `subjectAltName=${san},DNS:localhost,IP:127.0.0.1`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'extendedKeyUsage=serverAuth',
    ],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) fail(`openssl could not make a certificate: ${r.stderr}`);
  return { cert, key };
}

/** Opens the URL in the desktop's browser; returns why it could not, or undefined when it started one. */
function openBrowser(target) {
  // Only where a desktop session exists: without one, xdg-open may start a text browser inside this terminal.
  if (process.platform !== 'darwin' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY)
    return 'no graphical display: DISPLAY and WAYLAND_DISPLAY are not set';
  const cmd = process.platform === 'darwin' ? 'open' : 'xdg-open';
  if (!onPath(cmd)) return `"${cmd}" is not installed`;
  const child = spawn(cmd, [target], { stdio: 'ignore', detached: true });
  child.on('error', (e) =>
    console.log(
      `demo: could not open a browser (${cmd}: ${e.message}). Open this address yourself:\n\n    ${target}\n`,
    ),
  );
  child.unref();
  return undefined;
}
