/**
 * Teams and admins in the real extension host: managed providers (an administrator's file), the organisation's
 * rules, and what another extension — this test code, with no more rights than any installed extension — can and
 * cannot change about them. The host runs with OAUTH_ACCOUNTS_SYSTEM_MANAGED_FILE pointing the fixed system path at a
 * temporary file (honoured in test runs only; an installed extension reads only the real system path).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { startOpProcess, TEST_CLIENTS, type OpProcess } from '../support/op';
import { startRecordingServer, type RecordingServer } from '../support/recordingServer';
import { api, notifications, setProviders, signIn, signOutAll, until, userinfo } from './support';

const exec = (command: string, ...args: unknown[]) => Promise.resolve(vscode.commands.executeCommand(command, ...args));
const update = (key: string, value: unknown) =>
  vscode.workspace.getConfiguration().update(key, value, vscode.ConfigurationTarget.Global);

suite("Teams: managed providers and the organisation's rules", function () {
  this.timeout(120_000);
  let op: OpProcess;
  let attacker: RecordingServer;
  const systemFile = process.env.OAUTH_ACCOUNTS_SYSTEM_MANAGED_FILE!;
  const imageFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'oauth-managed-')), 'team.json');
  const managedEntry = () => ({
    id: 'it-managed',
    label: 'Corp SSO',
    issuer: op.issuer,
    clientId: TEST_CLIENTS.public,
    flow: 'loopback',
  });
  /** Writes the system file (or removes it) and has the registry read it again, as a restart would. */
  const writeSystem = async (doc: unknown | undefined) => {
    if (doc === undefined) fs.rmSync(systemFile, { force: true });
    else fs.writeFileSync(systemFile, JSON.stringify(doc));
    (await api()).registry.applySettings();
  };

  suiteSetup(async () => {
    assert.ok(systemFile, 'OAUTH_ACCOUNTS_SYSTEM_MANAGED_FILE is set by the integration runner');
    op = await startOpProcess();
    attacker = await startRecordingServer('127.0.0.2');
  });
  suiteTeardown(async () => {
    await writeSystem(undefined);
    for (const key of [
      'oauthAccounts.managedProvidersFile',
      'oauthAccounts.organization.allowedIssuers',
      'oauthAccounts.organization.allowedAccounts',
      'oauthAccounts.organization.disableManualProviders',
    ])
      await update(key, undefined);
    await setProviders(undefined);
    await op?.stop();
    await attacker?.stop();
  });

  test('a managed provider (file named by the machine setting): registered, marked managed, signs in, and cannot be removed or replaced', async () => {
    const { registry } = await api();
    fs.writeFileSync(imageFile, JSON.stringify({ providers: [managedEntry()] }));
    await update('oauthAccounts.managedProvidersFile', imageFile);
    await until('the managed provider', () => registry.get('it-managed'));
    assert.equal(registry.sourceOf('it-managed'), 'managed');
    const infos = (await exec('oauthAccounts.api.getProviders')) as Array<{ id: string; source: string }>;
    assert.equal(infos.find((p) => p.id === 'it-managed')?.source, 'managed');

    // What the user's settings or another extension can do to it: nothing.
    await setProviders([{ id: 'it-managed', label: 'Mine', issuer: attacker.issuer, clientId: 'x' }]);
    await setProviders(undefined);
    await assert.rejects(
      exec('oauthAccounts.api.registerProvider', {
        id: 'it-managed',
        label: 'Evil',
        issuer: attacker.issuer,
        clientId: 'x',
      }),
      /already in use/,
    );
    assert.equal(await exec('oauthAccounts.api.unregisterProvider', 'it-managed', 'guess'), false);
    assert.equal(registry.get('it-managed')?.config.issuer, op.issuer, 'still the managed entry');

    const session = await signIn('it-managed');
    assert.equal((await userinfo(op.issuer, session.accessToken)).status, 200);
    await signOutAll('it-managed');
    assert.ok(registry.get('it-managed'), 'signing out removes the session, not the provider');
  });

  test('allowed accounts: a session for an account outside the pattern is refused after sign-in, revoked and not stored', async () => {
    const { registry } = await api();
    fs.writeFileSync(
      imageFile,
      JSON.stringify({ providers: [managedEntry()], rules: { allowedAccounts: ['*@corp.example'] } }),
    );
    registry.applySettings();
    const before = (await op.stats()).revocation;
    await assert.rejects(
      signIn('it-managed'),
      /as alice, but your organisation allows only accounts matching \*@corp\.example/,
    );
    assert.deepEqual(await registry.get('it-managed')!.store.readAll(), [], 'no session stored');
    assert.ok((await op.stats()).revocation > before, 'its tokens were revoked at the server');
    // alice@example.test matches once the pattern allows it (the e-mail claim of the ID token counts).
    fs.writeFileSync(
      imageFile,
      JSON.stringify({ providers: [managedEntry()], rules: { allowedAccounts: ['*@example.test'] } }),
    );
    registry.applySettings();
    const session = await signIn('it-managed', ['email']);
    assert.equal(session.account.label, 'alice');
    await signOutAll('it-managed');
  });

  test('a rule added after sign-in: a session it refuses is signed out at once (revoked, the user told why), one it allows stays', async () => {
    const { registry } = await api();
    const rules = (allowedAccounts?: string[]) => {
      fs.writeFileSync(imageFile, JSON.stringify({ providers: [managedEntry()], rules: { allowedAccounts } }));
      registry.applySettings();
    };
    rules(undefined);
    await update('oauthAccounts.managedProvidersFile', imageFile);
    try {
      const provider = await until('the managed provider', () => registry.get('it-managed'));
      await signIn('it-managed', ['email']);
      // The test AS puts the e-mail in userinfo only (oidc-provider conforms ID token claims): the sign-in kept it.
      const [stored] = await provider.store.readAll();
      assert.deepEqual(stored.vouchedNames, ['alice@example.test']);

      // A rule that allows the account: the session stays, checked against the names kept at sign-in (no userinfo).
      const before = await op.stats();
      rules(['*@example.test']);
      assert.equal((await provider.getSessions(undefined, {})).length, 1);
      assert.equal((await op.stats()).userinfo, before.userinfo, 'no request to check a stored session');

      // A rule that refuses it: signed out without anyone asking for a token, revoked, and the user told why.
      const shown = notifications().length;
      rules(['*@corp.example']);
      await until('the refused session to be signed out', async () => (await provider.store.readAll()).length === 0);
      assert.deepEqual(await provider.getSessions(undefined, {}), []);
      assert.ok((await op.stats()).revocation > before.revocation, 'its tokens were revoked at the server');
      const told = await until('the notice', () =>
        notifications()
          .slice(shown)
          .find((l) => /sign in again/.test(l)),
      );
      assert.match(told, /alice needs to sign in again\. .*allows only accounts matching \*@corp\.example/);
    } finally {
      rules(undefined);
    }
  });

  test("settings another extension writes cannot loosen the system file's rules", async () => {
    const { registry } = await api();
    await update('oauthAccounts.managedProvidersFile', undefined);
    await writeSystem({ providers: [managedEntry()], rules: { allowedIssuers: [op.issuer] } });
    // The attacker's moves: its own server in the user setting, a permissive rule, another managed file, the API.
    const permissive = path.join(path.dirname(imageFile), 'permissive.json');
    fs.writeFileSync(permissive, JSON.stringify({ rules: { allowedIssuers: [attacker.issuer, op.issuer] } }));
    await update('oauthAccounts.organization.allowedIssuers', [attacker.issuer, op.issuer]);
    await update('oauthAccounts.managedProvidersFile', permissive);
    await setProviders([
      { id: 'it-evil', label: 'Evil', issuer: attacker.issuer, clientId: 'x' },
      { id: 'it-fine', label: 'Fine', issuer: op.issuer, clientId: TEST_CLIENTS.public },
    ]);
    await until('the allowed user entry', () => registry.get('it-fine'));
    assert.equal(registry.get('it-evil'), undefined, 'a server the system file does not allow stays out');
    await assert.rejects(
      exec('oauthAccounts.api.registerProvider', {
        id: 'it-evil-api',
        label: 'Evil',
        issuer: attacker.issuer,
        clientId: 'x',
      }),
      /does not allow/,
    );
    assert.ok(registry.get('it-managed'), 'the managed provider stays');
    assert.deepEqual(attacker.requests, [], 'nothing was sent to the attacker');
  });

  test('disableManualProviders in the system file: only managed providers, whatever the settings say', async () => {
    const { registry } = await api();
    await update('oauthAccounts.organization.disableManualProviders', false);
    await writeSystem({ providers: [managedEntry()], rules: { disableManualProviders: true } });
    await setProviders([{ id: 'it-fine', label: 'Fine', issuer: op.issuer, clientId: TEST_CLIENTS.public }]);
    await until('the user entry to be left out', () => !registry.get('it-fine'));
    assert.ok(registry.get('it-managed'));
    await assert.rejects(
      exec('oauthAccounts.api.registerProvider', {
        id: 'it-api',
        label: 'API',
        issuer: op.issuer,
        clientId: TEST_CLIENTS.public,
      }),
      /switched adding providers off/,
    );
    await writeSystem(undefined);
    await until('the user entry once the rule is gone', () => registry.get('it-fine'));
  });
});
