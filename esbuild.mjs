// Builds the extension bundles (dist/extension.js for Node, dist/web/extension.js for the web worker) and, with --tests, transpiles src/ and test/ file by file
// into out/ (CommonJS, not bundled) so mocha can run them on plain Node and inside the extension host.
import * as esbuild from 'esbuild';
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

/** The Node extension host bundle: one file, `vscode` provided by the host. */
const nodeBundle = {
  entryPoints: ['src/extension.ts'],
  outfile: 'dist/extension.js',
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  external: [
    'vscode',
    // node-fetch v3 pulls this in through fetch-blob only when globalThis.ReadableStream is missing, which never
    // happens on Node >= 18: keeping it out saves 60 KB of bundle.
    'web-streams-polyfill',
  ],
  minify: production,
  sourcemap: !production,
  legalComments: 'none',
  logLevel: 'warning',
};

/**
 * The web-worker extension host bundle (vscode.dev, github.dev, code-server's web worker host): browser platform,
 * global fetch, URI-handler and device-code flows only. No Node built-in may end up in it (a unit test checks).
 */
const webBundle = {
  entryPoints: ['src/web/extension.ts'],
  outfile: 'dist/web/extension.js',
  bundle: true,
  format: 'cjs',
  platform: 'browser',
  target: 'es2022',
  mainFields: ['browser', 'module', 'main'],
  external: ['vscode'],
  minify: production,
  sourcemap: !production,
  legalComments: 'none',
  logLevel: 'warning',
};

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
  for (const options of [nodeBundle, webBundle]) await (await esbuild.context(options)).watch();
} else {
  await Promise.all([esbuild.build(nodeBundle), esbuild.build(webBundle)]);
}
