#!/usr/bin/env node
// The "real VS Code" host that the demo, the tests and the bench run: Node 24 and code-server from npm, in a
// git-ignored cache (.vscode-test/). One installer for all of them, so CI's first `npm run demo` installs it
// exactly as a newcomer's does.
//
//   node scripts/testHost.mjs          install if missing (what `npm run demo`, `npm test` and `npm run bench` do)
//
// Why it is written this way:
// - Clean environment. Under `npm run`, the outer npm exports npm_config_* (user agent "npm/… node/v20…"),
//   npm_node_execpath, NODE, npm_lifecycle_*, INIT_CWD and node_modules/.bin on PATH. A nested `npm install`
//   inherits them, and code-server's postinstall then reads "node v20" from npm_config_user_agent and refuses.
// - Atomic. Everything goes into .staging-<pid>-<random>/ and is renamed to its final name only when complete, so an
//   interrupted or failed install never blocks the next one; stale staging folders (dead pid) are removed first.
// - Failures name the cause and the one command that fixes it (see diagnose()).
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
export const VERSIONS = JSON.parse(fs.readFileSync(path.join(root, 'scripts', 'test-host.json'), 'utf8'));
export const cacheDir = () =>
  process.env.OAUTH_TEST_CACHE || process.env.VSCODE_TEST_CACHE || path.join(root, '.vscode-test');
/** The finished install: exists only once complete (renamed from its staging folder). */
export const hostDir = () => path.join(cacheDir(), `code-server-${VERSIONS.codeServer}-node${VERSIONS.node}`);

export class InstallError extends Error {
  constructor(message, logFile) {
    super(message);
    this.logFile = logFile;
  }
}

/** The installed host's Node binary and code-server entry, or undefined when not (completely) installed. */
export function installedHost() {
  const manifest = path.join(hostDir(), 'host.json');
  if (!fs.existsSync(manifest)) return undefined;
  const m = JSON.parse(fs.readFileSync(manifest, 'utf8'));
  const node = path.join(hostDir(), m.node),
    entry = path.join(hostDir(), m.entry);
  return fs.existsSync(node) && fs.existsSync(entry)
    ? {
        dir: hostDir(),
        node,
        entry,
        builtinExtensions: path.join(path.dirname(path.dirname(path.dirname(entry))), 'lib', 'vscode', 'extensions'),
      }
    : undefined;
}

/** The environment a child npm gets: ours minus everything an outer npm run exported (see the header). */
export function cleanNpmEnv(env = process.env) {
  const out = {};
  for (const [k, v] of Object.entries(env)) {
    if (/^npm_/i.test(k) || ['NODE', 'INIT_CWD', 'NODE_ENV', 'PREFIX'].includes(k)) continue;
    out[k] = v;
  }
  // npm run prepends every node_modules/.bin above the package and its bundled node-gyp-bin.
  out.PATH = (env.PATH ?? '')
    .split(path.delimiter)
    .filter((d) => !/node_modules[\\/]\.bin$|node-gyp-bin$/.test(d))
    .join(path.delimiter);
  return out;
}

const onPath = (cmd, PATH = process.env.PATH) =>
  (PATH ?? '').split(path.delimiter).some((d) => {
    try {
      fs.accessSync(path.join(d, cmd), fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
const isRoot = () => process.getuid?.() === 0;
const sudo = () => (isRoot() ? '' : 'sudo ');

/** What code-server's npm build needs from the system, checked before minutes of downloading. */
function missingSystemPackages() {
  if (process.platform !== 'linux') return [];
  const missing = [];
  // kerberos (a code-server dependency) compiles against libkrb5's headers; krb5-config ships with them.
  if (!onPath('krb5-config') && !fs.existsSync('/usr/include/gssapi/gssapi.h')) missing.push('libkrb5-dev');
  if (!onPath('make') || !(onPath('g++') || onPath('c++'))) missing.push('build-essential');
  if (!onPath('python3')) missing.push('python3');
  return missing;
}

/** Known failure signatures in npm's output → the real cause and the fix. Only then the log tail. */
export function diagnose(log) {
  if (/gssapi\/gssapi\.h|krb5-config: not found|krb5\.h/i.test(log))
    return {
      cause: "libkrb5's headers are missing (code-server's kerberos module needs them)",
      fix: `${sudo()}apt-get install -y libkrb5-dev`,
    };
  if (/ENOSPC|no space left/i.test(log))
    return { cause: 'the disk is full (the host needs about 700 MB)', fix: `df -h ${cacheDir()}` };
  if (/ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|ECONNREFUSED|E40[0-9]|E50[0-9]/.test(log))
    return { cause: 'npm could not download from its registry (network, proxy or registry settings)', fix: 'npm ping' };
  if (/requires node v?\d+|detected node v?\d+/i.test(log))
    return {
      cause: 'code-server was built by the wrong Node version (its postinstall needs Node ' + VERSIONS.node + ')',
      fix: `node scripts/testHost.mjs   # outside any npm script; report a bug if this persists`,
    };
  if (/gyp ERR!|make: .*not found|g\+\+: not found/i.test(log))
    return {
      cause: 'a native module of code-server could not be compiled (compiler or Python missing)',
      fix: `${sudo()}apt-get install -y build-essential python3`,
    };
  return undefined;
}

// npm process groups still running. npm, when interrupted, may spend a long time rolling back (and its compilers
// finish their file): on exit we SIGKILL the whole group at once, since the staging folder is deleted anyway.
const npmGroups = new Set();
function run(cmd, args, { cwd, env, logFd }) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', logFd, logFd], detached: true });
    if (child.pid) npmGroups.add(child.pid);
    child.on('error', (e) => {
      fs.writeSync(logFd, `\n${cmd}: ${e.message}\n`);
      resolve(1);
    });
    child.on('exit', (code, sig) => {
      npmGroups.delete(child.pid);
      resolve(code ?? (sig ? 128 : 1));
    });
  });
}
function killNpm() {
  for (const pid of npmGroups)
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  npmGroups.clear();
}

/** Removes staging folders whose installer is gone (killed, crashed, Ctrl+C'd before it could clean up). */
function removeStaleStaging(cache) {
  for (const name of fs.existsSync(cache) ? fs.readdirSync(cache) : []) {
    const m = /^\.staging-(\d+)-/.exec(name);
    if (!m) continue;
    let alive = false;
    try {
      process.kill(Number(m[1]), 0);
      alive = Number(m[1]) !== process.pid;
    } catch {
      /* no such process */
    }
    if (!alive) fs.rmSync(path.join(cache, name), { recursive: true, force: true });
  }
}

/**
 * Installs the host unless it is there; returns installedHost(). `say` gets one line per step (and a heartbeat
 * while npm is silent). Throws InstallError whose message names the cause and the fix command.
 */
export async function installTestHost({ say = (l) => console.log(`test host: ${l}`) } = {}) {
  const done = installedHost();
  if (done) return done;
  const cache = cacheDir();
  fs.mkdirSync(cache, { recursive: true });
  removeStaleStaging(cache);

  const missing = missingSystemPackages();
  if (missing.length && isRoot() && onPath('apt-get')) {
    say(`installing ${missing.join(' ')} with apt-get (needed to build code-server)...`);
    const r = spawnSync(
      'sh',
      ['-c', `apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q ${missing.join(' ')}`],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    if (r.status !== 0)
      throw new InstallError(
        `apt-get could not install ${missing.join(' ')}. Fix: apt-get update && apt-get install -y ${missing.join(' ')}`,
      );
  } else if (missing.length) {
    throw new InstallError(
      `building code-server needs ${missing.join(', ')}, which ${missing.length > 1 ? 'are' : 'is'} not installed. Fix: ${sudo()}apt-get install -y ${missing.join(' ')}`,
    );
  }

  const staging = fs.mkdtempSync(path.join(cache, `.staging-${process.pid}-`));
  const logFile = path.join(cache, 'install.log'); // outside staging: it must survive a failure
  const logFd = fs.openSync(logFile, 'w');
  const cleanup = () => {
    killNpm();
    fs.rmSync(staging, { recursive: true, force: true });
  };
  // Ctrl+C (SIGINT to the whole foreground group, npm included) or any exit: never leave the half install behind.
  process.on('exit', cleanup);
  const started = Date.now();
  const ticker = setInterval(() => say(`still installing (${Math.round((Date.now() - started) / 1000)} s)...`), 20_000);
  try {
    const env = cleanNpmEnv();
    const npmArgs = ['install', '--no-audit', '--no-fund', '--no-update-notifier', '--no-save'];
    const pkg = (dir) => {
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, 'package.json'), '{"name":"oauth-accounts-test-host","private":true}\n');
      return dir;
    };

    say(`installing Node ${VERSIONS.node} from npm into ${cache} (one time, ~10 s)...`);
    const nodeDir = pkg(path.join(staging, `node${VERSIONS.node}`));
    if ((await run('npm', [...npmArgs, `node@${VERSIONS.node}`], { cwd: nodeDir, env, logFd })) !== 0)
      throw failure('installing Node ' + VERSIONS.node);
    const platformDir = fs
      .readdirSync(path.join(nodeDir, 'node_modules', 'node', 'node_modules'))
      .find((n) => n.startsWith(`node-${process.platform}-`));
    if (!platformDir) throw failure(`Node ${VERSIONS.node} for ${process.platform} was not unpacked`);
    const node24 = path.join(nodeDir, 'node_modules', 'node', 'node_modules', platformDir);

    say(`installing code-server ${VERSIONS.codeServer} from npm (one time, 2–4 min on 2 cores)...`);
    const csDir = pkg(path.join(staging, 'code-server'));
    // Node 24 first on PATH (code-server's postinstall and its native builds), node-gyp against Node 24's headers.
    const csEnv = {
      ...env,
      PATH: `${path.join(node24, 'bin')}${path.delimiter}${env.PATH}`,
      npm_config_nodedir: node24,
    };
    if ((await run('npm', [...npmArgs, `code-server@${VERSIONS.codeServer}`], { cwd: csDir, env: csEnv, logFd })) !== 0)
      throw failure(`installing code-server ${VERSIONS.codeServer}`);
    const entry = path.join('code-server', 'node_modules', 'code-server', 'out', 'node', 'entry.js');
    if (!fs.existsSync(path.join(staging, entry))) throw failure('code-server installed without its entry point');

    fs.writeFileSync(
      path.join(staging, 'host.json'),
      JSON.stringify(
        { node: path.relative(staging, path.join(node24, 'bin', 'node')), entry, versions: VERSIONS },
        null,
        2,
      ),
    );
    try {
      fs.renameSync(staging, hostDir()); // the commit point
    } catch (e) {
      if (!installedHost()) throw e; // else another installer finished first: use its copy, drop ours
    }
    say(`installed in ${Math.round((Date.now() - started) / 1000)} s (${hostDir()})`);
    return installedHost();
  } finally {
    clearInterval(ticker);
    fs.closeSync(logFd);
    cleanup();
    process.off('exit', cleanup);
  }

  function failure(step) {
    fs.fsyncSync(logFd);
    const log = fs.readFileSync(logFile, 'utf8');
    const d = diagnose(log);
    const tail = log
      .trim()
      .split('\n')
      .slice(-15)
      .map((l) => `    ${l}`)
      .join('\n');
    return new InstallError(
      d
        ? `${step} failed: ${d.cause}.\n  Fix: ${d.fix}\n  then run the command again. Full npm output: ${logFile}`
        : `${step} failed (npm output below, all of it in ${logFile}):\n${tail}\n  Fix what it names, then run the command again (a failed install leaves nothing behind).`,
      logFile,
    );
  }
}

if (process.argv[1] && fs.realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  // Exit through process.exit so the 'exit' hook removes the staging folder on Ctrl+C too.
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'])
    process.once(sig, () => process.exit(sig === 'SIGINT' ? 130 : 143));
  installTestHost().then(
    (h) => console.log(`test host: ready (${h.dir})`),
    (e) => {
      console.error(`test host: ${e.message}`);
      process.exit(1);
    },
  );
}
