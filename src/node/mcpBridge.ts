/**
 * The MCP bridge: a loopback HTTP server (127.0.0.1 only, a random port) that VS Code's MCP client talks to instead of
 * the MCP server, and that adds the provider's current access token to every request (mcpUpstream.ts). It exists
 * because a server definition's headers are fixed when VS Code starts the server, while tokens expire.
 *
 * Who may use it: whoever holds this window's secret, a random value VS Code sends as `Authorization: Bearer …`
 * (VS Code's MCP log masks that header). Anything else — another local process, a web page — gets 401 and nothing is
 * forwarded; the secret is compared in constant time. Before that, a request must name the bridge itself as Host
 * (a DNS-rebinding page names its own host) and must not come from a browser context (Origin, Sec-Fetch-Site).
 *
 * Where requests go: each configured server has one path, and a request to it goes to that server's URL exactly — no
 * other path, no query, no absolute-form target, no redirect — so the bridge is no proxy to anywhere else. Slow or
 * malformed clients are cut off by Node's header and request timeouts, a body cap, and a connection cap. Node only:
 * a web worker cannot listen on a port.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { bridgePath } from '../mcp/serverEntries';
import { answer, forward, type BridgeAuth, type Log, type UpstreamRoute } from './mcpUpstream';

export type { BridgeAuth, Grant } from './mcpUpstream';

interface BridgeRoute {
  /** The server's name (its path on the bridge: bridgePath). */
  readonly name: string;
  /** The MCP endpoint every request on that path goes to. */
  readonly url: string;
}

export interface BridgeOptions {
  readonly auth: BridgeAuth;
  readonly log?: Log;
  /** Largest request body accepted (default 16 MiB); more is refused with 413. */
  readonly maxBodyBytes?: number;
  /** Time allowed for a client to send its request headers (default 10 s) and its whole request (default 60 s). */
  readonly headersTimeoutMs?: number;
  readonly requestTimeoutMs?: number;
  /** Connections served at once (default 256: VS Code holds a stream and a few requests per server); more are closed at once. */
  readonly maxConnections?: number;
}

export interface McpBridge {
  /** http://127.0.0.1:PORT */
  readonly origin: string;
  /** What a client must send: this window's secret. Give it only to VS Code's server definition (and tests). */
  readonly clientHeaders: Readonly<Record<string, string>>;
  /** The bridge URL of the server `name`. */
  urlFor(name: string): string;
  /** The servers the bridge serves from now on (requests in flight finish with their old route). */
  setRoutes(routes: readonly BridgeRoute[]): void;
  /** Stops listening and ends every open connection (the window is closing). */
  close(): Promise<void>;
}

const METHODS = ['POST', 'GET', 'DELETE'];
const digest = (s: string) => createHash('sha256').update(s).digest();

export async function startMcpBridge(o: BridgeOptions): Promise<McpBridge> {
  const log: Log = o.log ?? (() => {});
  const maxBody = o.maxBodyBytes ?? 16 * 1024 * 1024;
  const secret = randomBytes(32).toString('base64url');
  const expected = digest(`Bearer ${secret}`);
  let routes = new Map<string, UpstreamRoute>();
  const sockets = new Set<Socket>();

  const headersTimeout = o.headersTimeoutMs ?? 10_000;
  // Node checks both timeouts on this interval (30 s by default): often enough that they mean what they say.
  const server = createServer(
    { connectionsCheckingInterval: Math.max(50, Math.min(5_000, headersTimeout / 2)) },
    (req, res) => {
      handle(req, res).catch((e: unknown) => {
        log('warn', `MCP bridge: a request failed (${(e as Error)?.message ?? String(e)})`);
        answer(res, 500, 'OAuth Accounts: the MCP bridge failed on this request.');
      });
    },
  );
  server.headersTimeout = headersTimeout;
  server.requestTimeout = o.requestTimeoutMs ?? 60_000;
  server.maxConnections = o.maxConnections ?? 256;
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  // A malformed request (bad request line, oversized headers, smuggling attempts Node refuses) never reaches handle().
  server.on('clientError', (e: NodeJS.ErrnoException, socket: Socket) => {
    const status =
      e.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? '408 Request Timeout'
        : e.code === 'HPE_HEADER_OVERFLOW'
          ? '431 Request Header Fields Too Large'
          : '400 Bad Request';
    if (socket.writable) socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;
  const host = `127.0.0.1:${port}`;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.headers.host !== host)
      return answer(res, 421, 'OAuth Accounts: this is not the host the MCP bridge serves.');
    const site = req.headers['sec-fetch-site'];
    if (
      (req.headers.origin !== undefined && req.headers.origin !== origin) ||
      (site !== undefined && site !== 'same-origin' && site !== 'none')
    ) {
      return answer(res, 403, 'OAuth Accounts: the MCP bridge does not serve web pages.');
    }
    const given = req.headers.authorization;
    if (typeof given !== 'string' || !timingSafeEqual(digest(given), expected)) {
      return answer(res, 401, 'OAuth Accounts: this request lacks the MCP bridge secret of this window.', {
        'www-authenticate': 'Bearer realm="OAuth Accounts MCP bridge"',
      });
    }
    const route = routes.get(req.url ?? '');
    if (!route) return answer(res, 404, 'OAuth Accounts: no MCP server is configured at this path.');
    const method = req.method ?? '';
    if (!METHODS.includes(method))
      return answer(res, 405, `OAuth Accounts: the MCP bridge does not forward ${method.slice(0, 20)} requests.`, {
        allow: METHODS.join(', '),
      });
    const body = await readBody(req, maxBody);
    if (body === 'too large')
      return answer(res, 413, `OAuth Accounts: the request body is larger than ${maxBody} bytes.`);
    if (body === 'aborted') return;
    if (method !== 'POST' && body.length)
      return answer(res, 400, `OAuth Accounts: a ${method} request to an MCP server has no body.`);
    await forward(route, req, res, method === 'POST' ? body : undefined, o.auth, log);
  }

  return {
    origin,
    clientHeaders: Object.freeze({ Authorization: `Bearer ${secret}` }),
    urlFor: (name) => `${origin}${bridgePath(name)}`,
    setRoutes(next) {
      routes = new Map(next.map((r) => [bridgePath(r.name), { name: r.name, target: new URL(r.url) }]));
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}

/** The whole body, or why not: over `max` bytes (the rest is not read), or the client went away. */
function readBody(req: IncomingMessage, max: number): Promise<Buffer | 'too large' | 'aborted'> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > max) return Promise.resolve('too large');
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) {
        req.removeAllListeners('data');
        req.pause();
        resolve('too large');
        return;
      }
      chunks.push(c);
    });
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('close', () => {
      if (!req.complete) resolve('aborted');
    });
    req.once('error', () => resolve('aborted'));
  });
}
