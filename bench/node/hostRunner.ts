// Activation bench driver: starts the test AS, then runs bench/host/index.js in a fresh code-server extension host
// (test/host/codeServer.ts) per start, with 10 providers whose issuer is that AS in user settings and our extension
// installed (ExtensionMode.Production). Each repetition is two starts with one browser profile and origin, as a
// user's restart: the first with an empty profile (right after installing), the second with what VS Code kept.
//   node hostRunner.cjs <devExtensionsFolder> <entry> <reps> <out.json> <ourExtensionFolder>
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../test/host/codeServer';
import { runExtensionTests } from '../../test/host/extensionTests';
import { startOpProcess, TEST_CLIENTS } from '../../test/support/op';

const [extensionPath, testsEntry, reps, outFile, ours] = process.argv.slice(2);

async function main() {
  const op = await startOpProcess();
  const dir = mkdtempSync(join(tmpdir(), 'oauth-bench-host-'));
  const runs: unknown[] = [];
  try {
    const providers = Array.from({ length: 10 }, (_, i) => ({
      id: `bench-${i}`,
      label: `Bench IdP ${i}`,
      issuer: op.issuer,
      clientId: TEST_CLIENTS.public,
      scopes: ['openid', 'profile', 'email', 'offline_access'],
    }));
    for (let rep = 0; rep < Number(reps); rep++) {
      const browserProfile = mkdtempSync(join(dir, `profile-${rep}-`));
      const port = await freePort();
      for (const start of ['first', 'later'] as const) {
        const hostOut = join(dir, `rep-${rep}-${start}.json`);
        await op.resetStats();
        const r = await runExtensionTests({
          testsEntry,
          extensionPath,
          timeoutS: 120,
          linkedExtensions: [ours],
          browserProfile,
          port,
          userSettings: { 'oauthAccounts.providers': providers },
          env: {
            BENCH_ISSUER: op.issuer,
            BENCH_HOST_OUT: hostOut,
            BENCH_EXT_MAIN: join(ours, 'dist', 'extension.js'),
            BENCH_REP: String(rep),
          },
        });
        let data: Record<string, unknown> = {};
        try {
          data = JSON.parse(readFileSync(hostOut, 'utf8'));
        } catch {
          /* no output: recorded below */
        }
        const stats = await op.stats();
        runs.push({
          ...data,
          start,
          exitCode: r.exitCode,
          failures: r.failures,
          asStatsWholeRun: {
            discovery: stats.discovery,
            jwks: stats.jwks,
            token: stats.token,
            userinfo: stats.userinfo,
          },
        });
        process.stderr.write(
          `  activation rep ${rep + 1}/${reps} (${start} start): ours ${fmt(data.ms)} ms (activate() ${fmt(data.activateCallMs)} ms), github-authentication ${fmt(data.githubAuthMs)} ms${r.exitCode ? ` (exit ${r.exitCode})` : ''}\n`,
        );
      }
    }
  } finally {
    await op.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  writeFileSync(outFile, JSON.stringify(runs, null, 2));
}
const fmt = (x: unknown) => (typeof x === 'number' ? x.toFixed(2) : '?');
main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(2);
  },
);
