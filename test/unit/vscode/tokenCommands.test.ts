/**
 * Copy Access Token can be started by any extension (commands carry no caller), which could then read the clipboard.
 * On plain Node with a stand-in `vscode`: the confirmation says so, the token is copied only after "Copy Token", and
 * the clipboard is cleared after its lifetime when it still holds the token (and left alone when the user copied
 * something else meanwhile).
 */
import * as assert from 'node:assert/strict';
import Module from 'node:module';
import { until } from '../../support/until';

const TOKEN = 'at-0123456789abcdefghijklmnop';

function load(answer: string | undefined) {
  const shown: Array<{ message: string; detail?: string }> = [];
  let clipboard = 'before';
  let reads = 0;
  const fake = {
    window: {
      showWarningMessage: async (message: string, o?: { detail?: string }) => {
        shown.push({ message, detail: o?.detail });
        return answer;
      },
      showInformationMessage: async (message: string) => {
        shown.push({ message });
        return undefined;
      },
    },
    env: {
      clipboard: {
        readText: async () => {
          reads++;
          return clipboard;
        },
        writeText: async (t: string) => {
          clipboard = t;
        },
      },
    },
    ExtensionMode: { Production: 1, Development: 2, Test: 3 },
  };
  const loader = Module as unknown as { _load(request: string, ...rest: unknown[]): unknown };
  const original = loader._load;
  const paths = ['../../../src/vscode/tokenCommands', '../../../src/vscode/notify', '../../../src/vscode/log'].map(
    (p) => require.resolve(p),
  );
  for (const p of paths) delete require.cache[p];
  loader._load = function (request: string, ...rest: unknown[]) {
    return request === 'vscode' ? fake : original.call(this, request, ...rest);
  };
  try {
    const commands = require(paths[0]) as typeof import('../../../src/vscode/tokenCommands');
    return {
      commands,
      shown,
      clipboard: {
        get: () => clipboard,
        set: (t: string) => {
          clipboard = t;
        },
        reads: () => reads,
      },
    };
  } finally {
    loader._load = original;
  }
}

const session = { id: 's1', accessToken: TOKEN, account: { id: 'alice', label: 'alice' }, scopes: ['openid'] };
const registry = {
  configs: () => [{ id: 'p', label: 'P' }],
  get: () => ({ keeper: { sessions: async () => [session] }, getSessions: async () => [session] }),
} as never;

suite('vscode/tokenCommands: Copy Access Token', () => {
  test('the confirmation warns that another extension may have started it; Cancel copies nothing', async () => {
    const { commands, shown, clipboard } = load(undefined);
    await commands.copyAccessToken(registry, 50);
    assert.match(shown[0].detail ?? '', /another extension started this/);
    assert.match(shown[0].detail ?? '', /cleared after/);
    assert.equal(clipboard.get(), 'before');
  });

  test('copied after "Copy Token", then cleared after its lifetime while the clipboard still holds it', async () => {
    const { commands, shown, clipboard } = load('Copy Token');
    await commands.copyAccessToken(registry, 50);
    assert.equal(clipboard.get(), TOKEN);
    assert.match(shown.at(-1)!.message, /copied to the clipboard for/);
    await until('the clipboard to be cleared', () => clipboard.get() === '');
  });

  test('something the user copied after the token is left alone', async () => {
    const { commands, clipboard } = load('Copy Token');
    await commands.copyAccessToken(registry, 50);
    clipboard.set("the user's own text");
    await until('the lifetime to end (the clipboard is read)', () => clipboard.reads() > 0);
    assert.equal(clipboard.get(), "the user's own text");
  });

  test('the default lifetime is one minute', () => {
    assert.equal(load(undefined).commands.CLIPBOARD_LIFETIME_MS, 60_000);
  });
});
