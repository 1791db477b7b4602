// Plain-Node entry (out/test/host/runIntegration.js): runs the integration suite in code-server's extension host.
//   node out/test/host/runIntegration.js [--keep] [--verbose] [--timeout S]
// Prints "integration: N passed, M failed" and exits 1 on any failure. With OAUTH_TEST_RESULTS set it also writes
// { passed, failed, failures } there (scripts/test.mjs reads it; the in-host results file is a separate temp file).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runExtensionTests } from './codeServer';

async function main() {
  const argv = process.argv.slice(2);
  const opt = (name: string) => { const i = argv.indexOf(`--${name}`); return i >= 0 ? argv[i + 1] : undefined; };
  const started = Date.now();
  const result = await runExtensionTests({
    testsEntry: path.resolve(__dirname, '../integration/index.js'),
    timeoutS: Number(opt('timeout') ?? process.env.OAUTH_TEST_TIMEOUT ?? 600),
    keep: argv.includes('--keep'),
    verbose: argv.includes('--verbose') || undefined,
  });
  for (const f of result.failures) console.error(`\n✗ ${f.title}\n${f.error.replace(/^/gm, '    ')}`);
  console.log(`integration: took ${((Date.now() - started) / 1000).toFixed(1)} s`);
  console.log(`integration: ${result.passed} passed, ${result.failed} failed`);
  const out = process.env.OAUTH_TEST_RESULTS;
  if (out) fs.writeFileSync(out, JSON.stringify({ passed: result.passed, failed: result.failed, failures: result.failures }, null, 2));
  return result.failed > 0 || result.exitCode !== 0 ? 1 : 0;
}

main().then((code) => process.exit(code), (e) => { console.error('integration: harness error', e); process.exit(1); });
