/**
 * Plain-Node measurements over the real code (src/ bundled by esbuild, `vscode` aliased to vscodeStub.ts) against the
 * real test authorization server (test/support/op.ts: oidc-provider in a child process with request counters).
 *   node measure.cjs protocol <out.json>            sign-in (ours vs bare openid-client), HTTP requests, refresh fan-in
 *   node measure.cjs getSessions <out.json> <template.json>
 *   node --expose-gc measure.cjs memory <out.json> <template.json>
 * template.json is one real StoredSession (tokens from the AS) written by the protocol mode, cloned N times.
 */
import { writeFileSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as oidc from 'openid-client';
import { OAuthAuthenticationProvider } from '../../src/vscode/authProvider';
import { ProviderClient } from '../../src/protocol/client';
import { signIn } from '../../src/engine/signIn';
import { loopback } from '../../src/flows/loopback';
import { platformFetch } from '../../src/node/fetch';
import { keys, type StoredSession } from '../../src/sessions/sessionStore';
import type { FlowUi } from '../../src/flows/flow';
import type { SignInUi } from '../../src/engine/signIn';
import type { ProviderConfig } from '../../src/protocol/config';
import { startOpProcess, TEST_CLIENTS, type OpProcess, type Stats } from '../../test/support/op';
import { FakeSecrets } from '../../test/support/fakeSecrets';
import { TestClock } from '../../test/support/keeperHarness';

const [mode, outFile, templateFile] = process.argv.slice(2);
const HOUR = 3_600_000;
const SCOPES = ['openid', 'profile', 'email', 'offline_access'];
const PAGES = { success: '<p>ok</p>', denied: '<p>denied</p>', failed: '<p>failed</p>' };
const quietLog = { info() {}, warn() {}, error() {}, debug() {}, trace() {} } as never;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const sum = (xs: number[]) => {
  const m = median(xs);
  return { median: r3(m), min: r3(Math.min(...xs)), max: r3(Math.max(...xs)), n: xs.length };
};
const r3 = (x: number) => Math.round(x * 1000) / 1000;
const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
const msSince = (t: bigint) => Number(process.hrtime.bigint() - t) / 1e6;

function configFor(issuer: string, id = 'bench'): ProviderConfig {
  return {
    id,
    label: 'Bench IdP',
    issuer,
    endpoints: {},
    clientId: TEST_CLIENTS.public,
    clientAuthentication: 'none',
    authorizationParameters: {},
    flow: 'loopback',
    scopes: SCOPES,
  } as ProviderConfig;
}

const GLOBAL_FETCH = !!process.env.BENCH_GLOBAL_FETCH;

/** The production wiring of one provider (registry.ts does the same with vscode's UI and SecretStorage). */
function makeProvider(
  op: OpProcess | undefined,
  secrets: FakeSecrets,
  clock: TestClock,
  issuer = op?.issuer ?? 'http://127.0.0.2:1',
) {
  const config = configFor(issuer);
  const client = new ProviderClient(config, {
    // BENCH_GLOBAL_FETCH=1, a diagnostic: Node's global fetch instead of the extension's node-fetch, to see what the
    // transport costs (node-fetch is what VS Code's proxy and certificate patches apply to).
    fetch: GLOBAL_FETCH ? (globalThis.fetch as never) : platformFetch,
    getClientSecret: async () => undefined,
    now: clock.now,
  });
  const ui: FlowUi & SignInUi = {
    withProgress: (_title, task) => task(() => {}, new AbortController().signal),
    offerNextFlow: async () => false,
    // The AS plays the browser, consent automatic; in the background, since the loopback page is answered only
    // after the code exchange (a browser does not wait for it either).
    openExternal: async (url) => {
      void op!.drive(url).catch(() => undefined);
      return true;
    },
    externalCallbackUri: async () => {
      throw new Error('not used');
    },
    waitForUriCallback: async () => {
      throw new Error('not used');
    },
    showDeviceCode: async () => false,
    askForRedirectedUrl: async () => undefined,
    callbackPages: () => PAGES,
  };
  const flows = [loopback];
  const provider = new OAuthAuthenticationProvider({
    config,
    client,
    secrets,
    log: quietLog,
    clock: clock.now,
    signIn: (scopes, request) =>
      signIn({ config, client, flows, ui, host: () => 'local', log: quietLog }, scopes, request),
  });
  return { provider, client };
}

const backChannel = (s: Stats) =>
  s.discovery + s.jwks + s.token + s.userinfo + s.revocation + s.device_authorization + (s.routes.introspection ?? 0);
const browser = (s: Stats) => s.authorization + (s.routes.resume ?? 0) + (s.routes.interaction ?? 0);
function describe(s: Stats) {
  return {
    total: backChannel(s),
    discovery: s.discovery,
    jwks: s.jwks,
    token: s.token,
    tokenByGrant: s.tokenByGrant,
    userinfo: s.userinfo,
    revocation: s.revocation,
    browserNavigations: browser(s),
  };
}

/** A bare openid-client v6 loopback sign-in: discovery, PKCE + state + nonce, a plain http listener, code exchange, and
 * whatever else our client did in the same run (JWKS signature check, userinfo), so both make the same requests. */
async function bareSignIn(op: OpProcess, withJwks: boolean, withUserinfo: boolean) {
  const config = await oidc.discovery(new URL(op.issuer), TEST_CLIENTS.public, undefined, oidc.None(), {
    execute: [oidc.allowInsecureRequests],
  });
  if (withJwks) oidc.enableNonRepudiationChecks(config);
  let resolveCb!: (u: URL) => void;
  const got = new Promise<URL>((r) => {
    resolveCb = r;
  });
  const server = createServer((req, res) => {
    res.end('<p>ok</p>');
    resolveCb(new URL(req.url!, `http://127.0.0.1:${(server.address() as AddressInfo).port}`));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const redirectUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/callback`;
    const codeVerifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: SCOPES.join(' '),
      code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state,
      nonce,
      prompt: 'consent',
    });
    await op.drive(url.href);
    const tokens = await oidc.authorizationCodeGrant(config, await got, {
      pkceCodeVerifier: codeVerifier,
      expectedState: state,
      expectedNonce: nonce,
    });
    if (withUserinfo) await oidc.fetchUserInfo(config, tokens.access_token, tokens.claims()!.sub);
    return tokens;
  } finally {
    server.close();
    server.closeAllConnections();
  }
}

async function protocol() {
  const op = await startOpProcess({ accessTokenTtl: 300, clockTolerance: 0, rotateRefreshToken: true });
  const out: Record<string, unknown> = {};
  try {
    // --- HTTP requests per operation, on one provider (one ProviderClient, as in the extension) ---
    const clock = new TestClock();
    const secrets = new FakeSecrets();
    const { provider } = makeProvider(op, secrets, clock);
    await op.resetStats();
    const s1 = await provider.createSession(SCOPES);
    const first = await op.stats();
    // A real session as template for the getSessions and memory modes.
    writeFileSync(templateFile ?? outFile + '.template.json', secrets.data.get(keys.session('bench', s1.id))!);
    await op.setState({ nextAccount: 'bob' }); // another account: nothing is replaced (and revoked) by the second sign-in
    await op.resetStats();
    const s2 = await provider.createSession(SCOPES);
    const second = await op.stats();
    clock.advance(HOUR); // both access tokens expired; ask for one account's session only
    await op.resetStats();
    const [refreshed] = await provider.getSessions(SCOPES, { account: s1.account });
    const refresh = await op.stats();
    if (!refreshed || refreshed.accessToken === s1.accessToken) throw new Error('refresh did not happen');
    await op.resetStats();
    await provider.removeSession(s2.id);
    const signOut = await op.stats();
    out.httpRequests = {
      firstSignIn: backChannel(first),
      secondSignIn: backChannel(second),
      refresh: backChannel(refresh),
      signOut: backChannel(signOut),
      detail: {
        firstSignIn: describe(first),
        secondSignIn: describe(second),
        refresh: describe(refresh),
        signOut: describe(signOut),
      },
      note: 'Back-channel requests made by the extension at the AS (discovery, JWKS, token, userinfo, revocation). The authorization-page navigations of the automated browser are listed as browserNavigations and excluded.',
    };
    provider.dispose();

    // --- Refresh fan-in: 100 concurrent getSessions on an expired token ---
    const fan: number[] = [];
    const fanReqs: number[] = [];
    const distinct: number[] = [];
    {
      const c2 = new TestClock();
      const { provider: p } = makeProvider(op, new FakeSecrets(), c2);
      await p.createSession(SCOPES);
      for (let i = 0; i < 10; i++) {
        c2.advance(HOUR);
        await op.resetStats();
        const t = process.hrtime.bigint();
        const all = await Promise.all(Array.from({ length: 100 }, () => p.getSessions(SCOPES)));
        fan.push(msSince(t));
        const st = await op.stats();
        fanReqs.push(st.token);
        distinct.push(new Set(all.map((l) => l[0]?.accessToken)).size);
      }
      p.dispose();
    }
    out.refreshFanIn = {
      callers: 100,
      tokenRequests: Math.max(...fanReqs),
      tokenRequestsPerRun: fanReqs,
      distinctTokensSeen: Math.max(...distinct),
      ms: sum(fan),
    };

    // --- Sign-in: ours (createSession through signIn() + loopback flow) vs bare openid-client, alternating ---
    const SIGN_IN_PAIRS = Number(process.env.BENCH_SIGN_IN_PAIRS ?? 30);
    const withJwks = first.jwks > 0;
    const withUserinfo = first.userinfo > 0;
    const ours: number[] = [],
      oursWarm: number[] = [],
      bare: number[] = [];
    await bareSignIn(op, withJwks, withUserinfo); // warm-up: both sides' code paths JIT-compiled once
    {
      const { provider: p } = makeProvider(op, new FakeSecrets(), new TestClock());
      await p.createSession(SCOPES);
      p.dispose();
    }
    // 30 pairs: with 10, the ratio of the medians moved between 1.12× and 1.44× across runs of the same code.
    for (let i = 0; i < SIGN_IN_PAIRS; i++) {
      const order = i % 2 ? ['bare', 'ours'] : ['ours', 'bare'];
      for (const who of order) {
        if (who === 'bare') {
          const t = process.hrtime.bigint();
          await bareSignIn(op, withJwks, withUserinfo);
          bare.push(msSince(t));
        } else {
          const { provider: p } = makeProvider(op, new FakeSecrets(), new TestClock()); // fresh client: discovery included, as for bare
          const t = process.hrtime.bigint();
          await p.createSession(SCOPES);
          ours.push(msSince(t));
          await op.setState({ nextAccount: 'bob' });
          const t2 = process.hrtime.bigint();
          await p.createSession(SCOPES); // same client: metadata and JWKS cached
          oursWarm.push(msSince(t2));
          p.dispose();
        }
      }
    }
    out.signIn = {
      ms: sum(ours),
      bareOpenidClientMs: sum(bare),
      ratio: r3(median(ours) / median(bare)),
      secondSignInMs: sum(oursWarm),
      oursFetch: GLOBAL_FETCH
        ? "Node's global fetch (BENCH_GLOBAL_FETCH, a diagnostic: not what the extension uses)"
        : 'node-fetch',
      note: `Both cold (discovery each time), same AS, alternating order; bare = openid-client ${withJwks ? '+ enableNonRepudiationChecks (JWKS) ' : ''}${withUserinfo ? '+ fetchUserInfo ' : ''}with Node's global fetch; ours = OAuthAuthenticationProvider.createSession → signIn() → loopback flow with node-fetch (platformFetch) and SessionStore over an in-memory SecretStorage. The AS's login/consent pages (op.drive) are inside both timings.`,
    };
  } finally {
    await op.stop();
  }
  return out;
}

function loadTemplate(): StoredSession {
  return JSON.parse(readFileSync(templateFile, 'utf8'));
}

/** n stored sessions in a fresh FakeSecrets, each with its own account and scope set, unexpired. */
function seed(n: number, now: number): FakeSecrets {
  const t = loadTemplate();
  const secrets = new FakeSecrets();
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const id = `s${i}-${crypto.randomUUID()}`;
    ids.push(id);
    const s = {
      ...t,
      id,
      account: { ...t.account, id: `${t.account.id}-${i}`, label: `user${i}@example.test` },
      scopes: [...t.scopes, `scope:${i}`].sort(),
      defaultScopes: t.defaultScopes,
      createdAt: now,
      tokens: {
        ...t.tokens,
        accessToken: t.tokens.accessToken.slice(0, -6) + String(i).padStart(6, '0'),
        expiresAt: now + 10 * HOUR,
      },
    };
    secrets.data.set(keys.session('bench', id), JSON.stringify(s));
  }
  secrets.data.set(keys.index('bench'), JSON.stringify(ids));
  return secrets;
}

async function getSessions() {
  const out: Record<string, unknown> = {};
  const t = loadTemplate();
  for (const n of [1, 100, 1000]) {
    const clock = new TestClock();
    const secrets = seed(n, clock.now());
    // The template's own issuer: stored sessions are bound to the server that issued them (serverBinding.ts).
    const { provider } = makeProvider(undefined, secrets, clock, loadTemplate().binding?.issuer);
    const target = n >> 1;
    const wanted = [...t.scopes, `scope:${target}`];
    const first = await provider.getSessions(wanted); // loads from SecretStorage once
    if (first.length !== 1) throw new Error(`expected 1 matching session at n=${n}, got ${first.length}`);
    const readsAfterLoad = secrets.reads;
    // Up to `calls` timed calls after a warm-up, within a 4 s budget per figure (at least 300 calls) so a slow case
    // cannot stretch the bench; `calls` in the result says how many were timed.
    const time = async (fn: () => Promise<unknown>, max: number) => {
      const deadline = Date.now() + 4000;
      for (let i = 0; i < 200; i++) await fn(); // warm-up
      const us: number[] = [];
      for (let i = 0; i < max && (i < 300 || Date.now() < deadline); i++) {
        const t0 = process.hrtime.bigint();
        await fn();
        us.push(Number(process.hrtime.bigint() - t0) / 1000);
      }
      const calls = us.length;
      const s = us.sort((a, b) => a - b);
      return { p50us: r3(pct(s, 50)), p99us: r3(pct(s, 99)), minUs: r3(s[0]), maxUs: r3(s[s.length - 1]), calls };
    };
    const scoped = await time(() => provider.getSessions(wanted), 10_000);
    const all = await time(() => provider.getSessions(undefined), 10_000);
    if (secrets.reads !== readsAfterLoad)
      throw new Error(`cached getSessions read SecretStorage (${secrets.reads - readsAfterLoad} reads)`);
    out[String(n)] = { ...scoped, allSessions: all, secretReadsWhileTiming: secrets.reads - readsAfterLoad };
    provider.dispose();
  }
  out.note =
    'OAuthAuthenticationProvider.getSessions(scopes) on plain Node (vscode stubbed), after the one SecretStorage load; each of N sessions has its own account and scope set and the call matches one. allSessions = getSessions(undefined), which returns all N (inherently O(N)).';
  return out;
}

async function memory() {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  const heap = async () => {
    for (let i = 0; i < 4; i++) {
      gc();
      await new Promise((r) => setImmediate(r));
    }
    return process.memoryUsage().heapUsed;
  };
  const per: number[] = [];
  const keep: unknown[] = [];
  for (let rep = 0; rep < 5; rep++) {
    const clock = new TestClock();
    const secrets = seed(1000, clock.now()); // the "keychain": lives outside the extension host in VS Code
    // The template's own issuer: stored sessions are bound to the server that issued them (serverBinding.ts).
    const { provider } = makeProvider(undefined, secrets, clock, loadTemplate().binding?.issuer);
    const before = await heap();
    const loaded = (await provider.getSessions(undefined)).length;
    if (loaded !== 1000) throw new Error(`loaded ${loaded} sessions`);
    const after = await heap();
    per.push(after - before);
    keep.push(provider, secrets);
    provider.dispose();
    keep.length = 0;
  }
  const bytesPerSession = median(per) / 1000;
  return {
    heapBytesPer1000Sessions: Math.round(median(per)),
    bytes: sum(per),
    bytesPerSession: Math.round(bytesPerSession),
    recordBytes: JSON.stringify(loadTemplate()).length,
    note: 'heapUsed after forced GC, before vs after one provider loads 1,000 stored sessions (parsed records, refresh timers), on plain Node with --expose-gc; the secret store contents themselves are not counted (in VS Code they live in the main process / OS keychain).',
  };
}

const modes: Record<string, () => Promise<unknown>> = { protocol, getSessions, memory };
modes[mode]().then(
  (r) => {
    writeFileSync(outFile, JSON.stringify(r, null, 2));
    process.exit(0);
  },
  (e) => {
    console.error(`[bench ${mode}]`, e?.stack ?? e);
    process.exit(1);
  },
);
