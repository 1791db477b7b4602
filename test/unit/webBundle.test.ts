import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as vm from 'node:vm';

// out/test/unit/ → the repository root.
const ROOT = join(__dirname, '..', '..', '..');
const NODE_BUILTINS =
  /\brequire\(\s*["'](?:node:[^"']+|assert|buffer|child_process|crypto|dns|events|fs|http|https|net|os|path|querystring|stream|tls|url|util|zlib|worker_threads)["']\s*\)/g;
interface Built {
  activation: string;
  engine: string;
}

/** Built exactly as esbuild.mjs builds them (scripts/bundles.mjs), in memory so the test never reads a stale dist/. */
async function buildWebBundles(): Promise<Built> {
  // A real dynamic import (scripts/bundles.mjs is an ES module); esbuild would turn a literal import() into require().
  type Result = { outputFiles?: Array<{ text: string }> };
  type BuildHost = (
    host: 'node' | 'web',
    o: { root: string; write: boolean },
  ) => Promise<{ activation: Result; engine: Result }>;
  const load = new Function('url', 'return import(url)') as (url: string) => Promise<{ buildHost: BuildHost }>;
  const { buildHost } = await load(pathToFileURL(join(ROOT, 'scripts', 'bundles.mjs')).href);
  const r = await buildHost('web', { root: ROOT, write: false });
  return { activation: r.activation.outputFiles![0].text, engine: r.engine.outputFiles![0].text };
}

function requiresOf(code: string): string[] {
  return [...new Set([...code.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]))];
}

suite('web-worker bundles', function () {
  this.timeout(30_000);
  let built: Built;
  suiteSetup(async () => {
    built = await buildWebBundles();
  });

  test('activation bundle: requires nothing but vscode, and no protocol library, fetch or flow code', () => {
    const code = built.activation;
    assert.deepEqual(requiresOf(code), ['vscode']);
    assert.deepEqual(code.match(NODE_BUILTINS) ?? [], []);
    for (const absent of [
      'node-fetch',
      'startLoopbackServer',
      'oauth4webapi',
      'authorizationCodeGrant',
      'initiateDeviceAuthorization',
    ]) {
      assert.ok(!code.includes(absent), `${absent} belongs in the engine bundle, loaded on first use`);
    }
  });

  test('engine bundle: self-contained (requires nothing, not even vscode); device code in, loopback out', () => {
    const code = built.engine;
    assert.deepEqual(requiresOf(code), [], 'the loader (web/loadEngine.ts) hands it a require that refuses everything');
    assert.deepEqual(code.match(NODE_BUILTINS) ?? [], []);
    assert.ok(!code.includes('node-fetch'), 'node-fetch is for the Node host only');
    assert.ok(!code.includes('startLoopbackServer'), 'a web worker cannot listen on a port');
    assert.ok(
      code.includes('initiateDeviceAuthorization') || code.includes('device_authorization_endpoint'),
      'device code is in',
    );
  });

  test('engine bundle runs in a sandbox with only web APIs, as web/loadEngine.ts runs it, and exports an engine', () => {
    const module: { exports: { engine?: { flows?: Array<{ id: string }> } } } = { exports: {} };
    const run = vm.runInNewContext(`(function (module, exports, require) {${built.engine}\n})`, webSandbox({}), {
      filename: 'dist/web/engine.js',
    }) as (m: unknown, e: unknown, r: unknown) => void;
    run(module, module.exports, (id: string) => {
      throw new Error(`require("${id}") in the engine bundle`);
    });
    assert.deepEqual(
      [...(module.exports.engine?.flows ?? []).map((f) => f.id)],
      ['uri-handler', 'device-code', 'manual'],
    );
  });

  test('activation bundle loads in a sandbox with only web APIs (no process, Buffer or require) and exports activate', () => {
    const exported: Record<string, unknown> = {};
    const module = { exports: exported };
    const sandbox = webSandbox({
      module,
      exports: exported,
      require: (id: string) => {
        if (id === 'vscode') return {};
        throw new Error(`require("${id}") in the web bundle`);
      },
    });
    vm.runInNewContext(built.activation, sandbox, { filename: 'dist/web/extension.js' });
    assert.equal(typeof (module.exports as { activate?: unknown }).activate, 'function');
    assert.equal(typeof (module.exports as { deactivate?: unknown }).deactivate, 'function');
  });

  test('package.json points "browser" at the built web bundle, which is clean too', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { browser?: string };
    assert.equal(pkg.browser, './dist/web/extension.js');
    const built = join(ROOT, pkg.browser);
    // Every test build (node esbuild.mjs --tests) writes it: missing means the build did not, so this test fails.
    assert.ok(existsSync(built), `${pkg.browser} was not built (run node esbuild.mjs)`);
    assert.deepEqual(requiresOf(readFileSync(built, 'utf8')), ['vscode']);
  });
});

/** A context with only what a web worker has (no process, Buffer or require) plus `extra`. */
function webSandbox(extra: Record<string, unknown>): Record<string, unknown> {
  const web = [
    'fetch',
    'Headers',
    'Request',
    'Response',
    'URL',
    'URLSearchParams',
    'TextEncoder',
    'TextDecoder',
    'AbortController',
    'AbortSignal',
    'crypto',
    'setTimeout',
    'clearTimeout',
    'setInterval',
    'clearInterval',
    'queueMicrotask',
    'structuredClone',
    'atob',
    'btoa',
    'console',
    'DOMException',
    'ReadableStream',
    'Event',
    'EventTarget',
  ] as const;
  const sandbox: Record<string, unknown> = { ...extra };
  for (const name of web) sandbox[name] = (globalThis as Record<string, unknown>)[name];
  sandbox.self = sandbox;
  return sandbox;
}
