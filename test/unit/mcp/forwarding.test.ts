/** What the bridge passes on in each direction, and how it reads a refusal (RFC 6750 §3). */
import * as assert from 'node:assert/strict';
import { clientResponseHeaders, refusalOf, upstreamRequestHeaders } from '../../../src/mcp/forwarding';

suite('mcp/forwarding', () => {
  test("to the server: the client's headers without its credentials, browser context or hop-by-hop headers; the token and length set", () => {
    const out = upstreamRequestHeaders(
      {
        authorization: 'Bearer bridge-secret',
        cookie: 'a=b',
        host: '127.0.0.1:1',
        origin: 'x',
        referer: 'y',
        'sec-fetch-mode': 'cors',
        connection: 'keep-alive, x-private',
        'x-private': '1',
        'keep-alive': 'timeout=5',
        te: 'trailers',
        'transfer-encoding': 'chunked',
        'proxy-authorization': 'Basic x',
        forwarded: 'for=1',
        'x-forwarded-for': '1',
        'content-length': '99',
        expect: '100-continue',
        'content-type': 'application/json',
        accept: 'text/event-stream',
        'mcp-session-id': 's1',
        'mcp-protocol-version': '2025-06-18',
        'last-event-id': '7',
      },
      'the-token',
      12,
    );
    assert.deepEqual(out, {
      'content-type': 'application/json',
      accept: 'text/event-stream',
      'mcp-session-id': 's1',
      'mcp-protocol-version': '2025-06-18',
      'last-event-id': '7',
      authorization: 'Bearer the-token',
      'content-length': '12',
    });
    assert.equal(upstreamRequestHeaders({}, 't', undefined)['content-length'], undefined);
  });

  test("to the client: the server's headers without challenges, cookies or hop-by-hop headers", () => {
    assert.deepEqual(
      clientResponseHeaders({
        'content-type': 'text/event-stream',
        'mcp-session-id': 's1',
        'www-authenticate': 'Bearer resource_metadata="x"',
        'set-cookie': ['a=b'],
        connection: 'x-hop',
        'x-hop': '1',
        'transfer-encoding': 'chunked',
        'x-other': ['1', '2'],
      }),
      { 'content-type': 'text/event-stream', 'mcp-session-id': 's1', 'x-other': ['1', '2'] },
    );
  });

  test('a refusal: 401 is always a token to replace; 403 is a step-up only with insufficient_scope', () => {
    assert.deepEqual(refusalOf(401, undefined), { kind: 'invalid_token' });
    assert.deepEqual(refusalOf(401, 'Bearer error="insufficient_scope", scope="a"'), { kind: 'invalid_token' });
    assert.deepEqual(
      refusalOf(403, 'Bearer error="insufficient_scope", scope="read write", resource_metadata="https://x/y"'),
      { kind: 'insufficient_scope', scopes: ['read', 'write'] },
    );
    assert.deepEqual(refusalOf(403, ['Basic realm="x"', 'Bearer error="insufficient_scope", scope="a"']), {
      kind: 'insufficient_scope',
      scopes: ['a'],
    });
    assert.deepEqual(refusalOf(403, 'Bearer error="invalid_token"'), { kind: 'forbidden' });
    assert.equal(refusalOf(200, 'Bearer'), undefined);
  });
});
