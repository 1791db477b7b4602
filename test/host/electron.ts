// Desktop VS Code launcher for the same integration suite, through @vscode/test-electron. It downloads VS Code
// (network), so it is not part of `npm test`, which uses the offline code-server host (runIntegration.ts).
//   node esbuild.mjs --tests && node out/test/host/electron.js [--version stable|insiders|1.93.0]
// On a headless Linux box run it under xvfb-run.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';
import { REPO_ROOT } from './codeServer';

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  const i = argv.indexOf('--version');
  const version = i >= 0 ? argv[i + 1] : process.env.VSCODE_VERSION || 'stable';
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'oauth-electron-'));
  const workspace = path.join(tmp, 'workspace');
  fs.mkdirSync(workspace);
  const resultsFile = path.join(tmp, 'results.json');
  let code = 0;
  try {
    await runTests({
      version,
      extensionDevelopmentPath: REPO_ROOT,
      extensionTestsPath: path.join(REPO_ROOT, 'out', 'test', 'integration', 'index.js'),
      // Same contract as the code-server host: a results file. Desktop VS Code trusts loopback URLs for
      // openExternal, so no link-protection setup is needed here.
      extensionTestsEnv: { OAUTH_TEST_RESULTS: resultsFile },
      launchArgs: [
        workspace,
        '--disable-extensions',
        '--disable-workspace-trust',
        '--skip-welcome',
        '--skip-release-notes',
        '--user-data-dir',
        path.join(tmp, 'user-data'),
      ],
    });
  } catch (e) {
    console.error('electron: test run failed:', (e as Error)?.message ?? e);
    code = 2; // remembered: VS Code exiting non-zero is a failure even if no test reported one
  } finally {
    const r = fs.existsSync(resultsFile) ? JSON.parse(fs.readFileSync(resultsFile, 'utf8')) : { passed: 0, failed: 1 };
    console.log(`integration (electron): ${r.passed} passed, ${r.failed} failed`);
    fs.rmSync(tmp, { recursive: true, force: true });
    code = r.failed > 0 || code === 2 ? 1 : 0;
  }
  return code;
}

main().then(
  (c) => process.exit(c),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
