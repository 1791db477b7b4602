import * as assert from 'node:assert/strict';
import { accountFrom } from '../../../src/protocol/account';
import * as oauth from 'oauth4webapi';
import { AuthError, NetworkError } from '../../../src/protocol/errors';
import { toAuthError } from '../../../src/protocol/libraryErrors';
import { createFetch, describeUrl } from '../../../src/protocol/http';
import { defaultScopes, normalizeScopes, sameScopes, union } from '../../../src/protocol/scopes';
import { fromTokenResponse, refreshMargin } from '../../../src/protocol/tokens';
import { isLoopbackHost, serverUrlProblem } from '../../../src/protocol/urls';
import { redact } from '../../../src/vscode/redact';

suite('protocol basics', () => {
  test('scopes compare as sets and never mutate the caller', () => {
    const caller = Object.freeze(['b', 'a', 'a']) as readonly string[];
    assert.deepEqual(normalizeScopes(caller), ['a', 'b']);
    assert.ok(sameScopes(['b', 'a'], ['a', 'b', 'a']));
    assert.ok(!sameScopes(['a'], ['a', 'b']));
    assert.deepEqual(union(['x'], undefined, ['a', 'x']), ['a', 'x']);
    assert.deepEqual(defaultScopes(['openid', 'email', 'phone'], true), ['openid', 'email']);
    assert.deepEqual(defaultScopes(undefined, true), ['openid']);
    assert.deepEqual(defaultScopes(undefined, false), []);
  });

  test('account label: configured claim, then preferred_username, email, name, sub; id qualified by issuer', () => {
    const iss = 'https://idp.example';
    assert.deepEqual(accountFrom(iss, [{ sub: '1', email: 'a@x', preferred_username: 'ann' }], undefined, 'fb'), {
      id: `${iss}#1`,
      label: 'ann',
    });
    assert.equal(accountFrom(iss, [{ sub: '1', email: 'a@x', preferred_username: 'ann' }], 'email', 'fb').label, 'a@x');
    assert.equal(accountFrom(iss, [{ sub: '1' }, { sub: '1', name: 'Ann' }], undefined, 'fb').label, 'Ann');
    assert.equal(accountFrom(iss, [{ sub: '1' }], undefined, 'fb').label, '1');
    assert.deepEqual(accountFrom(iss, [undefined], undefined, 'Corp account'), {
      id: `${iss}#Corp account`,
      label: 'Corp account',
    });
    assert.notEqual(
      accountFrom('https://a', [{ sub: '1' }], undefined, '').id,
      accountFrom('https://b', [{ sub: '1' }], undefined, '').id,
    );
  });

  test('token expiry is absolute; refresh keeps the old refresh token when none is returned', () => {
    const t = fromTokenResponse(
      { access_token: 'a', token_type: 'Bearer', expires_in: 60, refresh_token: 'r1', scope: 'x y' },
      undefined,
      1000,
    );
    assert.equal(t.expiresAt, 61_000);
    assert.deepEqual(t.grantedScopes, ['x', 'y']);
    const t2 = fromTokenResponse({ access_token: 'b' }, undefined, 2000, t);
    assert.equal(t2.refreshToken, 'r1');
    assert.equal(t2.expiresAt, undefined);
    assert.equal(refreshMargin(3600_000), 300_000);
    assert.equal(refreshMargin(6000), 2000);
  });

  test('loopback hosts and https rule', () => {
    assert.ok(
      isLoopbackHost('127.0.0.1') &&
        isLoopbackHost('127.9.9.9') &&
        isLoopbackHost('localhost') &&
        isLoopbackHost('[::1]'),
    );
    assert.ok(!isLoopbackHost('127.0.0.1.nip.io') && !isLoopbackHost('10.0.0.1'));
    assert.equal(serverUrlProblem('https://x'), undefined);
    assert.match(serverUrlProblem('http://x.example')!, /https/);
  });

  test('errors: OAuth error bodies, 5xx and network map to codes', () => {
    // The libraries' own classes (more cases in errors.test.ts): mapping is by class and code, never by name.
    const bodyError = (error: string, status: number) =>
      new oauth.ResponseBodyError('x', {
        cause: { error, error_description: 'revoked' },
        response: new Response('{}', { status }),
      });
    assert.equal(toAuthError(bodyError('invalid_grant', 400), 'Refresh').code, 'invalid_grant');
    assert.equal(toAuthError(bodyError('server_error', 503), 'Refresh').code, 'network');
    assert.equal(
      toAuthError(
        new oauth.OperationProcessingError('x', {
          code: oauth.RESPONSE_IS_NOT_CONFORM,
          cause: new Response('', { status: 502 }),
        }),
        'Refresh',
      ).code,
      'network',
    );
    assert.equal(toAuthError(new NetworkError(new TypeError('fetch failed')), 'Refresh').code, 'network');
    assert.equal(toAuthError(new DOMException('t', 'TimeoutError'), 'Refresh').code, 'network');
    const e = new AuthError('cancelled', 'c');
    assert.equal(toAuthError(e, 'x'), e);
  });

  test('http: size cap, timeout, and log lines without query strings', async () => {
    const lines: string[] = [];
    const big = createFetch(async () => new Response('x'.repeat(2000)), { maxBytes: 1000, log: (l) => lines.push(l) });
    await assert.rejects(big('https://idp.example/token?code=SECRET', { method: 'POST' }), /larger than/);
    const slow = createFetch(
      (_u, init) =>
        new Promise((_r, reject) => init.signal?.addEventListener('abort', () => reject(init.signal!.reason))),
      { timeoutMs: 50 },
    );
    await assert.rejects(slow('https://idp.example/x', {}), (e: Error) => e.name === 'TimeoutError');
    const ok = createFetch(async () => new Response('{"a":1}', { status: 200 }), { log: (l) => lines.push(l) });
    assert.deepEqual(await (await ok('https://idp.example/userinfo?access_token=SECRET', {})).json(), { a: 1 });
    assert.equal(describeUrl('https://idp.example/p?code=SECRET#x'), 'https://idp.example/p');
    assert.ok(lines.length >= 2 && lines.every((l) => !l.includes('SECRET')), lines.join('\n'));
  });

  test('log redaction masks tokens, codes and credentials', () => {
    const line = redact(
      'GET /cb?code=abc123&state=s access_token=tok Bearer abcdefghijkl eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhIn0.sig',
    );
    for (const secret of ['abc123', '=tok', 'abcdefghijkl', 'eyJhbGciOiJFUzI1NiJ9'])
      assert.ok(!line.includes(secret), line);
    assert.ok(line.includes('state=s'));
  });
});
