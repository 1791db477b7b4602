/**
 * The https rule, URL by URL: plain http only for loopback hosts (127.0.0.0/8, localhost, [::1]), decided on what
 * WHATWG URL makes of the text (what the socket will connect to), for configured URLs, every endpoint in discovered
 * metadata and every request the fetch seam is asked to make. No real network: a fake base fetch records requests.
 */
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { ProviderClient } from '../../../src/protocol/client';
import type { ProviderConfig } from '../../../src/protocol/config';
import { AuthError } from '../../../src/protocol/errors';
import { createFetch, type BaseFetch, type FetchInit } from '../../../src/protocol/http';
import { accountFromApi } from '../../../src/protocol/quirks';
import { HTTP_LOOPBACK_RULE, isLoopbackHost, serverUrlProblem } from '../../../src/protocol/urls';
import { rejectsWithAuthError as rejects } from '../../support/assertions';

const ACCEPTED = [
  'https://idp.example.com/x',
  'https://10.0.0.1/',
  'http://127.0.0.1:8080/x',
  'http://127.255.255.254/',
  'http://localhost/',
  'http://LOCALHOST:1/',
  'http://[::1]:9/',
  'http://[0:0:0:0:0:0:0:1]/',
  // IPv4 shorthands WHATWG URL normalises to 127.0.0.1 (and the socket connects there too):
  'http://127.1/',
  'http://0x7f.1/',
  'http://2130706433/',
  'http://0177.0.0.1/',
  'http://127.0.0.1./',
];
const REFUSED = [
  'http://idp.example.invalid/token',
  'http://10.0.0.1/',
  'http://128.0.0.1/',
  'http://0.0.0.0/',
  'http://[::]/',
  'http://127.0.0.1.evil.com/',
  'http://127.0.0.1.nip.io/',
  'http://localhost./',
  'http://foo.localhost/',
  'http://[::ffff:127.0.0.1]/',
  'http://[::ffff:7f00:1]/',
  'http://126.255.255.255/',
];

suite('protocol: https rule per URL', () => {
  test('loopback hosts: 127.0.0.0/8, localhost and [::1] after URL normalisation; nothing that only looks like them', () => {
    for (const u of ACCEPTED) assert.equal(serverUrlProblem(u), undefined, u);
    for (const u of REFUSED) assert.equal(serverUrlProblem(u), `must use https:// (${HTTP_LOOPBACK_RULE})`, u);
    assert.match(serverUrlProblem('ftp://127.0.0.1/')!, /must be an https:\/\/ URL, not ftp:/);
    assert.equal(serverUrlProblem('not a url'), 'is not a valid URL');
    // Raw host strings (not from URL): octets are range-checked, case does not matter.
    assert.ok(isLoopbackHost('127.0.0.1') && isLoopbackHost('LocalHost') && isLoopbackHost('::1'));
    assert.ok(!isLoopbackHost('127.999.0.1') && !isLoopbackHost('127.0.0') && !isLoopbackHost('localhost.'));
    assert.equal(HTTP_LOOPBACK_RULE, 'http only for loopback addresses: 127.0.0.0/8, localhost, [::1]');
  });

  test('isLoopbackHost decides like the rule written as a pattern (127.d{1,3}.d{1,3}.d{1,3}, octets ≤ 255)', () => {
    const asPattern = (h: string) => {
      const m = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(h.toLowerCase());
      return (
        ['localhost', '[::1]', '::1'].includes(h.toLowerCase()) || (!!m && m.slice(1).every((o) => Number(o) <= 255))
      );
    };
    const part = fc.oneof(
      fc.constantFrom('127', '0', '00', '0127', '255', '256', '999', '1000', '', '1e2', '0x7f', ' 1', '٣'),
      fc.nat(300).map(String),
    );
    const host = fc.oneof(
      fc.array(part, { minLength: 3, maxLength: 4 }).map((p) => `127.${p.join('.')}`),
      fc.array(part, { minLength: 1, maxLength: 6 }).map((p) => p.join('.')),
      fc.constantFrom('localhost', 'LOCALHOST', '[::1]', '::1', 'localhost.', '127.0.0.1.', '127.0.0.1\n'),
      fc.string({ maxLength: 16 }),
    );
    fc.assert(
      fc.property(host, (h) => isLoopbackHost(h) === asPattern(h)),
      { numRuns: 3000 },
    );
  });

  suite('fetch seam', () => {
    function recording(): { base: BaseFetch; seen: Array<{ url: string; init: FetchInit }> } {
      const seen: Array<{ url: string; init: FetchInit }> = [];
      return {
        seen,
        base: async (url, init) => {
          seen.push({ url, init });
          return new Response('{}', { headers: { 'content-type': 'application/json' } });
        },
      };
    }

    test('a non-loopback http URL is refused before the base fetch sees it; the log line has no query', async () => {
      const { base, seen } = recording();
      const log: string[] = [];
      const f = createFetch(base, { log: (l) => log.push(l) });
      for (const u of REFUSED) {
        const e = await rejects(
          f(`${u}?refresh_token=SECRET`, { method: 'POST', body: 'refresh_token=SECRET' }),
          'config',
        );
        assert.ok(e.message.includes(HTTP_LOOPBACK_RULE), e.message);
        assert.ok(!e.message.includes('SECRET'));
      }
      assert.deepEqual(seen, [], 'nothing reached the network');
      assert.equal(log.length, REFUSED.length);
      assert.ok(
        log.every((l) => /refused/.test(l) && !l.includes('SECRET')),
        log.join('\n'),
      );
    });

    test('https and loopback http URLs go through, always with redirect: manual (a 3xx is never followed)', async () => {
      const { base, seen } = recording();
      const f = createFetch(base);
      for (const u of ACCEPTED) assert.equal((await f(u, {})).status, 200, u);
      assert.deepEqual(
        seen.map((s) => s.url),
        ACCEPTED,
      );
      assert.ok(seen.every((s) => s.init.redirect === 'manual'));
    });

    test("a quirk's own API call (GitHub /user) to a plain-http host is refused at the seam", async () => {
      const { base, seen } = recording();
      const config = {
        id: 'gh',
        label: 'GitHub',
        endpoints: {},
        clientId: 'c',
        clientAuthentication: 'none',
        authorizationParameters: {},
        flow: 'auto',
      } as ProviderConfig;
      const metadata = {
        issuer: 'https://github.com',
        token_endpoint: 'http://ghes.example.invalid/login/oauth/access_token',
      };
      const ctx = { config, metadata, fetch: createFetch(base), getClientSecret: async () => undefined };
      await assert.rejects(
        accountFromApi(ctx, { accessToken: 'AT' } as never),
        (e: unknown) => e instanceof AuthError && e.message.includes(HTTP_LOOPBACK_RULE),
      );
      assert.deepEqual(seen, []);
    });
  });

  suite('discovered metadata', () => {
    const ISSUER = 'http://127.0.0.5:8080';
    const good = {
      issuer: ISSUER,
      authorization_endpoint: `${ISSUER}/authorize`,
      token_endpoint: `${ISSUER}/token`,
      jwks_uri: `${ISSUER}/jwks`,
      response_types_supported: ['code'],
    };

    function server(metadata: Record<string, unknown>): { base: BaseFetch; seen: string[] } {
      const seen: string[] = [];
      const base: BaseFetch = async (url) => {
        seen.push(url);
        return url === `${ISSUER}/.well-known/openid-configuration`
          ? Response.json(metadata)
          : new Response('no', { status: 404 });
      };
      return { base, seen };
    }
    const config = (overrides: Partial<ProviderConfig> = {}): ProviderConfig => ({
      id: 'p',
      label: 'P',
      issuer: ISSUER,
      endpoints: {},
      clientId: 'c',
      clientAuthentication: 'none',
      authorizationParameters: {},
      flow: 'auto',
      ...overrides,
    });
    const clientWith = (base: BaseFetch, c = config()) =>
      new ProviderClient(c, { fetch: base, getClientSecret: async () => undefined });

    const FIELDS = [
      'authorization_endpoint',
      'token_endpoint',
      'userinfo_endpoint',
      'revocation_endpoint',
      'device_authorization_endpoint',
      'jwks_uri',
      'end_session_endpoint',
      'registration_endpoint',
      'pushed_authorization_request_endpoint',
      'introspection_endpoint',
    ];
    for (const field of FIELDS) {
      test(`a plain-http ${field} on another host fails discovery, naming the field and the URL`, async () => {
        const { base, seen } = server({ ...good, [field]: `http://idp.example.invalid/${field}?x=1` });
        const e = await rejects(clientWith(base).serverMetadata(), 'discovery');
        assert.ok(
          e.message.startsWith(
            `The server metadata's ${field} http://idp.example.invalid/${field} must use https:// (${HTTP_LOOPBACK_RULE})`,
          ),
          e.message,
        );
        assert.deepEqual(seen, [`${ISSUER}/.well-known/openid-configuration`], 'only the metadata was fetched');
      });
    }

    test('the message offers the endpoints override where one exists, and the override fixes it', async () => {
      const { base } = server({ ...good, revocation_endpoint: 'http://idp.example.invalid/revoke' });
      const e = await rejects(
        clientWith(base).serverMetadata(),
        'discovery',
        /Set "endpoints\.revocation" for provider "p"/,
      );
      assert.doesNotMatch(
        (
          await rejects(
            clientWith(server({ ...good, end_session_endpoint: 'http://x.invalid/' }).base).serverMetadata(),
            'discovery',
          )
        ).message,
        /endpoints\./,
      );
      assert.ok(e);
      const fixed = await clientWith(
        base,
        config({ endpoints: { revocation: 'https://idp.example.com/revoke' } }),
      ).serverMetadata();
      assert.equal(fixed.revocation_endpoint, 'https://idp.example.com/revoke');
    });

    test('mTLS aliases are endpoints too; a server-chosen path cannot become a link in the message', async () => {
      const { base } = server({
        ...good,
        mtls_endpoint_aliases: { token_endpoint: 'http://idp.example.invalid/[x](command:evil)' },
      });
      const e = await rejects(clientWith(base).serverMetadata(), 'discovery', /mtls_endpoint_aliases\.token_endpoint/);
      assert.ok(!e.message.includes('](') && e.message.includes('%5Bx%5D%28command:evil%29'), e.message);
    });

    test('https and loopback mixes are accepted: a loopback issuer with https and other-loopback endpoints', async () => {
      const { base } = server({
        ...good,
        token_endpoint: 'http://localhost:9000/token',
        userinfo_endpoint: 'https://api.example.com/me',
        revocation_endpoint: 'http://[::1]:9001/revoke',
        jwks_uri: 'http://127.1:8080/jwks',
        issuer_documentation: 'http://docs.example.com/',
      });
      const as = await clientWith(base).serverMetadata();
      assert.equal(as.token_endpoint, 'http://localhost:9000/token');
    });

    test('configured endpoints without discovery are checked the same way (settings validation bypassed)', async () => {
      const { base, seen } = server(good);
      const c = config({
        issuer: undefined,
        endpoints: { authorization: `${ISSUER}/authorize`, token: 'http://idp.example.invalid/token' },
      });
      await rejects(
        clientWith(base, c).serverMetadata(),
        'discovery',
        /token_endpoint http:\/\/idp\.example\.invalid\/token must use https/,
      );
      assert.deepEqual(seen, []);
    });
  });
});
