// extensionTestsPath entry: the extension host require()s this module and awaits run(). The test hosts
// (test/host/codeServer.ts for code-server, test/host/electron.ts for desktop VS Code) load it as out/test/integration/index.js.
import * as fs from 'node:fs';
import * as path from 'node:path';
// Required normally: the development extension path is the repo root, so node_modules/mocha resolves from out/.
import Mocha from 'mocha';

function testFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) return testFiles(p);
      return e.name.endsWith('.test.js') ? [p] : [];
    })
    .sort();
}

export function run(): Promise<void> {
  const mocha = new Mocha({
    ui: 'tdd',
    timeout: 60_000,
    // The output travels through the workbench log channel as plain text: escape codes would only be noise.
    color: false,
    reporter: 'spec',
    // Narrow a local run to some tests: OAUTH_TEST_GREP='Smoke' npm test (which then says the run was narrowed).
    grep: process.env.OAUTH_TEST_GREP || undefined,
    // An exclusive test (mocha's only) fails the run, reported as a load failure below, instead of silently skipping
    // every other test.
    forbidOnly: true,
  });
  for (const f of testFiles(__dirname)) mocha.addFile(f);

  return new Promise((resolve, reject) => {
    const failures: { title: string; error: string }[] = [];
    let passed = 0;
    let skipped = 0;
    let runner: Mocha.Runner;
    try {
      runner = mocha.run((failed) => {
        // The host runner reads counts from this file: the exit code alone cannot tell 1 failure from 20.
        const file = process.env.OAUTH_TEST_RESULTS;
        if (file) fs.writeFileSync(file, JSON.stringify({ passed, failed, skipped, failures }, null, 2));
        if (failed > 0) reject(new Error(`${failed} integration test(s) failed`));
        else resolve();
      });
    } catch (e) {
      // A test file that throws at load time lands here; nothing ran, so report it as one failure.
      const file = process.env.OAUTH_TEST_RESULTS;
      if (file)
        fs.writeFileSync(
          file,
          JSON.stringify(
            {
              passed: 0,
              failed: 1,
              failures: [{ title: 'loading integration tests', error: String((e as Error)?.stack ?? e) }],
            },
            null,
            2,
          ),
        );
      reject(e);
      return;
    }
    runner.on('pass', () => {
      passed++;
    });
    runner.on('pending', () => {
      skipped++;
    });
    // 'fail' also fires for failing hooks, whose fullTitle names the hook ("before all" hook in ...).
    runner.on('fail', (test, err: Error) => {
      failures.push({ title: test.fullTitle(), error: String(err?.stack ?? err?.message ?? err) });
    });
  });
}
