#!/usr/bin/env node
// `npm test`: builds, then runs the unit, security, integration (real extension host in code-server) and UI (Playwright)
// suites in that order, streaming their output, and ends with exactly one line "N passed, M failed, K skipped" (all
// suites; skipped = pending tests: it.skip, xit, a test without a body). Exit code 0 only if every chosen suite ran
// and nothing failed; a suite that crashes or cannot start counts as a failure, and so does a `.only(` left in any
// test source (it would silently skip everything else), found by a grep before anything is built. Choose suites with OAUTH_TEST_SUITES=unit,security,integration,ui (default: all four).
//
// Each suite runs in its own process and reports { passed, failed, skipped, failures } through a JSON file named by
// OAUTH_TEST_RESULTS: the mocha suites through a small spec-derived reporter written to out/ below, the
// integration suite through out/test/host/runIntegration.js. Counting from a file, not from parsing the
// console, keeps the totals right whatever the tests print.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const ALL = ['unit', 'security', 'integration', 'ui'];
const chosen = (process.env.OAUTH_TEST_SUITES ?? ALL.join(',')).split(',').map((s) => s.trim()).filter(Boolean);
const unknown = chosen.filter((s) => !ALL.includes(s));
if (unknown.length || chosen.length === 0) {
  console.error(`OAUTH_TEST_SUITES: unknown suite(s) ${JSON.stringify(unknown)}; choose from ${ALL.join(',')}`);
  process.exit(2);
}
// A hung suite must not eat CI's 90 minutes: stop it after this long (it then counts as failed).
const SUITE_TIMEOUT_S = Number(process.env.OAUTH_TEST_SUITE_TIMEOUT ?? 1800);
const mochaBin = join(root, 'node_modules', 'mocha', 'bin', 'mocha.js');
const reporter = join(root, 'out', '.test-support', 'results-reporter.cjs');

// Spec output for people, a results file for this script. Lives in out/ (rebuilt every run) since it is plain JS.
const REPORTER_SOURCE = `'use strict';
const fs = require('fs');
const Mocha = require(${JSON.stringify(join(root, 'node_modules', 'mocha'))});
class ResultsReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    let passed = 0;
    let skipped = 0;
    const failures = [];
    runner.on('pass', () => { passed++; });
    runner.on('pending', () => { skipped++; });
    // Also fires for failing hooks, which then count as one failure each (as in mocha's own totals).
    runner.on('fail', (test, err) => { failures.push({ title: test.fullTitle(), error: String((err && (err.stack || err.message)) || err) }); });
    runner.once('end', () => {
      if (process.env.OAUTH_TEST_RESULTS) fs.writeFileSync(process.env.OAUTH_TEST_RESULTS, JSON.stringify({ passed, failed: failures.length, skipped, failures }, null, 2));
    });
  }
}
module.exports = ResultsReporter;
`;

const SUITES = {
  // --exit: a leaked handle (server, timer) must not hang the run; the leak would show up as a timeout otherwise.
  unit: () => [process.execPath, mochaBin, '--config', 'test/unit/.mocharc.json', '--reporter', reporter, '--exit'],
  security: () => [process.execPath, mochaBin, '--no-config', '--no-package', '--ui', 'tdd', '--timeout', '30000',
    '--reporter', reporter, '--exit', 'out/test/security/**/*.test.js'],
  integration: () => [process.execPath, join(root, 'out', 'test', 'host', 'runIntegration.js')],
  ui: () => [process.execPath, mochaBin, '--no-config', '--no-package', '--ui', 'tdd', '--timeout', '180000',
    '--reporter', reporter, '--exit', 'out/test/ui/**/*.ui.test.js'],
};

function run(cmd, args, env = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGTERM'); // runIntegration/mocha stop their code-server groups on SIGTERM
      setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
    }, SUITE_TIMEOUT_S * 1000);
    child.on('error', (e) => { clearTimeout(timer); resolve({ code: -1, error: e }); });
    child.on('exit', (code, signal) => { clearTimeout(timer); resolve({ code: code ?? -1, signal, timedOut }); });
  });
}

// A `.only(` anywhere in the test sources narrows a suite to that test and passes: refuse to run at all.
function* testSources(dir) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) { if (e.name !== 'node_modules' && e.name !== 'fixtures') yield* testSources(p); }
    else if (/\.(ts|mts|js|mjs)$/.test(e.name)) yield p;
  }
}
const onlies = [];
for (const file of testSources(join(root, 'test'))) {
  readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
    if (/\b(suite|test|describe|it|context|specify)\.only\(/.test(line)) onlies.push(`${file.slice(root.length + 1)}:${i + 1}: ${line.trim()}`);
  });
}
if (onlies.length) {
  console.error(`test: refusing to run: .only( in the test sources would skip every other test:\n  ${onlies.join('\n  ')}`);
  console.log(`0 passed, ${onlies.length} failed, 0 skipped`);
  process.exit(1);
}

const secs = (t0) => ((Date.now() - t0) / 1000).toFixed(1);
const results = [];
// "No secrets in logs" (test/host/leakCheck.ts): the integration and UI suites report { issued, scanned, leaked }.
const leaks = [];
const t0 = Date.now();

// The VSIX users install, packaged fresh (a production build) before the test build replaces dist/: the unit suite
// checks its contents and the UI suite installs it, so they never test a stale one left from an earlier run.
if ((chosen.includes('unit') || chosen.includes('ui')) && !process.env.OAUTH_TEST_VSIX) {
  console.log('test: packaging the VSIX (node scripts/package.mjs)');
  const pkg = await run(process.execPath, [join(root, 'scripts', 'package.mjs')]);
  if (pkg.code !== 0) results.push({ name: 'package', passed: 0, failed: 1, skipped: 0, failures: [{ title: 'npm run package', error: `scripts/package.mjs exited with ${pkg.code}` }], seconds: 0 });
}

console.log('test: building (node esbuild.mjs --tests)');
const build = await run(process.execPath, ['esbuild.mjs', '--tests']);
if (build.code !== 0) {
  for (const name of chosen) results.push({ name, passed: 0, failed: 1, skipped: 0, failures: [{ title: `${name} suite`, error: 'build failed (node esbuild.mjs --tests)' }], seconds: 0 });
} else {
  // The whole tree type-checks (src, test, api, the bench's measurement code): esbuild strips types without checking
  // them, so an API change that breaks a caller nobody runs here (the bench) would otherwise go unseen. Counted as one.
  const startedTc = Date.now();
  console.log('\n===== typecheck (tsc -p . --noEmit) =====');
  const tc = await run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.', '--noEmit']);
  results.push({ name: 'typecheck', passed: tc.code === 0 ? 1 : 0, failed: tc.code === 0 ? 0 : 1, skipped: 0, failures: tc.code === 0 ? [] : [{ title: 'typecheck', error: 'tsc -p . --noEmit reported errors (above)' }], seconds: secs(startedTc) });
  if (chosen.includes('integration') || chosen.includes('ui')) {
    // The real VS Code those suites need, installed like `npm run demo` does (no-op when cached). A failure is
    // printed with its fix; the suites then fail with "test host not installed" and are counted.
    const { installTestHost } = await import('./testHost.mjs');
    await installTestHost().catch((e) => console.error(`test: the test host could not be installed: ${e.message}`));
  }
  mkdirSync(dirname(reporter), { recursive: true });
  writeFileSync(reporter, REPORTER_SOURCE);
  const tmp = mkdtempSync(join(tmpdir(), 'oauth-test-'));
  for (const name of chosen) {
    const started = Date.now();
    const file = join(tmp, `${name}.json`);
    console.log(`\n===== ${name} =====`);
    const [cmd, ...args] = SUITES[name]();
    const leakFile = join(tmp, `${name}.leak.json`);
    const r = await run(cmd, args, { OAUTH_TEST_RESULTS: file, OAUTH_LEAK_CHECK_SUMMARY: leakFile });
    if (existsSync(leakFile)) try { leaks.push({ name, ...JSON.parse(readFileSync(leakFile, 'utf8')) }); } catch { /* the suite's own failure says why */ }
    let res = { passed: 0, failed: 0, skipped: 0, failures: [] };
    if (existsSync(file)) {
      try { res = JSON.parse(readFileSync(file, 'utf8')); } catch (e) { res.failures.push({ title: `${name} suite`, error: `unreadable results: ${e}` }); }
    } else {
      const why = r.timedOut ? `timed out after ${SUITE_TIMEOUT_S} s` : r.error ? `could not start: ${r.error.message}` : `crashed before reporting results (exit ${r.code}${r.signal ? `, ${r.signal}` : ''})`;
      res.failures.push({ title: `${name} suite`, error: why });
    }
    if (existsSync(file) && r.code !== 0 && res.failures.length === 0) {
      res.failures.push({ title: `${name} suite`, error: `exited with code ${r.code} although no test failed` });
    }
    const failed = Math.max(res.failed ?? 0, res.failures.length);
    results.push({ name, passed: res.passed ?? 0, failed, skipped: res.skipped ?? 0, failures: res.failures, seconds: secs(started) });
    console.log(`${name}: ${res.passed ?? 0} passed, ${failed} failed, ${res.skipped ?? 0} skipped (${secs(started)} s)`);
  }
  rmSync(tmp, { recursive: true, force: true });
}

const passed = results.reduce((n, r) => n + r.passed, 0);
const failed = results.reduce((n, r) => n + r.failed, 0);
const pending = results.reduce((n, r) => n + (r.skipped ?? 0), 0);
console.log(`\n===== summary (${secs(t0)} s) =====`);
for (const r of results) {
  console.log(`${r.name}: ${r.passed} passed, ${r.failed} failed, ${r.skipped ?? 0} skipped (${r.seconds} s)`);
  for (const f of r.failures) console.log(`  ✗ ${f.title}: ${String(f.error).split('\n')[0]}`);
}
const skipped = ALL.filter((s) => !chosen.includes(s));
if (skipped.length) console.log(`skipped by OAUTH_TEST_SUITES: ${skipped.join(', ')}`);
if (leaks.length) {
  const sum = (k) => leaks.reduce((n, l) => n + (l[k] ?? 0), 0);
  console.log(`secrets leaked: ${sum('leaked')} (${sum('issued')} secrets issued, ${sum('scanned')} lines scanned; ${leaks.map((l) => l.name).join(', ')})`);
}
console.log(`${passed} passed, ${failed} failed, ${pending} skipped`);
process.exit(failed > 0 ? 1 : 0);
