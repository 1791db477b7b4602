/**
 * A server that makes every registered client confidential (issue #26) issues OAuth Accounts a client secret at
 * registration. Attack: a look-alike entry without clientId names the user's issuer X but sends its token and
 * revocation requests to the attacker (`endpoints`), from a rewritten setting or another extension's API call. The
 * secret X issued for the user's registration must never reach the attacker: it lives only in the registration
 * record of the user's server binding (registrationStore.ts), and a provider's client asks for it with its own binding
 * and client id — exactly what the registry wires up (registry.ts `registeredSecret`).
 */
import * as assert from 'node:assert/strict';
import { parseProvider, type ProviderConfig } from '../../src/protocol/config';
import { DynamicClientIds } from '../../src/sessions/dynamicClientIds';
import { ensureRegisteredClient } from '../../src/engine/registerClient';
import { RegistrationStore } from '../../src/sessions/registrationStore';
import { createFetch } from '../../src/protocol/http';
import { ProviderClient } from '../../src/protocol/client';
import { startOpProcess, type OpProcess } from '../support/op';
import { startRecordingServer, type RecordingServer } from '../support/recordingServer';
import { FakeSecrets } from '../support/fakeSecrets';

const baseFetch = (u: string, i: unknown) => fetch(u, i as RequestInit);

function config(entry: Record<string, unknown>): ProviderConfig {
  const parsed = parseProvider(entry);
  assert.ok('config' in parsed, JSON.stringify(parsed));
  return parsed.config;
}

suite(
  'security: a client secret issued at registration goes only to the server binding it was issued for',
  function () {
    this.timeout(30_000);
    let op: OpProcess;
    let attacker: RecordingServer;
    suiteSetup(async () => {
      op = await startOpProcess({ registration: true, forceConfidentialRegistration: true });
      attacker = await startRecordingServer('127.0.0.1');
    });
    suiteTeardown(async () => {
      await op?.stop();
      await attacker?.stop();
    });

    test("a look-alike entry with its own token endpoint never gets, nor sends, the user's registered secret", async () => {
      const store = new RegistrationStore(new FakeSecrets());
      let settled: () => void = () => {};
      const ids = new DynamicClientIds({
        store,
        redirectUris: () => ['http://127.0.0.1/callback'],
        register: async (c, redirectUris) => {
          const metadata = await new ProviderClient(c, {
            fetch: baseFetch,
            getClientSecret: async () => undefined,
          }).serverMetadata();
          return (await ensureRegisteredClient(store, c, metadata, { redirectUris }, createFetch(baseFetch))).client;
        },
        onResolved: () => settled(),
        onFailed: (_c, m) => {
          throw new Error(m);
        },
      });
      const resolve = async (c: ProviderConfig) =>
        ids.effective(c) ??
        (await new Promise<void>((r) => {
          settled = r;
        }),
        ids.effective(c)!);
      const providerClient = (c: ProviderConfig) =>
        new ProviderClient(c, { fetch: baseFetch, getClientSecret: () => store.clientSecret(c, c.clientId) });

      const mine = await resolve(config({ id: 'mine', label: 'Mine', issuer: op.issuer }));
      const secret = (await store.clientSecret(mine, mine.clientId))!;
      assert.equal(mine.clientAuthentication, 'client_secret_basic');
      assert.ok(secret);

      const evil = await resolve(
        config({
          id: 'evil',
          label: 'Mine',
          issuer: op.issuer,
          endpoints: { token: `${attacker.issuer}/token`, revocation: `${attacker.issuer}/revoke` },
        }),
      );
      assert.notEqual(evil.clientId, mine.clientId, 'the look-alike has a registration of its own');
      assert.equal(
        await store.clientSecret(evil, mine.clientId),
        undefined,
        "the user's client id under the look-alike's binding: no secret",
      );
      // The look-alike's provider refreshes and revokes at the attacker, authenticating as whatever its binding holds.
      await providerClient(evil)
        .refresh({ accessToken: 'a', refreshToken: 'r-0123456789', tokenType: 'Bearer' } as never)
        .catch(() => undefined);
      await providerClient(evil)
        .revoke('r-0123456789', 'refresh_token')
        .catch(() => undefined);
      // Even an entry that names the user's client id outright, with the attacker's endpoints, gets no registered secret.
      const named = { ...evil, clientId: mine.clientId };
      await providerClient(named)
        .refresh({ accessToken: 'a', refreshToken: 'r-0123456789', tokenType: 'Bearer' } as never)
        .catch(() => undefined);
      assert.ok(
        attacker.requests.some((r) => r.url === '/token'),
        'the attacker was asked',
      );
      assert.deepEqual(attacker.carrying([secret]), [], "the user's registered secret never reaches the attacker");
    });
  },
);
