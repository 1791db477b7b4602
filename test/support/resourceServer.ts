/**
 * A protected resource (an API or MCP endpoint) for RFC 9728 tests: it serves whatever each test puts in `routes`
 * (status, JSON body, headers) and records every request path. Mock on purpose: only the resource side is faked;
 * the authorization servers the documents name are the real oidc-provider.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Route {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface ResourceServer {
  readonly origin: string;
  readonly routes: Map<string, Route>;
  readonly requests: string[];
  stop(): Promise<void>;
}

export async function startResourceServer(host = '127.0.0.1'): Promise<ResourceServer> {
  const routes = new Map<string, Route>();
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const route = routes.get(req.url ?? '') ?? { status: 404, body: { error: 'not found' } };
    res.statusCode = route.status ?? 200;
    for (const [k, v] of Object.entries(route.headers ?? {})) res.setHeader(k, v);
    if (route.body === undefined) {
      res.end();
      return;
    }
    res.setHeader('content-type', 'application/json');
    res.end(typeof route.body === 'string' ? route.body : JSON.stringify(route.body));
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const origin = `http://${host}:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    routes,
    requests,
    stop: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
