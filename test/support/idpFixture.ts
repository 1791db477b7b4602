/**
 * A small in-process identity provider (node:http on 127.0.0.1) that answers the way a given IdP documents its
 * responses, for the quirks tests. Real-host URLs (https://github.com, https://accounts.google.com, …) reach it
 * through `routingFetch`, so presets are tested with their real endpoints.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import type { BaseFetch } from '../../src/protocol/http';

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

export interface TokenReply {
  status: number;
  /** An object is sent as JSON, a string as-is with `contentType`. */
  body: Record<string, unknown> | string;
  contentType?: string;
}

export interface FixtureOptions {
  /** Issuer as published in metadata and ID tokens. */
  readonly issuer: string;
  /** Metadata served at {issuer path}/.well-known/openid-configuration; omitted: no discovery (GitHub). */
  readonly metadata?: Record<string, unknown>;
  readonly clientId: string;
  /** With a secret the token endpoint requires it (client_secret_post or basic). */
  readonly clientSecret?: string;
  /** Extra ID token claims (tid, email, …); `iss` here overrides the issuer. Without openid scope no ID token. */
  readonly idClaims?: Record<string, unknown>;
  readonly userinfo?: Record<string, unknown>;
  /** Issue refresh tokens; `rotate` issues a new one on each refresh and invalidates the old one. */
  readonly refresh?: 'none' | 'rotate' | 'reuse';
  /** Add `iss` to the authorization response (RFC 9207). */
  readonly issParameter?: boolean;
  /** Shapes each token endpoint reply the way the IdP does (errors included). */
  readonly shapeToken?: (reply: TokenReply, req: RecordedRequest) => TokenReply;
  /** Device authorization (RFC 8628): how many polls answer authorization_pending before tokens are issued. */
  readonly devicePendingPolls?: number;
  /** Extra routes: `METHOD /path` → handler result. */
  readonly routes?: Record<string, (req: RecordedRequest) => TokenReply>;
}

interface CodeGrant {
  challenge: string;
  redirectUri: string;
  nonce?: string;
  scope: string;
}

export class IdpFixture {
  readonly requests: RecordedRequest[] = [];
  readonly accessTokens = new Set<string>();
  private readonly codes = new Map<string, CodeGrant>();
  private readonly refreshTokens = new Map<string, string>();
  private readonly devices = new Map<string, { scope: string; polls: number }>();
  private readonly key = generateKeyPairSync('rsa', { modulusLength: 2048 });
  private opts!: FixtureOptions;

  private constructor(
    private readonly server: http.Server,
    readonly origin: string,
  ) {}

  static async start(): Promise<IdpFixture> {
    let fixture!: IdpFixture;
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        try {
          fixture.handle(req, Buffer.concat(chunks).toString('utf8'), res);
        } catch (e) {
          res.writeHead(500);
          res.end(String(e));
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    fixture = new IdpFixture(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return fixture;
  }

  configure(opts: FixtureOptions): this {
    this.opts = opts;
    this.requests.length = 0;
    return this;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** Requests to one path (any host), in order. */
  to(path: string): RecordedRequest[] {
    return this.requests.filter((r) => r.path === path);
  }

  /**
   * A base fetch that sends requests for `hosts` (e.g. "github.com") to this fixture over plain http, keeping the
   * path and query. Everything else goes to the real fetch (the loopback fixture itself).
   */
  routingFetch(hosts: readonly string[]): BaseFetch {
    return (url, init) => {
      const u = new URL(url);
      const target = hosts.includes(u.host) ? `${this.origin}${u.pathname}${u.search}` : url;
      return fetch(target, init as RequestInit);
    };
  }

  /** Plays the browser: follows the authorization URL to the redirect and returns the callback query. */
  async authorize(url: string, fetchImpl: BaseFetch): Promise<URLSearchParams> {
    const res = await fetchImpl(url, { method: 'GET', redirect: 'manual' });
    const location = res.headers.get('location');
    if (res.status !== 302 || !location) throw new Error(`authorize answered ${res.status}`);
    return new URL(location).searchParams;
  }

  private handle(req: http.IncomingMessage, body: string, res: http.ServerResponse): void {
    const u = new URL(req.url ?? '/', this.origin);
    const rec: RecordedRequest = {
      method: req.method ?? 'GET',
      path: u.pathname,
      query: u.searchParams,
      headers: req.headers,
      body,
    };
    this.requests.push(rec);
    const send = (r: TokenReply) => {
      const isText = typeof r.body === 'string';
      res.writeHead(r.status, {
        'content-type': r.contentType ?? (isText ? 'text/plain' : 'application/json'),
        'cache-control': 'no-store',
      });
      res.end(isText ? r.body : JSON.stringify(r.body));
    };
    const route = this.opts.routes?.[`${rec.method} ${rec.path}`];
    if (route) return send(route(rec));
    const issuerPath = new URL(this.opts.issuer).pathname.replace(/\/$/, '');
    if (rec.method === 'GET' && rec.path === `${issuerPath}/.well-known/openid-configuration` && this.opts.metadata)
      return send({ status: 200, body: this.opts.metadata });
    if (rec.method === 'GET' && rec.path.endsWith('/authorize')) return this.authorizeEndpoint(rec, res);
    if (rec.method === 'POST' && (rec.path.endsWith('/token') || rec.path.endsWith('/access_token'))) {
      const reply = this.tokenEndpoint(rec);
      return send(this.opts.shapeToken ? this.opts.shapeToken(reply, rec) : reply);
    }
    if (rec.method === 'POST' && rec.path.endsWith('/device/code')) {
      const deviceCode = `dc-${randomBytes(12).toString('base64url')}`;
      this.devices.set(deviceCode, { scope: new URLSearchParams(body).get('scope') ?? '', polls: 0 });
      const origin = new URL(this.opts.issuer).origin;
      const reply: TokenReply = {
        status: 200,
        body: {
          device_code: deviceCode,
          user_code: 'WDJB-MJHT',
          verification_uri: `${origin}/login/device`,
          expires_in: 900,
          interval: 1,
        },
      };
      return send(this.opts.shapeToken ? this.opts.shapeToken(reply, rec) : reply);
    }
    if (rec.method === 'GET' && rec.path.endsWith('/jwks')) {
      return send({
        status: 200,
        body: { keys: [{ ...this.key.publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'RS256', use: 'sig' }] },
      });
    }
    if (rec.method === 'GET' && rec.path.endsWith('/userinfo')) {
      const token = /^Bearer (.+)$/i.exec(String(req.headers.authorization ?? ''))?.[1];
      if (!token || !this.accessTokens.has(token)) return send({ status: 401, body: { error: 'invalid_token' } });
      return send({ status: 200, body: { sub: 'user-1', ...this.opts.userinfo } });
    }
    if (rec.method === 'POST' && rec.path.endsWith('/revoke')) {
      const token = new URLSearchParams(body).get('token') ?? '';
      this.accessTokens.delete(token);
      this.refreshTokens.delete(token);
      return send({ status: 200, body: '', contentType: 'text/plain' });
    }
    send({ status: 404, body: { error: 'not_found' } });
  }

  private authorizeEndpoint(rec: RecordedRequest, res: http.ServerResponse): void {
    const q = rec.query;
    const redirectUri = q.get('redirect_uri')!;
    const code = randomBytes(16).toString('base64url');
    this.codes.set(code, {
      challenge: q.get('code_challenge') ?? '',
      redirectUri,
      nonce: q.get('nonce') ?? undefined,
      scope: q.get('scope') ?? '',
    });
    const back = new URL(redirectUri);
    back.searchParams.set('code', code);
    if (q.get('state')) back.searchParams.set('state', q.get('state')!);
    if (this.opts.issParameter) back.searchParams.set('iss', this.opts.issuer);
    res.writeHead(302, { location: back.href });
    res.end();
  }

  private tokenEndpoint(rec: RecordedRequest): TokenReply {
    const p = new URLSearchParams(rec.body);
    const err = (error: string, status = 400): TokenReply => ({ status, body: { error } });
    if (this.opts.clientSecret) {
      const basic = /^Basic (.+)$/i.exec(String(rec.headers.authorization ?? ''))?.[1];
      const [id, secret] = basic
        ? Buffer.from(basic, 'base64').toString().split(':').map(decodeURIComponent)
        : [p.get('client_id'), p.get('client_secret')];
      if (id !== this.opts.clientId || secret !== this.opts.clientSecret) return err('invalid_client', 401);
    } else if (p.get('client_id') !== this.opts.clientId) {
      return err('invalid_client', 401);
    }
    let scope: string;
    let nonce: string | undefined;
    if (p.get('grant_type') === 'authorization_code') {
      const grant = this.codes.get(p.get('code') ?? '');
      this.codes.delete(p.get('code') ?? '');
      if (!grant || grant.redirectUri !== p.get('redirect_uri')) return err('invalid_grant');
      const challenge = createHash('sha256')
        .update(p.get('code_verifier') ?? '')
        .digest('base64url');
      if (challenge !== grant.challenge) return err('invalid_grant');
      scope = grant.scope;
      nonce = grant.nonce;
    } else if (p.get('grant_type') === 'refresh_token') {
      const rt = p.get('refresh_token') ?? '';
      const s = this.refreshTokens.get(rt);
      if (s === undefined) return err('invalid_grant');
      if (this.opts.refresh === 'rotate') this.refreshTokens.delete(rt);
      scope = s;
    } else if (p.get('grant_type') === 'urn:ietf:params:oauth:grant-type:device_code') {
      const device = this.devices.get(p.get('device_code') ?? '');
      if (!device) return err('invalid_grant');
      if (device.polls++ < (this.opts.devicePendingPolls ?? 0)) return err('authorization_pending');
      this.devices.delete(p.get('device_code')!);
      scope = device.scope;
    } else {
      return err('unsupported_grant_type');
    }
    const accessToken = `at-${randomBytes(12).toString('base64url')}`;
    this.accessTokens.add(accessToken);
    const body: Record<string, unknown> = { access_token: accessToken, token_type: 'Bearer', expires_in: 3600, scope };
    const refresh = this.opts.refresh ?? 'none';
    if (refresh !== 'none') {
      const old = p.get('refresh_token');
      const rt = refresh === 'reuse' && old ? old : `rt-${randomBytes(12).toString('base64url')}`;
      this.refreshTokens.set(rt, scope);
      body.refresh_token = rt;
    }
    if (scope.split(' ').includes('openid')) body.id_token = this.idToken(nonce);
    return { status: 200, body };
  }

  private idToken(nonce: string | undefined): string {
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      iss: this.opts.issuer,
      sub: 'user-1',
      aud: this.opts.clientId,
      iat: now,
      exp: now + 600,
      ...(nonce ? { nonce } : {}),
      ...this.opts.idClaims,
    };
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const input = `${b64({ alg: 'RS256', kid: 'k1', typ: 'JWT' })}.${b64(claims)}`;
    return `${input}.${sign('sha256', Buffer.from(input), this.key.privateKey).toString('base64url')}`;
  }
}

/** Standard OpenID metadata for `issuer` with endpoints under `base` (defaults to the issuer). */
export function oidcMetadata(
  issuer: string,
  extra: Record<string, unknown> = {},
  base = issuer.replace(/\/$/, ''),
): Record<string, unknown> {
  return {
    issuer,
    authorization_endpoint: `${base}/authorize`,
    token_endpoint: `${base}/token`,
    userinfo_endpoint: `${base}/userinfo`,
    jwks_uri: `${base}/jwks`,
    revocation_endpoint: `${base}/revoke`,
    response_types_supported: ['code'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
    code_challenge_methods_supported: ['S256'],
    grant_types_supported: ['authorization_code', 'refresh_token'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    ...extra,
  };
}
