/**
 * The RFC 8252 loopback listener, from an attacker's side: who can connect, which requests it answers, when it is
 * gone, what every page it serves allows the browser to do, and that nothing it receives ever comes back out.
 * (test/unit/node/loopbackServer.test.ts has the basics; this goes further.)
 */
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import { startLoopbackServer, type CallbackOutcome, type LoopbackServer } from '../../src/node/loopbackServer';
import { AuthError } from '../../src/protocol/errors';
import { connects, mediaPages } from './support';

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A raw request: the path goes out exactly as given (fetch would normalise it). */
function request(
  port: number,
  path: string,
  options: { method?: string; headers?: Record<string, string>; host?: string } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: options.host ?? '127.0.0.1',
        port,
        method: options.method ?? 'GET',
        path,
        headers: options.headers,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** Resolves when the socket is closed by the other side. */
const closed = (s: net.Socket) =>
  new Promise<void>((resolve) => {
    if (s.destroyed || s.readyState === 'closed') resolve();
    else s.once('close', () => resolve());
  });

function rawSocket(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port }, () => resolve(s));
    s.on('error', () => {});
    s.once('error', reject);
  });
}

const PAGES = mediaPages();
const LABEL = 'Corp SSO';
const cancelled = () => new AuthError('cancelled', 'Sign-in cancelled.');

/** The texts a page's placeholders were filled with; fails unless `body` is `template` with only those filled. */
function fills(template: string, body: string): string[] {
  const parts = template.split(/\{\{\w+\}\}/).map((x) => x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const m = new RegExp(`^${parts.join('([\\s\\S]*?)')}$`).exec(body);
  assert.ok(m, 'the page is not its template');
  return m.slice(1);
}

function parseCsp(value: string): Map<string, string[]> {
  return new Map(
    value
      .split(';')
      .map((d) => d.trim())
      .filter(Boolean)
      .map((d) => {
        const [name, ...v] = d.split(/\s+/);
        return [name.toLowerCase(), v];
      }),
  );
}

/** The headers every answer of the listener must carry, whatever the request. */
function assertLockedDown(r: Reply, what: string): void {
  const csp = parseCsp(String(r.headers['content-security-policy'] ?? ''));
  assert.deepEqual(csp.get('default-src'), ["'none'"], `${what}: default-src 'none'`);
  for (const d of ['frame-ancestors', 'form-action', 'base-uri', 'img-src'])
    assert.deepEqual(csp.get(d), ["'none'"], `${what}: ${d} 'none'`);
  assert.ok(
    !csp.has('script-src') && !csp.has('script-src-elem') && !csp.has('connect-src'),
    `${what}: no script or connect source is allowed`,
  );
  assert.ok(
    ![...csp.values()].flat().some((v) => /unsafe-eval|\*|https?:|data:/.test(v)),
    `${what}: no wildcard, scheme or eval source`,
  );
  assert.equal(r.headers['referrer-policy'], 'no-referrer', what);
  assert.equal(r.headers['cache-control'], 'no-store', what);
  assert.equal(r.headers['x-content-type-options'], 'nosniff', what);
  assert.equal(r.headers['x-frame-options'], 'DENY', what);
  assert.equal(r.headers['content-type'], 'text/html; charset=utf-8', what);
  for (const h of [
    'set-cookie',
    'access-control-allow-origin',
    'access-control-allow-credentials',
    'location',
    'refresh',
  ])
    assert.equal(r.headers[h], undefined, `${what}: no ${h} header`);
}

/** Payloads for every place input can enter. */
const PAYLOADS = [
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  "'--><svg/onload=alert(1)>",
  'javascript:alert(1)',
  '</title><script>alert(1)</script>',
  '{{7*7}}${7*7}<%= 7*7 %>',
  '\u202e<iframe src=//evil.example>',
  '%3Cscript%3Ealert(1)%3C%2Fscript%3E',
];
/** Distinctive bits of the payloads that must never appear in a response (the pages contain none of these). */
const MARKERS = ['alert(1)', 'onerror', 'onload', '<script', '<iframe', 'evil.example', '7*7', '\u202e', 'javascript:'];

suite('security: loopback listener', () => {
  const open: LoopbackServer[] = [];
  const start = async (providerLabel = LABEL) => {
    const s = await startLoopbackServer(PAGES, { providerLabel });
    open.push(s);
    return s;
  };
  /** The callback request, answered once the sign-in's outcome is given (the listener holds it until then). */
  async function callbackAnswered(
    s: LoopbackServer,
    path: string,
    waiting: Promise<URLSearchParams>,
    outcome: CallbackOutcome = { kind: 'success' },
  ): Promise<Reply> {
    const reply = request(s.port, path);
    await waiting;
    s.finish(outcome);
    return reply;
  }
  teardown(() => {
    for (const s of open.splice(0)) s.close();
  });

  test('the real callback pages load nothing, run nothing and say no-referrer', () => {
    for (const [name, html] of Object.entries(PAGES)) {
      assert.doesNotMatch(
        html,
        /<script|<link|<img|<iframe|<object|<embed|<form|<base|\son\w+\s*=|javascript:|url\(/i,
        `${name} page`,
      );
      assert.doesNotMatch(html, /(?:src|href)\s*=|https?:\/\/|\/\//i, `${name} page references no resource`);
      assert.match(html, /<meta name="referrer" content="no-referrer">/, `${name} page`);
    }
    // Placeholders are the only variable parts, and each page has exactly the ones its outcome fills.
    const placeholders = (html: string) => [...new Set(html.match(/\{\{\w+\}\}/g))].sort();
    assert.deepEqual(placeholders(PAGES.success), ['{{provider}}']);
    assert.deepEqual(placeholders(PAGES.denied), ['{{description}}', '{{error}}', '{{provider}}']);
    assert.deepEqual(placeholders(PAGES.failed), ['{{provider}}', '{{reason}}']);
    assert.match(PAGES.success, /You are signed in to \{\{provider\}\}/);
    assert.match(PAGES.success, /You can close this tab/);
    assert.match(PAGES.denied, /OAuth Accounts: Show Log/);
  });

  suite('who can connect', () => {
    test('bound to 127.0.0.1 (IPv4) alone: not 127.0.0.2, not 127.255.255.254, not ::1, not any other interface', async () => {
      const s = await start();
      s.waitForCallback('st', AbortSignal.timeout(10_000)).catch(() => {});
      const address = await new Promise<string>((resolve) => {
        const sock = net.connect({ host: '127.0.0.1', port: s.port }, () => {
          resolve(`${sock.remoteAddress}`);
          sock.destroy();
        });
      });
      assert.equal(address, '127.0.0.1');
      const others = ['127.0.0.2', '127.255.255.254', '::1'];
      for (const [name, list] of Object.entries(os.networkInterfaces())) {
        for (const i of list ?? [])
          if (!i.internal) others.push(i.address.startsWith('fe80') ? `${i.address}%${name}` : i.address);
      }
      // Control: the probe does see a listener on all interfaces (so "not reachable" below means something).
      const any = net.createServer((c) => c.destroy());
      const listen = (host: string) =>
        new Promise<void>((resolve, reject) => {
          any.once('error', reject);
          any.listen(0, host, () => resolve());
        });
      const dualStack = await listen('::').then(
        () => true,
        async () => {
          await listen('0.0.0.0');
          return false;
        },
      );
      try {
        const anyPort = (any.address() as net.AddressInfo).port;
        for (const host of others.filter((h) => dualStack || net.isIPv4(h)))
          assert.equal(
            await connects(host, anyPort, 500),
            true,
            `control: a wildcard listener is reachable on ${host}`,
          );
      } finally {
        any.close();
      }
      for (const host of others) assert.equal(await connects(host, s.port, 500), false, `reachable on ${host}`);
      assert.equal(await connects('127.0.0.1', s.port), true);
      assert.match(s.redirectUri, /^http:\/\/127\.0\.0\.1:\d+\/callback$/, 'never "localhost"');
    });

    test('a fresh ephemeral port per sign-in', async () => {
      const ports = new Set<number>();
      for (let i = 0; i < 3; i++) {
        const s = await start();
        ports.add(s.port);
        assert.ok(s.port >= 1024);
      }
      assert.equal(ports.size, 3);
    });
  });

  suite('what it answers', () => {
    test('nothing before the sign-in says which state it waits for', async () => {
      const s = await start();
      const r = await request(s.port, '/callback?code=c&state=anything');
      assert.equal(r.status, 400);
      assertLockedDown(r, 'no pending state');
    });

    test('only GET /callback with the pending state: other methods, paths and look-alikes are refused and not delivered', async () => {
      const s = await start();
      let got: URLSearchParams | undefined;
      const waiting = s.waitForCallback('st-1', AbortSignal.timeout(10_000));
      waiting.then(
        (q) => {
          got = q;
        },
        () => {},
      );
      const q = '?code=c&state=st-1';
      for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'TRACE']) {
        const r = await request(s.port, `/callback${q}`, { method });
        assert.equal(r.status, 404, method);
        assertLockedDown(r, method);
      }
      for (const path of [
        '/callback/',
        '/Callback',
        '/CALLBACK',
        '/callback.html',
        '/callback;x',
        '/api/callback',
        '/callbackx',
        '/%63allback',
        '//callback',
        '/favicon.ico',
        '/',
        '/.well-known/openid-configuration',
      ]) {
        const r = await request(s.port, `${path}${q}`);
        assert.equal(r.status, 404, path);
        assertLockedDown(r, path);
      }
      for (const query of [
        '?code=c',
        '?code=c&state=',
        '?code=c&state=ST-1',
        '?code=c&state=st-1%20',
        '?code=c&state=st-',
        '?code=c&STATE=st-1',
        '?code=c&state%00=st-1',
      ]) {
        const r = await request(s.port, `/callback${query}`);
        assert.equal(r.status, 400, query);
        assertLockedDown(r, query);
      }
      await new Promise((r) => setImmediate(r));
      assert.equal(got, undefined, 'none of these was delivered');
      const ok = await callbackAnswered(s, `/callback${q}`, waiting);
      assert.equal(ok.status, 200);
      assert.equal(ok.body, PAGES.success.replace('{{provider}}', LABEL));
      assertLockedDown(ok, 'success page');
      assert.equal((got as URLSearchParams | undefined)?.get('code'), 'c');
    });

    test('a request target over 8 KB is refused even with the right state, a huge header is refused by Node, and the listener survives both', async () => {
      const s = await start();
      const waiting = s.waitForCallback('st-2', AbortSignal.timeout(10_000));
      const big = await request(s.port, `/callback?code=c&state=st-2&pad=${'x'.repeat(8 * 1024)}`);
      assert.equal(big.status, 404);
      assertLockedDown(big, 'oversized');
      const hugeHeader = await request(s.port, '/callback?code=c&state=st-2', {
        headers: { 'x-pad': 'y'.repeat(64 * 1024) },
      }).catch((e: Error) => ({ status: -1, body: e.message }));
      assert.ok(hugeHeader.status === 431 || hugeHeader.status === -1, `status ${hugeHeader.status}`);
      const ok = await callbackAnswered(s, '/callback?code=c2&state=st-2', waiting);
      assert.equal(ok.status, 200);
      assert.equal((await waiting).get('code'), 'c2');
    });

    test('an OAuth error callback: the denied page shows the description only as escaped text, and closes the listener', async () => {
      const s = await start();
      const waiting = s.waitForCallback('st-3', AbortSignal.timeout(10_000));
      const r = await callbackAnswered(
        s,
        `/callback?error=access_denied&error_description=${encodeURIComponent(PAYLOADS[0])}&state=st-3`,
        waiting,
        { kind: 'denied', error: 'access_denied', description: PAYLOADS[0] },
      );
      assert.equal(r.status, 200);
      assert.equal(
        r.body,
        PAGES.denied
          .replace('{{provider}}', LABEL)
          .replace('{{error}}', 'access_denied')
          .replace('{{description}}', '&#60;script&#62;alert(1)&#60;/script&#62;'),
      );
      assertLockedDown(r, 'denied page');
      assert.equal((await waiting).get('error'), 'access_denied');
      await new Promise((res) => setTimeout(res, 20));
      assert.equal(await connects('127.0.0.1', s.port), false);
    });
  });

  suite('when it is gone', () => {
    test('after success: new connections refused, and an idle keep-alive connection held open before is closed too', async () => {
      const s = await start();
      const waiting = s.waitForCallback('st-4', AbortSignal.timeout(10_000));
      const idle = await rawSocket(s.port);
      idle.write('GET /favicon.ico HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n');
      await new Promise((r) => idle.once('data', r));
      assert.equal((await callbackAnswered(s, '/callback?code=c&state=st-4', waiting)).status, 200);
      await closed(idle);
      assert.equal(await connects('127.0.0.1', s.port), false);
    });

    test('on cancel: a half-sent request and an idle connection are cut, the port is closed, the wait rejects with the reason', async () => {
      const s = await start();
      const ac = new AbortController();
      const waiting = s.waitForCallback('st-5', ac.signal);
      const half = await rawSocket(s.port);
      half.write('GET /callback?code=c&state=st-5 HTTP/1.1\r\nHost: 127.0.0.1\r\n'); // headers never finished
      const idle = await rawSocket(s.port);
      const reason = cancelled();
      ac.abort(reason);
      // Cut, not left to time out: the server's own idle timeouts are far longer than this test's.
      await assert.rejects(waiting, (e: unknown) => e === reason);
      await Promise.all([closed(half), closed(idle)]);
      assert.equal(await connects('127.0.0.1', s.port), false);
    });

    test('on timeout: the wait rejects with the timeout reason and the port is closed', async () => {
      const s = await start();
      const t0 = performance.now();
      await assert.rejects(
        s.waitForCallback('st-6', AbortSignal.timeout(150)),
        (e: unknown) => (e as Error)?.name === 'TimeoutError',
      );
      const elapsed = performance.now() - t0;
      assert.ok(elapsed >= 100, `rejected after ${elapsed} ms, before its 150 ms timeout`);
      assert.equal(await connects('127.0.0.1', s.port), false);
    });

    test('a signal aborted before waiting: rejects at once and closes', async () => {
      const s = await start();
      const ac = new AbortController();
      ac.abort(cancelled());
      await assert.rejects(
        s.waitForCallback('st-7', ac.signal),
        (e: unknown) => e instanceof AuthError && e.code === 'cancelled',
      );
      assert.equal(await connects('127.0.0.1', s.port), false);
    });
  });

  suite('reflects no input', () => {
    test('payloads in every parameter, in the path and in headers: the 400 and 404 pages are byte-identical to the plain ones', async () => {
      const s = await start();
      s.waitForCallback('st-8', AbortSignal.timeout(20_000)).catch(() => {});
      const plain404 = await request(s.port, '/nothing');
      const plain400 = await request(s.port, '/callback?state=other');
      assert.equal(plain404.status, 404);
      assert.equal(plain400.status, 400);
      let n = 0;
      for (const p of PAYLOADS) {
        const e = encodeURIComponent(p);
        const raw = [...p].every((ch) => {
          const c = ch.codePointAt(0)!;
          return c >= 0x21 && c <= 0xff;
        })
          ? p
          : e;
        const cases: Array<[string, Reply]> = [];
        for (const name of ['code', 'state', 'error', 'error_description', 'error_uri', 'iss', 'session_state', p]) {
          cases.push([
            `400 ${name}`,
            await request(
              s.port,
              `/callback?${encodeURIComponent(name)}=${e}${name === 'state' ? '' : '&state=wrong'}`,
            ),
          ]);
        }
        cases.push(['404 path (encoded)', await request(s.port, `/${e}?state=st-8`)]);
        cases.push(['404 path (raw)', await request(s.port, `/${raw.replace(/[?#]/g, '')}`)]);
        cases.push(['404 method', await request(s.port, `/callback?state=st-8&code=${e}`, { method: 'POST' })]);
        cases.push([
          '400 headers',
          await request(s.port, `/callback?state=${e}`, {
            headers: {
              referer: `https://evil.example/${e}`,
              'user-agent': raw,
              'x-forwarded-host': raw,
              cookie: `a=${e}`,
            },
          }),
        ]);
        cases.push([
          '404 host header',
          await request(s.port, `/${e}`, { headers: { host: raw.replace(/[^\x21-\x7e]/g, '') || 'x' } }),
        ]);
        for (const [what, r] of cases) {
          n++;
          const expected = r.status === 404 ? plain404.body : plain400.body;
          assert.ok(r.status === 400 || r.status === 404, `${what}: ${r.status}`);
          assert.equal(r.body, expected, `${what} with ${JSON.stringify(p)}: the page differs from the plain one`);
          const everything = JSON.stringify(r.headers) + r.body;
          for (const m of MARKERS) assert.ok(!everything.includes(m), `${what}: ${JSON.stringify(m)} reflected`);
          assertLockedDown(r, what);
        }
      }
      assert.ok(n >= 100);
    });

    test('every page is its template with only escaped plain text filled in, whatever the callback, label and server words carry', async () => {
      const outcomes = (p: string): CallbackOutcome[] => [
        { kind: 'success' },
        { kind: 'denied', error: p, description: p },
        { kind: 'failed', code: 'invalid_response' },
        { kind: 'failed', code: 'cancelled' },
      ];
      let n = 0;
      for (const [i, p] of PAYLOADS.entries()) {
        for (const [j, outcome] of outcomes(p).entries()) {
          const s = await start(`${p} label`);
          const state = `st-${i}-${j}`;
          const waiting = s.waitForCallback(state, AbortSignal.timeout(10_000));
          const e = encodeURIComponent(p);
          const r = await callbackAnswered(
            s,
            `/callback?state=${state}&code=${e}&iss=${e}&${e}=${e}&error=${e}&error_description=${e}`,
            waiting,
            outcome,
          );
          assert.equal(r.status, 200);
          const template =
            outcome.kind === 'success' ? PAGES.success : outcome.kind === 'denied' ? PAGES.denied : PAGES.failed;
          for (const fill of fills(template, r.body)) {
            assert.doesNotMatch(
              fill,
              /[<>"'\u202e]/,
              `payload ${i}, ${outcome.kind}: ${JSON.stringify(fill)} is not inert text`,
            );
            assert.ok(fill.length <= 2000, 'capped');
          }
          assertLockedDown(r, `payload ${i} ${outcome.kind}`);
          assert.equal((await waiting).get('code'), p, 'delivered verbatim to the client, which validates it');
          n++;
        }
      }
      assert.equal(n, PAYLOADS.length * 4);
    });
  });
});
