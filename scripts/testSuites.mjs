// How `npm test` (scripts/test.mjs) starts each suite, in one place so the runner self-test
// (test/unit/runner.test.ts) runs exactly these commands. Every mocha run has --forbid-only: a `.only` fails the
// suite instead of silently narrowing it (the integration suite sets the same option inside the extension host,
// test/integration/index.ts, and the unit suite in test/unit/.mocharc.json).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const ALL_SUITES = ['unit', 'security', 'integration', 'ui'];

/** Spec output for people, a results file (OAUTH_TEST_RESULTS) for the runner. Plain JS, written to out/. */
const reporterSource = (root) => `'use strict';
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

/** Writes the results reporter under `root` (out/ is rebuilt by every test build) and returns its path. */
export function writeReporter(root) {
  const file = join(root, 'out', '.test-support', 'results-reporter.cjs');
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, reporterSource(root));
  return file;
}

/**
 * The command line of suite `name`, run with cwd `root`. `grep` (OAUTH_TEST_GREP) narrows the mocha suites; the
 * integration suite reads the same variable in the extension host.
 */
export function suiteCommand(name, { root, reporter, grep }) {
  const mocha = join(root, 'node_modules', 'mocha', 'bin', 'mocha.js');
  const narrow = grep ? ['--grep', grep] : [];
  // --exit: a leaked handle (server, timer) must not hang the run; the leak would show up as a timeout otherwise.
  const common = ['--forbid-only', '--reporter', reporter, '--exit', ...narrow];
  switch (name) {
    case 'unit':
      return [process.execPath, mocha, '--config', 'test/unit/.mocharc.json', ...common];
    case 'security':
      return [
        process.execPath,
        mocha,
        '--no-config',
        '--no-package',
        '--ui',
        'tdd',
        '--timeout',
        '30000',
        ...common,
        'out/test/security/**/*.test.js',
      ];
    case 'integration':
      return [process.execPath, join(root, 'out', 'test', 'host', 'runIntegration.js')];
    case 'ui':
      return [
        process.execPath,
        mocha,
        '--no-config',
        '--no-package',
        '--ui',
        'tdd',
        '--timeout',
        '180000',
        ...common,
        'out/test/ui/**/*.ui.test.js',
      ];
    default:
      throw new Error(`unknown suite ${name}`);
  }
}
