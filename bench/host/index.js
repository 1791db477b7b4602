// extensionTestsPath entry for the activation bench (plain CommonJS, no build step). Runs inside code-server's real
// Node extension host, where two extensions are set up:
// - bench/tmp/installed/oauth-accounts: the production bundle, installed (ExtensionMode.Production), activationEvents
//   emptied so nothing activates it before we do;
// - bench/tmp/devexts/github-authentication: code-server's own github-authentication, byte-identical dist/, manifest
//   without `contributes.authentication` so the workbench's startup session requests cannot activate it first; as a
//   development extension with the same id it replaces the built-in one.
// 10 providers are configured in user settings.
// Writes its measurements to BENCH_HOST_OUT; OAUTH_TEST_RESULTS gets the pass/fail shape the host runner expects.
const fs = require('node:fs');
const Module = require('node:module');
const vscode = require('vscode');

const OURS = 'openauth.oauth-accounts';
const GITHUB = 'vscode.github-authentication';
const out = { rep: Number(process.env.BENCH_REP || 0), errors: [] };

// SecretStorage has no hook in the extension API. We wrap the extension's own module as the host loads it (the
// host's require goes through Module._load, which we wrap after its vscode interceptor is installed): activate()
// then gets its real ExtensionContext with `secrets` replaced by a counting pass-through.
const secretCalls = { get: 0, store: 0, delete: 0, keys: 0, onDidChange: 0 };
const ourMain = fs.realpathSync(process.env.BENCH_EXT_MAIN);
const origLoad = Module._load;
let wrappedExports;
Module._load = function (request, parent, isMain) {
  const tLoad = performance.now();
  const exports = origLoad.apply(this, arguments);
  const loadMs = performance.now() - tLoad;
  try {
    if (wrappedExports || !exports || typeof exports.activate !== 'function') return exports;
    const file = Module._resolveFilename(request, parent, isMain);
    if (file === ourMain) {
      // esbuild's CJS exports are getter-only properties: hand the host a new object instead of patching.
      const activate = exports.activate;
      out.wrapped = true;
      out.codeLoadingMs = loadMs;
      return (wrappedExports = {
        ...exports,
        activate(context) {
          const real = context.secrets;
          const secrets = {
            get: (k) => {
              secretCalls.get++;
              return real.get(k);
            },
            store: (k, v) => {
              secretCalls.store++;
              return real.store(k, v);
            },
            delete: (k) => {
              secretCalls.delete++;
              return real.delete(k);
            },
            keys: () => {
              secretCalls.keys++;
              return real.keys();
            },
            onDidChange: (...a) => {
              secretCalls.onDidChange++;
              return real.onDidChange(...a);
            },
          };
          const ctx = Object.create(context, { secrets: { value: secrets, enumerable: true } });
          out.extensionMode = context.extensionMode;
          // CPU time of the host process during the call (all its threads, GC helpers included): what the call cost,
          // without the time the thread waited for a core on a busy machine. (Not process.threadCpuUsage: Linux
          // accounts a thread's time coarsely enough to read 0 for a 3 ms call.)
          const t0 = performance.now();
          const cpu0 = process.cpuUsage();
          const r = activate.call(this, ctx);
          const cpu = process.cpuUsage(cpu0);
          out.activateCallMs = performance.now() - t0;
          out.activateCallCpuMs = (cpu.user + cpu.system) / 1000;
          return r;
        },
      });
    }
  } catch {
    /* not resolvable: not ours */
  }
  return exports;
};

async function asRequests() {
  const s = await (await fetch(`${process.env.BENCH_ISSUER}/__test/stats`)).json();
  return s.discovery + s.jwks + s.token + s.userinfo + s.revocation + s.device_authorization + s.authorization;
}

async function activateTimed(id) {
  const ext = vscode.extensions.getExtension(id);
  if (!ext) throw new Error(`${id} is not installed in this host`);
  const wasActive = ext.isActive;
  const t0 = performance.now();
  await ext.activate();
  return { ms: performance.now() - t0, wasActive, path: ext.extensionPath };
}

// Our extension activates onStartupFinished, which VS Code fires once the workbench has finished starting (lifecycle
// phase Eventually, about 2.5 s after it was restored). The bench activates at that point too, not in the middle of
// the workbench's own start.
const SETTLE_MS = Number(process.env.BENCH_SETTLE_MS ?? 3000);

exports.run = async function run() {
  try {
    // BENCH_HOST_PRIORITY=<nice value>: the extension host's JavaScript thread at that priority (Linux: the thread this
    // runs on), so that on a machine with few cores the other processes of a code-server start preempt it less.
    if (process.env.BENCH_HOST_PRIORITY) require('node:os').setPriority(Number(process.env.BENCH_HOST_PRIORITY));
    out.priority = require('node:os').getPriority();
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    out.asRequestsBefore = await asRequests();
    const order = out.rep % 2 ? [GITHUB, OURS] : [OURS, GITHUB];
    out.order = order;
    // BENCH_PROFILE_DIR=<dir>: a CPU profile of both activations per start, taken inside the host (open it in Chrome's
    // DevTools; BENCH_NO_MINIFY=1 keeps our names readable). The host's own NODE_OPTIONS do not reach it.
    let post;
    if (process.env.BENCH_PROFILE_DIR) {
      const session = new (require('node:inspector').Session)();
      session.connect();
      post = (m, p) => new Promise((res, rej) => session.post(m, p, (e, r) => (e ? rej(e) : res(r))));
      await post('Profiler.enable');
      await post('Profiler.setSamplingInterval', { interval: 50 });
      await post('Profiler.start');
    }
    for (const id of order) {
      const r = await activateTimed(id);
      if (id === OURS) {
        out.ms = r.ms;
        out.oursWasActive = r.wasActive;
        out.secretCallsDuringActivate = { ...secretCalls };
        out.asRequestsAfterActivate = (await asRequests()) - out.asRequestsBefore;
        out.providersRegistered = vscode.extensions.getExtension(OURS).exports?.getProviders?.().length ?? null;
      } else {
        out.githubAuthMs = r.ms;
        out.githubWasActive = r.wasActive;
        out.githubPath = r.path;
      }
    }
    if (post) {
      const { profile } = await post('Profiler.stop');
      const file = `rep-${out.rep}-${Date.now()}.cpuprofile`;
      fs.writeFileSync(require('node:path').join(process.env.BENCH_PROFILE_DIR, file), JSON.stringify(profile));
    }
    await new Promise((r) => setTimeout(r, 1000)); // anything started in the background by activation shows up now
    out.secretCallsAfter1s = { ...secretCalls };
    out.asRequestsAfter1s = (await asRequests()) - out.asRequestsBefore;
  } catch (e) {
    out.errors.push(String((e && e.stack) || e));
  }
  fs.writeFileSync(process.env.BENCH_HOST_OUT, JSON.stringify(out, null, 2));
  const failed = out.errors.length ? 1 : 0;
  if (process.env.OAUTH_TEST_RESULTS)
    fs.writeFileSync(
      process.env.OAUTH_TEST_RESULTS,
      JSON.stringify({
        passed: 1 - failed,
        failed,
        failures: out.errors.map((error) => ({ title: 'activation bench', error })),
      }),
    );
  if (failed) throw new Error(out.errors.join('\n'));
};
