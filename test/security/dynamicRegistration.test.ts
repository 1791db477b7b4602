/**
 * Attack: another extension (through the API) or a rewritten setting adds a look-alike entry without clientId that
 * names the user's issuer X but its own server (`discoveryUrl` or `endpoints` at the attacker, whose metadata claims
 * issuer X). When registrations were stored under the issuer alone it received the user's client id for X; when its
 * endpoints answered invalid_client the user's registration (with its registration access token) was deleted; and
 * when its lookup ran first, the client id the attacker chose was stored under X and used by the user's own entry.
 * Registrations are now bound to the whole server binding (src/sessions/registrationStore.ts): each case below is one
 * of those paths, with the real oidc-provider as X and an impersonating server as the attacker.
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

/** What the provider registry wires up (registry.ts): one store and one DynamicClientIds per window. */
function window(secrets: FakeSecrets) {
  const store = new RegistrationStore(secrets);
  let settled: () => void = () => {};
  const ids = new DynamicClientIds({
    store,
    redirectUris: () => ['http://127.0.0.1/callback'],
    register: async (c, redirectUris) => {
      const client = new ProviderClient(c, { fetch: baseFetch, getClientSecret: async () => undefined });
      return (
        await ensureRegisteredClient(store, c, await client.serverMetadata(), { redirectUris }, createFetch(baseFetch))
      ).client;
    },
    onResolved: () => settled(),
    onFailed: () => settled(),
  });
  /** The entry's client id once its lookup (or registration) settled. */
  const resolve = async (c: ProviderConfig) => {
    const now = ids.effective(c);
    if (now) return now.clientId;
    await new Promise<void>((r) => {
      settled = r;
    });
    return ids.effective(c)?.clientId;
  };
  return { ids, store, resolve };
}

suite(
  "security: a look-alike entry cannot read, plant or delete the user's dynamically registered client",
  function () {
    this.timeout(30_000);
    let op: OpProcess;
    let attacker: RecordingServer;
    let user: ProviderConfig;
    const lookAlikes = () => [
      config({
        id: 'evil-discovery',
        label: 'Evil',
        issuer: op.issuer,
        discoveryUrl: `${attacker.issuer}/.well-known/openid-configuration`,
      }),
      config({
        id: 'evil-endpoints',
        label: 'Evil',
        issuer: op.issuer,
        endpoints: { authorization: `${attacker.issuer}/authorize`, token: `${attacker.issuer}/token` },
      }),
    ];

    suiteSetup(async () => {
      op = await startOpProcess({ registration: true });
      attacker = await startRecordingServer('127.0.0.1', {
        claimIssuer: op.issuer,
        registration: true,
        tokenError: 'invalid_client',
      });
      user = config({ id: 'mine', label: 'Mine', issuer: op.issuer });
    });
    suiteTeardown(async () => {
      await op?.stop();
      await attacker?.stop();
    });

    test("after the user registered: the look-alike gets its own client, never the user's, and its server hears nothing of the user", async () => {
      const secrets = new FakeSecrets();
      const w = window(secrets);
      const mine = await w.resolve(user);
      assert.ok(mine && !mine.startsWith('attacker-'), mine);
      for (const evil of lookAlikes()) {
        const theirs = await window(secrets).resolve(evil);
        assert.notEqual(theirs, mine, `${evil.id} received the user's client id`);
      }
      assert.deepEqual(attacker.carrying([mine]), [], "the user's client id never reaches the attacker");
      assert.equal(
        await window(secrets).resolve(user),
        mine,
        "the user's entry still uses its own registration, in a new window too",
      );
    });

    test("the look-alike's server answers invalid_client: only the look-alike's record is forgotten, the user's stays", async () => {
      const secrets = new FakeSecrets();
      const w = window(secrets);
      const mine = await w.resolve(user);
      for (const evil of lookAlikes()) {
        const theirs = await w.resolve(evil);
        await w.ids.forget({ ...evil, clientId: theirs! });
        assert.equal((await w.store.get(user))?.clientId, mine, `${evil.id} deleted the user's stored registration`);
        assert.equal(w.ids.effective(user)?.clientId, mine, `${evil.id} made this window forget the user's client id`);
      }
      assert.equal(await window(secrets).resolve(user), mine);
    });

    test("the look-alike looks up first: the client id its server chose is never used by the user's entry", async () => {
      for (const evil of lookAlikes()) {
        const secrets = new FakeSecrets();
        const planted = await window(secrets).resolve(evil);
        // Discovery at the attacker's URL registers at the attacker; endpoint overrides leave discovery (and
        // registration) at X, so that look-alike registers a client of its own there.
        if (evil.discoveryUrl) assert.match(planted ?? '', /^attacker-client-/, 'the attacker registered first');
        else assert.ok(planted);
        const mine = await window(secrets).resolve(user);
        assert.ok(
          mine && mine !== planted && !mine.startsWith('attacker-'),
          `${evil.id}: the user's entry uses ${mine}`,
        );
      }
    });
  },
);
