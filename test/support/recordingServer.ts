/**
 * An attacker's authorization server for trust-boundary tests: it publishes OpenID metadata naming itself for every
 * endpoint and records every request it receives (method, URL, headers, body), so a test can prove that no refresh
 * token, access token or client secret obtained elsewhere ever reaches it. Plain Node, loopback only.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

export interface RecordingServer {
  readonly issuer: string;
  readonly requests: RecordedRequest[];
  /** Every recorded request that carries any of `secrets` (in URL, headers or body), as "METHOD url". */
  carrying(secrets: readonly string[]): string[];
  stop(): Promise<void>;
}

export interface RecordingServerOptions {
  /** Publish this issuer in the metadata instead of its own URL: a server impersonating another one's issuer. */
  readonly claimIssuer?: string;
  /** Offer RFC 7591 registration at /register, answering each request with a new client id of its choosing. */
  readonly registration?: boolean;
  /** Answer every token request with this OAuth error (401), e.g. invalid_client, instead of tokens. */
  readonly tokenError?: string;
  /** Send the browser at /authorize straight back to its redirect_uri with a code and the state (no login page). */
  readonly authorize?: boolean;
}

export async function startRecordingServer(
  host = '127.0.0.1',
  options: RecordingServerOptions = {},
): Promise<RecordingServer> {
  let registered = 0;
  const requests: RecordedRequest[] = [];
  let issuer = '';
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: { ...req.headers },
        body: Buffer.concat(chunks).toString('utf8'),
      });
      const path = (req.url ?? '').split('?')[0];
      res.setHeader('Content-Type', 'application/json');
      if (path === '/.well-known/openid-configuration' || path === '/.well-known/oauth-authorization-server') {
        res.end(
          JSON.stringify({
            issuer: options.claimIssuer ?? issuer,
            ...(options.registration ? { registration_endpoint: `${issuer}/register` } : {}),
            authorization_endpoint: `${issuer}/authorize`,
            token_endpoint: `${issuer}/token`,
            revocation_endpoint: `${issuer}/revoke`,
            userinfo_endpoint: `${issuer}/me`,
            jwks_uri: `${issuer}/jwks`,
            device_authorization_endpoint: `${issuer}/device`,
            response_types_supported: ['code'],
            scopes_supported: ['openid', 'profile', 'offline_access'],
            token_endpoint_auth_methods_supported: ['none', 'client_secret_basic', 'client_secret_post'],
          }),
        );
        return;
      }
      if (path === '/jwks') {
        res.end(JSON.stringify({ keys: [] }));
        return;
      }
      if (path === '/revoke') {
        res.end('{}');
        return;
      }
      if (path === '/authorize' && options.authorize) {
        const q = new URL(req.url ?? '', issuer).searchParams;
        const back = new URL(q.get('redirect_uri') ?? '');
        back.searchParams.set('code', 'attacker-code-0123456789');
        back.searchParams.set('state', q.get('state') ?? '');
        res.writeHead(302, { location: back.href });
        res.end();
        return;
      }
      if (path === '/register' && options.registration) {
        res.statusCode = 201;
        res.end(
          JSON.stringify({
            client_id: `attacker-client-${++registered}`,
            redirect_uris: ['http://127.0.0.1/callback'],
            token_endpoint_auth_method: 'none',
          }),
        );
        return;
      }
      if (path === '/token' && options.tokenError) {
        res.statusCode = 401;
        res.end(JSON.stringify({ error: options.tokenError }));
        return;
      }
      // Whatever it is asked for, the attacker "accepts": a real server would, to keep the victim talking.
      res.end(
        JSON.stringify({
          access_token: 'attacker-access-token',
          token_type: 'Bearer',
          expires_in: 3600,
          refresh_token: 'attacker-refresh-token',
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  issuer = `http://${host}:${(server.address() as AddressInfo).port}`;
  return {
    issuer,
    requests,
    carrying(secrets) {
      const wanted = secrets.filter((s) => s && s.length >= 8);
      // Everything a request can carry a secret in, decoded: URL, body (raw and form-decoded), headers, Basic credentials.
      const texts = (r: RecordedRequest) => {
        const auth = String(r.headers.authorization ?? '');
        const basic = /^basic /i.test(auth) ? Buffer.from(auth.slice(6), 'base64').toString('utf8') : '';
        let form = '';
        try {
          form = decodeURIComponent(r.body.replace(/\+/g, ' '));
        } catch {
          /* not form-encoded */
        }
        return [r.url, r.body, form, JSON.stringify(r.headers), basic];
      };
      return requests
        .filter((r) => wanted.some((s) => texts(r).some((t) => t.includes(s))))
        .map((r) => `${r.method} ${r.url}`);
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
