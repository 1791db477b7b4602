import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { DeviceCodeInfo } from '../../src/flows/flow';
import { startOpProcess, TEST_CLIENTS, type OpProcess } from '../support/op';
import { api, setProviders, until, userinfo, signIn } from './support';

/**
 * The device code flow through the real provider, the Sign In command and the progress notification. The one
 * part replaced is the modal that shows the code: VS Code refuses modal dialogs while tests run ("refused to show
 * dialog in tests"), so the test-mode registry's `testUiOverrides.showDeviceCode` plays the user instead: it
 * enters the code on the test AS's verification page (/__test/drive) and answers "Copy & Open".
 */
suite('Device code sign-in in the real extension host', function () {
  this.timeout(120_000);
  let op: OpProcess;
  const shown: DeviceCodeInfo[] = [];
  const providers = () => [
    { id: 'it-device', label: 'IT Device Code', issuer: op.issuer, clientId: TEST_CLIENTS.public, flow: 'device-code' },
    { id: 'it-auto', label: 'IT Auto', issuer: op.issuer, clientId: TEST_CLIENTS.public },
  ];
  const preferDeviceCode = (v: boolean | undefined) =>
    vscode.workspace.getConfiguration().update('oauthAccounts.preferDeviceCode', v, vscode.ConfigurationTarget.Global);

  suiteSetup(async () => {
    op = await startOpProcess({ deviceInterval: 0.05 });
    const { registry } = await api();
    registry.testUiOverrides = {
      async showDeviceCode(info) {
        shown.push(info);
        await op.drive(info.verificationUriComplete!).catch(() => undefined); // a denial ends on a re-shown form
        return true;
      },
    };
    await setProviders(providers());
    await until('providers registered', () => registry.get('it-device') && registry.get('it-auto'));
  });
  setup(async () => {
    shown.length = 0;
    await op.resetStats();
  });
  suiteTeardown(async () => {
    const { registry } = await api();
    registry.testUiOverrides = {};
    await preferDeviceCode(undefined);
    await setProviders(undefined);
    await op?.stop();
  });

  test('"flow": "device-code": Sign In shows the code, polls, and signs in; the token works at the AS', async () => {
    const session = await signIn('it-device');
    assert.ok(session, 'sign-in returned a session');
    assert.equal(session.account.label, 'alice');
    assert.equal(shown.length, 1);
    assert.ok(shown[0].verificationUri.startsWith(op.issuer));
    assert.equal((await userinfo(op.issuer, session.accessToken)).body.sub, 'alice');
    const stats = await op.stats();
    assert.equal(stats.device_authorization, 1);
    assert.ok(stats.tokenByGrant.device_code >= 1);
    assert.equal(stats.authorization, 0, 'no redirect flow was tried');
    const stored = await (await api()).registry.get('it-device')!.store.readAll();
    assert.equal(stored.length, 1);
    assert.ok(stored[0].tokens.refreshToken, 'refresh token stored');
  });

  test('denying at the IdP cancels quietly: no session, no error', async () => {
    await op.setState({ denyNextConsent: true, nextAccount: 'bob' });
    await assert.rejects(
      signIn('it-device'),
      (e) => e instanceof vscode.CancellationError,
      'a denial is a cancel, not an error',
    );
    assert.equal(shown.length, 1);
    const accounts = await vscode.authentication.getAccounts('it-device');
    assert.ok(!accounts.some((a) => a.label === 'bob'));
    await op.setState({ nextAccount: null });
  });

  test('oauthAccounts.preferDeviceCode puts device code first for "flow": "auto"', async () => {
    await preferDeviceCode(true);
    try {
      await op.setState({ nextAccount: 'carol' });
      const session = await signIn('it-auto');
      assert.ok(session, 'sign-in returned a session');
      assert.equal(session.account.label, 'carol');
      assert.equal(shown.length, 1, 'the device code was shown');
      const stats = await op.stats();
      assert.equal(stats.authorization, 0, 'no redirect flow was tried first');
      assert.equal(stats.device_authorization, 1);
    } finally {
      await preferDeviceCode(undefined);
    }
  });
});
