// Builds the extension bundles (scripts/bundles.mjs: an activation and an engine bundle for Node and for the web worker) and, with --tests, transpiles src/ and test/ file by file
// into out/ (CommonJS, not bundled) so mocha can run them on plain Node and inside the extension host.
import * as esbuild from 'esbuild';
import { buildHost } from './scripts/bundles.mjs';
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

const args = new Set(process.argv.slice(2));
const production = args.has('--production');

function tsFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return tsFiles(p);
    return p.endsWith('.ts') && !p.endsWith('.d.ts') ? [p] : [];
  });
}

if (args.has('--tests')) {
  rmSync('out', { recursive: true, force: true });
  await esbuild.build({
    entryPoints: [...tsFiles('src'), ...tsFiles('test')],
    outdir: 'out',
    outbase: '.',
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    sourcemap: 'inline',
    logLevel: 'warning',
  });
}
if (args.has('--watch')) {
  // Two bundles per host that must be built together (scripts/bundles.mjs): rebuild both on any change under src/.
  const { watch } = await import('node:fs');
  let pending;
  const rebuild = () =>
    Promise.all([buildHost('node', { production }), buildHost('web', { production })]).then(
      () => console.log('rebuilt'),
      (e) => console.error(e.message),
    );
  await rebuild();
  watch('src', { recursive: true }, () => {
    clearTimeout(pending);
    pending = setTimeout(rebuild, 100);
  });
} else {
  await Promise.all([buildHost('node', { production }), buildHost('web', { production })]);
}
