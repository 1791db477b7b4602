// Activation bench driver: starts the test AS, then runs bench/host/index.js in a fresh code-server extension host
// (test/host/codeServer.ts) per repetition, with 10 providers whose issuer is that AS in user settings.
//   node hostRunner.cjs <extensionPath> <entry> <reps> <out.json>
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runExtensionTests } from '../../test/host/codeServer';
import { startOpProcess, TEST_CLIENTS } from '../../test/support/op';

const [extensionPath, testsEntry, reps, outFile] = process.argv.slice(2);

async function main() {
  const op = await startOpProcess();
  const dir = mkdtempSync(join(tmpdir(), 'oauth-bench-host-'));
  const runs: unknown[] = [];
  try {
    const providers = Array.from({ length: 10 }, (_, i) => ({
      id: `bench-${i}`, label: `Bench IdP ${i}`, issuer: op.issuer, clientId: TEST_CLIENTS.public, scopes: ['openid', 'profile', 'email', 'offline_access'],
    }));
    for (let rep = 0; rep < Number(reps); rep++) {
      const hostOut = join(dir, `rep-${rep}.json`);
      await op.resetStats();
      const r = await runExtensionTests({
        testsEntry, extensionPath, timeoutS: 120,
        userSettings: { 'oauthAccounts.providers': providers },
        env: { BENCH_ISSUER: op.issuer, BENCH_HOST_OUT: hostOut, BENCH_EXT_MAIN: join(extensionPath, 'oauth-accounts', 'dist', 'extension.js'), BENCH_REP: String(rep) },
      });
      let data: Record<string, unknown> = {};
      try { data = JSON.parse(readFileSync(hostOut, 'utf8')); } catch { /* no output: recorded below */ }
      const stats = await op.stats();
      runs.push({ ...data, exitCode: r.exitCode, failures: r.failures, asStatsWholeRun: { discovery: stats.discovery, jwks: stats.jwks, token: stats.token, userinfo: stats.userinfo } });
      process.stderr.write(`  activation rep ${rep + 1}/${reps}: ours ${fmt(data.ms)} ms, github-authentication ${fmt(data.githubAuthMs)} ms${r.exitCode ? ` (exit ${r.exitCode})` : ''}\n`);
    }
  } finally {
    await op.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  writeFileSync(outFile, JSON.stringify(runs, null, 2));
}
const fmt = (x: unknown) => (typeof x === 'number' ? x.toFixed(2) : '?');
main().then(() => process.exit(0), (e) => { console.error(e); process.exit(2); });
