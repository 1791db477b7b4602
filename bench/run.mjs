#!/usr/bin/env node
// npm run bench: bundle sizes, activation in code-server's real extension host, cached getSessions, refresh fan-in,
// sign-in overhead vs bare openid-client, HTTP requests per operation, memory. Writes bench/results.json and
// bench/results.md (also printed). Numbers are reported, never asserted: exit 1 only when a figure could not be
// measured (the failed parts are listed in results.json under "unmeasured"). BENCH_SKIP=activation,... skips parts.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchTools, productionBundles } from './lib/build.mjs';
import { prepareHostExtensions } from './lib/prepareHost.mjs';
import { summary, round } from './lib/stats.mjs';
import { renderMarkdown } from './lib/report.mjs';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const tmp = join(root, 'bench', 'tmp');
mkdirSync(tmp, { recursive: true });
const skip = new Set((process.env.BENCH_SKIP ?? '').split(',').filter(Boolean));
const ACTIVATION_REPS = Number(process.env.BENCH_ACTIVATION_REPS ?? 5);
const cache = process.env.OAUTH_TEST_CACHE || process.env.VSCODE_TEST_CACHE || join(root, '.vscode-test');
const builtins = join(cache, 'code-server', 'node_modules', 'code-server', 'lib', 'vscode', 'extensions');
const results = { date: new Date().toISOString(), node: process.version, cpus: (await import('node:os')).cpus().length, unmeasured: {} };
const t0 = Date.now();
const log = (m) => process.stderr.write(`[bench ${((Date.now() - t0) / 1000).toFixed(0)}s] ${m}\n`);

async function part(name, fn) {
  if (skip.has(name)) { results.unmeasured[name] = 'skipped (BENCH_SKIP)'; return; }
  log(name);
  try { await fn(); } catch (e) { results.unmeasured[name] = String(e?.message ?? e).slice(0, 2000); log(`${name} FAILED: ${e?.message ?? e}`); }
}
const node = (args, opts = {}) => execFileSync(process.execPath, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'], ...opts });
const readJson = (f) => JSON.parse(readFileSync(f, 'utf8'));

await part('build', async () => { await benchTools(root, tmp); });

await part('bundle', async () => {
  await productionBundles(root, join(tmp, 'ext'));
  const size = (f) => statSync(f).size;
  const gz = (f) => gzipSync(readFileSync(f)).length;
  const nodeF = join(tmp, 'ext', 'dist', 'extension.js'), webF = join(tmp, 'ext', 'dist', 'web', 'extension.js');
  const ghF = join(builtins, 'github-authentication', 'dist', 'extension.js'), msF = join(builtins, 'microsoft-authentication', 'dist', 'extension.js');
  const b = results.bundle = { nodeBytes: size(nodeF), webBytes: size(webF), nodeGzipBytes: gz(nodeF), webGzipBytes: gz(webF) };
  if (existsSync(ghF)) Object.assign(b, { githubAuthBytes: size(ghF), githubAuthGzipBytes: gz(ghF), nodeToGithubRatio: round(b.nodeBytes / size(ghF)) });
  else results.unmeasured.githubAuthBytes = `not found: ${ghF} (run scripts/install-test-host.sh)`;
  if (existsSync(msF)) Object.assign(b, { microsoftAuthBytes: size(msF), microsoftAuthGzipBytes: gz(msF), nodeToMicrosoftRatio: round(b.nodeBytes / size(msF)) });
  else results.unmeasured.microsoftAuthBytes = `not found: ${msF}`;
  b.note = 'esbuild.mjs --production options (minified, web-streams-polyfill external), built into bench/tmp/ext; built-ins from the code-server install.';
});

await part('protocol', async () => {
  node([join(tmp, 'measure.cjs'), 'protocol', join(tmp, 'protocol.json'), join(tmp, 'template.json')]);
  Object.assign(results, readJson(join(tmp, 'protocol.json')));
});

await part('getSessions', async () => {
  if (!existsSync(join(tmp, 'template.json'))) throw new Error('no session template (the protocol part failed)');
  node([join(tmp, 'measure.cjs'), 'getSessions', join(tmp, 'getSessions.json'), join(tmp, 'template.json')]);
  results.getSessions = readJson(join(tmp, 'getSessions.json'));
});

await part('memory', async () => {
  if (!existsSync(join(tmp, 'template.json'))) throw new Error('no session template (the protocol part failed)');
  node(['--expose-gc', join(tmp, 'measure.cjs'), 'memory', join(tmp, 'memory.json'), join(tmp, 'template.json')]);
  results.memory = readJson(join(tmp, 'memory.json'));
});

await part('activation', async () => {
  if (!existsSync(join(tmp, 'ext', 'dist', 'extension.js'))) throw new Error('no production bundle (the bundle part failed)');
  if (!existsSync(join(builtins, 'github-authentication'))) throw new Error(`code-server not installed (${builtins}); run scripts/install-test-host.sh`);
  const { devexts, ourMain } = prepareHostExtensions(root, tmp, builtins);
  node([join(tmp, 'hostRunner.cjs'), devexts, join(root, 'bench', 'host', 'index.js'), String(ACTIVATION_REPS), join(tmp, 'activation.json')]);
  const runs = readJson(join(tmp, 'activation.json'));
  const ok = runs.filter((r) => r.exitCode === 0 && typeof r.ms === 'number' && typeof r.githubAuthMs === 'number');
  if (!ok.length) throw new Error(`no successful host run: ${JSON.stringify(runs.map((r) => r.failures ?? r.errors)).slice(0, 1500)}`);
  const pick = (k) => ok.map((r) => r[k]).filter((x) => typeof x === 'number');
  const maxOf = (f) => Math.max(...ok.map(f));
  const sumCalls = (c) => (c ? c.get + c.store + c.delete + c.keys : NaN);
  results.activation = {
    ms: summary(pick('ms')), githubAuthMs: summary(pick('githubAuthMs')), ratio: round(summary(pick('ms')).median / summary(pick('githubAuthMs')).median),
    activateCallMs: summary(pick('activateCallMs')), codeLoadingMs: summary(pick('codeLoadingMs')),
    providers: Math.min(...ok.map((r) => r.providersRegistered ?? 0)),
    networkRequestsDuringActivation: maxOf((r) => r.asRequestsAfterActivate),
    secretStorageCallsDuringActivation: maxOf((r) => sumCalls(r.secretCallsDuringActivate)),
    secretStorageReadsWithin1sAfter: maxOf((r) => r.secretCallsAfter1s?.get ?? NaN),
    networkRequestsWithin1sAfter: maxOf((r) => r.asRequestsAfter1s),
    githubWasAlreadyActive: ok.some((r) => r.githubWasActive), oursWasAlreadyActive: ok.some((r) => r.oursWasActive),
    reps: runs.length, successfulReps: ok.length,
    note: 'Wall time of `await extension.activate()` in code-server\'s Node extension host, fresh host per repetition, alternating which extension goes first. ms includes the host\'s module loading and bookkeeping; activateCallMs is our activate() call alone, codeLoadingMs the require() of our bundle. Network: requests at the test AS that is the issuer of all 10 providers. SecretStorage: counted by wrapping context.secrets of our activate() (via the host\'s Module._load; no public hook exists). github-authentication: code-server\'s own dist/, manifest without contributes.authentication so the workbench cannot activate it before the bench does.',
  };
  if (!ok.every((r) => r.wrapped)) results.activation.note += ' WARNING: the SecretStorage wrapper was not installed in some runs (counts there are not valid).';
});

results.totalSeconds = Math.round((Date.now() - t0) / 1000);
writeFileSync(join(root, 'bench', 'results.json'), JSON.stringify(results, null, 2) + '\n');
const md = renderMarkdown(results);
writeFileSync(join(root, 'bench', 'results.md'), md);
process.stdout.write(md);
const missing = Object.keys(results.unmeasured);
if (missing.length) { log(`could not measure: ${missing.join(', ')} (see "unmeasured" in bench/results.json)`); process.exit(1); }
