/**
 * Helpers of the security suite: the hostile authorization server (test/fixtures/hostile/hostileAs.mjs) in a child
 * process, a "browser" that follows the authorization redirect into the real loopback listener, a sign-in that ends
 * the way the extension's createSession ends (stored through SessionKeeper into a fake SecretStorage), and an
 * assertion for "rejected with this AuthError".
 */
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as net from 'node:net';
import { join } from 'node:path';
import type { ProviderConfig } from '../../src/protocol/config';
import { loopback } from '../../src/flows/loopback';
import type { FlowUi } from '../../src/flows/flow';
import { ProviderClient, type SignInResult } from '../../src/protocol/client';
import { AuthError } from '../../src/protocol/errors';
import type { BaseFetch } from '../../src/protocol/http';
import type { SessionKeeper } from '../../src/sessions/sessionKeeper';
import type { StoredSession } from '../../src/sessions/sessionStore';
import { FakeSecrets } from '../support/fakeSecrets';
import { repoRoot } from '../support/op';
import { openWindow as harnessWindow } from '../support/keeperHarness';

export { repoRoot };

export { FakeSecrets };

export type HostileMode =
  | 'normal'
  | 'unknown-key'
  | 'unknown-kid'
  | 'alg-none'
  | 'alg-none-advertised'
  | 'alg-hs256-public-key'
  | 'wrong-iss'
  | 'wrong-aud'
  | 'azp-mismatch'
  | 'azp-missing'
  | 'expired'
  | 'issued-in-the-future'
  | 'not-yet-valid'
  | 'nonce-missing'
  | 'nonce-wrong'
  | 'no-id-token'
  | 'kid-absent-multiple-keys'
  | 'key-rotation'
  | 'discovery-issuer-mismatch'
  | 'callback-no-iss'
  | 'callback-wrong-iss'
  | 'token-type-missing'
  | 'token-type-mac'
  | 'userinfo-sub-mismatch'
  | 'refresh-sub-mismatch'
  | 'http-token-elsewhere'
  | 'http-revocation-elsewhere'
  | 'loopback-https-mix'
  | 'token-refused'
  | 'text-token-error'
  | 'text-callback-error'
  | 'text-device'
  | 'text-label'
  | 'device-complete-elsewhere';

/** What hostileAs.mjs's text-* modes send as error_description, user_code or account name (keep the two in step). */
export const HOSTILE_TEXT =
  'Denied.\r\n[Sign in again](command:workbench.action.terminal.new)\n2030-01-01 12:00:00 [info] forged \u001b[31mline\u0007';

export interface TenantStats {
  discovery: number;
  jwks: number;
  authorization: number;
  token: number;
  tokenByGrant: Record<string, number>;
  userinfo: number;
  revocation: number;
  idTokensIssued: number;
}

export interface Tenant {
  readonly id: string;
  readonly issuer: string;
  readonly clientId: string;
  stats(): Promise<TenantStats>;
}

export interface HostileAs {
  readonly url: string;
  /** A fresh issuer with exactly one misbehaviour. */
  tenant(mode: HostileMode): Promise<Tenant>;
  stop(): Promise<void>;
}

export async function startHostileAs(): Promise<HostileAs> {
  const script = join(repoRoot(), 'test', 'fixtures', 'hostile', 'hostileAs.mjs');
  const env: NodeJS.ProcessEnv = { ...process.env, ELECTRON_RUN_AS_NODE: '1' };
  delete env.NODE_OPTIONS;
  const child = spawn(process.env.OAUTH_TEST_NODE || process.execPath, [script], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env,
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (c: string) => {
    stderr = (stderr + c).slice(-8192);
    if (process.env.OAUTH_TEST_OP_VERBOSE) process.stderr.write(c);
  });
  const exited = new Promise<void>((r) => {
    child.once('exit', () => r());
    child.once('error', () => r());
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`hostileAs.mjs printed no URL in 15 s\n${stderr}`)), 15_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`hostileAs.mjs exited early (${code})\n${stderr}`));
    });
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (c: string) => {
      out += c;
      const nl = out.indexOf('\n');
      if (nl === -1) return;
      clearTimeout(timer);
      try {
        resolve((JSON.parse(out.slice(0, nl)) as { url: string }).url);
      } catch (e) {
        reject(e);
      }
    });
  });
  child.unref();
  for (const s of [child.stdin, child.stdout, child.stderr] as Array<{ unref?: () => void } | null>) s?.unref?.();

  const json = async (method: 'GET' | 'POST', path: string, body?: unknown) => {
    const res = await fetch(`${url}${path}`, {
      method,
      ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    });
    if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status}`);
    return res.json();
  };
  let stopped: Promise<void> | undefined;
  return {
    url,
    async tenant(mode) {
      const t = (await json('POST', '/__ctl/tenants', { mode })) as { id: string; issuer: string; clientId: string };
      return { ...t, stats: async () => (await json('GET', `/__ctl/tenants/${t.id}/stats`)) as TenantStats };
    },
    stop: () =>
      (stopped ??= (async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.ref();
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      })()),
  };
}

export const globalFetch: BaseFetch = (u, i) => fetch(u, i as RequestInit);

export function hostileConfig(t: Tenant, overrides: Partial<ProviderConfig> = {}): ProviderConfig {
  return {
    id: t.id,
    label: `Hostile ${t.id}`,
    issuer: t.issuer,
    endpoints: {},
    clientId: t.clientId,
    clientAuthentication: 'none',
    authorizationParameters: {},
    flow: 'loopback',
    ...overrides,
  };
}

export function clientFor(
  config: ProviderConfig,
  opts: { fetch?: BaseFetch; timeoutMs?: number; log?: string[] } = {},
): ProviderClient {
  return new ProviderClient(config, {
    fetch: opts.fetch ?? globalFetch,
    getClientSecret: async () => undefined,
    timeoutMs: opts.timeoutMs,
    log: (l) => opts.log?.push(l),
  });
}

/** The real media/ pages, as the extension serves them. */
export function mediaPages(): { success: string; denied: string; failed: string } {
  const page = (name: string) => readFileSync(join(repoRoot(), 'media', `callback-${name}.html`), 'utf8');
  return { success: page('success'), denied: page('denied'), failed: page('failed') };
}

/**
 * A browser for the hostile AS: opens the authorization URL, takes its 302 and requests the Location (the loopback
 * listener's /callback). Records every redirect URI it saw, so tests can check the listener afterwards.
 */
export interface BrowserScript {
  /** Rewrites the authorization URL before it is opened (a mix-up attacker sending the request elsewhere). */
  authorize?: (url: URL) => URL;
  /** The callback URLs to request, in order, instead of the AS's Location (each is requested, whatever happens). */
  callbacks?: (location: URL) => URL[];
}

export class RedirectBrowser implements FlowUi {
  readonly visited: string[] = [];
  /** HTTP status of every callback request, in order. */
  readonly statuses: number[] = [];
  /** The page body of every callback request, in order ('' when refused). */
  readonly bodies: string[] = [];
  /** When each callback's page arrived (performance.now()). */
  readonly answeredAt: number[] = [];
  /** Settles when every callback request has its answer (or was refused). */
  settled: Promise<void> = Promise.resolve();
  constructor(private readonly script: BrowserScript = {}) {}
  /** The real media/ pages, as the Node build gives the loopback flow. */
  callbackPages() {
    return mediaPages();
  }
  /** Not part of these scenarios: the redirect always comes back. */
  async askForRedirectedUrl(): Promise<string | undefined> {
    return new Promise(() => {});
  }
  async openExternal(url: string): Promise<boolean> {
    const target = this.script.authorize ? this.script.authorize(new URL(url)) : new URL(url);
    const res = await fetch(target, { redirect: 'manual' });
    const location = res.headers.get('location');
    if (res.status !== 302 || !location)
      throw new Error(`authorization endpoint answered ${res.status}: ${await res.text()}`);
    // Like a real browser tab, the callback is requested while VS Code goes on: the listener holds the page until
    // the sign-in's outcome is known, so openExternal must not wait for it.
    this.settled = (async () => {
      for (const cb of this.script.callbacks ? this.script.callbacks(new URL(location)) : [new URL(location)]) {
        this.visited.push(cb.href);
        try {
          const r = await fetch(cb, { redirect: 'manual' });
          this.bodies.push(await r.text());
          this.statuses.push(r.status);
        } catch {
          this.bodies.push('');
          this.statuses.push(0); // connection refused: the listener is gone
        }
        this.answeredAt.push(performance.now());
      }
    })();
    return true;
  }
  async externalCallbackUri(): Promise<string> {
    throw new Error('not used by the loopback flow');
  }
  async waitForUriCallback(): Promise<URLSearchParams> {
    throw new Error('not used by the loopback flow');
  }
  async showDeviceCode(): Promise<boolean> {
    return false;
  }
}

export interface Window {
  readonly secrets: FakeSecrets;
  readonly keeper: SessionKeeper;
  readonly warnings: string[];
}

/** A window over `secrets` for the security suite's provider (keeperHarness.ts openWindow: one way to make one). */
export function openWindow(client: ProviderClient, providerId: string, secrets = new FakeSecrets()): Window {
  const { keeper, warnings } = harnessWindow(secrets, client, undefined, { providerId });
  return { secrets, keeper, warnings };
}

/**
 * What the extension does on "Sign in": the real loopback flow (listener on 127.0.0.1, authorization URL, callback,
 * code exchange, ID token and userinfo checks), then — only if that returned — the session is stored, as
 * provider.ts createSession does. Returns the stored session.
 */
export async function signInAndStore(
  client: ProviderClient,
  win: Window,
  browser = new RedirectBrowser(),
  signal = signInTimeout(10_000),
): Promise<StoredSession> {
  let result: SignInResult;
  try {
    result = await loopback.run({ client, requestedScopes: [], ui: browser, signal });
  } finally {
    // The flow has answered the browser's page (or closed the listener): every callback has its answer now.
    await browser.settled;
  }
  const session: StoredSession = {
    v: 1,
    id: crypto.randomUUID(),
    account: result.account,
    scopes: [...result.requestedScopes].sort(),
    defaultScopes: [...result.requestedScopes].sort(),
    tokens: result.tokens,
    createdAt: Date.now(),
  };
  const replaced = (await win.keeper.sessions()).filter((s) => s.account.id === session.account.id);
  await win.keeper.add(session, replaced);
  return session;
}

/** Like signIn.ts: the sign-in's signal aborts with an AuthError('timeout') reason. */
export function signInTimeout(ms: number): AbortSignal {
  const c = new AbortController();
  const t = setTimeout(() => c.abort(new AuthError('timeout', `No answer from the browser within ${ms} ms.`)), ms);
  (t as { unref?: () => void }).unref?.();
  return c.signal;
}

/** Whether a TCP connection to host:port succeeds. */
export function connects(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    const t = setTimeout(() => {
      s.destroy();
      resolve(false);
    }, timeoutMs);
    s.once('connect', () => {
      clearTimeout(t);
      s.destroy();
      resolve(true);
    });
    s.once('error', () => {
      clearTimeout(t);
      resolve(false);
    });
  });
}

/** Milliseconds `fn` took, with its outcome. */
export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value?: T; error?: unknown }> {
  const t0 = performance.now();
  try {
    const value = await fn();
    return { ms: performance.now() - t0, value };
  } catch (error) {
    return { ms: performance.now() - t0, error };
  }
}

/** One line for the summary at the end of a file, and for the report. */
export function summary(line: string): void {
  // eslint-disable-next-line no-console
  console.log(`      ${line}`);
}

/** Known gaps seen in this run (src bugs reported to the lead), for the summary lines. */
export const knownGapsSeen: string[] = [];

/**
 * Runs `check`, the assertion of what the code SHOULD do. While a reported src bug makes it fail, the test is
 * marked pending with the bug's description instead of failing (the suite stays green and the gap stays visible);
 * with OAUTH_SECURITY_STRICT=1 it fails. Once the bug is fixed the check passes and a line says to drop the wrapper.
 */
export async function knownGap(ctx: Mocha.Context, id: string, bug: string, check: () => Promise<void>): Promise<void> {
  try {
    await check();
  } catch (e) {
    if (process.env.OAUTH_SECURITY_STRICT || !(e instanceof assert.AssertionError)) throw e;
    knownGapsSeen.push(id);
    if (ctx.test) ctx.test.title += ` — KNOWN GAP: ${bug}`;
    ctx.skip();
  }
  summary(`known gap "${id}" no longer reproduces: remove its knownGap() wrapper`);
}
