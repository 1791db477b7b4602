// The extension's bundles, for esbuild.mjs, the bench and the tests that check them. Per host (Node, web worker):
//
// - the activation bundle (dist/extension.js, dist/web/extension.js): settings, the registry, the authentication
//   providers, sessions, commands and their dialogs — everything that talks to VS Code;
// - the engine bundle (dist/engine.js, dist/web/engine.js, src/engine/): the protocol client with openid-client and
//   the platform's fetch, the flows and the sign-in — everything that talks OAuth. Loaded on first use with a plain
//   require (vscode/loadNodeEngine.ts) or as the worker host loads extension code (web/loadEngine.ts).
//
// Two independent builds. What both use (errors, plain-text rules, the config parser) is in both, as copies; errors
// are recognised by a brand, not by class identity (protocol/errors.ts). The build fails if the seam is crossed: the
// engine must not import `vscode` (it cannot resolve), and the activation bundle must not contain the protocol
// libraries, the engine or the flows (checked below from esbuild's metafile).
import * as esbuild from 'esbuild';
import { join } from 'node:path';

export const HOSTS = {
  node: {
    activation: 'src/extension.ts',
    engine: 'src/engine/node.ts',
    outdir: 'dist',
    options: {
      platform: 'node',
      target: 'node20',
      // node-fetch v3 pulls this in through fetch-blob only when globalThis.ReadableStream is missing, which never
      // happens on Node >= 18: keeping it out saves 60 KB of bundle.
      external: ['web-streams-polyfill'],
    },
  },
  web: {
    activation: 'src/web/extension.ts',
    engine: 'src/engine/web.ts',
    outdir: 'dist/web',
    // No Node built-in may end up in these (a unit test checks).
    options: { platform: 'browser', target: 'es2022', mainFields: ['browser', 'module', 'main'], external: [] },
  },
};

/**
 * `import * as vscode from 'vscode'` in each of ~25 modules would each become `__toESM(require('vscode'))`, which
 * copies every one of the API object's several hundred properties again: most of the bundle's load in the extension
 * host (23 ms median before, 8 ms after). One re-exporting module copies them once and every importer shares it.
 */
const vscodeOnce = {
  name: 'vscode-once',
  setup(build) {
    build.onResolve({ filter: /^vscode$/ }, (args) =>
      args.namespace === 'vscode-once'
        ? { path: 'vscode', external: true }
        : { path: 'vscode', namespace: 'vscode-once' },
    );
    build.onLoad({ filter: /.*/, namespace: 'vscode-once' }, () => ({
      contents: "export * from 'vscode';",
      loader: 'js',
    }));
  },
};

/** What the activation bundle must never contain: the protocol libraries and the engine's own layers. */
const ENGINE_ONLY = [
  /^node_modules\/(openid-client|oauth4webapi|node-fetch|jose)\//,
  /^src\/engine\//,
  /^src\/flows\/(?!flow\.ts)/,
  /^src\/protocol\/(client|discovery|libraryErrors|registration|quirks)\.ts$/,
];

/**
 * Builds both bundles of one host into `outRoot` (default: the repository, so dist/). `write: false` returns them in
 * memory (tests); `production` minifies. Returns { activation, engine } as esbuild results (with metafiles).
 */
export async function buildHost(name, { root = process.cwd(), production = false, write = true, outRoot = root } = {}) {
  const host = HOSTS[name];
  const outdir = join(outRoot, host.outdir);
  const common = {
    absWorkingDir: root,
    bundle: true,
    format: 'cjs',
    minify: production,
    sourcemap: write && !production,
    legalComments: 'none',
    logLevel: 'warning',
    metafile: true,
    write,
    ...host.options,
  };
  const [activation, engine] = await Promise.all([
    esbuild.build({
      ...common,
      entryPoints: [host.activation],
      outfile: join(outdir, 'extension.js'),
      external: host.options.external,
      plugins: [vscodeOnce],
    }),
    // No `vscode` external: an engine module that imports vscode fails to resolve, and so does the build.
    esbuild.build({ ...common, entryPoints: [host.engine], outfile: join(outdir, 'engine.js') }),
  ]);
  const crossed = Object.keys(activation.metafile.inputs).filter((f) => ENGINE_ONLY.some((re) => re.test(f)));
  if (crossed.length)
    throw new Error(
      `the ${name} activation bundle contains engine code (import it through the engine, types only): ${crossed.join(', ')}`,
    );
  return { activation, engine };
}
