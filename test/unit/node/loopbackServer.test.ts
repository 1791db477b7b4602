import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import { startLoopbackServer } from '../../../src/node/loopbackServer';

const pages = { success: '<p>SUCCESS</p>', error: '<p>ERROR</p>' };
const get = (url: string) => fetch(url, { redirect: 'manual' });

function connects(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

suite('node/loopbackServer', () => {
  test('answers only the pending /callback, then closes', async () => {
    const server = await startLoopbackServer(pages);
    assert.match(server.redirectUri, /^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    const waiting = server.waitForCallback('s1', AbortSignal.timeout(5000));
    assert.equal((await get(`http://127.0.0.1:${server.port}/favicon.ico`)).status, 404);
    assert.equal((await get(`http://127.0.0.1:${server.port}/callback?code=x&state=other`)).status, 400);
    const ok = await get(`http://127.0.0.1:${server.port}/callback?code=abc&state=s1`);
    assert.equal(ok.status, 200);
    assert.equal(await ok.text(), '<p>SUCCESS</p>');
    assert.match(ok.headers.get('content-security-policy')!, /default-src 'none'/);
    assert.equal(ok.headers.get('referrer-policy'), 'no-referrer');
    assert.equal(ok.headers.get('cache-control'), 'no-store');
    assert.equal((await waiting).get('code'), 'abc');
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(await connects('127.0.0.1', server.port), false, 'closed after success');
  });

  test('binds 127.0.0.1 only', async () => {
    const server = await startLoopbackServer(pages);
    try {
      assert.equal(await connects('127.0.0.1', server.port), true);
      assert.equal(await connects('127.0.0.2', server.port), false);
    } finally { server.close(); }
  });

  test('an OAuth error callback gets the error page and is delivered', async () => {
    const server = await startLoopbackServer(pages);
    const waiting = server.waitForCallback('s2', AbortSignal.timeout(5000));
    const res = await get(`http://127.0.0.1:${server.port}/callback?error=access_denied&state=s2`);
    assert.equal(await res.text(), '<p>ERROR</p>');
    assert.equal((await waiting).get('error'), 'access_denied');
  });

  test('reflects no input', async () => {
    const server = await startLoopbackServer(pages);
    try {
      server.waitForCallback('s3', AbortSignal.timeout(5000)).catch(() => {});
      const payload = encodeURIComponent('<script>alert(1)</script>');
      for (const path of [`/callback?state=${payload}`, `/${payload}`, `/callback?state=s4&error_description=${payload}`]) {
        const body = await (await get(`http://127.0.0.1:${server.port}${path}`)).text();
        assert.ok(!body.includes('<script>') && !body.includes('alert(1)'), path);
      }
    } finally { server.close(); }
  });

  test('closes on cancel', async () => {
    const server = await startLoopbackServer(pages);
    const ac = new AbortController();
    const waiting = server.waitForCallback('s5', ac.signal);
    ac.abort(new Error('cancelled by test'));
    await assert.rejects(waiting, /cancelled by test/);
    assert.equal(await connects('127.0.0.1', server.port), false);
  });
});
