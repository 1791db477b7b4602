import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { startOpProcess, TEST_CLIENTS, type OpProcess } from '../support/op';
import { api, setProviders, until, userinfo, signIn, signOutAll } from './support';

suite('Sign-in in the real extension host', function () {
  this.timeout(120_000);
  let op: OpProcess;
  const providers = () => [
    { id: 'it-loopback', label: 'IT Loopback', issuer: op.issuer, clientId: TEST_CLIENTS.public, flow: 'loopback' },
    { id: 'it-uri', label: 'IT URI Handler', issuer: op.issuer, clientId: TEST_CLIENTS.public, flow: 'uri-handler' },
  ];

  suiteSetup(async () => {
    op = await startOpProcess();
    const { registry } = await api();
    await setProviders(providers());
    await until('providers registered', () => registry.get('it-loopback') && registry.get('it-uri'));
  });
  suiteTeardown(async () => {
    await setProviders(undefined);
    await op?.stop();
  });

  test('providers from settings are registered with VS Code', async () => {
    // Resolves (undefined: no session yet) instead of failing with "no provider registered".
    assert.equal(await vscode.authentication.getSession('it-loopback', [], { silent: true }), undefined);
    assert.deepEqual(await vscode.authentication.getAccounts('it-uri'), []);
  });

  test('editing the setting adds and removes providers without a reload', async () => {
    const { registry } = await api();
    await setProviders([
      ...providers(),
      { id: 'it-extra', label: 'Extra', issuer: op.issuer, clientId: TEST_CLIENTS.public },
    ]);
    await until('it-extra registered', () => registry.get('it-extra'));
    assert.equal(await vscode.authentication.getSession('it-extra', [], { silent: true }), undefined);
    await setProviders(providers());
    await until('it-extra removed', () => !registry.get('it-extra'));
    assert.ok(registry.get('it-loopback'), 'the other providers are untouched');
  });

  test('an invalid entry is skipped and the valid ones keep working', async () => {
    const { registry } = await api();
    await setProviders([
      ...providers(),
      { id: 'it-bad', label: 'Bad', issuer: 'http://idp.example.com', clientId: 'x' },
    ]);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(registry.get('it-bad'), undefined);
    assert.ok(registry.get('it-loopback'));
    await setProviders(providers());
  });

  test('loopback flow: a sign-in through the browser; the token works at the AS', async () => {
    const { registry } = await api();
    const changed = new Promise<void>((resolve) => {
      const sub = vscode.authentication.onDidChangeSessions((e) => {
        if (e.provider.id === 'it-loopback') {
          sub.dispose();
          resolve();
        }
      });
    });
    const session = await signIn('it-loopback');
    assert.ok(session, 'sign-in returned a session');
    assert.equal(session.account.label, 'alice');
    assert.equal(session.account.id, `${op.issuer}#alice`);
    assert.ok((session as { idToken?: string }).idToken, 'the ID token is on the session');
    await changed;
    const me = await userinfo(op.issuer, session.accessToken);
    assert.equal(me.status, 200);
    assert.equal(me.body.sub, 'alice');
    const stored = await registry.get('it-loopback')!.store.readAll();
    assert.equal(stored.length, 1);
    assert.ok(stored[0].tokens.refreshToken, 'refresh token stored for the token lifecycle');
    assert.ok(stored[0].tokens.expiresAt! > Date.now());
  });

  test('URI-handler flow: asExternalUri callback reaches the extension and signs in', async () => {
    await op.setState({ nextAccount: 'bob' });
    const session = await signIn('it-uri');
    assert.ok(session, 'sign-in returned a session');
    assert.equal(session.account.label, 'bob');
    assert.equal((await userinfo(op.issuer, session.accessToken)).body.sub, 'bob');
  });

  test('getSessions matches scopes as sets; the Accounts menu view (no scopes) sees every session', async () => {
    const provider = (await api()).registry.get('it-loopback')!;
    const all = await provider.getSessions(undefined, {});
    assert.equal(all.length, 1);
    const caller = Object.freeze(['profile', 'openid']) as readonly string[];
    const matched = await provider.getSessions(caller, {});
    assert.equal(matched.length, 1, 'default scopes in another order match');
    // Reported with the caller's scopes: VS Code clears an Accounts-menu request only when they are equal.
    assert.deepEqual([...matched[0].scopes], ['openid', 'profile']);
    assert.deepEqual([...caller], ['profile', 'openid'], "the caller's array is not mutated");
    assert.equal((await provider.getSessions(['openid', 'api.write'], {})).length, 0, 'other scopes do not');
    assert.equal((await provider.getSessions([], { account: { id: 'nobody', label: 'x' } })).length, 0);
  });

  test('a second sign-in of the same account and scopes replaces the session (added + removed)', async () => {
    const provider = (await api()).registry.get('it-loopback')!;
    const [before] = await provider.getSessions(undefined, {});
    const events: vscode.AuthenticationProviderAuthenticationSessionsChangeEvent[] = [];
    const sub = provider.onDidChangeSessions((e) => events.push(e));
    const after = await signIn('it-loopback');
    sub.dispose();
    assert.notEqual(after.id, before.id);
    assert.deepEqual(
      (await provider.getSessions(undefined, {})).map((s) => s.id),
      [after.id],
    );
    assert.ok(events.some((e) => e.added?.[0]?.id === after.id && e.removed?.[0]?.id === before.id));
  });

  test('sessions survive a restart: a new provider instance reads them back from SecretStorage', async () => {
    const { registry } = await api();
    const [before] = await registry.get('it-loopback')!.getSessions(undefined, {});
    // Changing the label re-registers the provider: a fresh instance with an empty memory cache.
    await setProviders(providers().map((p) => (p.id === 'it-loopback' ? { ...p, label: 'IT Loopback (renamed)' } : p)));
    await until(
      're-registered',
      () => registry.configs().find((c) => c.id === 'it-loopback')?.label === 'IT Loopback (renamed)',
    );
    const [after] = await registry.get('it-loopback')!.getSessions(undefined, {});
    assert.equal(after.id, before.id);
    assert.equal(after.accessToken, before.accessToken);
    await setProviders(providers());
  });

  test('removeSession deletes it, fires removed and revokes the refresh token at the AS', async () => {
    const provider = (await api()).registry.get('it-uri')!;
    const [session] = await provider.getSessions(undefined, {});
    const [stored] = await provider.store.readAll();
    const removed = new Promise<void>((resolve) =>
      provider.onDidChangeSessions((e) => {
        if (e.removed?.some((s) => s.id === session.id)) resolve();
      }),
    );
    await op.resetStats();
    await provider.removeSession(session.id);
    await removed;
    assert.deepEqual(await provider.store.readAll(), []);
    assert.equal((await op.stats()).revocation, 2);
    await assert.rejects(provider.keeper['deps'].client.refresh(stored.tokens), /rejected|invalid_grant/);
  });

  test('signing out removes every session of the account', async () => {
    const provider = (await api()).registry.get('it-loopback')!;
    assert.equal((await provider.getSessions(undefined, {})).length, 1);
    await signOutAll('it-loopback');
    assert.deepEqual(await provider.getSessions(undefined, {}), []);
  });
});
