// Starts the test authorization server (test/fixtures/op/opServer.mjs, a real oidc-provider) in a child process.
// A child process rather than an in-process import because this file runs both under plain mocha (Node 20) and
// inside the VS Code extension host (Node 24, CommonJS, no koa wanted there), and because "AS down, then back"
// tests need to kill the server and start it again on the same port.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Client ids registered at the test AS (see opHarness.mjs). */
export const TEST_CLIENTS = {
  /** token_endpoint_auth_method none: authorization_code, refresh_token, device_code. */
  public: 'vscode-public',
  /** client_secret_basic with CONFIDENTIAL_SECRET. */
  basic: 'vscode-basic',
  /** client_secret_post with CONFIDENTIAL_SECRET. */
  post: 'vscode-post',
  /** Public, redirect URIs matched exactly (port included); only with the strictLoopbackPorts option. */
  strict: 'vscode-strict',
} as const;

/** Secret of the confidential test clients; test-only, never a real credential. */
export const CONFIDENTIAL_SECRET = 'test-only-confidential-secret-0123456789abcdef';

/** The extension's URI-handler authority, the only one the test AS accepts in code-server style redirect URIs. */
export const EXTENSION_AUTHORITY = 'openauth.oauth-accounts';

export interface OpOptions {
  /** Listen address; default 127.0.0.2 because code-server rewrites 127.0.0.1/localhost URLs in openExternal. */
  host?: string;
  /** Default 0 (ephemeral). Pass a previous run's port to bring the AS "back" at the same issuer. */
  port?: number;
  /** Access token lifetime in seconds; default 300. */
  accessTokenTtl?: number;
  /** oidc-provider clockTolerance in seconds; default 0 (its 15 s default also stretches token expiry). */
  clockTolerance?: number;
  /** Issue a new refresh token on every refresh (replaying an old one revokes the grant); default true. */
  rotateRefreshToken?: boolean;
  /** Rewrites the device authorization `interval` (seconds) so polling tests run fast; e.g. 0.05 (not 0: openid-client rejects it). */
  deviceInterval?: number;
  /** Account every login signs in as; default 'alice' (email alice@example.test). */
  account?: string;
  /**
   * Where metadata is served: 'oidc' (default) only /.well-known/openid-configuration; 'oauth2' only RFC 8414
   * /.well-known/oauth-authorization-server; 'both'; or { path } only at that path (both well-known routes 404).
   */
  discovery?: 'oidc' | 'oauth2' | 'both' | { path: string };
  /** false: drop revocation_endpoint from metadata (the endpoint still works). Default true. */
  advertiseRevocation?: boolean;
  /** false: behave like a server without RFC 9207: no `iss` in metadata or authorization responses. Default true. */
  issParameter?: boolean;
  /** true: CORS allowed for every client (web extension tests). Default false. */
  cors?: boolean;
  /**
   * Play Entra ID's multi-tenant endpoint for this tenant id: metadata issuer `https://login.microsoftonline.com/
   * {tenantid}/v2.0` and endpoints on that origin (map it to `issuer` in the client's fetch), ID tokens with this
   * tenant's issuer and a `tid` claim.
   */
  entraTenant?: string;
  /** The `tid` claim of those ID tokens; default entraTenant (another value makes `iss` and `tid` disagree). */
  entraTidClaim?: string;
  /** Shallow-merged into the oidc-provider configuration (`features` one level deep). JSON values only. */
  extra?: Record<string, unknown>;
  /** A public client "vscode-strict" registered with exactly these loopback redirect URIs (ports included). */
  strictLoopbackPorts?: number[];
  /** RFC 7009 revocation refused to public clients with HTTP 401 (confidential clients only). */
  revocationConfidentialOnly?: boolean;
  /**
   * RFC 8707: resource indicators the AS accepts; their access tokens are JWTs with aud = the resource and the
   * requested ones of the scopes api:read and api:write.
   */
  resourceIndicators?: string[];
  /** RFC 9126: authorization requests must be pushed (require_pushed_authorization_requests). PAR is on either way. */
  requirePar?: boolean;
  /** RFC 7591 dynamic registration at /reg; with initialAccessToken, only for requests that bear it. */
  registration?: boolean | { initialAccessToken: string };
  /**
   * false: revoking a refresh token revokes only that token, not the whole grant (oidc-provider's default does).
   * Use it to prove that *each* token was revoked: with the default, revoking one token of a grant kills the rest.
   */
  revokeGrantOnRevocation?: boolean;
  /** true: advertise and honour prompt=select_account (completed automatically); counted in stats.prompts. */
  selectAccount?: boolean;
  /** Redirect URIs matched exactly for every client, port included (no RFC 8252 any-port rule for loopback). */
  exactRedirectUris?: boolean;
  /** Registration ignores the requested token_endpoint_auth_method: every registered client is client_secret_basic. */
  forceConfidentialRegistration?: boolean;
  /** Registration (and RFC 7592 update) answers leave out client_secret_expires_at (fault stand-in). */
  omitSecretExpiry?: boolean;
  /** A dead refresh token is answered 400 with this error instead of invalid_grant (fault stand-in), e.g. invalid_request. */
  deadRefreshError?: string;
  /** Serve https with this certificate and key (PEM file paths; see test/support/privateCa.ts). */
  tls?: { cert: string; key: string };
}

export interface Stats {
  /** Every metadata request (well-known or custom path), including the ones answered 404. */
  discovery: number;
  /** Metadata requests answered 404 because this discovery variant hides that location. */
  discoveryNotFound: number;
  jwks: number;
  authorization: number;
  token: number;
  tokenByGrant: { authorization_code: number; refresh_token: number; device_code: number };
  userinfo: number;
  revocation: number;
  device_authorization: number;
  /** Login/consent interactions completed automatically. */
  interactions: number;
  /** Logins per account id. */
  logins: Record<string, number>;
  /** Interaction prompts shown, by name: login, consent, select_account. */
  prompts: Record<string, number>;
  /** Every oidc-provider route name (also resume, introspection, end_session, …). */
  routes: Record<string, number>;
}

export interface OpState {
  /** The next login or consent answers access_denied (one request only). */
  denyNextConsent: boolean;
  /** The next login signs in as this account instead of the default (one login only); null clears it. */
  nextAccount: string | null;
  /** The next N device-code polls that would answer authorization_pending answer slow_down instead. */
  slowDownPolls: number;
  /** Refresh answers (issued and counted in stats) are held until this is set false again. */
  holdRefreshes: boolean;
}

export interface DriveResult {
  /** Where the browser stopped: the redirect URI with code/state, or the last page (e.g. device success). */
  url: string;
  /** HTTP status of the last page; absent when it stopped at the redirect URI. */
  status?: number;
  trail: string[];
}

export interface OpProcess {
  /** e.g. http://127.0.0.2:41234 */
  readonly issuer: string;
  readonly port: number;
  stats(): Promise<Stats>;
  resetStats(): Promise<void>;
  setState(partial: Partial<OpState>): Promise<void>;
  /**
   * Plays the browser at the AS: follows `goto` (an authorization URL or device verification URL), completes
   * login/consent, and stops at the first URL starting with `stopAt` without requesting it.
   */
  drive(goto: string, options?: { stopAt?: string; extraFormFields?: Record<string, string> }): Promise<DriveResult>;
  /** Deletes a (dynamically registered) client at the AS, as a server that purges registrations would. */
  forgetClient(clientId: string): Promise<void>;
  /** Kills the server (all connections closed) and waits for the process to exit. Safe to call twice. */
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 5_000;

/** The repository root: the nearest folder up from here whose package.json is named "oauth-accounts". */
export function repoRoot(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if (JSON.parse(readFileSync(pkg, 'utf8')).name === 'oauth-accounts') return dir;
      } catch {
        // unreadable package.json: keep walking
      }
    }
    if (dirname(dir) === dir) throw new Error(`no oauth-accounts package.json above ${__dirname}`);
  }
}

export async function startOpProcess(options: OpOptions = {}): Promise<OpProcess> {
  const server = join(repoRoot(), 'test', 'fixtures', 'op', 'opServer.mjs');
  const node = process.env.OAUTH_TEST_NODE || process.execPath;
  const env: NodeJS.ProcessEnv = { ...process.env, ELECTRON_RUN_AS_NODE: '1' }; // execPath may be Electron's
  delete env.NODE_OPTIONS; // a host's --inspect/--require flags must not leak into the AS
  const child = spawn(node, [server, JSON.stringify(options)], { stdio: ['pipe', 'pipe', 'pipe'], env });

  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-8192); // keep the tail for error messages
    if (process.env.OAUTH_TEST_OP_VERBOSE) process.stderr.write(chunk);
  });
  // 'error' too: a spawn failure (bad OAUTH_TEST_NODE) emits no 'exit'.
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  });

  let issuer: string;
  try {
    issuer = await readIssuer(child, () => stderr);
  } catch (err) {
    child.kill('SIGKILL');
    await exited;
    throw err;
  }

  // A test that forgets stop() must not keep mocha or the extension host alive; when this process exits, the
  // child's stdin ends and opServer.mjs shuts down on its own.
  child.unref();
  for (const s of [child.stdin, child.stdout, child.stderr] as Array<{ unref?: () => void } | null>) s?.unref?.();

  const call = async (method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> => {
    const res = await fetch(`${issuer}${path}`, {
      method,
      ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    });
    if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status}`);
    return res.json();
  };

  let stopped: Promise<void> | undefined;
  return {
    issuer,
    port: Number(new URL(issuer).port),
    stats: async () => (await call('GET', '/__test/stats')) as Stats,
    resetStats: async () => {
      await call('POST', '/__test/reset');
    },
    setState: async (partial) => {
      await call('POST', '/__test/state', partial);
    },
    forgetClient: async (clientId) => {
      await call('POST', `/__test/forget-client/${encodeURIComponent(clientId)}`);
    },
    drive: async (goto, o = {}) => (await call('POST', '/__test/drive', { goto, ...o })) as DriveResult,
    stop: () =>
      (stopped ??= (async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.ref(); // keep the event loop alive until the exit event arrives
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
        await exited;
        clearTimeout(timer);
      })()),
  };
}

/** Resolves with the issuer from the child's one stdout line, or rejects with its stderr on exit/timeout. */
function readIssuer(child: ChildProcess, stderr: () => string): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    const fail = (why: string) => {
      clearTimeout(timer);
      reject(new Error(`test AS (opServer.mjs) ${why}\n--- stderr ---\n${stderr()}`));
    };
    const timer = setTimeout(() => fail(`printed no issuer within ${START_TIMEOUT_MS} ms`), START_TIMEOUT_MS);
    child.once('error', (err) => fail(`could not start: ${err.message}`));
    const onExit = (code: number | null, signal: string | null) =>
      fail(`exited early (code ${code}, signal ${signal})`);
    child.once('exit', onExit);
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      out += chunk;
      const nl = out.indexOf('\n');
      if (nl === -1) return;
      clearTimeout(timer);
      child.off('exit', onExit);
      try {
        resolve((JSON.parse(out.slice(0, nl)) as { issuer: string }).issuer);
      } catch {
        reject(new Error(`test AS printed an unexpected first line: ${out.slice(0, nl)}`));
      }
    });
  });
}
