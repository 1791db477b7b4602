/**
 * A real MCP server for the bridge's tests: the official TypeScript SDK's McpServer over its streamable HTTP
 * transport (stateful: Mcp-Session-Id), behind a bearer-token check as an MCP server behind OAuth does it (RFC 6750
 * challenges with the RFC 9728 metadata URL, `insufficient_scope` for the `write` tool). It also publishes its RFC 9728
 * protected-resource metadata, and records what reached it (methods, tokens, headers) so tests can prove what the
 * bridge forwarded and what it did not. Runs on plain Node and inside the extension host; loopback only.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';

/** What a valid token says about its holder; undefined for a token the server does not accept. */
export interface TokenInfo {
  readonly sub: string;
  readonly scopes: readonly string[];
}
export type VerifyToken = (token: string) => Promise<TokenInfo | undefined> | TokenInfo | undefined;

export interface SeenRequest {
  readonly method: string;
  /** The JSON-RPC method of a POST (undefined for GET/DELETE or a batch). */
  readonly rpc?: string;
  readonly token?: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly status: number;
}

export interface TestMcpServer {
  /** The MCP endpoint, e.g. http://127.0.0.1:PORT/mcp: the resource identifier too. */
  readonly url: string;
  readonly origin: string;
  readonly seen: SeenRequest[];
  /** What the `slow` tool saw: 'started', then 'cancelled' when its request was cancelled. */
  readonly slowEvents: string[];
  /** Sets the authorization server the metadata names and tokens are checked against. */
  verifyWith(verify: VerifyToken, authorizationServer?: string): void;
  /** The next N requests answer 401 invalid_token whatever the token (a token revoked before its time). */
  rejectNext(n: number): void;
  /** Answer every request with this (a misbehaving server: a redirect elsewhere, a 500). */
  override?: { status: number; headers?: Record<string, string>; body?: string };
  stop(): Promise<void>;
}

const WRITE_SCOPE = 'api:write';

function mcpFor(info: () => TokenInfo | undefined, slowEvents: string[]): McpServer {
  const server = new McpServer({ name: 'oauth-accounts-test-mcp', version: '1.0.0' });
  server.registerTool(
    'whoami',
    { description: 'The subject of the bearer token this request came with.' },
    async () => ({ content: [{ type: 'text', text: info()?.sub ?? 'nobody' }] }),
  );
  server.registerTool(
    'echo',
    { description: 'Echoes its text.', inputSchema: { text: z.string() } },
    async ({ text }) => ({ content: [{ type: 'text', text }] }),
  );
  server.registerTool('write', { description: `Needs the ${WRITE_SCOPE} scope (step-up).` }, async () => ({
    content: [{ type: 'text', text: 'written' }],
  }));
  // A long-running tool whose cancellation the tests observe: resolves when the client goes away or after 60 s.
  server.registerTool('slow', { description: 'Waits until cancelled.' }, async (extra) => {
    slowEvents.push('started');
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 60_000);
      extra.signal.addEventListener(
        'abort',
        () => {
          slowEvents.push('cancelled');
          clearTimeout(timer);
          resolve();
        },
        { once: true },
      );
    });
    return { content: [{ type: 'text', text: 'done' }] };
  });
  return server;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

export async function startMcpServer(host = '127.0.0.1'): Promise<TestMcpServer> {
  let verify: VerifyToken = () => undefined;
  let authorizationServer: string | undefined;
  let rejections = 0;
  const seen: SeenRequest[] = [];
  const slowEvents: string[] = [];
  const transports = new Map<string, StreamableHTTPServerTransport>();
  let current: TokenInfo | undefined;

  const server = createServer(
    (req, res) =>
      void handle(req, res).catch((e: unknown) => {
        if (!res.headersSent) {
          res.statusCode = 500;
          res.end(String(e));
        }
      }),
  );
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const origin = `http://${host}:${(server.address() as AddressInfo).port}`;
  const url = `${origin}/mcp`;
  const metadataUrl = `${origin}/.well-known/oauth-protected-resource/mcp`;

  const self: TestMcpServer = {
    url,
    origin,
    seen,
    slowEvents,
    verifyWith(v, as) {
      verify = v;
      authorizationServer = as;
    },
    rejectNext(n) {
      rejections = n;
    },
    stop: async () => {
      for (const t of transports.values()) await t.close().catch(() => undefined);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '').split('?')[0];
    if (path === '/.well-known/oauth-protected-resource/mcp' || path === '/.well-known/oauth-protected-resource') {
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          resource: url,
          authorization_servers: authorizationServer ? [authorizationServer] : [],
          scopes_supported: ['api:read', WRITE_SCOPE],
          resource_name: 'Test MCP',
        }),
      );
      return;
    }
    const body = req.method === 'POST' ? await readJson(req) : undefined;
    const rpc =
      body && typeof body === 'object' && !Array.isArray(body) ? (body as { method?: string }).method : undefined;
    const token = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
    const record = (status: number) =>
      seen.push({ method: req.method ?? '', rpc, token, headers: { ...req.headers }, status });
    if (self.override) {
      record(self.override.status);
      res.writeHead(self.override.status, self.override.headers ?? {});
      res.end(self.override.body ?? '');
      return;
    }
    if (path !== '/mcp') {
      record(404);
      res.statusCode = 404;
      res.end();
      return;
    }
    const info = token ? await verify(token) : undefined;
    if (!info || rejections > 0) {
      if (info) rejections--;
      record(401);
      res.writeHead(401, {
        'www-authenticate': `Bearer error="invalid_token", resource_metadata="${metadataUrl}"`,
        'content-type': 'application/json',
      });
      res.end(JSON.stringify({ error: 'invalid_token' }));
      return;
    }
    const params = (body as { params?: { name?: string } } | undefined)?.params;
    if (rpc === 'tools/call' && params?.name === 'write' && !info.scopes.includes(WRITE_SCOPE)) {
      record(403);
      res.writeHead(403, {
        'www-authenticate': `Bearer error="insufficient_scope", scope="api:read ${WRITE_SCOPE}", resource_metadata="${metadataUrl}"`,
      });
      res.end();
      return;
    }
    const sessionId = req.headers['mcp-session-id'];
    let transport = typeof sessionId === 'string' ? transports.get(sessionId) : undefined;
    if (!transport) {
      if (req.method !== 'POST' || !isInitializeRequest(body)) {
        record(typeof sessionId === 'string' ? 404 : 400);
        res.statusCode = typeof sessionId === 'string' ? 404 : 400;
        res.end();
        return;
      }
      const created = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (id) => {
          transports.set(id, created);
        },
      });
      created.onclose = () => {
        if (created.sessionId) transports.delete(created.sessionId);
      };
      await mcpFor(() => current, slowEvents).connect(created);
      transport = created;
    }
    record(200);
    // The tools answer from the token of the request being handled (one request at a time is enough for the tests).
    current = info;
    await transport.handleRequest(req, res, body);
  }
  return self;
}
