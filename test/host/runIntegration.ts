// Plain-Node entry (out/test/host/runIntegration.js): runs the integration suite in code-server's extension host.
//   node out/test/host/runIntegration.js [--keep] [--verbose] [--timeout S]
// Prints "integration: N passed, M failed" and exits 1 on any failure. With OAUTH_TEST_RESULTS set it also writes
// { passed, failed, failures } there (scripts/test.mjs reads it; the in-host results file is a separate temp file).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runExtensionTests } from './extensionTests';
import { makePrivateCa } from '../support/privateCa';
import { checkLeaks, LEAK_TEST_TITLE, leakCheckFiles, leakFailure, writeLeakSummary } from './leakCheck';

async function main() {
  const argv = process.argv.slice(2);
  const opt = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const started = Date.now();
  // "No secrets in logs": the extension and the test AS (started inside the extension host, which inherits this env)
  // write what they log/show and what they issue to these files; scanned below, counted as one more test.
  const leak = leakCheckFiles();
  // A private CA for this run, trusted by the extension host (and the test AS it starts) through NODE_EXTRA_CA_CERTS,
  // the way a remote VS Code server is told about an organisation's CA (test/integration/privateCa.test.ts). Node
  // reads the variable once at start, hence here, for the whole host; it adds one CA and changes nothing else.
  const ca = makePrivateCa();
  const result = await runExtensionTests({
    // The managed file's fixed system path, pointed at a temporary one (honoured in test runs only): teams.test.ts.
    env: {
      ...leak.env,
      NODE_EXTRA_CA_CERTS: ca.cert,
      OAUTH_TEST_CA_DIR: ca.dir,
      OAUTH_ACCOUNTS_SYSTEM_MANAGED_FILE: path.join(leak.dir, 'system-managed.json'),
    },
    testsEntry: path.resolve(__dirname, '../integration/index.js'),
    timeoutS: Number(opt('timeout') ?? process.env.OAUTH_TEST_TIMEOUT ?? 600),
    keep: argv.includes('--keep'),
    verbose: argv.includes('--verbose') || undefined,
    // Installed beside ours: an extension whose configurationDefaults try to plant a provider (settingsDefaults.test).
    linkedExtensions: [path.resolve(__dirname, '../../../test/fixtures/defaults-ext')],
  });
  fs.rmSync(ca.dir, { recursive: true, force: true });
  const report = checkLeaks(leak);
  const leaked = leakFailure(report);
  writeLeakSummary(report);
  if (leaked) {
    result.failed++;
    result.failures.push({ title: LEAK_TEST_TITLE, error: leaked });
  } else result.passed++;
  if (argv.includes('--keep')) console.log(`integration: leak-check files kept in ${leak.dir}`);
  else fs.rmSync(leak.dir, { recursive: true, force: true });
  for (const f of result.failures) console.error(`\n✗ ${f.title}\n${f.error.replace(/^/gm, '    ')}`);
  console.log(`integration: ${report.summary}`);
  console.log(`integration: took ${((Date.now() - started) / 1000).toFixed(1)} s`);
  console.log(`integration: ${result.passed} passed, ${result.failed} failed, ${result.skipped ?? 0} skipped`);
  const out = process.env.OAUTH_TEST_RESULTS;
  if (out)
    fs.writeFileSync(
      out,
      JSON.stringify(
        { passed: result.passed, failed: result.failed, skipped: result.skipped ?? 0, failures: result.failures },
        null,
        2,
      ),
    );
  return result.failed > 0 || result.exitCode !== 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error('integration: harness error', e);
    process.exit(1);
  },
);
