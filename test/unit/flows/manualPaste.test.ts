import * as assert from 'node:assert/strict';
import { selectFlows, type FlowUi } from '../../../src/flows/flow';
import { NODE_FLOWS } from '../../../src/flows/node';
import { WEB_FLOWS } from '../../../src/flows/web';
import { manualPaste, parsePastedCallback } from '../../../src/flows/manualPaste';
import { startOpProcess, type OpProcess } from '../../support/op';
import { testClient, testConfig } from '../../support/protocolHarness';

const REDIRECT =
  'http://127.0.0.1:4567/stable-abc/callback?vscode-reqid=1&vscode-scheme=code-oss&vscode-authority=openauth.oauth-accounts&vscode-path=%2Fcallback';

suite('flows/manualPaste: paste the redirected URL', function () {
  this.timeout(30_000);
  let op: OpProcess;
  suiteSetup(async () => {
    op = await startOpProcess();
  });
  suiteTeardown(async () => {
    await op?.stop();
  });

  test("parses a full URL, a query, a bare code; refuses another sign-in's state", () => {
    const ok = parsePastedCallback('https://x/cb?code=abc&state=S1&iss=https%3A%2F%2Fi', 'S1', true);
    assert.ok(ok instanceof URLSearchParams && ok.get('code') === 'abc');
    assert.ok(parsePastedCallback('?code=abc&state=S1', 'S1', false) instanceof URLSearchParams);
    assert.equal((parsePastedCallback('abc123', 'S1', false) as URLSearchParams).get('state'), 'S1');
    assert.match(parsePastedCallback('abc123', 'S1', true) as string, /whole address/);
    assert.match(parsePastedCallback('https://x/cb?code=abc&state=OTHER', 'S1', false) as string, /another sign-in/);
    assert.match(parsePastedCallback('https://x/cb?code=abc', 'S1', false) as string, /no "state"/);
    assert.match(parsePastedCallback('https://x/cb?state=S1', 'S1', false) as string, /no "code"/);
  });

  test('offered only where the server has no device endpoint', () => {
    for (const flows of [NODE_FLOWS, WEB_FLOWS]) {
      assert.deepEqual(selectFlows({ host: 'remote', setting: 'auto', flows, serverHasDeviceEndpoint: false }), [
        'uri-handler',
        'manual',
      ]);
      assert.deepEqual(selectFlows({ host: 'remote', setting: 'auto', flows, serverHasDeviceEndpoint: true }), [
        'uri-handler',
        'device-code',
      ]);
    }
  });

  test('the pasted address completes the sign-in when no redirect comes back', async () => {
    const client = testClient(testConfig(op));
    let pastedFor: string | undefined;
    const ui: FlowUi = {
      openExternal: async (url) => {
        // The browser ends on an address nothing handles; the user copies it from the address bar.
        const nav = await op.drive(url, { stopAt: 'http://127.0.0.1:4567/' });
        pastedFor = nav.url;
        return true;
      },
      externalCallbackUri: async () => REDIRECT,
      waitForUriCallback: (_state, signal) =>
        new Promise((_r, reject) => signal.addEventListener('abort', () => reject(signal.reason))),
      showDeviceCode: async () => false,
      askForRedirectedUrl: async (validate) => {
        assert.match(
          validate('https://x/cb?code=forged&state=forged')!,
          /another sign-in/,
          'a forged paste is refused in the box',
        );
        assert.equal(validate(pastedFor!), undefined);
        return pastedFor;
      },
    };
    const r = await manualPaste.run({ client, requestedScopes: [], ui, signal: AbortSignal.timeout(20_000) });
    assert.equal(r.account.label, 'alice');
  });
});
