/**
 * The engine bundle's loader (what the activation bundle hands the engine) and the deferred log channel, on plain
 * Node with a stand-in for the `vscode` module.
 */
import * as assert from 'node:assert/strict';
import Module from 'node:module';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isAuthError } from '../../../src/protocol/errors';
import { loadNodeEngine } from '../../../src/vscode/loadNodeEngine';

type Loader = typeof import('../../../src/vscode/engineLoader');
type Log = typeof import('../../../src/vscode/log');

/** engineLoader.ts and log.ts bound to `fake` as their `vscode`. */
function loadWith(fake: object): { loader: Loader; log: Log } {
  const moduleLoader = Module as unknown as { _load(request: string, ...rest: unknown[]): unknown };
  const original = moduleLoader._load;
  const paths = ['../../../src/vscode/engineLoader', '../../../src/vscode/log'].map((p) => require.resolve(p));
  for (const p of paths) delete require.cache[p];
  moduleLoader._load = function (request: string, ...rest: unknown[]) {
    return request === 'vscode' ? fake : original.call(this, request, ...rest);
  };
  try {
    return { loader: require(paths[0]), log: require(paths[1]) };
  } finally {
    moduleLoader._load = original;
  }
}

suite('the engine bundle: loaded on first use, self-contained', () => {
  const { loader } = loadWith({});

  test("Node: dist/engine.js beside the activation bundle, with Node's require; it must export an engine", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oauth-engine-'));
    try {
      fs.writeFileSync(
        path.join(dir, 'engine.js'),
        'exports.engine = { flows: ["loaded with require"], fs: typeof require("node:fs").readFileSync };',
      );
      const engine = (await loadNodeEngine(dir)) as unknown as { flows: string[]; fs: string };
      assert.deepEqual(engine, { flows: ['loaded with require'], fs: 'function' });
      const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'oauth-engine-'));
      fs.writeFileSync(path.join(empty, 'engine.js'), 'exports.other = 1;');
      await assert.rejects(loadNodeEngine(empty), /exports no engine/);
      await assert.rejects(loadNodeEngine(path.join(dir, 'missing')), /Cannot find module/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('loaded once; a failed load is an AuthError naming the fix, and the next use tries again', async () => {
    let calls = 0;
    let fail = true;
    const engine = loader.lazyEngine(async () => {
      calls++;
      if (fail) throw new Error('ENOENT: dist/engine.js');
      return { flows: [] } as never;
    });
    await assert.rejects(
      engine(),
      (e: unknown) =>
        isAuthError(e, 'config') &&
        /could not load its sign-in code \(ENOENT: dist\/engine\.js\)\. Reinstall/.test(e.message),
    );
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
      trace: (l: string) => lines.push(`trace ${l}`),
      info: (l: string) => lines.push(`info ${l}`),
      warn: (l: string) => lines.push(`warn ${l}`),
      error: (l: string) => lines.push(`error ${l}`),
      show: () => {},
      dispose: () => {
        disposed = true;
      },
    };
    return {
      lines,
      create: () => {
        created++;
        return channel as never;
      },
      get created() {
        return created;
      },
      get disposed() {
        return disposed;
      },
    };
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
