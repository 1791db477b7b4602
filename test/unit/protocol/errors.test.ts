/**
 * toAuthError: each error the protocol libraries and the fetch seam raise → its AuthErrorCode. The errors are the
 * libraries' own classes, built the way they build them, so a library change that breaks `instanceof` fails here.
 */
import * as assert from 'node:assert/strict';
import * as client from 'openid-client';
import * as oauth from 'oauth4webapi';
import { AuthError, NetworkError, ResponseTooLargeError } from '../../../src/protocol/errors';
import { toAuthError } from '../../../src/protocol/libraryErrors';
import { createFetch } from '../../../src/protocol/http';

const json = (status: number) => new Response('{}', { status, headers: { 'content-type': 'application/json' } });
const bodyError = (error: string, status: number, description?: string) =>
  new oauth.ResponseBodyError('server responded with an error in the response body', {
    cause: { error, error_description: description },
    response: json(status),
  });
/** What openid-client's errorHandler makes of anything it does not know: "something went wrong" around it. */
const wrapped = (cause: unknown) => new client.ClientError('something went wrong', { cause });
/** openid-client's ClientError with a code, as its errorHandler builds it (the constructor takes `code` too). */
const coded = (message: string, code: string, cause: unknown) =>
  new client.ClientError(message, { cause, code } as ErrorOptions);

suite('protocol/errors: AuthError', () => {
  test('the original error is the ES2022 cause; details keep only what callers branch on', () => {
    const original = new Error('boom');
    const e = new AuthError('network', 'Token request failed.', {
      cause: original,
      status: 503,
      oauthError: 'temporarily_unavailable',
    });
    assert.equal(e.cause, original);
    assert.deepEqual(e.details, { status: 503, oauthError: 'temporarily_unavailable' });
    assert.ok(!('cause' in e.details));
    assert.equal(e.transient, true);
    assert.ok(!Object.hasOwn(new AuthError('config', 'x'), 'cause'), 'no cause given: none set');
  });
});

suite('protocol/errors: toAuthError', () => {
  const cases: Array<[string, unknown, string, RegExp?]> = [
    [
      'ResponseBodyError invalid_grant',
      bodyError('invalid_grant', 400),
      'invalid_grant',
      /rejected by the server \(invalid_grant\)/,
    ],
    ['ResponseBodyError invalid_scope', bodyError('invalid_scope', 400, 'no'), 'server_rejected', /invalid_scope: no/],
    ['ResponseBodyError with a 5xx status', bodyError('temporarily_unavailable', 503), 'network'],
    ['ResponseBodyError access_denied (device flow, RFC 8628 §3.5)', bodyError('access_denied', 400), 'cancelled'],
    ['ResponseBodyError expired_token (device flow)', bodyError('expired_token', 400), 'timeout'],
    [
      'AuthorizationResponseError',
      new oauth.AuthorizationResponseError('authorization response from the server is an error', {
        cause: new URLSearchParams({ error: 'access_denied', error_description: 'User said no' }),
      }),
      'authorization_denied',
      /denied.*access_denied: User said no/,
    ],
    [
      'WWWAuthenticateChallengeError',
      new oauth.WWWAuthenticateChallengeError('server responded with a challenge', {
        cause: [{ scheme: 'bearer', parameters: { error: 'invalid_token', error_description: 'expired' } }],
        response: json(401),
      }),
      'server_rejected',
      /HTTP 401\) \(invalid_token: expired\)/,
    ],
    [
      'OperationProcessingError',
      new oauth.OperationProcessingError('"response" body "access_token" property must be a string', {
        code: oauth.INVALID_RESPONSE,
      }),
      'invalid_response',
      /access_token/,
    ],
    [
      'OperationProcessingError with an HTTP 502 Response as cause',
      new oauth.OperationProcessingError('unexpected status', {
        code: oauth.RESPONSE_IS_NOT_CONFORM,
        cause: json(502),
      }),
      'network',
      /HTTP 502/,
    ],
    [
      'openid-client ClientError with a code',
      coded('unexpected response content-type', oauth.RESPONSE_IS_NOT_JSON, json(200)),
      'invalid_response',
      /content-type/,
    ],
    [
      "openid-client's timeout",
      coded('operation timed out', 'OAUTH_TIMEOUT', new DOMException('t', 'TimeoutError')),
      'network',
      /timed out/,
    ],
    [
      'a platform timeout (AbortSignal.timeout)',
      new DOMException('The operation timed out.', 'TimeoutError'),
      'network',
      /timed out/,
    ],
    [
      '"something went wrong" around a NetworkError',
      wrapped(new NetworkError(new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } }))),
      'network',
      /could not be reached \(ECONNREFUSED\)/,
    ],
    [
      '"something went wrong" around an AuthError: that AuthError',
      wrapped(new AuthError('cancelled', 'Sign-in cancelled.')),
      'cancelled',
    ],
    [
      'ResponseTooLargeError',
      new ResponseTooLargeError('the response is larger than 1024 KB'),
      'invalid_response',
      /larger than 1024 KB/,
    ],
    // No guessing from message text: an error that merely mentions the network is not a network failure.
    [
      'a plain Error whose message says ECONNREFUSED',
      new Error('network ECONNREFUSED fetch failed'),
      'invalid_response',
    ],
    ['a TypeError from our own code', new TypeError('x is not a function'), 'invalid_response'],
  ];
  for (const [name, error, code, message] of cases) {
    test(`${name} → ${code}`, () => {
      const mapped = toAuthError(error, 'The step');
      assert.equal(mapped.code, code, mapped.message);
      if (message) assert.match(mapped.message, message);
      if (!(error instanceof client.ClientError && error.cause instanceof AuthError))
        assert.ok(mapped.cause !== undefined, 'the original error is kept as cause');
    });
  }

  test('an AuthError passes through unchanged', () => {
    const e = new AuthError('config', 'no secret');
    assert.equal(toAuthError(e, 'x'), e);
  });

  test('OAuth error fields are lifted into details', () => {
    const mapped = toAuthError(bodyError('invalid_client', 401, 'bad secret'), 'Token request');
    assert.deepEqual(mapped.details, {
      oauthError: 'invalid_client',
      oauthErrorDescription: 'bad secret',
      status: 401,
    });
  });

  test('the fetch seam turns whatever the platform fetch throws into a NetworkError, and aborts into their reason', async () => {
    const refused = createFetch(async () => {
      throw new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } });
    });
    const e = await refused('https://idp.example.com/token', { method: 'POST' }).then(
      () => undefined,
      (x: unknown) => x,
    );
    assert.ok(e instanceof NetworkError, String(e));
    assert.equal(toAuthError(e, 'Token request').code, 'network');
    const cancel = new AuthError('cancelled', 'Sign-in cancelled.');
    const controller = new AbortController();
    const hanging = createFetch(
      (_u, init) =>
        new Promise((_, reject) =>
          init.signal?.addEventListener('abort', () => reject(new Error('node-fetch AbortError'))),
        ),
      { signal: controller.signal },
    );
    const pending = hanging('https://idp.example.com/token', {});
    controller.abort(cancel);
    await assert.rejects(pending, (x) => x === cancel);
  });
});
