// The extension's bundles, for esbuild.mjs and the tests that check them: for each host (Node, web worker) an
// activation bundle (dist/extension.js, dist/web/extension.js: register providers, answer getSessions) and an engine
// bundle loaded on first use (dist/engine.js, dist/web/engine.js: protocol client, flows, wizard, token tools; see
// src/engine/engine.ts).
//
// Modules both need are kept once, in the activation bundle: the engine bundle's imports of them become
// `require("oauth-accounts-host:<path>")`, and the activation bundle carries a `hostModules` table with exactly those
// modules (src/vscode/engineLoader.ts hands them over). Three builds per host: activation (to learn its modules),
// engine (to learn which of them it imports), activation again with the table — which must not change its modules.
import * as esbuild from 'esbuild';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const HOST_PREFIX = 'oauth-accounts-host:';

export const HOSTS = {
  node: {
    activation: 'src/extension.ts', engine: 'src/engine/node.ts', outdir: 'dist',
    options: {
      platform: 'node', target: 'node20',
      // node-fetch v3 pulls this in through fetch-blob only when globalThis.ReadableStream is missing, which never
      // happens on Node >= 18: keeping it out saves 60 KB of bundle.
      external: ['vscode', 'web-streams-polyfill'],
    },
  },
  web: {
    activation: 'src/web/extension.ts', engine: 'src/engine/web.ts', outdir: 'dist/web',
    // No Node built-in may end up in these (a unit test checks).
    options: { platform: 'browser', target: 'es2022', mainFields: ['browser', 'module', 'main'], external: ['vscode'] },
  },
};

/** Where a relative import from a source file lands, if it is one of our .ts files. */
function sourceFile(root, importer, path) {
  const base = resolve(dirname(importer), path);
  for (const candidate of [base, `${base}.ts`, join(base, 'index.ts')]) {
    if (candidate.endsWith('.ts') && existsSync(candidate)) return relative(root, candidate).split('\\').join('/');
  }
  return undefined;
}

/** Engine build: imports of files the activation bundle has become host-module requires; `used` collects them. */
function shareWithActivation(root, activationFiles, used) {
  return {
    name: 'share-with-activation',
    setup(build) {
      build.onResolve({ filter: /^\.\.?\// }, (args) => {
        if (!args.importer.startsWith(join(root, 'src'))) return undefined;
        const file = sourceFile(root, args.importer, args.path);
        if (!file || !activationFiles.has(file)) return undefined;
        used.add(file);
        return { path: `${HOST_PREFIX}${file}`, external: true };
      });
    },
  };
}

/** Activation build: `oauth-accounts:host-modules` is the table of `files` (namespace objects of our own modules). */
function hostModulesTable(root, files) {
  return {
    name: 'host-modules-table',
    setup(build) {
      build.onResolve({ filter: /^oauth-accounts:host-modules$/ }, () => ({ path: 'host-modules', namespace: 'oauth-accounts' }));
      build.onLoad({ filter: /.*/, namespace: 'oauth-accounts' }, () => ({
        resolveDir: root,
        loader: 'js',
        contents: [...files].sort().map((f, i) => `import * as m${i} from ${JSON.stringify(`./${f}`)};`).join('\n')
          + `\nexport const hostModules = Object.freeze({ ${[...files].sort().map((f, i) => `${JSON.stringify(f)}: m${i}`).join(', ')} });\n`,
      }));
    },
  };
}

/**
 * The build's identity, `__OAUTH_ACCOUNTS_BUILD__` in the bundles: a hash of every file under src/ and of
 * package.json (and the host: node or web). Results the extension keeps across starts (src/setup/validatedSettings.ts) are reused only by the
 * same build, so changed validation code never trusts an older verdict. Same sources, same id: the build stays
 * reproducible.
 */
export function buildId(root) {
  const hash = createHash('sha256');
  const walk = (dir) => readdirSync(join(root, dir), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1)).forEach((d) => {
    const rel = `${dir}/${d.name}`;
    if (d.isDirectory()) walk(rel);
    else hash.update(`${rel}\0`).update(readFileSync(join(root, rel))).update('\0');
  });
  walk('src');
  hash.update(readFileSync(join(root, 'package.json')));
  return hash.digest('hex').slice(0, 16);
}

const inputsOf = (result) => new Set(Object.keys(result.metafile.inputs).filter((f) => f.startsWith('src/')));

/**
 * Builds both bundles of one host into `outRoot` (default: the repository, so dist/). `write: false` returns them in
 * memory (tests); `production` minifies.
 * Returns { activation, engine } as esbuild results (with metafiles) and the shared module list.
 */
export async function buildHost(name, { root = process.cwd(), production = false, write = true, outRoot = root } = {}) {
  const host = HOSTS[name];
  const outdir = join(outRoot, host.outdir);
  const common = {
    absWorkingDir: root, bundle: true, format: 'cjs', minify: production, sourcemap: write && !production,
    legalComments: 'none', logLevel: 'warning', metafile: true, write, ...host.options,
    define: { __OAUTH_ACCOUNTS_BUILD__: JSON.stringify(`${buildId(root)}-${name}`) },
  };
  const activationOptions = (files) => ({ ...common, entryPoints: [host.activation], outfile: join(outdir, 'extension.js'), plugins: [hostModulesTable(root, files)] });
  const first = await esbuild.build({ ...activationOptions(new Set()), write: false, sourcemap: false, minify: false });
  const activationFiles = inputsOf(first);
  const shared = new Set();
  const engine = await esbuild.build({ ...common, entryPoints: [host.engine], outfile: join(outdir, 'engine.js'), plugins: [shareWithActivation(root, activationFiles, shared)] });
  const activation = await esbuild.build(activationOptions(shared));
  const added = [...inputsOf(activation)].filter((f) => !activationFiles.has(f));
  if (added.length) throw new Error(`the host-module table added modules to the activation bundle: ${added.join(', ')}`);
  // A module in both bundles would be two instances (two AuthError classes, two registries): an import form the
  // share-with-activation plugin does not resolve must fail the build, not copy the module.
  const twice = [...inputsOf(engine)].filter((f) => activationFiles.has(f));
  if (twice.length) throw new Error(`in both bundles (import them by a relative path the build resolves): ${twice.join(', ')}`);
  return { activation, engine, shared: [...shared].sort() };
}
