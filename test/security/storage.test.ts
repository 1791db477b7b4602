/**
 * Storage and settings are input too: a corrupt or foreign SecretStorage entry (another version, another tool,
 * a half-written record, a hand edit) is skipped with a warning and never takes the other sessions with it; any
 * settings value yields valid provider configs or named problems, never an exception; and the log's redaction net
 * masks every token-shaped value fast-check can put where tokens appear.
 */
import * as assert from 'node:assert/strict';
import * as fc from 'fast-check';
import { BUILT_IN_PROVIDER_IDS, describeProblem, parseProviders } from '../../src/protocol/config';
import { serverUrlProblem } from '../../src/protocol/urls';
import { redact } from '../../src/vscode/redact';
import { keys, parseSession, SessionStore, type StoredSession } from '../../src/sessions/sessionStore';
import { FakeSecrets, openWindow, summary, clientFor } from './support';
import { TEST_BINDING } from '../support/binding';
import { sameBinding } from '../../src/sessions/serverBinding';

const RUNS = Number(process.env.OAUTH_FUZZ_STORAGE_RUNS ?? 2_000);
const seed = process.env.OAUTH_FUZZ_SEED ? { seed: Number(process.env.OAUTH_FUZZ_SEED) } : {};
const counts: Record<string, number> = {};
const count = (what: string, n: number) => {
  counts[what] = (counts[what] ?? 0) + n;
};

function validSession(id: string, over: Record<string, unknown> = {}): StoredSession {
  return {
    v: 1,
    id,
    account: { id: `https://idp.example#${id}`, label: `user-${id}` },
    scopes: ['openid', 'profile'],
    defaultScopes: ['openid'],
    tokens: {
      accessToken: `at-${id}`,
      tokenType: 'bearer',
      refreshToken: `rt-${id}`,
      expiresAt: Date.now() + 3_600_000,
    },
    createdAt: Date.now(),
    binding: TEST_BINDING,
    ...over,
  } as StoredSession;
}

/** What the rest of the extension relies on once parseSession said yes. */
function assertUsableShape(s: StoredSession): void {
  assert.equal(s.v, 1);
  assert.equal(typeof s.id, 'string');
  assert.equal(typeof s.account.id, 'string');
  assert.equal(typeof s.account.label, 'string');
  assert.ok(Array.isArray(s.scopes) && s.scopes.every((x) => typeof x === 'string'));
  assert.ok(Array.isArray(s.defaultScopes) && s.defaultScopes.every((x) => typeof x === 'string'));
  assert.equal(typeof s.createdAt, 'number');
  assert.equal(typeof s.tokens.accessToken, 'string');
  assert.equal(typeof s.tokens.tokenType, 'string');
  assert.ok(s.tokens.refreshToken === undefined || typeof s.tokens.refreshToken === 'string');
  assert.ok(s.tokens.expiresAt === undefined || typeof s.tokens.expiresAt === 'number');
}

/** A valid record with one field (at any depth of the known shape) replaced, removed or retyped. */
const mutatedRecord = fc
  .record({
    path: fc.constantFrom(
      'v',
      'id',
      'account',
      'account.id',
      'account.label',
      'scopes',
      'defaultScopes',
      'createdAt',
      'tokens',
      'tokens.accessToken',
      'tokens.tokenType',
      'tokens.refreshToken',
      'tokens.expiresAt',
      'refreshedAt',
      'tokens.idClaims',
      'extra',
    ),
    value: fc.oneof(fc.jsonValue(), fc.constant(undefined)),
  })
  .map(({ path, value }) => {
    const s = JSON.parse(JSON.stringify(validSession('m'))) as Record<string, unknown>;
    const parts = path.split('.');
    let target = s;
    for (const p of parts.slice(0, -1)) target = target[p] as Record<string, unknown>;
    if (value === undefined) delete target[parts.at(-1)!];
    else target[parts.at(-1)!] = value;
    return JSON.stringify(s);
  });

/** Anything that can sit in a SecretStorage value. */
const storedString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.jsonValue().map((v) => JSON.stringify(v)),
  mutatedRecord,
  fc.constantFrom(
    '',
    'null',
    '[]',
    '{}',
    '{"v":2}',
    'undefined',
    '{"v":1,"id":"m"',
    '\u0000',
    JSON.stringify(validSession('someone-else')),
  ),
);

suite('security: storage and settings', () => {
  suiteTeardown(() => {
    for (const [what, n] of Object.entries(counts)) summary(`${what}: ${n}`);
  });

  suite('SecretStorage records', () => {
    test(`parseSession: ${RUNS} generated strings and near-valid records — never throws, accepts only the full shape`, () => {
      let accepted = 0;
      fc.assert(
        fc.property(storedString, (raw) => {
          const s = parseSession(raw, 'm');
          if (s) {
            accepted++;
            assertUsableShape(s);
            assert.equal(s.id, 'm');
          }
          // The same string under another id is foreign, whatever it is.
          assert.equal(parseSession(raw, 'not-m'), undefined);
        }),
        { numRuns: RUNS, ...seed },
      );
      count('storage records fuzzed', RUNS);
      assert.ok(accepted > 0, 'the generator also makes acceptable records');
    });

    test('readAll: corrupt, foreign and unreadable entries are skipped with one warning each; every good session survives', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(
            fc.oneof(
              { weight: 2, arbitrary: fc.constant<'good'>('good') },
              { weight: 3, arbitrary: storedString },
              { weight: 1, arbitrary: fc.constantFrom<'missing' | 'throws'>('missing', 'throws') },
            ),
            { minLength: 1, maxLength: 8 },
          ),
          async (entries) => {
            const secrets = new FakeSecrets();
            const warnings: string[] = [];
            const ids = entries.map((_, i) => `s${i}`);
            const failing = new Set<string>();
            await secrets.store(keys.index('p'), JSON.stringify(ids));
            const expectedGood: string[] = [];
            let expectedWarnings = 0;
            for (const [i, e] of entries.entries()) {
              const id = ids[i];
              if (e === 'good') {
                await secrets.store(keys.session('p', id), JSON.stringify(validSession(id)));
                expectedGood.push(id);
                continue;
              }
              if (e === 'missing') continue;
              if (e === 'throws') {
                failing.add(keys.session('p', id));
                expectedWarnings++;
                continue;
              }
              await secrets.store(keys.session('p', id), e);
              const parsed = parseSession(e, id);
              // A well-formed record bound to another server or client is foreign: retired, not a corrupt record.
              if (parsed) {
                if (sameBinding(parsed.binding, TEST_BINDING)) expectedGood.push(id);
              } else expectedWarnings++;
            }
            const get = secrets.get.bind(secrets);
            secrets.get = (key: string) => (failing.has(key) ? Promise.reject(new Error('keyring locked')) : get(key));
            const store = new SessionStore(secrets, 'p', (l) => warnings.push(l), TEST_BINDING);
            const all = await store.readAll();
            assert.deepEqual(
              all.map((s) => s.id),
              expectedGood,
            );
            assert.equal(warnings.length, expectedWarnings, warnings.join('\n'));
            assert.ok(
              warnings.every((w) => !/at-|rt-|accessToken/.test(w)),
              'a warning never quotes the record',
            );
            // And the store keeps working: a new session is added next to whatever is there.
            await store.write(validSession('new'));
            assert.deepEqual(
              (await store.readAll()).map((s) => s.id),
              [...expectedGood, 'new'],
            );
          },
        ),
        { numRuns: 300, ...seed },
      );
      count('storage layouts fuzzed', 300);
    });

    test('a corrupt index is reported once and means "no sessions", never an exception; the keeper still starts', async () => {
      for (const raw of ['', 'not json', '{"a":1}', '[1,2]', 'null', '"s1"', '[null]']) {
        const secrets = new FakeSecrets();
        await secrets.store(keys.index('p'), raw);
        await secrets.store(keys.session('p', 's1'), JSON.stringify(validSession('s1')));
        const warnings: string[] = [];
        assert.deepEqual(
          await new SessionStore(secrets, 'p', (l) => warnings.push(l), TEST_BINDING).readAll(),
          [],
          raw,
        );
        assert.equal(warnings.length, 1, raw);
      }
      // Through the SessionKeeper, with one good and one corrupt record.
      const secrets = new FakeSecrets();
      await secrets.store(keys.index('t'), JSON.stringify(['good', 'bad']));
      await secrets.store(keys.session('t', 'good'), JSON.stringify(validSession('good')));
      await secrets.store(keys.session('t', 'bad'), '{"v":1,"id":"bad","tokens":');
      const config = {
        id: 't',
        label: 'T',
        issuer: 'https://idp.example',
        endpoints: {},
        clientId: 'c',
        clientAuthentication: 'none' as const,
        authorizationParameters: {},
        flow: 'auto' as const,
      };
      const win = openWindow(clientFor(config), 't', secrets);
      try {
        assert.deepEqual(
          (await win.keeper.sessions()).map((s) => s.id),
          ['good'],
        );
        assert.equal(win.warnings.filter((w) => /corrupt/.test(w)).length, 1);
      } finally {
        win.keeper.dispose();
      }
    });
  });

  suite('settings (oauthAccounts.providers)', () => {
    const KNOWN = [
      'id',
      'label',
      'issuer',
      'discoveryUrl',
      'endpoints',
      'clientId',
      'clientAuthentication',
      'scopes',
      'authorizationParameters',
      'accountLabelClaim',
      'flow',
    ];
    const ENDPOINTS = ['authorization', 'token', 'userinfo', 'revocation', 'deviceAuthorization', 'jwks'];
    const RESERVED = [
      'client_id',
      'redirect_uri',
      'response_type',
      'state',
      'nonce',
      'code_challenge',
      'code_challenge_method',
      'scope',
      'response_mode',
      'request',
      'request_uri',
    ];
    const url = fc.oneof(
      fc.webUrl({ validSchemes: ['https'] }),
      fc.constantFrom(
        'https://idp.example',
        'https://idp.example/',
        'http://127.0.0.1:8080',
        'http://localhost:3000/realms/x',
        'http://[::1]:9000',
        'http://idp.example',
        'http://127.0.0.1@evil.example',
        'http://evil.example#@127.0.0.1',
        'http://127.0.0.1.nip.io',
        'http://localhost.evil.example',
        'javascript:alert(1)',
        'file:///etc/passwd',
        'data:text/html,<script>',
        'ftp://127.0.0.1',
        'HTTP://127.0.0.1',
        'http://2130706433',
        'https://',
        'not a url',
        '',
      ),
      fc.string(),
    );
    const anyJson = fc.jsonValue({ maxDepth: 2 });
    const entry = fc
      .record(
        {
          id: fc.oneof(
            fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,12}$/),
            fc.constantFrom(
              'github',
              'microsoft',
              'same',
              'same',
              '',
              '-x',
              'a b',
              'constructor',
              '__proto__',
              'x'.repeat(101),
            ),
            anyJson,
          ),
          label: fc.oneof(fc.string(), fc.constantFrom('', '   ', 'Corp SSO'), anyJson),
          issuer: fc.oneof(url, anyJson),
          discoveryUrl: fc.oneof(url, anyJson),
          endpoints: fc.oneof(
            fc.dictionary(fc.oneof(fc.constantFrom(...ENDPOINTS), fc.string()), fc.oneof(url, anyJson), { maxKeys: 4 }),
            anyJson,
          ),
          clientId: fc.oneof(fc.string(), fc.constantFrom('', ' ', 'vscode'), anyJson),
          clientAuthentication: fc.oneof(
            fc.constantFrom('none', 'client_secret_basic', 'client_secret_post', 'private_key_jwt', ''),
            anyJson,
          ),
          scopes: fc.oneof(
            fc.array(fc.oneof(fc.constantFrom('openid', 'email', 'offline_access', 'a b', ''), fc.string())),
            anyJson,
          ),
          authorizationParameters: fc.oneof(
            fc.dictionary(
              fc.oneof(fc.constantFrom(...RESERVED, 'audience', 'prompt', '__proto__'), fc.string()),
              fc.oneof(fc.string(), anyJson),
              { maxKeys: 3 },
            ),
            anyJson,
          ),
          accountLabelClaim: fc.oneof(fc.constantFrom('email', ''), anyJson),
          flow: fc.oneof(fc.constantFrom('auto', 'loopback', 'uri-handler', 'device-code', 'implicit'), anyJson),
          unknown: anyJson,
        },
        { requiredKeys: [] },
      )
      .map((e) => {
        // "unknown" stands for any key the schema does not know.
        const { unknown, ...rest } = e as Record<string, unknown>;
        return unknown === undefined ? rest : { ...rest, [`x-${typeof unknown}`]: unknown };
      });
    /** Entries a user would write, so the valid path is exercised too. */
    const validEntry = fc.record(
      {
        id: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,12}$/),
        label: fc.constantFrom('Corp SSO', 'Keycloak (dev)', ' padded '),
        issuer: fc.oneof(
          fc.webUrl({ validSchemes: ['https'] }),
          fc.constantFrom('https://idp.example', 'http://127.0.0.1:8080/realms/dev', 'http://localhost:3000'),
        ),
        clientId: fc.constantFrom('vscode', 'a1b2c3'),
        clientAuthentication: fc.constantFrom('none', 'client_secret_basic', 'client_secret_post'),
        scopes: fc.array(fc.constantFrom('openid', 'email', 'profile', 'offline_access', 'api://x/.default')),
        authorizationParameters: fc.dictionary(
          fc.constantFrom('audience', 'prompt', 'resource', 'acr_values'),
          fc.string(),
          { maxKeys: 2 },
        ),
        flow: fc.constantFrom('auto', 'loopback', 'uri-handler', 'device-code'),
      },
      { requiredKeys: ['id', 'label', 'issuer', 'clientId'] },
    );
    /** A valid entry with one field taken from the hostile generator. */
    const nearValid = fc.tuple(validEntry, entry, fc.constantFrom(...KNOWN, 'unknown')).map(([v, h, k]) => {
      const out: Record<string, unknown> = { ...v };
      if (k in h) out[k] = (h as Record<string, unknown>)[k];
      else delete out[k];
      return out;
    });
    const settings = fc.oneof(
      {
        weight: 8,
        arbitrary: fc.array(
          fc.oneof(
            { weight: 3, arbitrary: entry },
            { weight: 3, arbitrary: validEntry },
            { weight: 4, arbitrary: nearValid },
            { weight: 1, arbitrary: anyJson },
          ),
          { maxLength: 5 },
        ),
      },
      { weight: 1, arbitrary: anyJson },
    );

    test(`parseProviders: ${RUNS} generated settings — valid configs or named problems, one per entry, never an exception`, () => {
      let providers = 0;
      let problems = 0;
      fc.assert(
        fc.property(settings, (raw) => {
          // Settings arrive as JSON: make the generated value exactly what VS Code would hand over.
          const value = raw === undefined ? undefined : JSON.parse(JSON.stringify(raw));
          let result: ReturnType<typeof parseProviders>;
          try {
            result = parseProviders(value);
          } catch (e) {
            throw new Error(`parseProviders threw ${e} for ${JSON.stringify(value).slice(0, 300)}`);
          }
          providers += result.providers.length;
          problems += result.problems.length;
          if (Array.isArray(value))
            assert.equal(
              result.providers.length + result.problems.length,
              value.length,
              'exactly one outcome per entry',
            );
          else if (value !== null && value !== undefined) assert.equal(result.problems.length, 1);
          for (const p of result.problems) {
            assert.ok(Number.isInteger(p.index) && p.index >= 0 && (!Array.isArray(value) || p.index < value.length));
            assert.equal(typeof p.field, 'string');
            assert.ok(
              p.field === '' ||
                KNOWN.includes(p.field.split('.')[0]) ||
                (Array.isArray(value) && Object.keys(value[p.index] ?? {}).includes(p.field)),
              `unnamed field ${p.field}`,
            );
            assert.ok(typeof p.message === 'string' && p.message.length > 5);
            const text = describeProblem(p);
            assert.match(text, /^provider (".*"|#\d+) in oauthAccounts\.providers\[\d+\]: /);
          }
          const ids = new Set<string>();
          for (const c of result.providers) {
            assert.match(c.id, /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/);
            assert.ok(!BUILT_IN_PROVIDER_IDS.includes(c.id) && !ids.has(c.id));
            ids.add(c.id);
            assert.ok(c.label.trim() === c.label && c.label.length > 0);
            // Without clientId: dynamic registration, which needs the issuer and a public client (the registry never
            // registers such an entry before its registered id is known: test/unit/dynamicClientIds.test.ts).
            if (c.clientRegistration === 'dynamic')
              assert.ok(c.clientId === '' && !!c.issuer && c.clientAuthentication === 'none');
            else assert.ok(c.clientId.trim() === c.clientId && c.clientId.length > 0);
            for (const r of c.resources ?? []) assert.equal(serverUrlProblem(r), undefined, r);
            for (const u of [c.issuer, c.discoveryUrl, ...Object.values(c.endpoints)])
              if (u !== undefined) assert.equal(serverUrlProblem(u), undefined, u);
            assert.ok(c.issuer || c.discoveryUrl || (c.endpoints.authorization && c.endpoints.token));
            assert.ok(Object.keys(c.endpoints).every((k) => ENDPOINTS.includes(k)));
            assert.ok(['none', 'client_secret_basic', 'client_secret_post'].includes(c.clientAuthentication));
            assert.ok(['auto', 'loopback', 'uri-handler', 'device-code'].includes(c.flow));
            assert.ok(
              c.scopes === undefined || c.scopes.every((s) => typeof s === 'string' && s.length > 0 && !/\s/.test(s)),
            );
            for (const [k, v] of Object.entries(c.authorizationParameters)) {
              assert.ok(!RESERVED.includes(k), k);
              assert.equal(typeof v, 'string');
            }
            assert.ok(
              c.accountLabelClaim === undefined ||
                (typeof c.accountLabelClaim === 'string' && c.accountLabelClaim.length > 0),
            );
          }
        }),
        { numRuns: RUNS, ...seed },
      );
      count('settings fuzzed', RUNS);
      summary(`settings outcomes: ${providers} valid providers, ${problems} named problems`);
      assert.ok(providers > 0 && problems > 0);
    });
  });

  suite('log redaction', () => {
    const SECRET_NAMES = [
      'access_token',
      'refresh_token',
      'id_token',
      'code',
      'code_verifier',
      'client_secret',
      'device_code',
      'assertion',
      'password',
      'token',
    ];
    /** RFC 6750 b64token / RFC 6749 VSCHAR values as they appear in URLs and forms (length ≥ 8: real tokens are longer). */
    const b64token = fc
      .tuple(
        fc.string({
          unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/'),
          minLength: 8,
          maxLength: 80,
        }),
        fc.constantFrom('', '=', '=='),
      )
      .map(([a, b]) => a + b);
    const formValue = fc.string({
      unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/=%!*()$,;:@'),
      minLength: 8,
      maxLength: 80,
    });
    const b64url = (min: number) =>
      fc.uint8Array({ minLength: min, maxLength: 64 }).map((b) => Buffer.from(b).toString('base64url'));
    const jwt = fc
      .tuple(
        fc.record(
          {
            alg: fc.constantFrom('RS256', 'ES256', 'PS256', 'EdDSA', 'none', 'HS256'),
            typ: fc.constantFrom('JWT', 'at+jwt', undefined),
            kid: fc.option(fc.string()),
          },
          { requiredKeys: ['alg'] },
        ),
        fc.dictionary(fc.string({ minLength: 1, maxLength: 10 }), fc.jsonValue({ maxDepth: 1 }), {
          minKeys: 1,
          maxKeys: 6,
        }),
        fc.oneof(b64url(16), fc.constant('')),
      )
      .map(
        ([h, p, sig]) =>
          `${Buffer.from(JSON.stringify(h)).toString('base64url')}.${Buffer.from(JSON.stringify(p)).toString('base64url')}.${sig}`,
      );
    /** Text around the secret: anything, ending/starting with a separator so the secret stands on its own. */
    const before = fc
      .tuple(
        fc.string({ maxLength: 30 }),
        fc.constantFrom('', ' ', '?', '&', '"', "'", '(', ',', ';', '\t', '\n', ': ', '=', '['),
      )
      .map(([t, sep]) => (sep === '' ? '' : t + sep));
    const after = fc
      .tuple(fc.constantFrom('', ' ', '&', '"', "'", '\n', '\t'), fc.string({ maxLength: 30 }))
      .map(([sep, t]) => (sep === '' ? '' : sep + t));
    const TEMPLATE = '[redacted] [redacted JWT]';
    const leaks = (out: string, secret: string) => out.includes(secret);

    test(`redact: ${RUNS} generated lines each for name=value, "Bearer"/"DPoP"/"Basic" and JWTs — the secret never survives`, () => {
      fc.assert(
        fc.property(
          before,
          fc.constantFrom(...SECRET_NAMES),
          fc.constantFrom('lower', 'upper', 'as-is'),
          formValue,
          after,
          (pre, name, casing, v, post) => {
            fc.pre(!TEMPLATE.includes(v) && !pre.includes(v) && !post.includes(v));
            const n = casing === 'upper' ? name.toUpperCase() : name;
            const line = `${pre}${n}=${v}${post}`;
            assert.ok(
              !leaks(redact(line), v),
              `leaked ${v} in ${JSON.stringify(line)} → ${JSON.stringify(redact(line))}`,
            );
          },
        ),
        { numRuns: RUNS, ...seed },
      );
      fc.assert(
        fc.property(
          before,
          fc.constantFrom('Bearer', 'bearer', 'BEARER', 'DPoP', 'Basic'),
          fc.constantFrom(' ', '  ', '\t'),
          b64token,
          after,
          (pre, scheme, space, v, post) => {
            fc.pre(!TEMPLATE.includes(v) && !pre.includes(v) && !post.includes(v) && !/^[=]/.test(v));
            const line = `${pre}${scheme}${space}${v}${post}`;
            assert.ok(
              !leaks(redact(line), v),
              `leaked ${v} in ${JSON.stringify(line)} → ${JSON.stringify(redact(line))}`,
            );
          },
        ),
        { numRuns: RUNS, ...seed },
      );
      fc.assert(
        fc.property(before, jwt, after, (pre, token, post) => {
          const line = `${pre}${token}${post}`;
          const out = redact(line);
          // Neither the whole token nor its signature or payload survive.
          const [, payload, sig] = token.split('.');
          assert.ok(
            !out.includes(token) && !out.includes(payload) && (sig.length < 8 || !out.includes(sig)),
            `leaked a JWT in ${JSON.stringify(line)} → ${JSON.stringify(out)}`,
          );
        }),
        { numRuns: RUNS, ...seed },
      );
      count('log lines redacted', 3 * RUNS);
    });

    test('redact: token values inside JSON bodies (defence in depth)', async function () {
      const line =
        '{"access_token":"2YotnFZFEjr1zCsicMWpAA","token_type":"Bearer","refresh_token":"tGzv3JOkF0XG5Qx2TlKWIA","client_secret":"s3cr3t-value-123"}';
      const out = redact(line);
      for (const secret of ['2YotnFZFEjr1zCsicMWpAA', 'tGzv3JOkF0XG5Qx2TlKWIA', 's3cr3t-value-123'])
        assert.ok(!out.includes(secret), `${secret} survives in ${out}`);
    });
  });
});
