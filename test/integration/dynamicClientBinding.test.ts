/**
 * The look-alike registration attack in the real extension host. The user's entry has no clientId: OAuth Accounts
 * registered itself at the user's server X and keeps that registration in SecretStorage. Another extension (this
 * test code, with no more rights than any installed extension) then registers through the API command an entry that
 * names issuer X but discovers at its own server, which claims to be X, registers clients of its own choosing and
 * answers every token request with invalid_client. The user's registration and sessions must be untouched, and the
 * attacker's server must hear nothing of the user; and when the attacker's entry comes first, the client id its
 * server chose must never become the user's.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { registrationKey } from '../../src/sessions/registrationStore';
import { startOpProcess, type OpProcess } from '../support/op';
import { startRecordingServer, type RecordingServer } from '../support/recordingServer';
import { api, setProviders, signIn, signOutAll, until, userinfo } from './support';

const exec = (command: string, ...args: unknown[]) => Promise.resolve(vscode.commands.executeCommand(command, ...args));

suite("A look-alike entry from another extension cannot take over the user's registered client", function () {
  this.timeout(120_000);
  let op: OpProcess;
  let attacker: RecordingServer;
  const user = () => ({ id: 'it-dyn-user', label: 'Mine', issuer: op.issuer, flow: 'loopback' });
  const evil = () => ({
    id: 'it-dyn-evil',
    label: 'Mine',
    issuer: op.issuer,
    discoveryUrl: `${attacker.issuer}/.well-known/openid-configuration`,
    flow: 'loopback',
  });
  const userServer = () => ({ issuer: op.issuer, endpoints: {} });
  let handle: string | undefined;

  suiteSetup(async () => {
    op = await startOpProcess({ registration: true });
    // On 127.0.0.2, which the host trusts for openExternal, so the browser really goes there.
    attacker = await startRecordingServer('127.0.0.2', {
      claimIssuer: op.issuer,
      registration: true,
      tokenError: 'invalid_client',
      authorize: true,
    });
  });
  suiteTeardown(async () => {
    if (handle) await exec('oauthAccounts.api.unregisterProvider', 'it-dyn-evil', handle).catch(() => undefined);
    await setProviders(undefined);
    await (await api()).secrets.delete(registrationKey(userServer()));
    await op?.stop();
    await attacker?.stop();
  });

  test("registered before the user's entry looks up its client: the id the attacker chose never becomes the user's", async () => {
    const { registry } = await api();
    handle = ((await exec('oauthAccounts.api.registerProvider', evil())) as { handle?: string }).handle;
    const planted = await until(
      "the look-alike's client id",
      () => registry.get('it-dyn-evil')?.config.clientId,
      20_000,
    );
    assert.match(planted, /^attacker-client-/, "the attacker's server chose it");
    await setProviders([user()]);
    const mine = await until(
      "the user's registered client",
      () => registry.get('it-dyn-user')?.config.clientId,
      20_000,
    );
    assert.notEqual(mine, planted, "the user's entry uses the client the attacker chose");
    const session = await signIn('it-dyn-user');
    assert.equal(
      (await userinfo(op.issuer, session.accessToken)).status,
      200,
      'the user signs in at X with a client X registered',
    );
  });

  test("registered after the user signed in: its own client id, a failed sign-in at its server, and the user's registration and session untouched", async () => {
    const { registry, secrets } = await api();
    await setProviders([user()]); // as the previous test left it (no change then)
    const mine = await until(
      "the user's registered client",
      () => registry.get('it-dyn-user')?.config.clientId,
      20_000,
    );
    const session = (await registry.get('it-dyn-user')!.getSessions(undefined, {}))[0] ?? (await signIn('it-dyn-user'));
    const record = await secrets.get(registrationKey(userServer()));
    assert.ok(record?.includes(mine), "the user's registration is stored under its server binding");

    // The look-alike again, as a fresh registration through the API command.
    if (handle) await exec('oauthAccounts.api.unregisterProvider', 'it-dyn-evil', handle);
    handle = ((await exec('oauthAccounts.api.registerProvider', evil())) as { handle?: string }).handle;
    const theirs = await until(
      "the look-alike's client id",
      () => registry.get('it-dyn-evil')?.config.clientId,
      20_000,
    );
    assert.notEqual(theirs, mine, "the look-alike received the user's client id");
    // Its sign-in goes to its own server, whose token endpoint answers invalid_client: that forgets its registration only.
    await assert.rejects(signIn('it-dyn-evil'));
    await until(
      'the look-alike to forget its client',
      () => registry.get('it-dyn-evil')?.config.clientId !== theirs,
      20_000,
    );

    assert.equal(
      await secrets.get(registrationKey(userServer())),
      record,
      "the user's stored registration is unchanged",
    );
    assert.equal(registry.get('it-dyn-user')?.config.clientId, mine);
    const [still] = await registry.get('it-dyn-user')!.getSessions(undefined, {});
    assert.equal(still?.id, session.id, "the user's session is untouched");
    assert.equal((await userinfo(op.issuer, still.accessToken)).status, 200);
    const stored = (await registry.get('it-dyn-user')!.store.readAll())[0];
    const userSecrets = [mine, session.accessToken, stored.tokens.refreshToken!, stored.tokens.idToken!];
    assert.deepEqual(attacker.carrying(userSecrets), [], 'nothing of the user reached the attacker');
    assert.ok(
      attacker.requests.some((r) => r.url.startsWith('/register')),
      'the look-alike did talk to its own server (the test would prove nothing otherwise)',
    );
    await signOutAll('it-dyn-user');
  });
});
