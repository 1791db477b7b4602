/**
 * The pure parts client.ts is built from: the authorization request's parameters, the device authorization
 * response check and the ID token claim checks. Each is a function of its inputs and the clock, so each rule is
 * pinned here without a server; the end-to-end paths through them run against oidc-provider in client.test.ts.
 */
import * as assert from 'node:assert/strict';
import type * as oauth from 'oauth4webapi';
import type { ServerMetadata } from 'openid-client';
import { authorizationParameters, type AuthorizationRequest } from '../../../src/protocol/authorizationRequest';
import type { ProviderConfig } from '../../../src/protocol/config';
import { deviceAuthorizationFrom } from '../../../src/protocol/deviceAuthorization';
import { AuthError } from '../../../src/protocol/errors';
import { checkIssuedAt, checkSameIdentity } from '../../../src/protocol/idTokenChecks';

const entry = (authorizationParameters?: Record<string, string>) =>
  ({ id: 'p', issuer: 'https://idp.example', clientId: 'c', authorizationParameters }) as unknown as ProviderConfig;
const server = (prompts?: string[]) =>
  ({ issuer: 'https://idp.example', prompt_values_supported: prompts }) as ServerMetadata;
const request = (over: Partial<AuthorizationRequest> = {}): AuthorizationRequest => ({
  scopes: ['openid'],
  redirectUri: 'http://127.0.0.1:4000/callback',
  codeChallenge: 'challenge',
  state: 'state-1',
  ...over,
});

suite('protocol/authorizationRequest', () => {
  test('PKCE S256, state, redirect and scope are always sent, and win over the entry’s own parameters', () => {
    const params = authorizationParameters(
      entry({ state: 'planted', redirect_uri: 'https://evil.example/', code_challenge_method: 'plain', audience: 'a' }),
      server(),
      request(),
    );
    assert.equal(params.state, 'state-1');
    assert.equal(params.redirect_uri, 'http://127.0.0.1:4000/callback');
    assert.equal(params.code_challenge, 'challenge');
    assert.equal(params.code_challenge_method, 'S256');
    assert.equal(params.scope, 'openid');
    assert.equal(params.audience, 'a', 'other entry parameters pass through');
  });

  test('nonce and login_hint are sent when given; an entry’s own login_hint is kept', () => {
    assert.equal(authorizationParameters(entry(), server(), request({ nonce: 'n' })).nonce, 'n');
    assert.equal(authorizationParameters(entry(), server(), request()).nonce, undefined);
    assert.equal(authorizationParameters(entry(), server(), request({ loginHint: 'u@x' })).login_hint, 'u@x');
    assert.equal(
      authorizationParameters(entry({ login_hint: 'fixed' }), server(), request({ loginHint: 'u@x' })).login_hint,
      'fixed',
    );
  });

  test('select_account only when asked for, advertised by the server and no login_hint names an account', () => {
    const prompt = (prompts: string[] | undefined, over: Partial<AuthorizationRequest>) =>
      authorizationParameters(entry(), server(prompts), request(over)).prompt;
    assert.equal(prompt(['login', 'select_account'], { selectAccount: true }), 'select_account');
    assert.equal(prompt(['login'], { selectAccount: true }), undefined);
    assert.equal(prompt(undefined, { selectAccount: true }), undefined);
    assert.equal(prompt(['select_account'], {}), undefined);
    assert.equal(prompt(['select_account'], { selectAccount: true, loginHint: 'u@x' }), undefined);
  });

  test('offline_access asks for consent (OIDC Core §11); an entry’s own prompt is never overridden', () => {
    const scopes = ['openid', 'offline_access'];
    assert.equal(authorizationParameters(entry(), server(), request({ scopes })).prompt, 'consent');
    assert.equal(
      authorizationParameters(entry(), server(['select_account']), request({ scopes, selectAccount: true })).prompt,
      'select_account consent',
    );
    assert.equal(
      authorizationParameters(entry({ prompt: 'login' }), server(), request({ scopes, selectAccount: true })).prompt,
      'login',
    );
  });

  test('no scope parameter when no scope is asked for', () => {
    assert.equal('scope' in authorizationParameters(entry(), server(), request({ scopes: [] })), false);
  });
});

const deviceResponse = (over: Partial<oauth.DeviceAuthorizationResponse> = {}) =>
  ({
    device_code: 'dc',
    user_code: 'ABCD-EFGH',
    verification_uri: 'https://idp.example/device',
    expires_in: 600,
    ...over,
  }) as oauth.DeviceAuthorizationResponse;

suite('protocol/deviceAuthorization', () => {
  test('the user code, the page and the expiry come from the response and the clock', () => {
    const d = deviceAuthorizationFrom(deviceResponse(), ['openid'], 1_000);
    assert.equal(d.userCode, 'ABCD-EFGH');
    assert.equal(d.verificationUri, 'https://idp.example/device');
    assert.equal(d.expiresAt, 1_000 + 600_000);
    assert.deepEqual(d.scopes, ['openid']);
  });

  test('verification_uri_complete is kept only on the same origin as verification_uri', () => {
    const same = 'https://idp.example/device?user_code=ABCD-EFGH';
    assert.equal(
      deviceAuthorizationFrom(deviceResponse({ verification_uri_complete: same }), [], 0).verificationUriComplete,
      same,
    );
    const other = deviceAuthorizationFrom(
      deviceResponse({ verification_uri_complete: 'https://elsewhere.example/device?user_code=ABCD-EFGH' }),
      [],
      0,
    );
    assert.equal(other.verificationUriComplete, undefined);
  });

  for (const [name, over] of [
    ['verification_uri', { verification_uri: 'http://idp.example/device' }],
    ['verification_uri', { verification_uri: 'javascript:alert(1)' }],
    ['verification_uri_complete', { verification_uri_complete: 'https://idp.example/[x](command:y)' }],
  ] as const) {
    test(`a ${name} that is not a safe https URL is refused before it reaches the user (${Object.values(over)[0]})`, () => {
      assert.throws(
        () => deviceAuthorizationFrom(deviceResponse(over), [], 0),
        (e: unknown) => e instanceof AuthError && e.code === 'invalid_response' && e.message.includes(name),
      );
    });
  }
});

suite('protocol/idTokenChecks', () => {
  const now = Date.UTC(2026, 0, 1);
  test('iat up to five minutes ahead is clock skew; further ahead is refused', () => {
    checkIssuedAt({ iat: (now + 4 * 60_000) / 1000 } as never, now);
    checkIssuedAt({ iat: (now - 3_600_000) / 1000 } as never, now);
    checkIssuedAt(undefined, now);
    assert.throws(
      () => checkIssuedAt({ iat: (now + 6 * 60_000) / 1000 } as never, now),
      (e: unknown) => e instanceof AuthError && e.code === 'invalid_response' && /360 s in the future/.test(e.message),
    );
  });

  test('a refreshed ID token must name the same iss, sub and aud (OIDC Core §12.2)', () => {
    const before = { iss: 'https://idp.example', sub: 'u1', aud: ['c'] } as never;
    checkSameIdentity(before, { iss: 'https://idp.example', sub: 'u1', aud: ['c'] } as never);
    checkSameIdentity(before, undefined);
    checkSameIdentity(undefined, before);
    for (const after of [
      { iss: 'https://other.example', sub: 'u1', aud: ['c'] },
      { iss: 'https://idp.example', sub: 'u2', aud: ['c'] },
      { iss: 'https://idp.example', sub: 'u1', aud: ['c', 'd'] },
    ])
      assert.throws(
        () => checkSameIdentity(before, after as never),
        (e: unknown) => e instanceof AuthError && e.code === 'invalid_grant',
      );
  });
});
