/**
 * The runner cannot be narrowed silently. An exclusive test (mocha's `only`), in any spelling and in any folder
 * under test/ (fixtures included), makes `npm test` (scripts/test.mjs) fail before anything is built
 * (scripts/onlyScan.mjs); and one the scan cannot see (a computed name) fails every suite through mocha's own
 * --forbid-only, run with the very commands `npm test` uses (scripts/testSuites.mjs), the unit suite's own config
 * (`npm run test:unit`) and, for the integration suite, its in-host runner (out/test/integration/index.js).
 * The spellings are assembled at run time, so this file holds none of them.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

// out/test/unit/ → the repository root.
const ROOT = join(__dirname, '..', '..', '..');
const ONLY = ['on', 'ly'].join('');
const load = new Function('url', 'return import(url)') as (url: string) => Promise<unknown>;
const script = <T>(name: string) => load(pathToFileURL(join(ROOT, 'scripts', name)).href) as Promise<T>;
type Suites = {
  suiteCommand(name: string, o: { root: string; reporter: string; grep?: string }): string[];
  writeReporter(root: string): string;
};

/** [where, what]: a test file under test/ and the narrowed call in it. */
const SPELLINGS: Array<[string, string]> = [
  ['test/unit/fixtures/op.test.ts', `suite.${ONLY}('x', () => {});`],
  ['test/unit/fixtures/deeper/more.test.ts', `suite.${ONLY} ('x', () => {});`],
  ['test/security/x.test.ts', `test\n  .${ONLY}('x', () => {});`],
  ['test/integration/x.test.ts', `test['${ONLY}']('x', () => {});`],
  ['test/ui/x.ui.test.ts', `test["${ONLY}"]('x', () => {});`],
  ['test/support/helper.ts', 'it[`' + ONLY + "`]('x', () => {});"],
  ['test/unit/x.test.js', `describe?.${ONLY}('x', () => {});`],
  ['test/fixtures/op/x.mjs', `context.${ONLY}('x', () => {});`],
];

suite('the test runner cannot be narrowed silently', function () {
  this.timeout(60_000);
  const dirs: string[] = [];
  /** A scratch repository root with `files` written into it. */
  const scratch = (files: Record<string, string>) => {
    const dir = mkdtempSync(join(tmpdir(), 'oauth-runner-'));
    dirs.push(dir);
    for (const [p, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, p)), { recursive: true });
      writeFileSync(join(dir, p), text);
    }
    return dir;
  };
  suiteTeardown(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  for (const [where, call] of SPELLINGS) {
    test(`npm test refuses to run: ${JSON.stringify(call)} in ${where}`, () => {
      const dir = scratch({ [where]: `suite('s', () => {\n  ${call}\n  test('y', () => {});\n});\n` });
      for (const f of ['test.mjs', 'onlyScan.mjs', 'testSuites.mjs']) {
        mkdirSync(join(dir, 'scripts'), { recursive: true });
        copyFileSync(join(ROOT, 'scripts', f), join(dir, 'scripts', f));
      }
      const r = spawnSync(process.execPath, [join(dir, 'scripts', 'test.mjs')], {
        encoding: 'utf8',
        env: { ...process.env, OAUTH_TEST_SUITES: 'unit' },
      });
      assert.equal(r.status, 1, r.stdout + r.stderr);
      assert.match(r.stderr, /refusing to run/);
      assert.ok(r.stderr.includes(`${where}:`), `names the file: ${r.stderr}`);
      assert.equal(r.stdout.trim().split('\n').at(-1), '0 passed, 1 failed, 0 skipped');
    });
  }

  test('the scan does not mistake the word for the call', async () => {
    const { findOnlies } = await script<{ findOnlies(root: string): string[] }>('onlyScan.mjs');
    const dir = scratch({
      'test/unit/a.test.ts': "// the only test here\nconst only = 1;\ntest('only once', () => { void only; });\n",
    });
    assert.deepEqual(findOnlies(dir), []);
    assert.deepEqual(findOnlies(ROOT), [], 'the repository itself is clean');
  });

  /** A test file that narrows through a name no text scan can see. */
  const computed = `const name = ['on', 'ly'].join('');\nsuite('narrowed', () => {\n  test[name]('would run alone', () => {});\n  test('would be skipped', () => {});\n});\n`;
  const withModules = (dir: string) => {
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
    return dir;
  };

  for (const [suiteName, file] of [
    ['unit', 'out/test/unit/x.test.js'],
    ['security', 'out/test/security/x.test.js'],
    ['ui', 'out/test/ui/x.ui.test.js'],
  ] as const) {
    test(`mocha --forbid-only fails the ${suiteName} suite, run as npm test runs it`, async () => {
      const { suiteCommand, writeReporter } = await script<Suites>('testSuites.mjs');
      const dir = withModules(
        scratch({
          [file]: computed,
          'test/unit/.mocharc.json': readFileSync(join(ROOT, 'test', 'unit', '.mocharc.json'), 'utf8'),
        }),
      );
      const [cmd, ...args] = suiteCommand(suiteName, { root: dir, reporter: writeReporter(dir) });
      const results = join(dir, 'results.json');
      const r = spawnSync(cmd, args, {
        cwd: dir,
        encoding: 'utf8',
        env: { ...process.env, OAUTH_TEST_RESULTS: results },
      });
      assert.notEqual(r.status, 0, r.stdout + r.stderr);
      assert.match(r.stdout + r.stderr, /forbidden by --forbid-only/);
      // No results file: scripts/test.mjs then counts the suite as failed ("crashed before reporting results").
      assert.equal(existsSync(results), false);
    });
  }

  test("npm run test:unit: the unit suite's own config forbids it too", () => {
    const dir = withModules(
      scratch({
        'out/test/unit/x.test.js': computed,
        'test/unit/.mocharc.json': readFileSync(join(ROOT, 'test', 'unit', '.mocharc.json'), 'utf8'),
      }),
    );
    const r = spawnSync(
      process.execPath,
      [join(dir, 'node_modules', 'mocha', 'bin', 'mocha.js'), '--config', 'test/unit/.mocharc.json'],
      { cwd: dir, encoding: 'utf8' },
    );
    assert.notEqual(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout + r.stderr, /forbidden by --forbid-only/);
  });

  test("the integration suite's in-host runner fails on it too, and reports why", () => {
    const dir = withModules(scratch({ 'out/test/integration/x.test.js': computed }));
    copyFileSync(
      join(ROOT, 'out', 'test', 'integration', 'index.js'),
      join(dir, 'out', 'test', 'integration', 'index.js'),
    );
    const results = join(dir, 'results.json');
    const entry = JSON.stringify(join(dir, 'out', 'test', 'integration', 'index.js'));
    const r = spawnSync(
      process.execPath,
      ['-e', `require(${entry}).run().then(() => process.exit(0), () => process.exit(1))`],
      { cwd: dir, encoding: 'utf8', env: { ...process.env, OAUTH_TEST_RESULTS: results } },
    );
    assert.equal(r.status, 1, r.stdout + r.stderr);
    const reported = JSON.parse(readFileSync(results, 'utf8')) as {
      passed: number;
      failed: number;
      failures: Array<{ error: string }>;
    };
    assert.equal(reported.passed, 0);
    assert.equal(reported.failed, 1);
    assert.match(reported.failures[0].error, /forbidden by --forbid-only/);
  });
});
