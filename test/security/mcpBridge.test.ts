/**
 * The MCP bridge from an attacker's side (test/unit/node/mcpBridge.test.ts has the protocol): malformed and smuggled
 * requests over raw sockets, fuzzed requests without the secret, oversized bodies, and slow or greedy clients
 * (slowloris headers, a dribbled body, a connection flood, a reader that never reads). None of it reaches the MCP
 * server, and the bridge serves the next good request afterwards.
 */
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { startBridgeHarness, type BridgeHarness } from '../support/bridgeHarness';
import { connectMcp } from '../support/mcpClient';

function socket(url: string): Promise<net.Socket> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: u.hostname, port: Number(u.port) }, () => resolve(s));
    s.on('error', () => {});
    s.once('error', reject);
  });
}

/** Sends `bytes` and collects everything until the bridge closes the connection. */
async function exchange(url: string, bytes: string | Buffer): Promise<string> {
  const s = await socket(url);
  let answer = '';
  s.on('data', (c: Buffer) => {
    answer += c.toString('latin1');
  });
  const closed = new Promise<void>((r) => s.once('close', () => r()));
  s.write(bytes);
  await closed;
  return answer;
}

const statusOf = (answer: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

suite('MCP bridge under attack', function () {
  this.timeout(30_000);
  let h: BridgeHarness;
  let hostHeader: string;
  let path: string;
  setup(async () => {
    h = await startBridgeHarness({
      headersTimeoutMs: 400,
      requestTimeoutMs: 800,
      maxConnections: 8,
      maxBodyBytes: 4096,
    });
    hostHeader = new URL(h.url).host;
    path = new URL(h.url).pathname;
  });
  teardown(async () => {
    await h.stop();
  });

  /** The bridge still works for the real client, and the server saw only that. */
  async function stillServes(): Promise<void> {
    const before = h.mcp.seen.length;
    const c = await connectMcp(h.url, { ...h.bridge.clientHeaders });
    try {
      assert.equal(await c.call('whoami'), 'alice');
    } finally {
      await c.close();
    }
    assert.ok(h.mcp.seen.length > before);
  }

  test('malformed and smuggled requests, with the secret: refused by the parser, nothing forwarded', async () => {
    const auth = h.bridge.clientHeaders.Authorization;
    const head = (extra: string) =>
      `POST ${path} HTTP/1.1\r\nHost: ${hostHeader}\r\nAuthorization: ${auth}\r\nContent-Type: application/json\r\n${extra}`;
    const attacks: Array<[string, string | Buffer]> = [
      ['binary garbage', Buffer.from([0, 1, 2, 255, 13, 10, 13, 10])],
      ['no HTTP version', `GET ${path}\r\n\r\n`],
      [
        'Content-Length and Transfer-Encoding (request smuggling)',
        `${head('Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n')}0\r\n\r\nGET / HTTP/1.1\r\n\r\n`,
      ],
      ['two different Content-Lengths', `${head('Content-Length: 2\r\nContent-Length: 3\r\n\r\n')}{}`],
      ['a negative Content-Length', `${head('Content-Length: -1\r\n\r\n')}`],
      ['a bad chunk size', `${head('Transfer-Encoding: chunked\r\n\r\n')}zz\r\n{}\r\n0\r\n\r\n`],
      ['headers over 16 KiB', head(`X-Big: ${'a'.repeat(20_000)}\r\n\r\n`)],
      ['a newline inside a header value', head('X-A: b\nInjected: yes\r\n\r\n')],
      ['a header name with a space', head('Bad Name: x\r\n\r\n')],
    ];
    for (const [what, bytes] of attacks) {
      const answer = await exchange(h.url, bytes);
      const status = statusOf(answer);
      assert.ok(status === 0 || (status >= 400 && status < 500), `${what}: ${answer.slice(0, 80)}`);
    }
    assert.deepEqual(h.mcp.seen, [], 'nothing reached the MCP server');
    await stillServes();
  });

  test('a body over the cap: 413, nothing forwarded, declared or not', async () => {
    const auth = h.bridge.clientHeaders.Authorization;
    const big = 'x'.repeat(5000);
    const declared = await exchange(
      h.url,
      `POST ${path} HTTP/1.1\r\nHost: ${hostHeader}\r\nAuthorization: ${auth}\r\nContent-Length: ${big.length}\r\n\r\n${big}`,
    );
    assert.equal(statusOf(declared), 413);
    const chunked = await exchange(
      h.url,
      `POST ${path} HTTP/1.1\r\nHost: ${hostHeader}\r\nAuthorization: ${auth}\r\nTransfer-Encoding: chunked\r\n\r\n${(5000).toString(16)}\r\n${big}\r\n0\r\n\r\n`,
    );
    assert.equal(statusOf(chunked), 413);
    assert.deepEqual(h.mcp.seen, []);
    await stillServes();
  });

  test('fuzzed requests without the secret (any method, path, headers, body): always refused, nothing forwarded', async () => {
    const token = fc.string({ minLength: 1, maxLength: 12 }).filter((t) => /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(t));
    const value = fc.string({ maxLength: 40 }).filter((v) => !/[\r\n\0]/.test(v) && v.trim() === v);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'POST', 'DELETE', 'PUT', 'OPTIONS', 'PATCH'),
        fc.oneof(
          fc.constant(path),
          fc.webPath().map((p) => p || '/'),
          fc.constant(`${path}?a=1`),
        ),
        fc.dictionary(
          token.filter(
            (t) =>
              t.toLowerCase() !== 'authorization' &&
              !['content-length', 'transfer-encoding', 'host', 'expect', 'connection', 'upgrade'].includes(
                t.toLowerCase(),
              ),
          ),
          value,
          { maxKeys: 4 },
        ),
        fc.option(fc.constantFrom('Bearer ', 'Basic x', `Bearer ${h.minted[0]}`, 'bearer x'), { nil: undefined }),
        fc.string({ maxLength: 64 }),
        async (method, p, headers, authorization, body) => {
          const status = await new Promise<number>((resolve) => {
            const req = http.request(
              {
                host: '127.0.0.1',
                port: new URL(h.url).port,
                method,
                path: p,
                headers: { ...headers, ...(authorization !== undefined ? { authorization } : {}) },
                agent: false,
              },
              (res) => {
                res.resume();
                resolve(res.statusCode ?? 0);
              },
            );
            req.on('error', () => resolve(0));
            req.end(method === 'GET' ? undefined : body);
          });
          assert.ok(status === 0 || (status >= 400 && status < 500), `${method} ${p}: ${status}`);
        },
      ),
      { numRuns: 150 },
    );
    assert.deepEqual(h.mcp.seen, []);
    assert.equal(h.calls.token, 0);
  });

  test('slow clients: headers dribbled (slowloris) and a body dribbled are cut off by the bridge; it keeps serving', async () => {
    const loris = await socket(h.url);
    const lorisClosed = new Promise<void>((r) => loris.once('close', () => r()));
    let answer = '';
    loris.on('data', (c: Buffer) => {
      answer += c.toString('latin1');
    });
    const dribble = async (s: net.Socket, text: string) => {
      for (const ch of text) {
        if (s.destroyed) return;
        s.write(ch);
        await sleep(100);
      }
    };
    void dribble(loris, `POST ${path} HTTP/1.1\r\nHost: ${hostHeader}\r\nX-Slow: ${'a'.repeat(200)}`);
    await lorisClosed;
    assert.ok(answer === '' || statusOf(answer) === 408, answer.slice(0, 60));

    const slowBody = await socket(h.url);
    const bodyClosed = new Promise<void>((r) => slowBody.once('close', () => r()));
    slowBody.write(
      `POST ${path} HTTP/1.1\r\nHost: ${hostHeader}\r\nAuthorization: ${h.bridge.clientHeaders.Authorization}\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n`,
    );
    void dribble(slowBody, '{'.repeat(200));
    await bodyClosed;
    assert.deepEqual(h.mcp.seen, [], 'a request that never finished arriving was not forwarded');
    await stillServes();
  });

  test('a connection flood is capped; the bridge serves again once it is over', async () => {
    const flood = await Promise.all(Array.from({ length: 30 }, () => socket(h.url).catch(() => undefined)));
    await sleep(100);
    const open = flood.filter((s) => s && !s.destroyed).length;
    assert.ok(open <= 8, `${open} connections held open at once (cap 8)`);
    for (const s of flood) s?.destroy();
    await sleep(100);
    await stillServes();
  });

  test("a client that never reads: the server's stream is held back (back-pressure), not buffered without bound", async () => {
    // A server that streams as fast as it may; it counts what it could hand to its socket before being told to wait.
    let written = 0;
    let blocked = false;
    const chunk = Buffer.alloc(64 * 1024, 'x');
    const fast = http.createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const pump = () => {
        while (written < 256 * 1024 * 1024) {
          written += chunk.length;
          if (!res.write(chunk)) {
            blocked = true;
            res.once('drain', pump);
            return;
          }
        }
        res.end();
      };
      pump();
    });
    await new Promise<void>((r) => fast.listen(0, '127.0.0.1', r));
    h.bridge.setRoutes([{ name: 'test', url: `http://127.0.0.1:${(fast.address() as AddressInfo).port}/mcp` }]);
    const reader = await socket(h.url);
    try {
      reader.pause(); // connected, never reads
      reader.write(
        `GET ${path} HTTP/1.1\r\nHost: ${hostHeader}\r\nAuthorization: ${h.bridge.clientHeaders.Authorization}\r\nAccept: text/event-stream\r\n\r\n`,
      );
      for (let i = 0; i < 100 && !blocked; i++) await sleep(20);
      await sleep(300);
      assert.ok(blocked, 'the server was told to wait');
      const held = written;
      await sleep(300);
      assert.equal(written, held, 'nothing more is produced while the client reads nothing');
      assert.ok(held < 64 * 1024 * 1024, `${Math.round(held / 1048576)} MiB in flight for a client that reads nothing`);
    } finally {
      reader.destroy();
      fast.closeAllConnections();
      fast.close();
    }
  });
});
