/**
 * The trust boundary, tried as a hostile extension would in the real extension host: test code here is just
 * another caller of our commands and settings, with no more rights than any installed extension.
 * - every contributed command, called with crafted arguments, returns no token, session or claims, and starts no
 *   sign-in or sign-out without the user (modal dialogs are refused under test, which is the user saying no; quick
 *   picks and input boxes are dismissed, and the command's answer is waited for and checked);
 * - rewriting the user setting, or registering a freed id through the API command at the attacker's own server,
 *   never sends the stored refresh token, access token or client secret there: those sessions are revoked at the
 *   server that issued them and removed;
 * - removing an entry and adding it back unchanged keeps the session.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { keys } from '../../src/sessions/sessionStore';
import { bindingOf, encodeClientSecret } from '../../src/sessions/serverBinding';
import { CONFIDENTIAL_SECRET, startOpProcess, TEST_CLIENTS, type OpProcess } from '../support/op';
import { startRecordingServer, type RecordingServer } from '../support/recordingServer';
import { api, EXTENSION_ID, setProviders, signIn, until } from './support';

const exec = (command: string, ...args: unknown[]) => Promise.resolve(vscode.commands.executeCommand(command, ...args));

/**
 * Runs a command as an attacker would and waits for its answer, whatever it is and however late it comes: a command
 * that waits for the user (quick pick, input box) is answered as the user would, by pressing Escape, until it
 * returns. Every answer is then checked; none is recorded as "still waiting" and left unchecked. A command that can
 * be neither answered nor dismissed fails the test by its timeout.
 */
async function attempt(command: string, args: unknown[]): Promise<{ value?: unknown; error?: string }> {
  let settled = false;
  const run = exec(command, ...args).then(
    (value) => ({ value }),
    (e: Error) => ({ error: String(e?.message ?? e) }),
  );
  void run.finally(() => {
    settled = true;
  });
  while (!settled) {
    await Promise.race([run, new Promise((r) => setTimeout(r, 200))]);
    if (!settled) await exec('workbench.action.closeQuickOpen').catch(() => undefined);
  }
  // Close whatever it left open afterwards too, so the next command starts from a quiet workbench.
  await exec('workbench.action.closeQuickOpen').catch(() => undefined);
  return run;
}

suite('Trust boundary: what another extension can and cannot do', function () {
  this.timeout(120_000);
  let op: OpProcess;
  let attacker: RecordingServer;
  const victim = () => ({
    id: 'tb-victim',
    label: 'TB Victim',
    issuer: op.issuer,
    clientId: TEST_CLIENTS.post,
    clientAuthentication: 'client_secret_post',
    flow: 'loopback',
  });

  suiteSetup(async () => {
    op = await startOpProcess();
    attacker = await startRecordingServer();
    const { registry, secrets } = await api();
    await setProviders([victim()]);
    const config = await until('registered', () => registry.configs().find((c) => c.id === 'tb-victim'));
    await secrets.store(keys.clientSecret('tb-victim'), encodeClientSecret(CONFIDENTIAL_SECRET, bindingOf(config)));
  });
  suiteTeardown(async () => {
    await setProviders(undefined);
    await op?.stop();
    await attacker?.stop();
  });

  /** The stored secrets of the victim's session, and its client secret. */
  async function victimSecrets(): Promise<string[]> {
    const [s] = await (await api()).registry.get('tb-victim')!.store.readAll();
    return [s.tokens.accessToken, s.tokens.refreshToken!, s.tokens.idToken!, CONFIDENTIAL_SECRET];
  }

  test('every contributed command, called with crafted arguments, hands out nothing and changes nothing', async () => {
    const session = await signIn('tb-victim', ['profile']);
    const secrets = await victimSecrets();
    const claimsMarkers = ['"sub"', 'alice@', '"iss"'];
    const commands = (
      vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as {
        contributes: { commands: Array<{ command: string }> };
      }
    ).contributes.commands.map((c) => c.command);
    assert.ok(commands.length >= 10, `contributed commands: ${commands.join(', ')}`);
    const crafted: unknown[][] = [
      [],
      ['tb-victim'],
      ['tb-victim', ['openid', 'offline_access', 'admin']],
      ['tb-victim', session.account.id],
      [
        {
          id: 'tb-victim',
          label: 'Evil',
          issuer: attacker.issuer,
          clientId: TEST_CLIENTS.post,
          clientAuthentication: 'client_secret_post',
        },
      ],
      [{ id: 'tb-victim', label: 'Evil', issuer: attacker.issuer, clientId: 'x' }, 'guess'],
      ['tb-victim', 'not-the-handle'],
      [null, { toString: 'x' }],
      ['../../etc'],
    ];
    const opBefore = await op.stats();
    const outcomes: string[] = [];
    for (const command of commands) {
      if (command === 'oauthAccounts.showLog') continue; // opens the output panel; nothing to hand out
      for (const args of crafted) {
        const r = await attempt(command, args);
        const text = JSON.stringify(r.value ?? null);
        outcomes.push(
          `${command}(${JSON.stringify(args).slice(0, 60)}) → ${r.error ? `error ${r.error.slice(0, 60)}` : text.slice(0, 80)}`,
        );
        for (const s of secrets) assert.ok(!text.includes(s), `${command} returned a secret`);
        for (const m of claimsMarkers)
          assert.ok(!text.includes(m), `${command} returned claims: ${text.slice(0, 200)}`);
        if (!command.startsWith('oauthAccounts.api.'))
          assert.equal(r.value, undefined, `${command} returned ${text.slice(0, 200)}`);
      }
    }
    // Nothing started a sign-in at the server, nothing signed the victim out, and nobody took over the id.
    const opAfter = await op.stats();
    assert.equal(
      opAfter.authorization,
      opBefore.authorization,
      `no authorization request was started:\n${outcomes.join('\n')}`,
    );
    assert.equal(opAfter.revocation, opBefore.revocation, 'no revocation');
    const provider = (await api()).registry.get('tb-victim')!;
    assert.deepEqual(
      (await provider.getSessions(undefined, {})).map((s) => s.id),
      [session.id],
    );
    assert.equal((await api()).registry.configs().find((c) => c.id === 'tb-victim')?.issuer, op.issuer);
    assert.deepEqual(attacker.carrying(secrets), [], 'nothing secret reached the attacker');
    // Other documents an extension could read: none carries a token.
    for (const d of vscode.workspace.textDocuments)
      for (const s of secrets) assert.ok(!d.getText().includes(s), `document ${d.uri.scheme} holds a secret`);
    await exec('oauthAccounts.api.getProviders');
  });

  test('removing the entry and adding it back unchanged keeps the session', async () => {
    const { registry } = await api();
    const [before] = await registry.get('tb-victim')!.getSessions(undefined, {});
    await setProviders([]);
    await until('unregistered', () => !registry.get('tb-victim'));
    await setProviders([victim()]);
    await until('registered again', () => registry.get('tb-victim'));
    const [after] = await registry.get('tb-victim')!.getSessions(undefined, {});
    assert.equal(after?.id, before.id);
    assert.equal(after.accessToken, before.accessToken);
  });

  test('an extension rewrites the setting to its own server: no token reaches it; the session is revoked at its issuer and removed', async () => {
    const { registry } = await api();
    const secrets = await victimSecrets();
    await op.resetStats();
    await setProviders([{ ...victim(), issuer: attacker.issuer }]);
    await until(
      're-registered at the attacker',
      () => registry.configs().find((c) => c.id === 'tb-victim')?.issuer === attacker.issuer,
    );
    // Any extension asking for the session now gets none, and its refresh token goes nowhere but its issuer.
    assert.equal(await vscode.authentication.getSession('tb-victim', ['profile'], { silent: true }), undefined);
    assert.deepEqual(await registry.get('tb-victim')!.getSessions(undefined, {}), []);
    await until('revoked at the server that issued it', async () => (await op.stats()).revocation >= 2);
    const [rt] = secrets.slice(1, 2);
    // The issuing server no longer accepts the refresh token: the old grant is dead, not just forgotten.
    const res = await fetch(`${op.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: rt,
        client_id: TEST_CLIENTS.post,
        client_secret: CONFIDENTIAL_SECRET,
      }).toString(),
    });
    assert.equal(res.status, 400);
    // Even an explicit token request through the new configuration sends no stored secret there.
    await assert.rejects(
      registry.get('tb-victim')!.keeper['deps'].client.revoke('some-token-value', 'access_token'),
      /no client secret is stored/,
    );
    assert.deepEqual(
      attacker.carrying(secrets),
      [],
      `the attacker received: ${attacker.requests.map((r) => `${r.method} ${r.url}`).join(', ')}`,
    );
    await setProviders([victim()]);
    await until('back', () => registry.configs().find((c) => c.id === 'tb-victim')?.issuer === op.issuer);
  });

  test('an extension registers a freed id at its own server through the API command: no secret reaches it', async () => {
    const { registry } = await api();
    await signIn('tb-victim', ['profile']);
    const secrets = await victimSecrets();
    await op.resetStats();
    await setProviders([]);
    await until('the user removed the entry', () => !registry.get('tb-victim'));
    const taken = (await exec('oauthAccounts.api.registerProvider', {
      id: 'tb-victim',
      label: 'TB Victim',
      issuer: attacker.issuer,
      clientId: TEST_CLIENTS.post,
      clientAuthentication: 'client_secret_post',
      flow: 'loopback',
    })) as { handle: string };
    try {
      assert.equal(await vscode.authentication.getSession('tb-victim', ['profile'], { silent: true }), undefined);
      await until('revoked at the server that issued it', async () => (await op.stats()).revocation >= 2);
      await assert.rejects(
        registry.get('tb-victim')!.keeper['deps'].client.revoke('some-token-value', 'access_token'),
        /no client secret is stored/,
      );
      assert.deepEqual(
        attacker.carrying(secrets),
        [],
        `the attacker received: ${attacker.requests.map((r) => `${r.method} ${r.url}`).join(', ')}`,
      );
    } finally {
      await exec('oauthAccounts.api.unregisterProvider', 'tb-victim', taken.handle);
    }
  });
});
