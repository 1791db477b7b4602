/**
 * The MCP bridge on plain Node, between the official SDK's client and server (streamable HTTP, SSE answers,
 * Mcp-Session-Id): what it forwards, what it refuses, and how it handles a refused token — once, never in a loop.
 */
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startBridgeHarness, type BridgeHarness } from '../../support/bridgeHarness';
import { connectMcp } from '../../support/mcpClient';
import { until } from '../../support/until';

/** A raw request to the bridge (fetch cannot set Host or an absolute-form target). */
function raw(
  url: string,
  o: { method?: string; path?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: u.hostname,
        port: u.port,
        method: o.method ?? 'POST',
        path: o.path ?? u.pathname + u.search,
        headers: o.headers,
        setHost: !o.headers?.host && !o.headers?.Host,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          text += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
      },
    );
    req.on('error', reject);
    req.end(o.body);
  });
}

const INIT = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } },
});
const JSON_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

suite('node/mcpBridge', function () {
  this.timeout(20_000);
  let h: BridgeHarness;
  setup(async () => {
    h = await startBridgeHarness();
  });
  teardown(async () => {
    await h.stop();
  });

  test("an MCP client with the window's secret lists and calls tools; the server sees the provider's token, never the secret or a cookie", async () => {
    const c = await connectMcp(h.url, { ...h.bridge.clientHeaders, Cookie: 'workbench=1' });
    try {
      const tools = await c.client.listTools();
      assert.deepEqual(tools.tools.map((t) => t.name).sort(), ['echo', 'slow', 'whoami', 'write']);
      assert.equal(await c.call('whoami'), 'alice');
      assert.equal(await c.call('echo', { text: 'über ✓' }), 'über ✓');
    } finally {
      await c.close();
    }
    const secret = h.bridge.clientHeaders.Authorization;
    assert.ok(h.mcp.seen.length >= 4);
    for (const s of h.mcp.seen) {
      assert.equal(s.token, h.minted[0]);
      assert.ok(!JSON.stringify(s.headers).includes(secret.slice(7)), 'the bridge secret never reaches the server');
      assert.equal(s.headers.cookie, undefined);
      assert.equal(s.headers.host, new URL(h.mcp.url).host);
    }
    assert.ok(
      h.mcp.seen.some((s) => s.method === 'POST' && typeof s.headers['mcp-session-id'] === 'string'),
      'Mcp-Session-Id passes both ways',
    );
    assert.ok(
      h.mcp.seen.some((s) => s.method === 'DELETE'),
      'closing the client ends the MCP session at the server',
    );
  });

  test("without the secret, with a wrong one or with another bridge's: 401, and nothing reaches the server", async () => {
    const other = await startBridgeHarness();
    try {
      for (const authorization of [
        undefined,
        'Bearer wrong',
        other.bridge.clientHeaders.Authorization,
        `${h.bridge.clientHeaders.Authorization}x`,
        h.bridge.clientHeaders.Authorization.slice(7),
      ]) {
        const r = await raw(h.url, {
          headers: { ...JSON_HEADERS, ...(authorization ? { authorization } : {}) },
          body: INIT,
        });
        assert.equal(r.status, 401, String(authorization));
        assert.match(r.text, /lacks the MCP bridge secret/);
      }
    } finally {
      await other.stop();
    }
    assert.deepEqual(h.mcp.seen, []);
    assert.equal(h.calls.token, 0, 'no token is even looked up');
  });

  test('a request naming another host (DNS rebinding) or sent by a web page is refused, secret or not', async () => {
    const port = new URL(h.url).port;
    const auth = h.bridge.clientHeaders;
    for (const host of [`evil.example:${port}`, `localhost:${port}`, '127.0.0.1', `127.0.0.1:${Number(port) + 1}`]) {
      assert.equal((await raw(h.url, { headers: { ...JSON_HEADERS, ...auth, host }, body: INIT })).status, 421, host);
    }
    const browser: Array<Record<string, string>> = [
      { origin: 'https://evil.example' },
      { origin: 'null' },
      { 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-site' },
    ];
    for (const headers of browser) {
      assert.equal(
        (await raw(h.url, { headers: { ...JSON_HEADERS, ...auth, ...headers }, body: INIT })).status,
        403,
        JSON.stringify(headers),
      );
    }
    assert.deepEqual(h.mcp.seen, []);
  });

  test('only the configured server: other paths, a query, an absolute-form target or another method get nothing forwarded', async () => {
    const auth = h.bridge.clientHeaders;
    const base = new URL(h.url);
    for (const path of [
      '/mcp/other',
      `${base.pathname}?x=1`,
      `${base.pathname}/`,
      '/mcp/test/../test',
      '/.well-known/oauth-protected-resource',
      `${h.mcp.url}`,
      `http://${base.host}${base.pathname}`,
    ]) {
      assert.equal((await raw(h.url, { path, headers: { ...JSON_HEADERS, ...auth }, body: INIT })).status, 404, path);
    }
    for (const method of ['PUT', 'PATCH', 'OPTIONS', 'TRACE']) {
      const r = await raw(h.url, { method, path: base.pathname, headers: { ...JSON_HEADERS, ...auth } });
      assert.ok(r.status === 405 || r.status === 400, `${method}: ${r.status}`);
    }
    assert.equal(
      (await raw(h.url, { method: 'GET', headers: { ...auth, 'content-type': 'text/plain' }, body: 'x' })).status,
      400,
      'a GET with a body',
    );
    assert.deepEqual(h.mcp.seen, []);
  });

  test('401 from the server: one refresh, one retry that succeeds; a second 401 ends with 502, no loop', async () => {
    const c = await connectMcp(h.url, { ...h.bridge.clientHeaders });
    try {
      h.mcp.rejectNext(1);
      assert.equal(await c.call('whoami'), 'alice');
      assert.equal(h.calls.refreshed, 1);
      assert.equal(h.mcp.seen.at(-1)!.token, h.minted[1], 'the retry carried the refreshed token');
      const before = h.mcp.seen.length;
      h.mcp.rejectNext(10);
      await assert.rejects(c.call('whoami'), /502|refused the request again/);
      assert.equal(h.calls.refreshed, 2, 'one more refresh for the second request, not more');
      assert.equal(h.mcp.seen.length - before, 2, 'the server saw the request twice: the first attempt and one retry');
      assert.match(h.outcomes.at(-1)!, /refused the request again after a fresh token \(HTTP 401, invalid_token\)/);
    } finally {
      h.mcp.rejectNext(0);
      await c.close();
    }
  });

  test("403 insufficient_scope: step-up for the server's scopes, retried once with the new token; declined → 503", async () => {
    const c = await connectMcp(h.url, { ...h.bridge.clientHeaders });
    try {
      assert.equal(await c.call('write'), 'written');
      assert.deepEqual(h.calls.stepUpScopes, [['api:read', 'api:write']]);
      assert.equal(h.mcp.seen.at(-1)!.token, h.minted.at(-1));
      await h.stop();
    } finally {
      await c.close();
    }
    h = await startBridgeHarness();
    h.declineStepUp = true;
    const d = await connectMcp(h.url, { ...h.bridge.clientHeaders });
    try {
      await assert.rejects(d.call('write'), /503|did not allow the larger scope set/);
      assert.equal(h.calls.stepUp, 1);
      assert.equal(h.mcp.seen.filter((s) => s.status === 403).length, 1, 'asked once, not again');
    } finally {
      await d.close();
    }
  });

  test('no session: 503 with the reason, and nothing reaches the server', async () => {
    h.signedOut = 'sign in to Test IdP again (OAuth Accounts: Sign In...).';
    const r = await raw(h.url, { headers: { ...JSON_HEADERS, ...h.bridge.clientHeaders }, body: INIT });
    assert.equal(r.status, 503);
    assert.equal(r.text, 'OAuth Accounts: sign in to Test IdP again (OAuth Accounts: Sign In...).\n');
    assert.deepEqual(h.mcp.seen, []);
  });

  test('a redirect is neither followed nor passed on; challenges, cookies and hop-by-hop headers stay behind', async () => {
    const auth = { ...JSON_HEADERS, ...h.bridge.clientHeaders };
    h.mcp.override = { status: 307, headers: { location: 'http://127.0.0.3:9/steal' } };
    const redirected = await raw(h.url, { headers: auth, body: INIT });
    assert.equal(redirected.status, 502);
    assert.equal(redirected.headers.location, undefined);
    assert.equal(h.mcp.seen.length, 1);
    h.mcp.override = {
      status: 200,
      headers: {
        'content-type': 'application/json',
        'www-authenticate': 'Bearer resource_metadata="http://evil/x"',
        'set-cookie': 'a=b',
        'x-mcp-extra': 'kept',
        connection: 'x-listed',
        'x-listed': 'dropped',
      },
      body: '{}',
    };
    const r = await raw(h.url, {
      headers: {
        ...auth,
        connection: 'x-client-listed',
        'x-client-listed': 'dropped',
        'proxy-authorization': 'Basic eA==',
        'x-forwarded-for': '1.2.3.4',
      },
      body: INIT,
    });
    assert.equal(r.status, 200);
    assert.equal(r.headers['x-mcp-extra'], 'kept');
    for (const name of ['www-authenticate', 'set-cookie', 'x-listed']) assert.equal(r.headers[name], undefined, name);
    const forwarded = h.mcp.seen.at(-1)!.headers;
    for (const name of ['x-client-listed', 'proxy-authorization', 'x-forwarded-for'])
      assert.equal(forwarded[name], undefined, name);
  });

  test('a client that goes away takes the server request with it (cancellation), and close() ends open streams', async () => {
    // A plain upstream that holds its answer open, to see the bridge's request to it end.
    let closed = 0;
    const held = http.createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(': open\n\n');
      req.socket.once('close', () => {
        closed++;
      });
    });
    await new Promise<void>((r) => held.listen(0, '127.0.0.1', r));
    h.bridge.setRoutes([{ name: 'test', url: `http://127.0.0.1:${(held.address() as AddressInfo).port}/mcp` }]);
    try {
      const ac = new AbortController();
      const res = await fetch(h.url, {
        method: 'GET',
        headers: { ...h.bridge.clientHeaders, accept: 'text/event-stream' },
        signal: ac.signal,
      });
      const reader = res.body!.getReader();
      assert.match(new TextDecoder().decode((await reader.read()).value), /: open/);
      ac.abort();
      await until('the server request to end', () => closed === 1);
      const second = await fetch(h.url, {
        method: 'GET',
        headers: { ...h.bridge.clientHeaders, accept: 'text/event-stream' },
      });
      await second.body!.getReader().read();
      await h.bridge.close();
      await until('close() to end the open stream', () => closed === 2);
      await assert.rejects(fetch(h.url, { method: 'GET', headers: h.bridge.clientHeaders }));
    } finally {
      held.closeAllConnections();
      held.close();
    }
  });
});
