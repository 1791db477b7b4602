/**
 * The engine bundle's loader (what the activation bundle hands the engine) and the deferred log channel, on plain
 * Node with a stand-in for the `vscode` module.
 */
import * as assert from 'node:assert/strict';
import Module from 'node:module';
import { AuthError } from '../../../src/protocol/errors';

type Loader = typeof import('../../../src/vscode/engineLoader');
type Log = typeof import('../../../src/vscode/log');

/** engineLoader.ts and log.ts bound to `fake` as their `vscode`. */
function loadWith(fake: object): { loader: Loader; log: Log } {
  const moduleLoader = Module as unknown as { _load(request: string, ...rest: unknown[]): unknown };
  const original = moduleLoader._load;
  const paths = ['../../../src/vscode/engineLoader', '../../../src/vscode/log'].map((p) => require.resolve(p));
  for (const p of paths) delete require.cache[p];
  moduleLoader._load = function (request: string, ...rest: unknown[]) { return request === 'vscode' ? fake : original.call(this, request, ...rest); };
  try {
    return { loader: require(paths[0]), log: require(paths[1]) };
  } finally {
    moduleLoader._load = original;
  }
}

suite('vscode/engineLoader: what the engine bundle may require', () => {
  const fakeVscode = { marker: 'our vscode API object' };
  const { loader } = loadWith(fakeVscode);
  const errors = { AuthError };
  const table = { 'src/protocol/errors.ts': errors };

  test('vscode is our API object; host modules are the activation bundle\'s own instances', () => {
    const require = loader.engineRequire(table);
    // The activation bundle's namespace object for `vscode` (esbuild's interop view of the same module).
    assert.equal((require('vscode') as typeof fakeVscode).marker, fakeVscode.marker);
    assert.equal(require(`${loader.HOST_MODULE_PREFIX}src/protocol/errors.ts`), errors, 'one AuthError class for both bundles');
  });

  test('a module the table does not have fails loudly, inherited names included; anything else goes to the fallback or fails', () => {
    const require = loader.engineRequire(table);
    for (const key of ['src/other.ts', 'constructor', '__proto__', 'toString']) {
      assert.throws(() => require(`${loader.HOST_MODULE_PREFIX}${key}`), /does not provide/, key);
    }
    assert.throws(() => require('node:fs'), /cannot load module 'node:fs' in a web worker/);
    assert.equal(loader.engineRequire(table, (id) => `fallback:${id}`)('node:fs'), 'fallback:node:fs');
  });

  test('the bundle runs with module, exports and that require; it must export an engine', () => {
    const engine = { flows: [] };
    const seen: unknown[] = [];
    const compiled = function (this: unknown, module: { exports: Record<string, unknown> }, exports: unknown, require: (id: string) => unknown) {
      seen.push(this === exports, require('vscode'));
      module.exports.engine = engine;
    };
    assert.equal(loader.runEngineBundle(compiled, loader.engineRequire(table)), engine);
    assert.equal(seen[0], true);
    assert.equal((seen[1] as typeof fakeVscode).marker, fakeVscode.marker);
    assert.throws(() => loader.runEngineBundle(() => {}, loader.engineRequire(table)), /exports no engine/);
  });

  test('loaded once; a failed load is an AuthError naming the fix, and the next use tries again', async () => {
    let calls = 0;
    let fail = true;
    const engine = loader.lazyEngine(async () => {
      calls++;
      if (fail) throw new Error('ENOENT: dist/engine.js');
      return { flows: [] } as never;
    });
    await assert.rejects(engine(), (e: unknown) => e instanceof AuthError && e.code === 'config' && /could not load its sign-in code \(ENOENT: dist\/engine\.js\)\. Reinstall/.test(e.message));
    fail = false;
    const [a, b] = await Promise.all([engine(), engine()]);
    assert.equal(a, b);
    await engine();
    assert.equal(calls, 2, 'one failed load, then one load for every later use');
  });
});

suite('vscode/log: the output channel deferred past activate()', () => {
  function fakeChannel() {
    const lines: string[] = [];
    let created = 0;
    let disposed = false;
    const channel = {
      trace: (l: string) => lines.push(`trace ${l}`), info: (l: string) => lines.push(`info ${l}`),
      warn: (l: string) => lines.push(`warn ${l}`), error: (l: string) => lines.push(`error ${l}`),
      show: () => {}, dispose: () => { disposed = true; },
    };
    return { lines, create: () => { created++; return channel as never; }, get created() { return created; }, get disposed() { return disposed; } };
  }
  const { log } = loadWith({});

  test('lines written before the channel exists wait, in order, redacted when written; later lines go straight in', async () => {
    const c = fakeChannel();
    const deferred = new log.DeferredChannel(c.create);
    const logger = log.createLogger(deferred, 'p1');
    logger.info('registered provider "P1"');
    logger.warn('token request failed: refresh_token=abcdefghijklmnop');
    assert.equal(c.created, 0, 'nothing created inside activate()');
    assert.equal(c.lines.length, 0);
    await new Promise((r) => setTimeout(r, 5));
    assert.equal(c.created, 1);
    assert.equal(c.lines.length, 2);
    assert.equal(c.lines[0], 'info [p1] registered provider "P1"');
    assert.match(c.lines[1], /^warn \[p1\] token request failed: /);
    assert.ok(!c.lines[1].includes('abcdefghijklmnop'), 'redacted');
    logger.error('later');
    assert.equal(c.lines[2], 'error [p1] later');
    deferred.dispose();
    assert.ok(c.disposed);
  });

  test('Show Log opens it at once; disposed before the timer, it is never created', async () => {
    const shown = fakeChannel();
    const a = new log.DeferredChannel(shown.create);
    log.createLogger(a).info('one');
    a.open();
    assert.equal(shown.created, 1);
    assert.deepEqual(shown.lines, ['info one']);
    a.dispose();

    const never = fakeChannel();
    const b = new log.DeferredChannel(never.create);
    log.createLogger(b).info('dropped');
    b.dispose();
    await new Promise((r) => setTimeout(r, 5));
    assert.equal(never.created, 0);
  });
});
