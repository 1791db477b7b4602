import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import { startLoopbackServer, type LoopbackServer } from '../../../src/node/loopbackServer';
import { pageText } from '../../../src/node/callbackPages';
import { outcomeOf } from '../../../src/flows/loopback';
import { AuthError } from '../../../src/protocol/errors';

const pages = {
  success: '<p>SUCCESS {{provider}}</p>',
  denied: '<p>DENIED {{provider}}|{{error}}|{{description}}</p>',
  failed: '<p>FAILED {{provider}}|{{reason}}</p>',
};
const get = (url: string) => fetch(url, { redirect: 'manual' });
const tick = (ms = 50) => new Promise((r) => setTimeout(r, ms));

function connects(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** Starts the callback request and reports whether its answer has arrived yet. */
function pending(url: string): { response: Promise<Response>; answered: () => boolean } {
  let done = false;
  const response = get(url).then((r) => {
    done = true;
    return r;
  });
  return { response, answered: () => done };
}

suite('node/loopbackServer', () => {
  const open: LoopbackServer[] = [];
  const start = async (opts: Parameters<typeof startLoopbackServer>[1] = { providerLabel: 'Corp SSO' }) => {
    const s = await startLoopbackServer(pages, opts);
    open.push(s);
    return s;
  };
  teardown(() => {
    for (const s of open.splice(0)) s.close();
  });

  test('answers only the pending /callback, holds its page until finish(success), then closes', async () => {
    const server = await start();
    assert.match(server.redirectUri, /^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    const waiting = server.waitForCallback('s1', AbortSignal.timeout(5000));
    assert.equal((await get(`http://127.0.0.1:${server.port}/favicon.ico`)).status, 404);
    assert.equal((await get(`http://127.0.0.1:${server.port}/callback?code=x&state=other`)).status, 400);
    const cb = pending(`http://127.0.0.1:${server.port}/callback?code=abc&state=s1`);
    assert.equal((await waiting).get('code'), 'abc');
    await tick(100);
    assert.equal(cb.answered(), false, 'no page before the flow knows the outcome');
    server.finish({ kind: 'success' });
    const ok = await cb.response;
    assert.equal(ok.status, 200);
    assert.equal(await ok.text(), '<p>SUCCESS Corp SSO</p>');
    assert.match(ok.headers.get('content-security-policy')!, /default-src 'none'/);
    assert.equal(ok.headers.get('referrer-policy'), 'no-referrer');
    assert.equal(ok.headers.get('cache-control'), 'no-store');
    await tick();
    assert.equal(await connects('127.0.0.1', server.port), false, 'closed after success');
  });

  test('binds 127.0.0.1 only', async () => {
    const server = await start();
    assert.equal(await connects('127.0.0.1', server.port), true);
    assert.equal(await connects('127.0.0.2', server.port), false);
  });

  test('denied: the server words as escaped, capped plain text; the label escaped too; no placeholder re-expanded', async () => {
    const server = await start({ providerLabel: '<img src=x onerror=alert(1)>' });
    const waiting = server.waitForCallback('s2', AbortSignal.timeout(5000));
    const cb = pending(`http://127.0.0.1:${server.port}/callback?error=access_denied&state=s2`);
    assert.equal((await waiting).get('error'), 'access_denied');
    const description = `<script>alert(1)</script> & "quotes" {{provider}} \u202eevil\u202c ${'x'.repeat(500)}`;
    server.finish({ kind: 'denied', error: 'access_denied<b>', description });
    const body = await (await cb.response).text();
    assert.ok(
      !body.includes('<script') && !body.includes('<img') && !body.includes('<b>') && !body.includes('\u202e'),
      body,
    );
    assert.ok(body.includes('&#60;script&#62;alert(1)&#60;/script&#62; &#38; &#34;quotes&#34; {{provider}}'), body);
    assert.ok(body.includes('DENIED &#60;img src=x onerror=alert(1)&#62;|access_denied&#60;b&#62;|'), body);
    assert.ok(!body.includes('x'.repeat(300)) && body.includes('…'), 'capped');
  });

  test('failed: one sentence of ours and what to do next, never server text', async () => {
    const server = await start();
    const waiting = server.waitForCallback('s3', AbortSignal.timeout(5000));
    const cb = pending(`http://127.0.0.1:${server.port}/callback?code=c&state=s3`);
    await waiting;
    server.finish({ kind: 'failed', code: 'invalid_grant' });
    const body = await (await cb.response).text();
    assert.match(
      body,
      /^<p>FAILED Corp SSO\|The identity provider refused to issue tokens for this sign-in\. Return to VS Code and try again; the details are in the log \(run &#34;OAuth Accounts: Show Log&#34;\)\.<\/p>$/,
    );
    await tick();
    assert.equal(await connects('127.0.0.1', server.port), false);
  });

  test('no answer from the flow: close() answers "cancelled or timed out" and frees the port; later finish() is ignored', async () => {
    const server = await start();
    const waiting = server.waitForCallback('s4', AbortSignal.timeout(5000));
    const cb = pending(`http://127.0.0.1:${server.port}/callback?code=c&state=s4`);
    await waiting;
    server.close();
    server.finish({ kind: 'success' });
    const body = await (await cb.response).text();
    assert.match(body, /^<p>FAILED Corp SSO\|The sign-in was cancelled or timed out in VS Code\./);
    await tick();
    assert.equal(await connects('127.0.0.1', server.port), false);
  });

  test('no answer at all: the hold timeout answers the page and closes the listener', async () => {
    const server = await start({ providerLabel: 'P', holdTimeoutMs: 200 });
    const waiting = server.waitForCallback('s5', AbortSignal.timeout(5000));
    const t0 = performance.now();
    const cb = pending(`http://127.0.0.1:${server.port}/callback?code=c&state=s5`);
    await waiting;
    const body = await (await cb.response).text();
    assert.ok(performance.now() - t0 >= 150, 'held until the timeout');
    assert.match(body, /cancelled or timed out in VS Code/);
    await tick();
    assert.equal(await connects('127.0.0.1', server.port), false);
  });

  test('close() after finish() does not cut the page on its way', async () => {
    // Larger than the loopback socket buffers, so a premature closeAllConnections() really truncates it.
    const big = { ...pages, success: `<p>${'y'.repeat(16 * 1024 * 1024)}</p>` };
    const server = await startLoopbackServer(big);
    const waiting = server.waitForCallback('s6', AbortSignal.timeout(5000));
    const cb = pending(`http://127.0.0.1:${server.port}/callback?code=c&state=s6`);
    await waiting;
    server.finish({ kind: 'success' });
    server.close();
    assert.equal((await (await cb.response).text()).length, big.success.length);
  });

  test('reflects no input before the outcome', async () => {
    const server = await start();
    server.waitForCallback('s7', AbortSignal.timeout(5000)).catch(() => {});
    const payload = encodeURIComponent('<script>alert(1)</script>');
    for (const path of [
      `/callback?state=${payload}`,
      `/${payload}`,
      `/callback?state=s8&error_description=${payload}`,
    ]) {
      const body = await (await get(`http://127.0.0.1:${server.port}${path}`)).text();
      assert.ok(!body.includes('<script>') && !body.includes('alert(1)'), path);
    }
  });

  test('closes on cancel', async () => {
    const server = await start();
    const ac = new AbortController();
    const waiting = server.waitForCallback('s9', ac.signal);
    ac.abort(new Error('cancelled by test'));
    await assert.rejects(waiting, /cancelled by test/);
    assert.equal(await connects('127.0.0.1', server.port), false);
  });

  test('plain text: controls and invisible formatting removed, whitespace collapsed, capped by characters', () => {
    assert.equal(pageText(' a\n\tb\u200b\u2066c\u0000 ', 10), 'a b c');
    assert.equal(pageText('😀'.repeat(5), 3), '😀😀…');
  });
});

suite('flows/loopback: which page an error gets', () => {
  test('authorization_denied → denied with the server words; any other error → failed with its code; a non-AuthError (a bug) → failed without a code', () => {
    const denied = new AuthError('authorization_denied', 'x', {
      oauthError: 'access_denied',
      oauthErrorDescription: 'no <b>',
    });
    assert.deepEqual(outcomeOf(denied), { kind: 'denied', error: 'access_denied', description: 'no <b>' });
    assert.deepEqual(outcomeOf(new AuthError('invalid_response', 'bad ID token')), {
      kind: 'failed',
      code: 'invalid_response',
    });
    assert.deepEqual(outcomeOf(new Error('bug')), { kind: 'failed', code: undefined });
  });
});
