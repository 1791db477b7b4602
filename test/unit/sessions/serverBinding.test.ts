import * as assert from 'node:assert/strict';
import { parseProvider, type ProviderConfig } from '../../../src/protocol/config';
import type { ProviderClient } from '../../../src/protocol/client';
import {
  bindingKey,
  bindingOf,
  configForBinding,
  decodeClientSecret,
  encodeClientSecret,
  sameBinding,
} from '../../../src/sessions/serverBinding';
import { SessionKeeper } from '../../../src/sessions/sessionKeeper';
import { keys, SessionStore, type StoredSession } from '../../../src/sessions/sessionStore';
import { FakeSecrets } from '../../support/fakeSecrets';

const config = (over: Record<string, unknown> = {}): ProviderConfig => {
  const parsed = parseProvider({
    id: 'corp',
    label: 'Corp',
    issuer: 'https://sso.corp.example',
    clientId: 'vscode',
    ...over,
  });
  if ('problem' in parsed) throw new Error(parsed.problem.message);
  return parsed.config;
};

const session = (id: string): StoredSession => ({
  v: 1,
  id,
  account: { id: `acct-${id}`, label: `user-${id}` },
  scopes: ['openid'],
  defaultScopes: ['openid'],
  tokens: {
    accessToken: `at-${id}-0123456789`,
    tokenType: 'Bearer',
    refreshToken: `rt-${id}-0123456789`,
    expiresAt: Date.now() + 3_600_000,
  },
  createdAt: Date.now(),
});

/** A client that fails the test if the keeper ever uses it: foreign sessions must never reach the current client. */
const untouchable = new Proxy(
  {},
  {
    get: (_, p) => () => {
      throw new Error(`the current client was used (${String(p)}) for a foreign session`);
    },
  },
) as unknown as ProviderClient;

suite('serverBinding: secrets belong to the server and client that issued them', () => {
  test('what decides where secrets go changes the binding; labels, scopes, flow and parameters do not', () => {
    const base = bindingOf(config());
    for (const over of [
      { label: 'Renamed' },
      { scopes: ['openid', 'email'] },
      { flow: 'device-code' },
      { authorizationParameters: { audience: 'api' } },
      { accountLabelClaim: 'email' },
    ]) {
      assert.ok(sameBinding(base, bindingOf(config(over))), JSON.stringify(over));
    }
    for (const over of [
      { issuer: 'https://attacker.example' },
      { clientId: 'other' },
      { endpoints: { token: 'https://attacker.example/token' } },
      { endpoints: { revocation: 'https://attacker.example/revoke' } },
      { discoveryUrl: 'https://attacker.example/meta' },
      { preset: 'keycloak' },
    ]) {
      assert.ok(!sameBinding(base, bindingOf(config(over))), JSON.stringify(over));
    }
    // Endpoint order in the setting does not matter; nothing is "the same" as a missing binding.
    const a = bindingOf(config({ endpoints: { token: 'https://t.example/t', revocation: 'https://t.example/r' } }));
    const b = bindingOf(config({ endpoints: { revocation: 'https://t.example/r', token: 'https://t.example/t' } }));
    assert.equal(bindingKey(a), bindingKey(b));
    assert.equal(sameBinding(undefined, base), false);
  });

  test('a client secret is used only for the binding it was set for; a legacy plain value is never used', () => {
    const mine = bindingOf(config());
    assert.deepEqual(decodeClientSecret(encodeClientSecret('s3cret', mine), mine), { kind: 'bound', secret: 's3cret' });
    const elsewhere = decodeClientSecret(
      encodeClientSecret('s3cret', mine),
      bindingOf(config({ issuer: 'https://attacker.example' })),
    );
    assert.equal(elsewhere.kind, 'foreign');
    assert.match(
      (elsewhere as { why: string }).why,
      /set for client "vscode" at https:\/\/sso\.corp\.example, not client "vscode" at https:\/\/attacker\.example/,
    );
    assert.ok(!JSON.stringify(elsewhere).includes('s3cret'), 'the reason never quotes the secret');
    assert.equal(decodeClientSecret('plain-old-secret', mine).kind, 'foreign');
    assert.equal(decodeClientSecret(undefined, mine).kind, 'missing');
    assert.equal(decodeClientSecret('{"v":1,"secret":"x","binding":{"clientId":3}}', mine).kind, 'foreign');
  });

  test('a retired session is revoked with its own configuration, not the current one', () => {
    const original = bindingOf(
      config({
        clientAuthentication: 'client_secret_post',
        endpoints: { revocation: 'https://sso.corp.example/revoke' },
      }),
    );
    const c = configForBinding(original, 'corp', 'Corp');
    assert.equal(c.issuer, 'https://sso.corp.example');
    assert.equal(c.endpoints.revocation, 'https://sso.corp.example/revoke');
    assert.equal(c.clientAuthentication, 'client_secret_post');
    assert.ok(sameBinding(bindingOf(c), original));
  });

  test('SessionStore stamps the binding; sessions of another binding, or none, are foreign', async () => {
    const secrets = new FakeSecrets();
    const old = new SessionStore(secrets, 'corp', () => {}, bindingOf(config()));
    await old.write(session('a'));
    await secrets.store(keys.session('corp', 'legacy'), JSON.stringify(session('legacy'))); // stored before bindings
    await secrets.store(keys.index('corp'), JSON.stringify(['a', 'legacy']));
    assert.deepEqual(
      (await old.readAll()).map((s) => s.id),
      ['a'],
    );
    const moved = new SessionStore(
      secrets,
      'corp',
      () => {},
      bindingOf(config({ issuer: 'https://attacker.example' })),
    );
    assert.deepEqual(await moved.readAll(), []);
    assert.equal(await moved.read('a'), undefined);
    assert.deepEqual((await moved.readSplit()).foreign.map((s) => s.id).sort(), ['a', 'legacy']);
  });

  test('the keeper removes foreign sessions before anything can use them and hands them to retire(), never to its client', async () => {
    const secrets = new FakeSecrets();
    await new SessionStore(secrets, 'corp', () => {}, bindingOf(config())).write(session('a'));
    const retired: StoredSession[] = [];
    const warnings: string[] = [];
    const keeper = new SessionKeeper({
      store: new SessionStore(
        secrets,
        'corp',
        () => {},
        bindingOf(config({ endpoints: { token: 'https://attacker.example/token' } })),
      ),
      secrets,
      client: untouchable,
      providerLabel: 'Corp',
      log: { info: () => {}, warn: (l) => warnings.push(l), error: (l) => warnings.push(l) },
      fire: () => {},
      retire: (s) => retired.push(...s),
    });
    try {
      assert.deepEqual(await keeper.matching(undefined), []);
      assert.deepEqual(
        retired.map((s) => s.id),
        ['a'],
      );
      assert.equal(
        retired[0].binding?.issuer,
        'https://sso.corp.example',
        'retired with the binding it was issued under',
      );
      assert.equal(secrets.data.get(keys.session('corp', 'a')), undefined, 'gone from storage');
      assert.deepEqual(JSON.parse(secrets.data.get(keys.index('corp'))!), []);
      assert.match(warnings.join('\n'), /different server or client id/);
      assert.ok(!warnings.join('\n').includes('rt-a'), 'no token in the log');
    } finally {
      keeper.dispose();
    }
  });
});
