import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vm from 'node:vm';
import * as esbuild from 'esbuild';

// out/test/unit/ → the repository root.
const ROOT = join(__dirname, '..', '..', '..');
const NODE_BUILTINS = /\brequire\(\s*["'](?:node:[^"']+|assert|buffer|child_process|crypto|dns|events|fs|http|https|net|os|path|querystring|stream|tls|url|util|zlib|worker_threads)["']\s*\)/g;

/** The same options as esbuild.mjs's webBundle, built in memory so the test never reads a stale dist/. */
async function buildWebBundle(): Promise<string> {
  const r = await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: ['src/web/extension.ts'],
    bundle: true,
    write: false,
    format: 'cjs',
    platform: 'browser',
    target: 'es2022',
    mainFields: ['browser', 'module', 'main'],
    external: ['vscode'],
    logLevel: 'silent',
  });
  return r.outputFiles[0].text;
}

function requiresOf(code: string): string[] {
  return [...new Set([...code.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]))];
}

suite('web-worker bundle', function () {
  this.timeout(30_000);
  let code: string;
  suiteSetup(async () => { code = await buildWebBundle(); });

  test('requires nothing but vscode: no Node built-ins, no node-fetch, no loopback listener', () => {
    assert.deepEqual(requiresOf(code), ['vscode']);
    assert.deepEqual(code.match(NODE_BUILTINS) ?? [], []);
    assert.ok(!code.includes('node-fetch'), 'node-fetch is for the Node host only');
    assert.ok(!code.includes('startLoopbackServer'), 'a web worker cannot listen on a port');
    assert.ok(code.includes('device_authorization_endpoint') || code.includes('initiateDeviceAuthorization'), 'device code is in');
  });

  test('loads in a sandbox with only web APIs (no process, Buffer or require) and exports activate', () => {
    const exported: Record<string, unknown> = {};
    const module = { exports: exported };
    const web = ['fetch', 'Headers', 'Request', 'Response', 'URL', 'URLSearchParams', 'TextEncoder', 'TextDecoder', 'AbortController',
      'AbortSignal', 'crypto', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'queueMicrotask', 'structuredClone',
      'atob', 'btoa', 'console', 'DOMException', 'ReadableStream', 'Event', 'EventTarget'] as const;
    const sandbox: Record<string, unknown> = { module, exports: exported, require: (id: string) => { if (id === 'vscode') return {}; throw new Error(`require("${id}") in the web bundle`); } };
    for (const name of web) sandbox[name] = (globalThis as Record<string, unknown>)[name];
    sandbox.self = sandbox;
    vm.runInNewContext(code, sandbox, { filename: 'dist/web/extension.js' });
    assert.equal(typeof (module.exports as { activate?: unknown }).activate, 'function');
    assert.equal(typeof (module.exports as { deactivate?: unknown }).deactivate, 'function');
  });

  test('package.json points "browser" at the built web bundle, which (when built) is clean too', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { browser?: string };
    assert.equal(pkg.browser, './dist/web/extension.js');
    const built = join(ROOT, pkg.browser);
    if (!existsSync(built)) return; // not built yet: the in-memory build above is the check
    assert.deepEqual(requiresOf(readFileSync(built, 'utf8')), ['vscode']);
  });
});
