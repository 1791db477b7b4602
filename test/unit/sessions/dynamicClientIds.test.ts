import * as assert from 'node:assert/strict';
import { FakeSecrets } from '../../support/fakeSecrets';
import { parseProvider, type ProviderConfig } from '../../../src/protocol/config';
import { DynamicClientIds, forgettingClient } from '../../../src/sessions/dynamicClientIds';
import { AuthError } from '../../../src/protocol/errors';
import { ensureRegisteredClient } from '../../../src/engine/registerClient';
import { createFetch } from '../../../src/protocol/http';
import { RegistrationStore } from '../../../src/sessions/registrationStore';
import { bindingOf } from '../../../src/sessions/serverBinding';
import { startOpProcess, type OpProcess } from '../../support/op';
import { testClient, testConfig } from '../../support/protocolHarness';

suite('registry: entries without clientId (dynamic registration)', function () {
  this.timeout(30_000);
  let op: OpProcess;
  suiteSetup(async () => {
    op = await startOpProcess({ registration: true });
  });
  suiteTeardown(async () => {
    await op?.stop();
  });

  function setup(secrets: Pick<FakeSecrets, 'get' | 'store' | 'delete'> = new FakeSecrets()) {
    const events: string[] = [];
    let resolved: () => void = () => {};
    const store = new RegistrationStore(secrets);
    const ids = new DynamicClientIds({
      store,
      redirectUris: () => ['http://127.0.0.1/callback'],
      register: async (c, redirectUris) =>
        (
          await ensureRegisteredClient(
            store,
            c,
            await testClient(c).serverMetadata(),
            { redirectUris },
            createFetch((u, i) => fetch(u, i as RequestInit)),
          )
        ).client,
      onResolved: () => {
        events.push('resolved');
        resolved();
      },
      onFailed: (_c, m) => {
        events.push(`failed: ${m}`);
        resolved();
      },
    });
    const next = () =>
      new Promise<void>((r) => {
        resolved = r;
      });
    return { ids, events, next, secrets };
  }

  test('not registered until the id is known; then bound to the registered id; reused by another window; forgotten → a new id', async () => {
    const parsed = parseProvider({ id: 'dyn', label: 'Dyn', issuer: op.issuer });
    assert.ok('config' in parsed);
    const config: ProviderConfig = parsed.config;
    const a = setup();
    let wait = a.next();
    assert.equal(a.ids.effective(config), undefined, 'never registered with an empty client id');
    await wait;
    const first = a.ids.effective(config)!;
    assert.ok(first.clientId);
    assert.equal(await a.ids.whenKnown(config), first.clientId, 'a waiting sign-in gets the same id');
    assert.equal(bindingOf(first).clientId, first.clientId, 'sessions bind to the registered id');

    const b = setup(a.secrets);
    wait = b.next();
    assert.equal(b.ids.effective(config), undefined);
    await wait;
    assert.equal(b.ids.effective(config)!.clientId, first.clientId, 'another window reuses the stored registration');
    assert.equal((await op.stats()).routes.registration, 1);

    wait = a.next();
    await a.ids.forget(first);
    await wait;
    wait = a.next();
    assert.equal(a.ids.effective(config), undefined);
    await wait;
    assert.notEqual(a.ids.effective(config)!.clientId, first.clientId);
    const plainEntry = testConfig(op);
    assert.equal(a.ids.effective(plainEntry), plainEntry, 'entries with a clientId pass through unchanged');
  });

  test('nothing is read from SecretStorage or the network while effective() runs (it is called inside activate())', async () => {
    const parsed = parseProvider({ id: 'dyn2', label: 'Dyn', issuer: op.issuer });
    assert.ok('config' in parsed);
    const secrets = new FakeSecrets();
    const reads: string[] = [];
    const counting = {
      get: async (k: string) => {
        reads.push(k);
        return secrets.get(k);
      },
      store: (k: string, v: string) => secrets.store(k, v),
      delete: (k: string) => secrets.delete(k),
    };
    const a = setup(counting);
    const before = (await op.stats()).routes.registration ?? 0;
    const wait = a.next();
    assert.equal(a.ids.effective(parsed.config), undefined);
    await Promise.resolve();
    assert.deepEqual(reads, [], 'no SecretStorage read during the call or its microtasks');
    await wait;
    assert.ok(reads.length >= 1, 'read afterwards');
    assert.equal((await op.stats()).routes.registration, before + 1);
  });

  test('a server without registration: reported once, not registered', async () => {
    const plain = await startOpProcess();
    try {
      const parsed = parseProvider({ id: 'dyn', label: 'Dyn', issuer: plain.issuer });
      assert.ok('config' in parsed);
      const s = setup();
      const wait = s.next();
      assert.equal(s.ids.effective(parsed.config), undefined);
      await wait;
      assert.match(s.events[0], /^failed: .*does not offer dynamic client registration/);
      assert.equal(
        s.ids.effective(parsed.config),
        undefined,
        'no retry storm: a failure waits for the next settings change',
      );
      assert.equal(s.events.length, 1);
      // What a sign-in waiting for the client id (RegisteringProvider) is told: the failure, at once, without a new request.
      await assert.rejects(s.ids.whenKnown(parsed.config), /does not offer dynamic client registration/);
      assert.equal(s.events.length, 1, 'reported once');
    } finally {
      await plain.stop();
    }
  });

  test('a refresh answered invalid_client forgets the registration (the next sign-in registers again); other failures do not', async () => {
    let forgotten = 0;
    const failWith = (e: Error) =>
      forgettingClient(
        {
          refresh: async () => {
            throw e;
          },
          revoke: async () => true,
        },
        async () => {
          forgotten++;
        },
      );
    const tokens = { accessToken: 'a', refreshToken: 'r', tokenType: 'Bearer' } as never;
    const invalidClient = new AuthError('server_rejected', 'The token refresh was refused', {
      oauthError: 'invalid_client',
      status: 401,
    });
    await assert.rejects(
      failWith(invalidClient).refresh(tokens),
      (e) => e === invalidClient,
      'the error still ends the session',
    );
    assert.equal(forgotten, 1);
    await assert.rejects(
      failWith(new AuthError('invalid_grant', 'gone', { oauthError: 'invalid_grant' })).refresh(tokens),
    );
    await assert.rejects(failWith(new AuthError('network', 'down')).refresh(tokens));
    assert.equal(forgotten, 1, 'a dead grant or a network error keeps the registration');
  });

  test('two failures with the same dead client id forget it once; the id registered in between is kept', async () => {
    const parsed = parseProvider({ id: 'dyn3', label: 'Dyn', issuer: 'https://sso.example.com' });
    assert.ok('config' in parsed);
    let n = 0;
    let resolvedCount = 0;
    let resolved: () => void = () => {};
    const ids = new DynamicClientIds({
      store: new RegistrationStore(new FakeSecrets()),
      redirectUris: () => [],
      register: async () => ({ clientId: `client-${++n}`, redirectUris: [] }),
      onResolved: () => {
        resolvedCount++;
        resolved();
      },
      onFailed: () => {},
    });
    const next = () =>
      new Promise<void>((r) => {
        resolved = r;
      });
    let wait = next();
    ids.effective(parsed.config);
    await wait;
    const first = ids.effective(parsed.config)!;
    assert.equal(first.clientId, 'client-1');
    wait = next();
    await Promise.all([ids.forget(first), ids.forget(first)]);
    assert.equal(resolvedCount, 2, 'forgotten once (one apply), not twice');
    assert.equal(ids.effective(parsed.config), undefined);
    wait = next();
    await wait;
    assert.equal(ids.effective(parsed.config)?.clientId, 'client-2');
    await ids.forget(first);
    assert.equal(
      ids.effective(parsed.config)?.clientId,
      'client-2',
      'a late failure of the dead id does not drop the new one',
    );
  });
});
