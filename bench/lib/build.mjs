// esbuild builds for the bench, all into bench/tmp (git-ignored); never touches dist/ or out/.
import * as esbuild from 'esbuild';
import { join } from 'node:path';
import { buildHost } from '../../scripts/bundles.mjs';

/** Exactly what `node esbuild.mjs --production` builds (scripts/bundles.mjs), into outDir/dist. */
export async function productionBundles(root, outDir) {
  const [node, web] = await Promise.all([
    buildHost('node', { root, production: !process.env.BENCH_NO_MINIFY, outRoot: outDir }),
    buildHost('web', { root, production: true, outRoot: outDir }),
  ]);
  return { node, web };
}

/** The plain-Node measurement script and the host runner, bundled with src/ and test/support (vscode stubbed). */
export async function benchTools(root, outDir) {
  const common = {
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    sourcemap: 'inline',
    logLevel: 'warning',
    absWorkingDir: root,
  };
  await esbuild.build({
    ...common,
    entryPoints: ['bench/node/measure.ts'],
    outfile: join(outDir, 'measure.cjs'),
    alias: { vscode: './bench/node/vscodeStub.ts' },
  });
  await esbuild.build({
    ...common,
    entryPoints: ['bench/node/hostRunner.ts'],
    outfile: join(outDir, 'hostRunner.cjs'),
    packages: 'external',
  });
  await esbuild.build({ ...common, entryPoints: ['bench/node/mcpBridge.ts'], outfile: join(outDir, 'mcpBridge.cjs') });
}
