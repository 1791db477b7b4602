import { bindingOf } from '../../src/sessions/serverBinding';
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { ProviderClient } from '../../src/protocol/client';
import { SessionKeeper } from '../../src/sessions/sessionKeeper';
import { SessionStore } from '../../src/sessions/sessionStore';
import { startOpProcess, TEST_CLIENTS, type OpProcess } from '../support/op';
import { api, setProviders, until, userinfo, signIn } from './support';

/** Token lifecycle in the real extension host, against oidc-provider with 5-second tokens and rotation. */
suite('Token lifecycle in the real extension host', function () {
  this.timeout(120_000);
  let op: OpProcess;
  const provider = () => ({
    id: 'it-life',
    label: 'IT Lifecycle',
    issuer: op.issuer,
    clientId: TEST_CLIENTS.public,
    flow: 'loopback',
  });

  suiteSetup(async () => {
    op = await startOpProcess({ accessTokenTtl: 5, clockTolerance: 0, rotateRefreshToken: true });
    const { registry } = await api();
    await setProviders([provider()]);
    await until('provider registered', () => registry.get('it-life'));
  });
  suiteTeardown(async () => {
    await setProviders(undefined);
    await op?.stop();
  });

  test('getSessions never hands out an expiring token: 100 concurrent callers wait for exactly one refresh; same id, changed event', async () => {
    const { registry } = await api();
    const p = registry.get('it-life')!;
    const signedIn = await signIn('it-life');
    const changed = new Promise<vscode.AuthenticationProviderAuthenticationSessionsChangeEvent>((resolve) =>
      p.onDidChangeSessions((e) => {
        if (e.changed) resolve(e);
      }),
    );
    await op.resetStats();
    // The server holds refresh answers: the keeper's proactive timer (due when the token stops being fresh, the
    // moment getSessions would refresh too) can start the refresh but cannot finish it before the callers arrive,
    // so all 100 must be seen waiting on one refresh, whoever sent it.
    await op.setState({ holdRefreshes: true });
    let answered = 0;
    let calls: Promise<vscode.AuthenticationSession[]>[] = [];
    try {
      // 5 s tokens are refreshed with a third of their lifetime left: wait until this one is in that window.
      await new Promise((r) => setTimeout(r, 3600));
      calls = Array.from({ length: 100 }, () =>
        p.getSessions(undefined, {}).finally(() => {
          answered++;
        }),
      );
      await until('a refresh reached the server', async () => (await op.stats()).tokenByGrant.refresh_token > 0);
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(answered, 0, 'no caller got an answer while the refresh was held (none got the expiring token)');
      assert.equal((await op.stats()).tokenByGrant.refresh_token, 1, 'one refresh in flight for 100 waiting callers');
    } finally {
      await op.setState({ holdRefreshes: false });
    }
    const results = await Promise.all(calls);
    const stats = await op.stats();
    assert.equal(stats.tokenByGrant.refresh_token, 1, `token requests: ${stats.tokenByGrant.refresh_token}`);
    const tokens = new Set(results.map((r) => r[0].accessToken));
    assert.equal(tokens.size, 1);
    const [session] = results[0];
    assert.equal(session.id, signedIn.id, 'the session id survives refresh');
    assert.notEqual(session.accessToken, signedIn.accessToken);
    assert.equal((await changed).changed![0].id, signedIn.id);
    assert.equal((await userinfo(op.issuer, session.accessToken)).status, 200);
  });

  test('two provider instances over the real SecretStorage refresh one rotating token at once: no sign-out, grant alive', async () => {
    const { registry, secrets } = await api();
    const config = registry.configs().find((c) => c.id === 'it-life')!;
    const client = new ProviderClient(config, {
      fetch: (u, i) => fetch(u, i as RequestInit),
      getClientSecret: async () => undefined,
    });
    const log = { info: () => {}, warn: () => {}, error: () => {} };
    const second = new SessionKeeper({
      store: new SessionStore(secrets, 'it-life', () => {}, bindingOf(config)),
      secrets,
      client,
      log,
      fire: () => {},
      providerLabel: 'IT',
      owner: 'second-window',
    });
    const first = registry.get('it-life')!.keeper;
    let lost = 0;
    for (let i = 0; i < 5; i++) {
      await new Promise((r) => setTimeout(r, 3600));
      const [s1] = await first.sessions();
      const [s2] = await second.sessions();
      const [a, b] = await Promise.all([first.usable(s1), second.usable(s2 ?? s1)]);
      if (!a || !b) lost++;
    }
    second.dispose();
    assert.equal(lost, 0);
    const [latest] = await registry.get('it-life')!.getSessions(undefined, {});
    assert.equal((await userinfo(op.issuer, latest.accessToken)).status, 200, 'grant not revoked');
  });

  test('a revoked grant (invalid_grant) removes the session', async () => {
    const { registry } = await api();
    const p = registry.get('it-life')!;
    const [stored] = await p.store.readAll();
    await (p.keeper as unknown as { deps: { client: ProviderClient } }).deps.client.revoke(
      stored.tokens.refreshToken!,
      'refresh_token',
    );
    await new Promise((r) => setTimeout(r, 3600));
    assert.deepEqual(await p.getSessions(undefined, {}), []);
    assert.deepEqual(await p.store.readAll(), []);
  });

  test('sign-out in one window while another window refreshes: the sign-out wins, no valid refresh token is left', async () => {
    const { registry, secrets } = await api();
    await signIn('it-life');
    const config = registry.configs().find((c) => c.id === 'it-life')!;
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let produced: string | undefined;
    // The other window's refresh reaches the server (which rotates the token) and its answer is held on the way back.
    const client = new ProviderClient(config, {
      getClientSecret: async () => undefined,
      fetch: async (u, i) => {
        const res = await fetch(u, i as RequestInit);
        if (String(i.body ?? '').includes('grant_type=refresh_token')) {
          produced = ((await res.clone().json()) as { refresh_token?: string }).refresh_token;
          await gate;
        }
        return res;
      },
    });
    const log = { info: () => {}, warn: () => {}, error: () => {} };
    // The other window's clock runs an hour ahead, so it refreshes at once, long before this window's own timer
    // (a third of the 5 s lifetime before expiry) could start a refresh of its own and blur what is tested.
    const other = new SessionKeeper({
      store: new SessionStore(secrets, 'it-life', () => {}, bindingOf(config)),
      secrets,
      client,
      log,
      fire: () => {},
      providerLabel: 'IT',
      owner: 'other-window',
      clock: () => Date.now() + 3_600_000,
    });
    try {
      const [s] = await other.sessions();
      const refreshing = other.usable(s);
      await until('the other window reached the server', () => produced);
      const p = registry.get('it-life')!;
      await p.removeSession(s.id);
      release();
      assert.equal(await refreshing, undefined, 'the refresh does not bring the session back');
      await until('gone in the other window too', async () => (await other.sessions()).length === 0);
      assert.deepEqual(await p.store.readAll(), []);
      const plain = new ProviderClient(config, {
        fetch: (u, i) => fetch(u, i as RequestInit),
        getClientSecret: async () => undefined,
      });
      await assert.rejects(
        plain.refresh({ ...s.tokens, refreshToken: produced }),
        /invalid_grant|rejected/,
        'the refresh token the racing refresh produced was revoked',
      );
    } finally {
      release();
      other.dispose();
    }
  });
});
