/**
 * Server text is plain text. A hostile identity provider puts `[Sign in again](command:…)` (a link VS Code would
 * render in a notification, running a command on click), line breaks (which would forge log lines) and escape
 * sequences into every field whose words reach the user: error_description at the token endpoint, at the
 * authorization callback and while polling the device flow, the device user_code, and the account name. What comes
 * out (AuthError messages, progress text, account labels) must have no link syntax, no line break and no control
 * character, and still say what the server said. Then the guards behind it: notify (every notification) and the log.
 */
import * as assert from 'node:assert/strict';
import { rejectsWithAuthError } from '../support/assertions';
import Module from 'node:module';
import { deviceCode } from '../../src/flows/deviceCode';
import type { DeviceCodeInfo, FlowUi } from '../../src/flows/flow';
import { escapeLogLine, guardWorkbenchText, plainText } from '../../src/protocol/plainText';
import {
  clientFor,
  HOSTILE_TEXT,
  hostileConfig,
  openWindow,
  signInAndStore,
  signInTimeout,
  startHostileAs,
  type HostileAs,
} from './support';

/** Link syntax VS Code's notification renderer would turn into a link, or anything that breaks or colours a line. */
function assertPlain(text: string, what: string): void {
  assert.doesNotMatch(text, /\]\s*\(/, `${what} has link syntax: ${JSON.stringify(text)}`);
  assert.doesNotMatch(text, /[[\]]/, `${what} has brackets: ${JSON.stringify(text)}`);
  // eslint-disable-next-line no-control-regex
  assert.doesNotMatch(
    text,
    /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/,
    `${what} has a line break or control character: ${JSON.stringify(text)}`,
  );
}

suite('security: server text is plain text', () => {
  let as: HostileAs;
  suiteSetup(async () => {
    as = await startHostileAs();
  });
  suiteTeardown(async () => {
    await as?.stop();
  });

  test('token endpoint error_description: the AuthError message has no link and no line break, and keeps the words', async () => {
    const t = await as.tenant('text-token-error');
    const client = clientFor(hostileConfig(t));
    const err = await rejectsWithAuthError(signInAndStore(client, openWindow(client, t.id)), 'invalid_grant');
    assertPlain(err.message, 'message');
    assertPlain(err.details.oauthErrorDescription ?? '', 'details.oauthErrorDescription');
    assert.match(
      err.message,
      /invalid_grant: Denied\. \(Sign in again\)\(command:workbench\.action\.terminal\.new\) 2030-01-01/,
    );
  });

  test('authorization callback error_description: same', async () => {
    const t = await as.tenant('text-callback-error');
    const client = clientFor(hostileConfig(t));
    const err = await rejectsWithAuthError(signInAndStore(client, openWindow(client, t.id)), 'authorization_denied');
    assertPlain(err.message, 'message');
    assert.match(err.message, /access_denied: Denied\. \(Sign in again\)/);
  });

  test('device flow: the user code in the modal and the progress text, and the polling error, are plain text', async () => {
    const t = await as.tenant('text-device');
    const client = clientFor(hostileConfig(t, { flow: 'device-code' }));
    const shown: DeviceCodeInfo[] = [];
    const progress: string[] = [];
    const ui: FlowUi = {
      openExternal: async () => true,
      externalCallbackUri: async () => {
        throw new Error('not used');
      },
      waitForUriCallback: async () => {
        throw new Error('not used');
      },
      askForRedirectedUrl: async () => undefined,
      showDeviceCode: async (info) => {
        shown.push(info);
        return true;
      },
    };
    const run = deviceCode.run({
      client,
      requestedScopes: [],
      ui,
      signal: signInTimeout(10_000),
      progress: (m) => progress.push(m),
    });
    const err = await rejectsWithAuthError(run, 'invalid_grant');
    assertPlain(err.message, 'polling error');
    assert.match(err.message, /Sign in again/);
    // The real code still reaches the clipboard (ui.ts copies info.userCode): only what is displayed is cleaned.
    assert.equal(shown[0]?.userCode, `${HOSTILE_TEXT} WDJB-MJHT`);
    assert.equal(progress.length, 1);
    assertPlain(progress[0], 'progress text');
    // The user code is capped (64 characters: real ones are about 8), the verification URI follows it.
    assert.match(
      progress[0],
      /^Enter code Denied\. \(Sign in again\)\(command:.*… at http:\/\/127\.0\.0\.1:\d+\/text-device-\d+\/activate$/,
    );
  });

  test('an account name claim with link syntax and line breaks becomes a plain, short label', async () => {
    const t = await as.tenant('text-label');
    const client = clientFor(hostileConfig(t));
    const session = await signInAndStore(client, openWindow(client, t.id));
    assertPlain(session.account.label, 'account label');
    assert.ok(session.account.label.length <= 100, session.account.label);
    assert.match(session.account.label, /^Denied\. \(Sign in again\)\(command:/);
  });
});

suite('security: plainText and the notification and log guards', () => {
  test('plainText: one line, no control or invisible characters, brackets neutralised, length capped with …', () => {
    assert.equal(
      plainText(HOSTILE_TEXT),
      'Denied. (Sign in again)(command:workbench.action.terminal.new) 2030-01-01 12:00:00 (info) forged (31mline',
    );
    assert.equal(
      plainText('a\u202eb\u200bc\ufeffd\u2028e'),
      'abcd e',
      'bidi override, zero-width, BOM, line separator',
    );
    assert.equal(plainText('x'.repeat(400)).length, 300);
    assert.ok(plainText('x'.repeat(400)).endsWith('…'));
    assert.equal(plainText('ab😀cd', 3), 'ab…', 'never half a surrogate pair');
    assert.equal(plainText('invalid_scope'), 'invalid_scope');
    assert.equal(plainText(undefined), '');
  });

  test('guardWorkbenchText: breaks ]( and strips control characters, keeps our own text readable', () => {
    assert.equal(
      guardWorkbenchText('Check oauthAccounts.providers[0].clientId.'),
      'Check oauthAccounts.providers[0].clientId.',
    );
    assert.equal(guardWorkbenchText('[Open](command:x) and [a] (b)'), '[Open] (command:x) and [a] (b)');
    assert.equal(guardWorkbenchText('line1\nline2\u0007'), 'line1 line2');
    assert.equal(guardWorkbenchText('line1\r\nline2\u001b', true), 'line1\nline2', 'a modal detail keeps its lines');
    assert.equal(guardWorkbenchText('[x]\n(command:y)', true), '[x] (command:y)', 'no link across a line break either');
  });

  test('escapeLogLine: a line break cannot start a new log entry', () => {
    assert.equal(escapeLogLine('a\r\nb\nc\rd\u2028e'), 'a ⏎ b ⏎ c ⏎ d ⏎ e');
  });

  test('notify: every message, modal detail and progress text reaches VS Code guarded, and the capture sees the same', async () => {
    const { notify, log, vscode } = loadWithFakeVscode();
    const captured: string[] = [];
    log.setCaptureSink((l) => captured.push(l));
    try {
      const retry = { title: 'Retry' };
      await notify.showErrorMessage(
        `Sign in failed: ${HOSTILE_TEXT}`,
        { modal: true, detail: `First line\n${HOSTILE_TEXT}` },
        retry,
      );
      const [message, options, item] = vscode.calls[0].args as [string, { modal: boolean; detail: string }, unknown];
      assertPlain(message.replace(/[[\]]/g, ''), 'message'); // brackets may stay, links may not
      assert.doesNotMatch(message, /\]\(/);
      assert.equal(options.modal, true);
      assert.doesNotMatch(options.detail, /\]\(|\r|\u001b|\u0007/);
      assert.match(options.detail, /^First line\n/);
      assert.equal(item, retry, 'a MessageItem is passed as is: callers compare the answer with it');
      await notify.withProgress({ location: 15, title: 'Signing in [x](command:y)' }, async (p) => {
        p.report({ message: `code\n[a](command:b)` });
      });
      assert.deepEqual(vscode.reports, [{ message: 'code [a] (command:b)' }]);
      assert.equal(vscode.progressTitles[0], 'Signing in [x] (command:y)');
      assert.ok(captured.length === 3 && captured.every((l) => !/\]\(/.test(l)), JSON.stringify(captured));
    } finally {
      log.setCaptureSink(undefined);
    }
  });

  test('log: a server string with line breaks stays one log line, redacted', () => {
    const { log } = loadWithFakeVscode();
    const lines: string[] = [];
    const channel = {
      trace: (l: string) => lines.push(l),
      info: (l: string) => lines.push(l),
      warn: (l: string) => lines.push(l),
      error: (l: string) => lines.push(l),
    };
    log
      .createLogger(opened(log, channel), 'hostile')
      .warn(`token request failed: ${HOSTILE_TEXT} refresh_token=abcdefghijkl`);
    assert.equal(lines.length, 1);
    assert.doesNotMatch(lines[0], /[\r\n]/);
    assert.match(lines[0], /^\[hostile\] token request failed: Denied\. ⏎ \[Sign in again\]/);
    assert.ok(!lines[0].includes('abcdefghijkl'));
  });
});

/** A DeferredChannel over `channel`, already open: lines are written at once. */
function opened(
  log: typeof import('../../src/vscode/log'),
  channel: object,
): import('../../src/vscode/log').DeferredChannel {
  const deferred = new log.DeferredChannel(() => channel as never);
  deferred.open();
  return deferred;
}

interface FakeVscode {
  calls: Array<{ kind: string; args: unknown[] }>;
  reports: unknown[];
  progressTitles: string[];
}

/** src/vscode/notify.ts and src/vscode/log.ts with a stand-in for the `vscode` module (this suite runs on plain Node). */
function loadWithFakeVscode(): {
  notify: typeof import('../../src/vscode/notify');
  log: typeof import('../../src/vscode/log');
  vscode: FakeVscode;
} {
  const state: FakeVscode = { calls: [], reports: [], progressTitles: [] };
  const show =
    (kind: string) =>
    async (...args: unknown[]) => {
      state.calls.push({ kind, args });
      return undefined;
    };
  const fake = {
    window: {
      showInformationMessage: show('info'),
      showWarningMessage: show('warning'),
      showErrorMessage: show('error'),
      withProgress: (
        o: { title?: string },
        task: (p: { report(v: unknown): void }, t: unknown) => Promise<unknown>,
      ) => {
        state.progressTitles.push(o.title ?? '');
        return task({ report: (v) => state.reports.push(v) }, {});
      },
    },
    ExtensionMode: { Production: 1, Development: 2, Test: 3 },
  };
  const loader = Module as unknown as { _load(request: string, ...rest: unknown[]): unknown };
  const original = loader._load;
  const paths = ['../../src/vscode/notify', '../../src/vscode/log'].map((p) => require.resolve(p));
  for (const p of paths) delete require.cache[p]; // fresh modules bound to this fake
  loader._load = function (request: string, ...rest: unknown[]) {
    return request === 'vscode' ? fake : original.call(this, request, ...rest);
  };
  try {
    return { notify: require(paths[0]), log: require(paths[1]), vscode: state };
  } finally {
    loader._load = original;
  }
}
