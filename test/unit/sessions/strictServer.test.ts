/**
 * A strict server (oidc-provider configured strictly): redirect URIs matched exactly, port included, and RFC 7009
 * revocation refused to public clients. The real loopback flow signs in on a registered port (a busy one falls
 * through to the next), says which ports are busy when all are, and a sign-out reports the refused revocation.
 */
import * as assert from 'node:assert/strict';
import { holdPorts, type HeldPorts } from '../../support/heldPorts';
import { loopback } from '../../../src/flows/loopback';
import type { FlowUi } from '../../../src/flows/flow';
import type { AuthError } from '../../../src/protocol/errors';
import { startOpProcess, TEST_CLIENTS, type OpProcess } from '../../support/op';
import { FakeSecrets, openWindow, storedSession, TestClock } from '../../support/keeperHarness';
import { loopbackSignIn, PAGES, testClient, testConfig } from '../../support/protocolHarness';
import { IdpFixture, oidcMetadata } from '../../support/idpFixture';
import { ProviderClient } from '../../../src/protocol/client';

suite('a strict server: exact redirect URIs with ports, revocation only for confidential clients', function () {
  this.timeout(60_000);
  let op: OpProcess;
  let ports: number[];
  /** Both registered ports, held by "another program" until a test frees one. */
  let held: HeldPorts;
  suiteSetup(async () => {
    held = await holdPorts(2);
    ports = held.ports;
    op = await startOpProcess({ strictLoopbackPorts: ports, revocationConfidentialOnly: true });
  });
  suiteTeardown(async () => {
    await held?.close();
    await op?.stop();
  });

  /** The browser side: follows the authorization request to the loopback listener in the background. */
  function browser(): FlowUi & { visited: string[]; settled: Promise<unknown> } {
    const visited: string[] = [];
    let settled: Promise<unknown> = Promise.resolve();
    const ui = {
      visited,
      get settled() {
        return settled;
      },
      openExternal: async (url: string) => {
        visited.push(url);
        settled = op.drive(url).catch(() => undefined);
        return true;
      },
      callbackPages: () => PAGES,
    };
    return ui as unknown as FlowUi & { visited: string[]; settled: Promise<unknown> };
  }

  test('every registered port busy: flow_unavailable naming them (so "try a different way?" is offered)', async () => {
    const client = testClient(testConfig(op, { clientId: TEST_CLIENTS.strict, loopbackPorts: ports }));
    await assert.rejects(
      loopback.run({ client, requestedScopes: [], ui: browser(), signal: AbortSignal.timeout(20_000) }),
      (e: AuthError) =>
        e.code === 'flow_unavailable' &&
        e.message.includes(`${ports[0]}, ${ports[1]}`) &&
        /loopbackPorts/.test(e.message),
    );
  });

  test('signs in on the first free registered port: the redirect_uri is exactly the registered one', async () => {
    await held.release(ports[1]); // the first stays busy
    const client = testClient(testConfig(op, { clientId: TEST_CLIENTS.strict, loopbackPorts: ports }));
    const ui = browser();
    const result = await loopback.run({ client, requestedScopes: [], ui, signal: AbortSignal.timeout(20_000) });
    await ui.settled;
    assert.equal(result.account.label, 'alice');
    assert.equal(new URL(ui.visited[0]).searchParams.get('redirect_uri'), `http://127.0.0.1:${ports[1]}/callback`);
  });

  test('revocation refused to a public client: the session is removed locally and the outcome says HTTP 401', async () => {
    const clock = new TestClock();
    const client = testClient(testConfig(op), null, clock.now);
    const r = await loopbackSignIn(op, client);
    const w = openWindow(new FakeSecrets(), client, clock, { owner: 'w' });
    await w.keeper.add(storedSession('s1', r, clock.now()), []);
    const removed = await w.keeper.remove('s1', 'signed out');
    assert.deepEqual(await w.keeper.sessions(), []);
    assert.equal(removed?.revocation.outcome, 'failed');
    assert.equal((removed?.revocation as { status?: number }).status, 401);
    assert.ok(
      w.warnings.some((l) => /revocation failed .*HTTP 401/.test(l)),
      w.warnings.join('\n'),
    );
    // Honest: the refresh token really is still valid at the server.
    const refreshed = await client.refresh(r.tokens);
    assert.ok(refreshed.accessToken);
    w.keeper.dispose();
  });
});

suite("a strict server's metadata and tokens do not block sign-in or refresh", () => {
  test('no refresh_token in grant_types_supported, no "none" auth method, auth_time 0, refresh without id_token', async () => {
    const fx = await IdpFixture.start();
    try {
      const issuer = 'https://strict.example';
      fx.configure({
        issuer,
        clientId: 'vscode',
        refresh: 'rotate',
        idClaims: { auth_time: 0 },
        metadata: oidcMetadata(issuer, {
          grant_types_supported: ['authorization_code'],
          token_endpoint_auth_methods_supported: ['client_secret_basic', 'private_key_jwt'],
        }),
        shapeToken: (reply, req) => {
          if (new URLSearchParams(req.body).get('grant_type') !== 'refresh_token' || typeof reply.body === 'string')
            return reply;
          const { id_token: _dropped, ...rest } = reply.body;
          return { ...reply, body: rest };
        },
      });
      const route = fx.routingFetch(['strict.example']);
      const c = new ProviderClient(
        {
          id: 's',
          label: 'Strict',
          issuer,
          endpoints: {},
          clientId: 'vscode',
          clientAuthentication: 'none',
          authorizationParameters: {},
          flow: 'auto',
        },
        { fetch: route, getClientSecret: async () => undefined },
      );
      const pending = await c.beginAuthorization({ requestedScopes: [], redirectUri: 'http://127.0.0.1:9/callback' });
      const r = await c.completeAuthorization(pending, await fx.authorize(pending.url, route));
      assert.equal(r.tokens.idClaims?.auth_time, 0);
      assert.ok(r.tokens.refreshToken, 'refresh token issued although the metadata does not list the grant');
      const refreshed = await c.refresh(r.tokens);
      assert.notEqual(refreshed.accessToken, r.tokens.accessToken);
      assert.equal(
        refreshed.idClaims?.sub,
        r.tokens.idClaims?.sub,
        'the ID token claims carry over when the refresh has none',
      );
    } finally {
      await fx.close();
    }
  });
});
