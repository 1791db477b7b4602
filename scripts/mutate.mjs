#!/usr/bin/env node
// `npm run mutate`: re-runs the mutation audit of issue #25 in minutes. Each named mutation (scripts/mutations.mjs)
// breaks one promise by one search/replace in one src file; the tests that hold that promise must then fail.
//
//   npm run mutate                    lists the mutations
//   npm run mutate -- all             runs every one
//   npm run mutate -- lease pkce      runs these
//   options: --keep (keep the scratch copy), --no-baseline (skip proving the tests pass unmutated first)
//
// Works on a scratch copy of the working tree (node_modules linked, never copied), so the checkout is never touched,
// even when interrupted. First the unmutated copy must pass each test command (the baseline: a test that fails
// anyway kills nothing). Then per mutation: apply, build (node esbuild.mjs --tests), run mocha on the named tests,
// restore. Verdicts: killed (names the failing tests), SURVIVED (every test passed), NOT APPLIED (the search text is
// not in the file exactly once: the code moved, update the entry). Exit 0 only if every mutation run was killed.
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MUTATIONS } from './mutations.mjs';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const args = process.argv.slice(2);
const flags = new Set(args.filter((a) => a.startsWith('--')));
const names = args.filter((a) => !a.startsWith('--'));

if (names.length === 0) {
  console.log('Mutations (npm run mutate -- <name>… | all):');
  for (const m of MUTATIONS) console.log(`  ${m.name.padEnd(18)} ${m.file.padEnd(32)} ${m.what}`);
  process.exit(0);
}
const unknown = names.filter((n) => n !== 'all' && !MUTATIONS.some((m) => m.name === n));
if (unknown.length) {
  console.error(`mutate: unknown mutation(s) ${unknown.join(', ')}; run "npm run mutate" for the list`);
  process.exit(2);
}
const chosen = names.includes('all') ? MUTATIONS : MUTATIONS.filter((m) => names.includes(m.name));

// The working tree as it is (uncommitted changes included), without what the build makes or installs.
const SKIP = new Set(['node_modules', '.git', 'out', 'dist', '.vscode-test', 'test-results']);
const scratch = mkdtempSync(join(tmpdir(), 'oauth-mutate-'));
cpSync(root, scratch, {
  recursive: true,
  filter: (src) => {
    const rel = relative(root, src);
    return !rel.split(/[\\/]/).some((part) => SKIP.has(part)) && rel !== join('bench', 'tmp') && !rel.endsWith('.vsix');
  },
});
symlinkSync(realpathSync(join(root, 'node_modules')), join(scratch, 'node_modules'), 'dir');
// Ctrl+C: the running mocha dies with it; leave no scratch copy behind (the checkout itself is never touched).
process.on('SIGINT', () => {
  rmSync(scratch, { recursive: true, force: true });
  process.exit(130);
});

const sh = (cmd, argv, env = {}) =>
  spawnSync(cmd, argv, {
    cwd: scratch,
    encoding: 'utf8',
    env: { ...process.env, ...env },
    maxBuffer: 64 * 1024 * 1024,
  });

function build() {
  const r = sh(process.execPath, ['esbuild.mjs', '--tests']);
  if (r.status !== 0) return `${r.stdout}${r.stderr}`.trim().split('\n').slice(-5).join('\n');
  return undefined;
}

/** Runs mocha on a mutation's tests; { passed, failed: [titles], error } from its JSON report. */
function runTests(m) {
  const report = join(scratch, 'mutate-report.json');
  rmSync(report, { force: true });
  const argv = [
    join('node_modules', 'mocha', 'bin', 'mocha.js'),
    '--no-config',
    '--no-package',
    '--ui',
    'tdd',
    '--timeout',
    '30000',
    '--forbid-only',
    '--exit',
    '--reporter',
    'json',
    '--reporter-option',
    `output=${report}`,
    ...(m.grep ? ['--grep', m.grep] : []),
    ...m.tests,
  ];
  const r = sh(process.execPath, argv);
  if (!existsSync(report))
    return {
      passed: 0,
      failed: [],
      error: `mocha wrote no report (exit ${r.status}):\n${(r.stderr || r.stdout).trim().split('\n').slice(-8).join('\n')}`,
    };
  const json = JSON.parse(readFileSync(report, 'utf8'));
  return {
    passed: json.stats.passes,
    failed: json.failures.map((f) => `${f.fullTitle} — ${String(f.err?.message ?? '').split('\n')[0]}`),
    ran: json.stats.tests,
  };
}

const key = (m) => JSON.stringify([m.tests, m.grep ?? null]);
const verdicts = [];
const started = Date.now();
try {
  const buildError = build();
  if (buildError) throw new Error(`the unmutated copy does not build:\n${buildError}`);
  // Baseline: every distinct test command passes without a mutation, or no kill on it means anything.
  const baseline = new Map();
  if (!flags.has('--no-baseline')) {
    for (const m of chosen) {
      if (baseline.has(key(m))) continue;
      const r = runTests(m);
      baseline.set(key(m), r);
      const ok = !r.error && r.failed.length === 0 && r.ran > 0;
      console.log(
        `baseline  ${ok ? 'ok' : 'FAILS'}  ${m.tests.map((t) => basename(t)).join(' ')}${m.grep ? ` --grep '${m.grep}'` : ''}: ${r.passed} passed${ok ? '' : `\n${r.error ?? r.failed.join('\n')}`}`,
      );
    }
  }
  for (const m of chosen) {
    const file = join(scratch, m.file);
    const original = readFileSync(file, 'utf8');
    const count = original.split(m.find).length - 1;
    const head = `${m.name.padEnd(18)} ${m.file}: ${m.what}`;
    const base = baseline.get(key(m));
    if (base && (base.error || base.failed.length || !base.ran)) {
      verdicts.push({ m, verdict: 'BASELINE FAILS' });
      console.log(`BASELINE FAILS  ${head}`);
      continue;
    }
    if (count !== 1) {
      verdicts.push({ m, verdict: 'NOT APPLIED' });
      console.log(
        `NOT APPLIED  ${head}\n    the search text occurs ${count} times in ${m.file} (must be once): the code moved, update scripts/mutations.mjs\n    ${JSON.stringify(m.find)}`,
      );
      continue;
    }
    try {
      writeFileSync(file, original.replace(m.find, m.replace));
      const broken = build();
      if (broken) {
        verdicts.push({ m, verdict: 'NOT APPLIED' });
        console.log(`NOT APPLIED  ${head}\n    the mutated source does not build:\n${broken}`);
        continue;
      }
      const r = runTests(m);
      if (r.error) {
        verdicts.push({ m, verdict: 'killed' });
        console.log(`killed     ${head}\n    the tests could not even run: ${r.error.split('\n')[0]}`);
      } else if (r.failed.length) {
        verdicts.push({ m, verdict: 'killed' });
        console.log(
          `killed     ${head}\n    ${r.failed.length} of ${r.ran} failed:\n${r.failed.map((t) => `      ✗ ${t}`).join('\n')}`,
        );
      } else {
        verdicts.push({ m, verdict: 'SURVIVED' });
        console.log(
          `SURVIVED   ${head}\n    all ${r.passed} tests passed on the mutated code: ${m.tests.join(' ')}${m.grep ? ` --grep '${m.grep}'` : ''}`,
        );
      }
    } finally {
      writeFileSync(file, original);
    }
  }
} finally {
  if (flags.has('--keep')) console.log(`mutate: scratch copy kept in ${scratch}`);
  else rmSync(scratch, { recursive: true, force: true });
}
const count = (v) => verdicts.filter((x) => x.verdict === v).length;
const bad = verdicts.filter((x) => x.verdict !== 'killed');
console.log(
  `\nmutations: ${count('killed')} killed, ${count('SURVIVED')} survived, ${count('NOT APPLIED')} not applied, ${count('BASELINE FAILS')} with a failing baseline (${((Date.now() - started) / 1000).toFixed(0)} s)`,
);
if (bad.length) console.log(`not killed: ${bad.map((x) => `${x.m.name} (${x.verdict})`).join(', ')}`);
process.exit(bad.length || verdicts.length !== chosen.length ? 1 : 0);
