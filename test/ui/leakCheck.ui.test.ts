// "No secrets in logs" for the UI suite (issue 7). Loaded with the other *.ui.test.js files, before any test runs:
// it points OAUTH_ACCOUNTS_LOG_FILE and OAUTH_TEST_ISSUED_FILE at a temp folder in this process's env, which every
// code-server (startCodeServer spreads process.env; the extension host inherits it) and every test AS
// (startOpProcess) started by the UI tests inherits. Its one test runs after all the other UI suites (moved to the
// end of the root suite below) and fails if any secret the test AS issued appears in a captured log line or
// notification. OAUTH_LEAK_CHECK=0 switches it off (e.g. to run one UI file against a server started elsewhere).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { checkLeaks, LEAK_TEST_TITLE, leakCheckFiles, leakFailure, writeLeakSummary } from '../host/leakCheck';

const enabled = process.env.OAUTH_LEAK_CHECK !== '0';
const files = enabled ? leakCheckFiles(process.env.OAUTH_LEAK_CHECK_DIR || undefined) : undefined;
if (files) Object.assign(process.env, files.env);

const leakSuite = suite('UI: secrets', () => {
  test(LEAK_TEST_TITLE, function () {
    if (!files) return this.skip();
    const report = checkLeaks(files);
    console.log(`      ui: ${report.summary}`);
    writeLeakSummary(report);
    const failure = leakFailure(report);
    assert.ok(!failure, failure);
  });

  suiteTeardown(() => {
    if (files && !process.env.OAUTH_LEAK_CHECK_DIR) fs.rmSync(files.dir, { recursive: true, force: true });
  });
});

// Root-level hook: runs once every test file is loaded, before the first suite; moves this suite to the end.
suiteSetup(() => {
  const root = leakSuite.parent!;
  root.suites.splice(root.suites.indexOf(leakSuite), 1);
  root.suites.push(leakSuite);
});
