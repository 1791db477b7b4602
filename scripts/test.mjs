#!/usr/bin/env node
// `npm test`: builds, then runs the unit, security, integration (real extension host in code-server) and UI (Playwright)
// suites in that order, streaming their output, and ends with exactly one line "N passed, M failed, K skipped" (all
// suites; skipped = pending tests: it.skip, xit, a test without a body). Exit code 0 only if every chosen suite ran
// and nothing failed; a suite that crashes or cannot start counts as a failure. Choose suites with
// OAUTH_TEST_SUITES=unit,security,integration,ui (default: all four); narrow them with OAUTH_TEST_GREP=<words>.
// Both are printed next to the summary line, so a narrowed run never passes for a full one.
//
// A `.only` anywhere under test/ (any spelling, fixtures included) stops the run before anything is built
// (scripts/onlyScan.mjs), and every suite runs mocha with --forbid-only (scripts/testSuites.mjs).
// Packaging, the build, the typecheck and the lint are steps, not tests: they never add to "passed", but a failed step is
// counted as failed, so the summary line cannot read "0 failed" on a run that exits 1.
//
// Each suite runs in its own process and reports { passed, failed, skipped, failures } through a JSON file named by
// OAUTH_TEST_RESULTS: the mocha suites through a small spec-derived reporter (scripts/testSuites.mjs), the
// integration suite through out/test/host/runIntegration.js. Counting from a file, not from parsing the
// console, keeps the totals right whatever the tests print.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findOnlies } from './onlyScan.mjs';
import { ALL_SUITES as ALL, suiteCommand, writeReporter } from './testSuites.mjs';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const chosen = (process.env.OAUTH_TEST_SUITES ?? ALL.join(','))
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean);
const unknown = chosen.filter((s) => !ALL.includes(s));
if (unknown.length || chosen.length === 0) {
  console.error(`OAUTH_TEST_SUITES: unknown suite(s) ${JSON.stringify(unknown)}; choose from ${ALL.join(',')}`);
  process.exit(2);
}
// A hung suite must not eat CI's 90 minutes: stop it after this long (it then counts as failed).
const SUITE_TIMEOUT_S = Number(process.env.OAUTH_TEST_SUITE_TIMEOUT ?? 1800);
const grep = process.env.OAUTH_TEST_GREP || undefined;

function run(cmd, args, env = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGTERM'); // runIntegration/mocha stop their code-server groups on SIGTERM
      setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
    }, SUITE_TIMEOUT_S * 1000);
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ code: -1, error: e });
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, signal, timedOut });
    });
  });
}

// A `.only` anywhere under test/ narrows a suite to that test and passes: refuse to run at all.
const onlies = findOnlies(root);
if (onlies.length) {
  console.error(
    `test: refusing to run: .only in the test sources would skip every other test:\n  ${onlies.join('\n  ')}`,
  );
  console.log(`0 passed, ${onlies.length} failed, 0 skipped`);
  process.exit(1);
}

const secs = (t0) => ((Date.now() - t0) / 1000).toFixed(1);
const results = [];
/** Packaging, build, typecheck, lint: { name, ok, seconds, error }; a failed one counts as one failure, a passed one as nothing. */
const steps = [];
// "No secrets in logs" (test/host/leakCheck.ts): the integration and UI suites report { issued, scanned, leaked }.
const leaks = [];
const t0 = Date.now();

// The VSIX users install, packaged fresh (a production build) before the test build replaces dist/: the unit suite
// checks its contents and the UI suite installs it, so they never test a stale one left from an earlier run.
if ((chosen.includes('unit') || chosen.includes('ui')) && !process.env.OAUTH_TEST_VSIX) {
  console.log('test: packaging the VSIX (node scripts/package.mjs)');
  const pkg = await run(process.execPath, [join(root, 'scripts', 'package.mjs')]);
  steps.push({ name: 'package (scripts/package.mjs)', ok: pkg.code === 0, error: `exited with ${pkg.code}` });
}

console.log('test: building (node esbuild.mjs --tests)');
const build = await run(process.execPath, ['esbuild.mjs', '--tests']);
steps.push({
  name: 'build (node esbuild.mjs --tests)',
  ok: build.code === 0,
  error: `exited with ${build.code}; no suite ran`,
});
if (build.code === 0) {
  // The whole tree type-checks (src, test, api, the bench's measurement code): esbuild strips types without checking
  // them, so an API change that breaks a caller nobody runs here (the bench) would otherwise go unseen. A step.
  const startedTc = Date.now();
  console.log('\n===== typecheck (tsc -p . --noEmit) =====');
  const tc = await run(process.execPath, [
    join(root, 'node_modules', 'typescript', 'bin', 'tsc'),
    '-p',
    '.',
    '--noEmit',
  ]);
  steps.push({
    name: 'typecheck (tsc -p . --noEmit)',
    ok: tc.code === 0,
    error: 'reported errors (above)',
    seconds: secs(startedTc),
  });
  // The layers' import direction, no import cycle, the format (scripts/lint.mjs). A step, like the typecheck.
  const startedLint = Date.now();
  console.log('\n===== lint (npm run lint) =====');
  const lint = await run(process.execPath, [join(root, 'scripts', 'lint.mjs')]);
  steps.push({
    name: 'lint (scripts/lint.mjs)',
    ok: lint.code === 0,
    error: 'reported findings (above)',
    seconds: secs(startedLint),
  });
  if (chosen.includes('integration') || chosen.includes('ui')) {
    // The real VS Code those suites need, installed like `npm run demo` does (no-op when cached). A failure is
    // printed with its fix; the suites then fail with "test host not installed" and are counted.
    const { installTestHost } = await import('./testHost.mjs');
    await installTestHost().catch((e) => console.error(`test: the test host could not be installed: ${e.message}`));
  }
  const reporter = writeReporter(root);
  const tmp = mkdtempSync(join(tmpdir(), 'oauth-test-'));
  for (const name of chosen) {
    const started = Date.now();
    const file = join(tmp, `${name}.json`);
    console.log(`\n===== ${name} =====`);
    const [cmd, ...args] = suiteCommand(name, { root, reporter, grep });
    const leakFile = join(tmp, `${name}.leak.json`);
    const r = await run(cmd, args, { OAUTH_TEST_RESULTS: file, OAUTH_LEAK_CHECK_SUMMARY: leakFile });
    if (existsSync(leakFile))
      try {
        leaks.push({ name, ...JSON.parse(readFileSync(leakFile, 'utf8')) });
      } catch {
        /* the suite's own failure says why */
      }
    let res = { passed: 0, failed: 0, skipped: 0, failures: [] };
    if (existsSync(file)) {
      try {
        res = JSON.parse(readFileSync(file, 'utf8'));
      } catch (e) {
        res.failures.push({ title: `${name} suite`, error: `unreadable results: ${e}` });
      }
    } else {
      const why = r.timedOut
        ? `timed out after ${SUITE_TIMEOUT_S} s`
        : r.error
          ? `could not start: ${r.error.message}`
          : `crashed before reporting results (exit ${r.code}${r.signal ? `, ${r.signal}` : ''})`;
      res.failures.push({ title: `${name} suite`, error: why });
    }
    if (existsSync(file) && r.code !== 0 && res.failures.length === 0) {
      res.failures.push({ title: `${name} suite`, error: `exited with code ${r.code} although no test failed` });
    }
    const failed = Math.max(res.failed ?? 0, res.failures.length);
    results.push({
      name,
      passed: res.passed ?? 0,
      failed,
      skipped: res.skipped ?? 0,
      failures: res.failures,
      seconds: secs(started),
    });
    console.log(
      `${name}: ${res.passed ?? 0} passed, ${failed} failed, ${res.skipped ?? 0} skipped (${secs(started)} s)`,
    );
  }
  rmSync(tmp, { recursive: true, force: true });
}

const failedSteps = steps.filter((st) => !st.ok);
const passed = results.reduce((n, r) => n + r.passed, 0);
const failed = results.reduce((n, r) => n + r.failed, 0) + failedSteps.length;
const pending = results.reduce((n, r) => n + (r.skipped ?? 0), 0);
console.log(`\n===== summary (${secs(t0)} s) =====`);
for (const st of steps)
  console.log(`${st.name}: ${st.ok ? 'ok' : `FAILED (${st.error})`}${st.seconds ? ` (${st.seconds} s)` : ''}`);
for (const r of results) {
  console.log(`${r.name}: ${r.passed} passed, ${r.failed} failed, ${r.skipped ?? 0} skipped (${r.seconds} s)`);
  for (const f of r.failures) console.log(`  ✗ ${f.title}: ${String(f.error).split('\n')[0]}`);
}
if (leaks.length) {
  const sum = (k) => leaks.reduce((n, l) => n + (l[k] ?? 0), 0);
  console.log(
    `secrets leaked: ${sum('leaked')} (${sum('issued')} secrets issued, ${sum('scanned')} lines scanned; ${leaks.map((l) => l.name).join(', ')})`,
  );
}
// A narrowed run says so right above its totals.
const notChosen = ALL.filter((s) => !chosen.includes(s));
if (notChosen.length)
  console.log(`NARROWED: suites not run (OAUTH_TEST_SUITES=${chosen.join(',')}): ${notChosen.join(', ')}`);
if (grep)
  console.log(`NARROWED: only tests matching OAUTH_TEST_GREP=${JSON.stringify(grep)} ran; the others are not counted`);
console.log(`${passed} passed, ${failed} failed, ${pending} skipped`);
process.exit(failed > 0 ? 1 : 0);
