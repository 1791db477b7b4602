// esbuild builds for the bench, all into bench/tmp (git-ignored); never touches dist/ or out/.
import * as esbuild from 'esbuild';
import { join } from 'node:path';

/** Same options as esbuild.mjs's nodeBundle/webBundle with --production (kept in sync by hand). */
export async function productionBundles(root, outDir) {
  const common = { bundle: true, format: 'cjs', minify: true, sourcemap: false, legalComments: 'none', logLevel: 'warning', absWorkingDir: root, metafile: true };
  const node = await esbuild.build({ ...common, entryPoints: ['src/extension.ts'], outfile: join(outDir, 'dist/extension.js'), platform: 'node', target: 'node20', external: ['vscode', 'web-streams-polyfill'] });
  const web = await esbuild.build({ ...common, entryPoints: ['src/web/extension.ts'], outfile: join(outDir, 'dist/web/extension.js'), platform: 'browser', target: 'es2022', mainFields: ['browser', 'module', 'main'], external: ['vscode'] });
  return { node: node.metafile, web: web.metafile };
}

/** The plain-Node measurement script and the host runner, bundled with src/ and test/support (vscode stubbed). */
export async function benchTools(root, outDir) {
  const common = { bundle: true, format: 'cjs', platform: 'node', target: 'node20', sourcemap: 'inline', logLevel: 'warning', absWorkingDir: root };
  await esbuild.build({ ...common, entryPoints: ['bench/node/measure.ts'], outfile: join(outDir, 'measure.cjs'), alias: { vscode: './bench/node/vscodeStub.ts' } });
  await esbuild.build({ ...common, entryPoints: ['bench/node/hostRunner.ts'], outfile: join(outDir, 'hostRunner.cjs'), packages: 'external' });
}
