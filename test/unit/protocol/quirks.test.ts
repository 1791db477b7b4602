import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseProvider, type ProviderConfig } from '../../../src/protocol/config';
import {
  fillTemplate,
  fillTemplates,
  presetDefaults,
  presetEntry,
  PRESET_ENTRIES,
  PRESET_IDS,
  type PresetEntry,
} from '../../../src/protocol/presets';
import { PRESETS } from '../../../src/vscode/wizard/presetGuide';
import { PRESET_QUIRKS, presetQuirks } from '../../../src/protocol/presetQuirks';
import { ProviderClient, type SignInResult } from '../../../src/protocol/client';
import type { BaseFetch, FetchInit } from '../../../src/protocol/http';
import {
  accountFromApi,
  combineQuirks,
  githubJsonAndErrors,
  githubRevocation,
  missingExpiresIn,
  quirk,
  type QuirkFetch,
} from '../../../src/protocol/quirks';
import { IdpFixture, oidcMetadata, type RecordedRequest, type TokenReply } from '../../support/idpFixture';
import { rejectsWithAuthError } from '../../support/assertions';

const REDIRECT = 'http://127.0.0.1:9/callback';
const SECRET = 'shh-client-secret';

function parsed(entry: Record<string, unknown>): ProviderConfig {
  const r = parseProvider(entry);
  if ('problem' in r) assert.fail(`${r.problem.field} ${r.problem.message}`);
  return r.config;
}

/** A client as the provider registry builds it: the entry's preset's quirks injected. */
function clientFor(config: ProviderConfig, fetchImpl: BaseFetch, secret?: string): ProviderClient {
  return new ProviderClient(config, {
    fetch: fetchImpl,
    getClientSecret: async () => secret,
    quirks: presetQuirks(config),
  });
}

async function signIn(
  fx: IdpFixture,
  c: ProviderClient,
  fetchImpl: BaseFetch,
  scopes: string[] = [],
): Promise<SignInResult & { authorizeUrl: URL }> {
  const pending = await c.beginAuthorization({ requestedScopes: scopes, redirectUri: REDIRECT });
  const result = await c.completeAuthorization(pending, await fx.authorize(pending.url, fetchImpl));
  return { ...result, authorizeUrl: new URL(pending.url) };
}

const rejects = rejectsWithAuthError;

/** A `next` fetch answering with a fixed response and recording the request it got. */
function fixed(
  status: number,
  body: string,
  contentType: string,
): { fetch: QuirkFetch; seen: Array<{ url: string; init: FetchInit }> } {
  const seen: Array<{ url: string; init: FetchInit }> = [];
  return {
    seen,
    fetch: async (url, init) => {
      seen.push({ url, init });
      return new Response(body, { status, headers: { 'content-type': contentType } });
    },
  };
}
const POST: FetchInit = {
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: 'grant_type=x',
};

/** GitHub's token endpoint as documented: form-encoded unless Accept JSON, errors with HTTP 200, comma scopes. */
function githubToken(reply: TokenReply, req: RecordedRequest): TokenReply {
  let body = reply.body as Record<string, unknown>;
  if (reply.status === 200 && (reply.body as Record<string, unknown>).device_code) {
    body = reply.body as Record<string, unknown>;
  } else if (reply.status !== 200 && (reply.body as Record<string, unknown>).error === 'authorization_pending') {
    body = { error: 'authorization_pending', error_description: 'The authorization request is still pending.' };
  } else if (reply.status !== 200) {
    const error =
      body.error === 'invalid_grant'
        ? 'bad_verification_code'
        : body.error === 'invalid_client'
          ? 'incorrect_client_credentials'
          : body.error;
    body = {
      error,
      error_description: 'The code passed is incorrect or expired.',
      error_uri: 'https://docs.github.com/apps/troubleshooting',
    };
  } else {
    body = {
      access_token: body.access_token,
      token_type: 'bearer',
      scope: String(body.scope).split(' ').concat('gist').join(','),
    };
  }
  if (String(req.headers.accept ?? '').includes('application/json')) return { status: 200, body };
  return {
    status: 200,
    body: new URLSearchParams(body as Record<string, string>).toString(),
    contentType: 'application/x-www-form-urlencoded; charset=utf-8',
  };
}

type Routes = Record<string, (req: RecordedRequest) => TokenReply>;
function githubApi(fx: IdpFixture, clientId: string): Routes {
  const api: Routes = {
    'GET /user': (req: RecordedRequest): TokenReply => {
      const token = /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ''))?.[1];
      return token && fx.accessTokens.has(token)
        ? { status: 200, body: { id: 583231, login: 'octocat', name: 'The Octocat', email: 'octocat@github.example' } }
        : { status: 401, body: { message: 'Bad credentials' } };
    },
    [`DELETE /applications/${clientId}/token`]: (req: RecordedRequest): TokenReply => {
      const basic = /^Basic (.+)$/.exec(String(req.headers.authorization ?? ''))?.[1];
      if (Buffer.from(basic ?? '', 'base64').toString() !== `${clientId}:${SECRET}`)
        return { status: 401, body: { message: 'Requires authentication' } };
      const token = (JSON.parse(req.body) as { access_token?: string }).access_token ?? '';
      return fx.accessTokens.delete(token)
        ? { status: 204, body: '' }
        : { status: 404, body: { message: 'Not Found' } };
    },
  };
  // GitHub Enterprise Server serves the same API under /api/v3.
  for (const [k, v] of Object.entries({ ...api })) api[k.replace(' /', ' /api/v3/')] = v;
  return api;
}

suite('protocol/quirks: middleware', () => {
  test('githubJsonAndErrors: asks for JSON and turns a form-encoded answer into JSON with space scopes and a token type', async () => {
    const next = fixed(
      200,
      'access_token=gho_abc&scope=repo%2Cgist',
      'application/x-www-form-urlencoded; charset=utf-8',
    );
    const res = await githubJsonAndErrors(next.fetch)('https://github.com/login/oauth/access_token', POST);
    assert.equal(next.seen[0].init.headers?.accept, 'application/json');
    assert.equal(
      next.seen[0].init.headers?.['content-type'],
      'application/x-www-form-urlencoded',
      'other headers kept',
    );
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type')!, /^application\/json/);
    assert.deepEqual(await res.json(), { access_token: 'gho_abc', scope: 'repo gist', token_type: 'bearer' });
  });

  test('githubJsonAndErrors: HTTP 200 {"error"} becomes HTTP 400 with the RFC 6749 error name, GitHub\'s kept in the description', async () => {
    const next = fixed(
      200,
      JSON.stringify({ error: 'bad_verification_code', error_description: 'The code passed is incorrect or expired.' }),
      'application/json',
    );
    const res = await githubJsonAndErrors(next.fetch)('https://github.com/login/oauth/access_token', POST);
    assert.equal(res.status, 400);
    assert.deepEqual(await res.json(), {
      error: 'invalid_grant',
      error_description: 'bad_verification_code: The code passed is incorrect or expired.',
    });
    const pending = await githubJsonAndErrors(
      fixed(200, '{"error":"authorization_pending"}', 'application/json').fetch,
    )('https://github.com/login/oauth/access_token', POST);
    assert.equal(pending.status, 400, 'device polling answers become RFC 8628 errors');
    assert.deepEqual(await pending.json(), { error: 'authorization_pending' });
  });

  test('GET requests (discovery, APIs) and non-JSON answers pass through untouched', async () => {
    const next = fixed(200, '{"error":"x","scope":"a,b"}', 'application/json');
    const res = await githubJsonAndErrors(next.fetch)('https://api.github.com/user', {
      method: 'GET',
      headers: { accept: 'application/vnd.github+json' },
    });
    assert.equal(next.seen[0].init.headers?.accept, 'application/vnd.github+json');
    assert.equal(res.status, 200);
    assert.equal(await res.text(), '{"error":"x","scope":"a,b"}');
    const html = await githubJsonAndErrors(fixed(502, '<h1>bad gateway</h1>', 'text/html').fetch)(
      'https://github.com/login/oauth/access_token',
      POST,
    );
    assert.equal(html.status, 502);
    assert.equal(await html.text(), '<h1>bad gateway</h1>');
  });

  test('missingExpiresIn: the documented lifetime when given, else left out; a present expires_in is kept', async () => {
    const body = JSON.stringify({ access_token: 'a', token_type: 'Bearer', created_at: 1700000000 });
    assert.equal(
      (await (await missingExpiresIn(7200)(fixed(200, body, 'application/json').fetch)('u', POST)).json()).expires_in,
      7200,
    );
    assert.equal(
      (await (await missingExpiresIn()(fixed(200, body, 'application/json').fetch)('u', POST)).json()).expires_in,
      undefined,
    );
    const present = JSON.stringify({ access_token: 'a', token_type: 'Bearer', expires_in: 60 });
    assert.equal(
      (await (await missingExpiresIn(7200)(fixed(200, present, 'application/json').fetch)('u', POST)).json())
        .expires_in,
      60,
    );
  });

  test('presets list typed quirks; a provider without a preset (or a preset without quirks) has none', () => {
    assert.deepEqual(presetQuirks({ preset: 'github' }), [
      quirk.githubJson,
      quirk.githubAccount,
      quirk.githubRevocation,
      quirk.publicDeviceFlow,
    ]);
    for (const id of Object.keys(PRESET_QUIRKS))
      assert.ok(presetEntry(id), `quirks listed for "${id}", which is not a preset`);
    assert.deepEqual(
      presetQuirks(parsed({ id: 'x', label: 'X', clientId: 'c', issuer: 'https://sso.example.com' })),
      [],
    );
    assert.deepEqual(presetQuirks(parsed({ id: 'k', label: 'K', clientId: 'c', preset: 'google' })), []);
    assert.deepEqual(
      presetQuirks({ preset: 'no-longer-a-preset' }),
      [],
      'a stored binding naming a removed preset gets none',
    );
    const plain = combineQuirks([]);
    assert.deepEqual(plain.names, []);
    assert.equal(plain.account, undefined);
    assert.equal(plain.revoke, undefined);
    assert.equal(plain.publicDeviceFlow, false);
  });

  test('combineQuirks: each quirk contributes its one member; names say what applies', () => {
    const github = combineQuirks(presetQuirks({ preset: 'github' }));
    assert.deepEqual(github.names, ['githubJson', 'githubAccount', 'githubRevocation', 'publicDeviceFlow']);
    assert.equal(github.account, accountFromApi);
    assert.equal(github.revoke, githubRevocation);
    assert.equal(github.publicDeviceFlow, true);
    assert.deepEqual(combineQuirks(presetQuirks({ preset: 'gitlab' })).names, ['missingExpiresIn(7200)']);
  });

  test('combineQuirks: fetch quirks compose in list order, the first outermost', async () => {
    const seen: string[] = [];
    const tag = (name: string) => ({
      name,
      fetch:
        (next: QuirkFetch): QuirkFetch =>
        async (url, init) => {
          seen.push(`${name}>`);
          const r = await next(url, init);
          seen.push(`<${name}`);
          return r;
        },
    });
    await combineQuirks([tag('a'), quirk.publicDeviceFlow, tag('b')]).wrapFetch(
      fixed(200, '{}', 'application/json').fetch,
    )('u', POST);
    assert.deepEqual(seen, ['a>', 'b>', '<b', '<a']);
  });

  test('quirk.missingExpiresIn(n) fills the lifetime it was given', async () => {
    const body = JSON.stringify({ access_token: 'a', token_type: 'Bearer' });
    const res = await combineQuirks([quirk.missingExpiresIn(28800)]).wrapFetch(
      fixed(200, body, 'application/json').fetch,
    )('u', POST);
    assert.equal((await res.json()).expires_in, 28800);
  });
});

suite('protocol/quirks: the "preset" setting', () => {
  test('an unknown preset is a named validation error', () => {
    const r = parseProvider({ id: 'x', label: 'X', clientId: 'c', preset: 'githab' });
    assert.ok('problem' in r);
    assert.equal(r.problem.field, 'preset');
    assert.match(r.problem.message, /not a known preset \(known: .*github.*\)/);
    const wrongType = parseProvider({ id: 'x', label: 'X', clientId: 'c', preset: 3 });
    assert.ok('problem' in wrongType && wrongType.problem.field === 'preset');
  });

  test('"preset": "github" alone gives github.com endpoints, read:user, client_secret_post', () => {
    const c = parsed({ id: 'gh', label: 'GitHub', clientId: 'Ov23li', preset: 'github' });
    assert.equal(c.preset, 'github');
    assert.equal(c.issuer, undefined);
    assert.deepEqual(c.endpoints, {
      authorization: 'https://github.com/login/oauth/authorize',
      token: 'https://github.com/login/oauth/access_token',
      deviceAuthorization: 'https://github.com/login/device/code',
    });
    assert.deepEqual(c.scopes, ['read:user']);
    assert.equal(c.clientAuthentication, 'client_secret_post');
  });

  test('keys the entry sets win as a whole (GitHub Enterprise endpoints, scopes)', () => {
    const c = parsed({
      id: 'ghe',
      label: 'GHE',
      clientId: 'c',
      preset: 'github',
      scopes: ['repo'],
      endpoints: {
        authorization: 'https://ghe.example.com/login/oauth/authorize',
        token: 'https://ghe.example.com/login/oauth/access_token',
      },
    });
    assert.deepEqual(c.endpoints, {
      authorization: 'https://ghe.example.com/login/oauth/authorize',
      token: 'https://ghe.example.com/login/oauth/access_token',
    });
    assert.deepEqual(c.scopes, ['repo']);
    assert.equal(c.clientAuthentication, 'client_secret_post');
  });

  test('presets with a fixed issuer default it; presets needing an answer require it', () => {
    assert.equal(
      parsed({ id: 'g', label: 'G', clientId: 'c', preset: 'google' }).issuer,
      'https://accounts.google.com',
    );
    assert.equal(parsed({ id: 'gl', label: 'GL', clientId: 'c', preset: 'gitlab' }).issuer, 'https://gitlab.com');
    const kc = parseProvider({ id: 'kc', label: 'KC', clientId: 'c', preset: 'keycloak' });
    assert.ok('problem' in kc && kc.problem.field === 'issuer');
  });

  test('package.json and the API typings offer exactly the preset ids', () => {
    const pkg = JSON.parse(readFileSync(path.join(__dirname, '../../../../package.json'), 'utf8'));
    const schema = pkg.contributes.configuration.properties['oauthAccounts.providers'].items.properties.preset;
    assert.deepEqual([...schema.enum].sort(), PRESETS.map((p) => p.id).sort());
    const dts = readFileSync(path.join(__dirname, '../../../../api/oauth-accounts.d.ts'), 'utf8');
    const union = /preset\?: ([^;]+);/
      .exec(dts)?.[1]
      .split('|')
      .map((s) => s.trim().replace(/'/g, ''));
    assert.deepEqual(union?.sort(), PRESETS.map((p) => p.id).sort(), 'the published API typings list the same presets');
  });

  test("the wizard asks exactly what each preset's templates need, and every default answers a question", () => {
    assert.deepEqual(
      PRESETS.map((p) => p.id),
      PRESET_IDS,
      'one guide per preset, in the same order',
    );
    for (const preset of PRESETS) {
      const data: PresetEntry = PRESET_ENTRIES[preset.id];
      const placeholders = new Set(
        [...JSON.stringify([data.issuer ?? '', data.entry]).matchAll(/\{(\w+)\}/g)].map((m) => m[1]),
      );
      const asked = preset.questions.map((q) => q.key);
      // Auth0's audience is asked but not a template: the wizard turns it into an authorization parameter.
      assert.deepEqual([...placeholders].sort(), asked.filter((k) => k !== 'audience').sort(), preset.id);
      for (const key of Object.keys(data.defaults ?? {}))
        assert.ok(asked.includes(key), `${preset.id}: default for "${key}", which is never asked`);
    }
  });

  const SAMPLE_ANSWERS: Record<string, string> = {
    base: 'https://idp.example.com',
    realm: 'main',
    domain: 'example.okta.com',
    server: 'default',
    tenant: '72f988bf-86f1-41af-91ab-2d7cd011db47',
    issuer: 'https://dex.example.com',
    audience: '',
  };
  for (const preset of PRESETS) {
    test(`preset ${preset.id} generates a valid entry`, () => {
      const answers: Record<string, string> = {};
      for (const q of preset.questions) answers[q.key] = q.defaultValue ?? SAMPLE_ANSWERS[q.key] ?? 'x';
      const entry: Record<string, unknown> = {
        id: `p-${preset.id}`,
        label: preset.label,
        clientId: 'client',
        preset: preset.id,
        ...(fillTemplates(preset.entry, answers) as object),
      };
      if (preset.issuer) entry.issuer = fillTemplate(preset.issuer, answers);
      const c = parsed(entry);
      assert.equal(c.preset, preset.id);
      assert.ok(c.issuer || (c.endpoints.authorization && c.endpoints.token));
      assert.ok(presetDefaults(preset));
    });
  }
});

suite('protocol/quirks: code exchange against IdP-shaped fixtures', () => {
  let fx: IdpFixture;
  suiteSetup(async () => {
    fx = await IdpFixture.start();
  });
  suiteTeardown(async () => {
    await fx?.close();
  });

  suite('GitHub', () => {
    const CLIENT = 'Ov23liGitHubApp';
    const configure = (issuer = 'https://github.com') =>
      fx.configure({
        issuer,
        clientId: CLIENT,
        clientSecret: SECRET,
        shapeToken: githubToken,
        routes: githubApi(fx, CLIENT),
      });

    test('github.com: sign-in with comma scopes and no ID token, account from /user, revocation via DELETE', async () => {
      configure();
      const route = fx.routingFetch(['github.com', 'api.github.com']);
      const c = clientFor(parsed({ id: 'gh', label: 'GitHub', clientId: CLIENT, preset: 'github' }), route, SECRET);
      const r = await signIn(fx, c, route);

      assert.equal(`${r.authorizeUrl.origin}${r.authorizeUrl.pathname}`, 'https://github.com/login/oauth/authorize');
      assert.equal(r.authorizeUrl.searchParams.get('scope'), 'read:user');
      assert.equal(r.authorizeUrl.searchParams.get('code_challenge_method'), 'S256');
      assert.equal(r.authorizeUrl.searchParams.get('nonce'), null);
      const [token] = fx.to('/login/oauth/access_token');
      assert.match(String(token.headers.accept), /application\/json/);
      assert.equal(new URLSearchParams(token.body).get('client_secret'), SECRET, 'client_secret_post');

      assert.ok(r.tokens.accessToken.startsWith('at-'));
      assert.equal(r.tokens.tokenType, 'bearer');
      assert.deepEqual(r.tokens.grantedScopes, ['read:user', 'gist'], 'comma-separated scope split');
      assert.equal(r.tokens.idToken, undefined);
      assert.equal(r.tokens.refreshToken, undefined);
      assert.equal(r.tokens.expiresAt, undefined, 'OAuth app tokens do not expire');
      assert.deepEqual(r.account, { id: 'https://github.com#583231', label: 'octocat' });
      const [user] = fx.to('/user');
      assert.equal(user.headers.authorization, `Bearer ${r.tokens.accessToken}`);

      assert.equal(
        await c.revoke(r.tokens.accessToken, 'refresh_token'),
        false,
        'no refresh-token-only revocation at GitHub',
      );
      assert.equal(await c.revoke(r.tokens.accessToken, 'access_token'), true);
      const [del] = fx.to(`/applications/${CLIENT}/token`);
      assert.equal(del.method, 'DELETE');
      assert.deepEqual(JSON.parse(del.body), { access_token: r.tokens.accessToken });
      assert.ok(!fx.accessTokens.has(r.tokens.accessToken), 'the token is gone at the server');
      await rejects(c.account(r.tokens), 'server_rejected', /HTTP 401/);
    });

    test('a replayed code: HTTP 200 {"error":"bad_verification_code"} becomes invalid_grant with GitHub\'s words', async () => {
      configure();
      const route = fx.routingFetch(['github.com', 'api.github.com']);
      const c = clientFor(parsed({ id: 'gh', label: 'GitHub', clientId: CLIENT, preset: 'github' }), route, SECRET);
      const pending = await c.beginAuthorization({ requestedScopes: [], redirectUri: REDIRECT });
      const cb = await fx.authorize(pending.url, route);
      await c.completeAuthorization(pending, cb);
      await rejects(c.completeAuthorization(pending, cb), 'invalid_grant', /bad_verification_code/);
      const wrongSecret = clientFor(
        parsed({ id: 'gh', label: 'GitHub', clientId: CLIENT, preset: 'github' }),
        route,
        'wrong',
      );
      const p2 = await wrongSecret.beginAuthorization({ requestedScopes: [], redirectUri: REDIRECT });
      await rejects(
        wrongSecret.completeAuthorization(p2, await fx.authorize(p2.url, route)),
        'server_rejected',
        /invalid_client.*incorrect_client_credentials/,
      );
    });

    test('without the preset the same server fails validation (the quirks are what make it work)', async () => {
      configure();
      const route = fx.routingFetch(['github.com', 'api.github.com']);
      const c = clientFor(
        parsed({
          id: 'gh',
          label: 'GitHub',
          clientId: CLIENT,
          clientAuthentication: 'client_secret_post',
          scopes: ['read:user'],
          endpoints: {
            authorization: 'https://github.com/login/oauth/authorize',
            token: 'https://github.com/login/oauth/access_token',
          },
        }),
        route,
        SECRET,
      );
      const pending = await c.beginAuthorization({ requestedScopes: [], redirectUri: REDIRECT });
      const cb = await fx.authorize(pending.url, route);
      await c.completeAuthorization(pending, cb);
      await rejects(c.completeAuthorization(pending, cb), 'invalid_response');
    });

    test('device flow: device code from /login/device/code, HTTP 200 authorization_pending while polling, then the account — no client secret needed or sent', async function () {
      this.timeout(15_000);
      // GitHub's device flow is public: the client id alone (no secret stored; the fixture would accept none).
      fx.configure({
        issuer: 'https://github.com',
        clientId: CLIENT,
        shapeToken: githubToken,
        routes: githubApi(fx, CLIENT),
        devicePendingPolls: 1,
      });
      const route = fx.routingFetch(['github.com', 'api.github.com']);
      const c = clientFor(
        parsed({ id: 'gh', label: 'GitHub', clientId: CLIENT, preset: 'github', flow: 'device-code' }),
        route,
        undefined,
      );
      const handle = await c.startDeviceAuthorization([]);
      assert.equal(handle.userCode, 'WDJB-MJHT');
      assert.equal(handle.verificationUri, 'https://github.com/login/device');
      assert.equal(new URLSearchParams(fx.to('/login/device/code')[0].body).get('scope'), 'read:user');
      const r = await c.pollDeviceAuthorization(handle);
      assert.equal(fx.to('/login/oauth/access_token').length, 2, 'one pending answer, then tokens');
      assert.deepEqual(r.account, { id: 'https://github.com#583231', label: 'octocat' });
      assert.deepEqual(r.tokens.grantedScopes, ['read:user', 'gist']);
      for (const req of [...fx.to('/login/device/code'), ...fx.to('/login/oauth/access_token')]) {
        assert.equal(new URLSearchParams(req.body).get('client_id'), CLIENT);
        assert.ok(
          !new URLSearchParams(req.body).has('client_secret') && !req.headers.authorization,
          'a client secret was sent',
        );
      }
    });

    test('GitHub Enterprise Server: endpoints at the host, API at {host}/api/v3', async () => {
      configure(fx.origin);
      const c = clientFor(
        parsed({
          id: 'ghe',
          label: 'GHE',
          clientId: CLIENT,
          preset: 'github',
          endpoints: {
            authorization: `${fx.origin}/login/oauth/authorize`,
            token: `${fx.origin}/login/oauth/access_token`,
          },
        }),
        (u, i) => fetch(u, i as RequestInit),
        SECRET,
      );
      const r = await signIn(fx, c, (u, i) => fetch(u, i as RequestInit));
      assert.deepEqual(r.account, { id: `${fx.origin}#583231`, label: 'octocat' });
      assert.equal(fx.to('/api/v3/user').length, 1);
      assert.equal(await c.revoke(r.tokens.accessToken, 'access_token'), true);
      assert.equal(fx.to(`/api/v3/applications/${CLIENT}/token`)[0].method, 'DELETE');
      assert.equal(
        await c.revoke(r.tokens.accessToken, 'access_token'),
        true,
        'an already revoked token (404) counts as revoked',
      );
    });

    test('revocation without a stored secret says which command to run', async () => {
      configure();
      const route = fx.routingFetch(['github.com', 'api.github.com']);
      const c = clientFor(parsed({ id: 'gh', label: 'GitHub', clientId: CLIENT, preset: 'github' }), route, undefined);
      await rejects(c.revoke('gho_x', 'access_token'), 'config', /Set Client Secret/);
    });
  });

  suite('Google', () => {
    const CLIENT = '1234-abc.apps.googleusercontent.com';
    const HOSTS = [
      'accounts.google.com',
      'oauth2.googleapis.com',
      'openidconnect.googleapis.com',
      'www.googleapis.com',
    ];
    const configure = (iss?: string) =>
      fx.configure({
        issuer: 'https://accounts.google.com',
        clientId: CLIENT,
        clientSecret: SECRET,
        refresh: 'reuse',
        metadata: {
          ...oidcMetadata('https://accounts.google.com'),
          token_endpoint: 'https://oauth2.googleapis.com/token',
          userinfo_endpoint: 'https://openidconnect.googleapis.com/v1/userinfo',
          revocation_endpoint: 'https://oauth2.googleapis.com/revoke',
          jwks_uri: 'https://www.googleapis.com/oauth2/v3/jwks',
          scopes_supported: ['openid', 'email', 'profile'],
        },
        idClaims: { email: 'alice@gmail.example', email_verified: true, azp: CLIENT, ...(iss ? { iss } : {}) },
      });

    test('offline access parameters, desktop client secret, ID token, refresh token kept on refresh', async () => {
      configure();
      const route = fx.routingFetch(HOSTS);
      const c = clientFor(parsed({ id: 'google', label: 'Google', clientId: CLIENT, preset: 'google' }), route, SECRET);
      const r = await signIn(fx, c, route);
      const q = r.authorizeUrl.searchParams;
      assert.equal(q.get('access_type'), 'offline');
      assert.equal(q.get('prompt'), 'consent');
      assert.deepEqual(q.get('scope')!.split(' ').sort(), ['email', 'openid', 'profile']);
      assert.equal(new URLSearchParams(fx.to('/token')[0].body).get('client_secret'), SECRET);
      assert.equal(r.tokens.idClaims?.iss, 'https://accounts.google.com');
      assert.deepEqual(r.account, { id: 'https://accounts.google.com#user-1', label: 'alice@gmail.example' });
      assert.ok(r.tokens.refreshToken);
      const refreshed = await c.refresh(r.tokens);
      assert.equal(refreshed.refreshToken, r.tokens.refreshToken, 'Google does not rotate refresh tokens');
      assert.equal(await c.revoke(refreshed.refreshToken!, 'refresh_token'), true);
    });

    test('an ID token with the scheme-less issuer "accounts.google.com" is rejected (Google issues the https one)', async () => {
      configure('accounts.google.com');
      const route = fx.routingFetch(HOSTS);
      const c = clientFor(parsed({ id: 'google', label: 'Google', clientId: CLIENT, preset: 'google' }), route, SECRET);
      const pending = await c.beginAuthorization({ requestedScopes: [], redirectUri: REDIRECT });
      await rejects(
        c.completeAuthorization(pending, await fx.authorize(pending.url, route)),
        'invalid_response',
        /iss/,
      );
    });
  });

  test('Entra ID: tenant issuer, offline_access, rotating refresh, no revocation endpoint', async () => {
    const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
    const issuer = `https://login.microsoftonline.com/${TENANT}/v2.0`;
    const CLIENT = '00000000-1111-2222-3333-444444444444';
    const base = `https://login.microsoftonline.com/${TENANT}/oauth2/v2.0`;
    const meta = oidcMetadata(
      issuer,
      {
        revocation_endpoint: undefined,
        userinfo_endpoint: 'https://graph.microsoft.com/oidc/userinfo',
        jwks_uri: `https://login.microsoftonline.com/${TENANT}/discovery/v2.0/jwks`,
      },
      base,
    );
    fx.configure({
      issuer,
      metadata: meta,
      clientId: CLIENT,
      refresh: 'rotate',
      idClaims: { tid: TENANT, preferred_username: 'alice@contoso.example' },
    });
    const route = fx.routingFetch(['login.microsoftonline.com', 'graph.microsoft.com']);
    const c = clientFor(parsed({ id: 'entra', label: 'Contoso', clientId: CLIENT, preset: 'entra', issuer }), route);
    const r = await signIn(fx, c, route);
    assert.ok(r.authorizeUrl.searchParams.get('scope')!.split(' ').includes('offline_access'));
    assert.equal(r.authorizeUrl.searchParams.get('prompt'), 'consent');
    assert.deepEqual(r.account, { id: `${issuer}#user-1`, label: 'alice@contoso.example' });
    assert.equal(r.tokens.idClaims?.tid, TENANT);
    const refreshed = await c.refresh(r.tokens);
    assert.notEqual(refreshed.refreshToken, r.tokens.refreshToken);
    await rejects(c.refresh(r.tokens), 'invalid_grant');
    assert.equal(await c.revoke(refreshed.refreshToken!, 'refresh_token'), false, 'Entra has no RFC 7009 endpoint');
  });

  test('Auth0: trailing-slash issuer matched exactly; audience reaches the authorization URL', async () => {
    const issuer = 'https://example.eu.auth0.com/';
    const CLIENT = 'auth0NativeClient';
    fx.configure({
      issuer,
      metadata: oidcMetadata(issuer, { revocation_endpoint: 'https://example.eu.auth0.com/oauth/revoke' }),
      clientId: CLIENT,
      refresh: 'rotate',
      idClaims: { nickname: 'alice', name: 'alice@example.com' },
    });
    const route = fx.routingFetch(['example.eu.auth0.com']);
    const config = parsed({
      id: 'auth0',
      label: 'Auth0',
      clientId: CLIENT,
      preset: 'auth0',
      issuer,
      authorizationParameters: { audience: 'https://api.example.com' },
    });
    assert.equal(config.flow, 'uri-handler', 'the preset default');
    const c = clientFor(config, route);
    const r = await signIn(fx, c, route);
    assert.equal(r.authorizeUrl.searchParams.get('audience'), 'https://api.example.com');
    assert.equal(r.tokens.idClaims?.iss, issuer);
    assert.equal(r.account.id, `${issuer}#user-1`);
    assert.equal(r.account.label, 'alice@example.com');
    assert.notEqual((await c.refresh(r.tokens)).refreshToken, r.tokens.refreshToken);
  });

  for (const [preset, issuerPath] of [
    ['keycloak', '/realms/main'],
    ['okta', '/oauth2/default'],
    ['dex', '/dex'],
  ] as const) {
    test(`${preset}: standard OpenID sign-in and refresh-token rotation`, async () => {
      const issuer = `${fx.origin}${issuerPath}`;
      fx.configure({
        issuer,
        metadata: oidcMetadata(issuer),
        clientId: `${preset}-client`,
        refresh: 'rotate',
        issParameter: true,
        idClaims: { preferred_username: 'alice' },
      });
      const direct: BaseFetch = (u, i) => fetch(u, i as RequestInit);
      const c = clientFor(parsed({ id: preset, label: preset, clientId: `${preset}-client`, preset, issuer }), direct);
      const r = await signIn(fx, c, direct);
      assert.deepEqual(r.account, { id: `${issuer}#user-1`, label: 'alice' });
      assert.ok(r.tokens.expiresAt! > Date.now() + 3500_000);
      const second = await c.refresh(r.tokens);
      assert.notEqual(second.refreshToken, r.tokens.refreshToken);
      assert.equal(second.idClaims?.sub, 'user-1');
      await rejects(c.refresh(r.tokens), 'invalid_grant');
      assert.equal(await c.revoke(second.refreshToken!, 'refresh_token'), true);
      await rejects(c.refresh(second), 'invalid_grant');
    });
  }

  suite('GitLab', () => {
    const CLIENT = 'gitlab-app-id';
    /** GitLab before 15.x: no expires_in, plus created_at. */
    const gitlabToken = (reply: TokenReply): TokenReply => {
      if (reply.status !== 200) return reply;
      const { expires_in: _drop, ...rest } = reply.body as Record<string, unknown>;
      return { status: 200, body: { ...rest, created_at: Math.floor(Date.now() / 1000) } };
    };
    const setup = () => {
      const issuer = fx.origin;
      fx.configure({
        issuer,
        metadata: oidcMetadata(
          issuer,
          { scopes_supported: ['openid', 'profile', 'email', 'read_user', 'api'] },
          `${issuer}/oauth`,
        ),
        clientId: CLIENT,
        refresh: 'rotate',
        shapeToken: gitlabToken,
        idClaims: { nickname: 'alice' },
        userinfo: { nickname: 'alice', preferred_username: 'alice' },
      });
      return issuer;
    };

    test("a token response without expires_in gets GitLab's documented 2-hour lifetime; refresh rotates", async () => {
      const issuer = setup();
      const direct: BaseFetch = (u, i) => fetch(u, i as RequestInit);
      const c = clientFor(
        parsed({ id: 'gitlab', label: 'GitLab', clientId: CLIENT, preset: 'gitlab', issuer }),
        direct,
      );
      const before = Date.now();
      const r = await signIn(fx, c, direct);
      assert.deepEqual(r.authorizeUrl.searchParams.get('scope')!.split(' ').sort(), [
        'email',
        'openid',
        'profile',
        'read_user',
      ]);
      assert.ok(r.tokens.expiresAt! >= before + 7200_000 && r.tokens.expiresAt! <= Date.now() + 7200_000);
      assert.deepEqual(r.account, { id: `${issuer}#user-1`, label: 'alice' });
      const refreshed = await c.refresh(r.tokens);
      assert.ok(refreshed.expiresAt! >= before + 7200_000);
      assert.notEqual(refreshed.refreshToken, r.tokens.refreshToken);
    });

    test('the same server without the preset: expiry unknown (the token is used until refused)', async () => {
      const issuer = setup();
      const direct: BaseFetch = (u, i) => fetch(u, i as RequestInit);
      const c = clientFor(
        parsed({ id: 'gitlab', label: 'GitLab', clientId: CLIENT, issuer, scopes: ['openid', 'read_user'] }),
        direct,
      );
      const r = await signIn(fx, c, direct);
      assert.equal(r.tokens.expiresAt, undefined);
    });
  });
});
