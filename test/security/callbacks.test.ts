/**
 * Callbacks: what comes back from the browser is attacker-controlled input. Wrong, replayed and second callbacks,
 * error answers, missing codes, oversized queries and mix-ups across two configured providers are each rejected
 * without a crash; then fast-check throws tens of thousands of generated callbacks at
 * ProviderClient.completeAuthorization, UriCallbacks.deliver and the loopback listener: nothing but AuthError is
 * ever thrown, and no callback whose state is not the pending one is ever delivered or exchanged.
 */
import * as assert from 'node:assert/strict';
import { rejectsWithAuthError } from '../support/assertions';
import { createHash, randomBytes } from 'node:crypto';
import * as http from 'node:http';
import * as fc from 'fast-check';
import type { ProviderConfig } from '../../src/protocol/config';
import { startLoopbackServer } from '../../src/node/loopbackServer';
import { ProviderClient } from '../../src/protocol/client';
import { AuthError } from '../../src/protocol/errors';
import type { BaseFetch } from '../../src/protocol/http';
import { UriCallbacks } from '../../src/vscode/uriCallbacks';
import {
  clientFor,
  hostileConfig,
  mediaPages,
  openWindow,
  RedirectBrowser,
  signInAndStore,
  startHostileAs,
  summary,
  type HostileAs,
  type Tenant,
} from './support';

const RUNS = Number(process.env.OAUTH_FUZZ_RUNS ?? 10_000);
const LOOPBACK_RUNS = Number(process.env.OAUTH_FUZZ_LOOPBACK_RUNS ?? 1_000);
const seed = process.env.OAUTH_FUZZ_SEED ? { seed: Number(process.env.OAUTH_FUZZ_SEED) } : {};
let fuzzed = 0;
const CANCELLED = new AuthError('cancelled', 'Sign-in cancelled.');

/** The authorization URL's redirect target, as the AS would answer it (no browser, no listener). */
async function callbackFrom(authorizationUrl: string): Promise<URL> {
  const res = await fetch(authorizationUrl, { redirect: 'manual' });
  assert.equal(res.status, 302);
  return new URL(res.headers.get('location')!);
}

suite('security: callbacks', function () {
  let as: HostileAs;
  suiteSetup(async () => {
    as = await startHostileAs();
  });
  suiteTeardown(async () => {
    await as?.stop();
    summary(`callbacks fuzzed: ${fuzzed}`);
  });

  suite('loopback sign-in against the test AS', () => {
    let t: Tenant;
    setup(async () => {
      t = await as.tenant('normal');
    });

    test('a wrong state is answered "not recognised" and ignored; the real callback then completes', async () => {
      const client = clientFor(hostileConfig(t));
      const win = openWindow(client, t.id);
      const browser = new RedirectBrowser({
        callbacks: (cb) => {
          const forged = new URL(cb);
          forged.searchParams.set('state', `${cb.searchParams.get('state')}x`);
          forged.searchParams.set('code', 'forged-code');
          return [forged, cb];
        },
      });
      try {
        const s = await signInAndStore(client, win, browser);
        assert.deepEqual(browser.statuses, [400, 200]);
        assert.equal(s.account.label, 'alice');
        const stats = await t.stats();
        assert.equal(stats.token, 1, 'only the genuine code was exchanged');
      } finally {
        win.keeper.dispose();
      }
    });

    test('a second (replayed) callback after success finds no listener; one session', async () => {
      const client = clientFor(hostileConfig(t));
      const win = openWindow(client, t.id);
      const browser = new RedirectBrowser({ callbacks: (cb) => [cb, cb, cb] });
      try {
        await signInAndStore(client, win, browser);
        assert.equal(browser.statuses[0], 200);
        assert.deepEqual(
          browser.statuses.slice(1),
          [0, 0],
          'connection refused: the listener closed after the first callback',
        );
        assert.equal((await win.keeper.sessions()).length, 1);
        assert.equal((await t.stats()).token, 1);
      } finally {
        win.keeper.dispose();
      }
    });

    test('error=access_denied ends the sign-in as denied: no code exchange, no session, the denied page', async () => {
      const client = clientFor(hostileConfig(t));
      const win = openWindow(client, t.id);
      const browser = new RedirectBrowser({
        callbacks: (cb) => {
          const denied = new URL(cb.origin + cb.pathname);
          denied.search = new URLSearchParams({
            error: 'access_denied',
            error_description: 'The user said no <b>thanks</b>',
            state: cb.searchParams.get('state')!,
            iss: t.issuer,
          }).toString();
          return [denied];
        },
      });
      try {
        await rejectsWithAuthError(
          signInAndStore(client, win, browser),
          'authorization_denied',
          /^Sign-in was denied at the identity provider \(access_denied: The user said no <b>thanks<\/b>\)\.$/,
        );
        assert.equal((await t.stats()).token, 0);
        // The browser page says so too, with the server's words as escaped text.
        assert.equal(browser.bodies.length, 1);
        assert.ok(browser.bodies[0].includes('<code>access_denied</code>'), browser.bodies[0]);
        assert.ok(browser.bodies[0].includes('The user said no &#60;b&#62;thanks&#60;/b&#62;'), browser.bodies[0]);
        assert.ok(!browser.bodies[0].includes('<b>'));
        assert.equal(win.secrets.data.size, 0);
      } finally {
        win.keeper.dispose();
      }
    });

    test('a callback without code is rejected before any token request, no session', async function () {
      const client = clientFor(hostileConfig(t));
      const win = openWindow(client, t.id);
      const browser = new RedirectBrowser({
        callbacks: (cb) => {
          const u = new URL(cb);
          u.searchParams.delete('code');
          return [u];
        },
      });
      try {
        const err = await rejectsWithAuthError(
          signInAndStore(client, win, browser),
          ['invalid_callback', 'invalid_response'],
          /code/,
        );
        assert.equal((await t.stats()).token, 0);
        assert.equal(win.secrets.data.size, 0);
        assert.equal(err.code, 'invalid_callback', err.message);
      } finally {
        win.keeper.dispose();
      }
    });

    test('an oversized callback (> 8 KB) is refused by the listener and not delivered; the real one then completes', async () => {
      const client = clientFor(hostileConfig(t));
      const win = openWindow(client, t.id);
      const browser = new RedirectBrowser({
        callbacks: (cb) => {
          const big = new URL(cb);
          big.searchParams.set('padding', 'A'.repeat(9000));
          return [big, cb];
        },
      });
      try {
        await signInAndStore(client, win, browser);
        assert.deepEqual(browser.statuses, [404, 200]);
        assert.equal((await t.stats()).token, 1);
      } finally {
        win.keeper.dispose();
      }
    });

    test('a callback with the state twice is delivered by the listener but rejected by validation', async () => {
      const client = clientFor(hostileConfig(t));
      const win = openWindow(client, t.id);
      const browser = new RedirectBrowser({
        callbacks: (cb) => {
          const u = new URL(cb);
          u.searchParams.append('state', 'attacker-state');
          return [u];
        },
      });
      try {
        await rejectsWithAuthError(
          signInAndStore(client, win, browser),
          'invalid_callback',
          /"state" parameter must be provided only once.*not completed/,
        );
        assert.equal((await t.stats()).token, 0);
      } finally {
        win.keeper.dispose();
      }
    });
  });

  suite('mix-up across two configured providers', () => {
    let a: Tenant;
    let b: Tenant;
    setup(async () => {
      [a, b] = await Promise.all([as.tenant('normal'), as.tenant('normal')]);
    });

    test("swapped callbacks: each provider rejects the other's callback by state (and iss), nothing exchanged", async () => {
      const ca = clientFor(hostileConfig(a));
      const cb = clientFor(hostileConfig(b));
      const redirectUri = 'http://127.0.0.1:9/callback';
      const pa = await ca.beginAuthorization({ requestedScopes: [], redirectUri });
      const pb = await cb.beginAuthorization({ requestedScopes: [], redirectUri });
      const backA = (await callbackFrom(pa.url)).searchParams;
      const backB = (await callbackFrom(pb.url)).searchParams;
      await rejectsWithAuthError(
        ca.completeAuthorization(pa, backB),
        'invalid_callback',
        /unexpected "iss" \(issuer\)|"state"/,
      );
      await rejectsWithAuthError(
        cb.completeAuthorization(pb, backA),
        'invalid_callback',
        /unexpected "iss" \(issuer\)|"state"/,
      );
      // An attacker who also knows A's state and replays B's code with it: still B's iss.
      const forged = new URLSearchParams(backB);
      forged.set('state', pa.state);
      await rejectsWithAuthError(
        ca.completeAuthorization(pa, forged),
        'invalid_callback',
        /unexpected "iss" \(issuer\) response parameter value/,
      );
      // …and with the iss stripped: A advertises RFC 9207, so a missing iss is refused too.
      forged.delete('iss');
      await rejectsWithAuthError(ca.completeAuthorization(pa, forged), 'invalid_callback', /"iss" \(issuer\) missing/);
      // …and with A's iss forged in: B's code reaches A's token endpoint, where it is unknown.
      forged.set('iss', a.issuer);
      await rejectsWithAuthError(ca.completeAuthorization(pa, forged), 'invalid_grant', /invalid_grant/);
      const [sa, sb] = await Promise.all([a.stats(), b.stats()]);
      assert.equal(sb.token, 0, "B's code never reached B's token endpoint through A");
      assert.equal(sa.token, 1, 'only the last forgery (iss forged) reached A, and A refused it');
      // The genuine callbacks still work.
      assert.equal((await ca.completeAuthorization(pa, backA)).account.label, 'alice');
      assert.equal((await cb.completeAuthorization(pb, backB)).account.label, 'alice');
    });

    test("mix-up attack: the request for A is sent to B; B's answer (with iss B) is refused by A before any exchange", async () => {
      const ca = clientFor(hostileConfig(a));
      const win = openWindow(ca, a.id);
      const browser = new RedirectBrowser({ authorize: (u) => new URL(`${b.issuer}/authorize${u.search}`) });
      try {
        await rejectsWithAuthError(
          signInAndStore(ca, win, browser),
          'invalid_callback',
          /unexpected "iss" \(issuer\) response parameter value/,
        );
        const [sa, sb] = await Promise.all([a.stats(), b.stats()]);
        assert.equal(sb.authorization, 1);
        assert.equal(sa.token, 0, "B's code was not sent to A's token endpoint");
        assert.equal(sb.token, 0);
        assert.equal(win.secrets.data.size, 0);
      } finally {
        win.keeper.dispose();
      }
    });

    test('one UriCallbacks for both providers: each callback reaches only its own sign-in, once', async () => {
      const log: string[] = [];
      const callbacks = new UriCallbacks((l) => log.push(l));
      const ca = clientFor(hostileConfig(a));
      const cb = clientFor(hostileConfig(b));
      const redirectUri = 'vscode://openauth.oauth-accounts/callback';
      const pa = await ca.beginAuthorization({ requestedScopes: [], redirectUri });
      const pb = await cb.beginAuthorization({ requestedScopes: [], redirectUri });
      const ac = new AbortController();
      const waitA = callbacks.wait(pa.state, ac.signal);
      const waitB = callbacks.wait(pb.state, ac.signal);
      // deliver() gets vscode.Uri's query, which VS Code has already percent-decoded (the iss URL included).
      const queryA = decodeURIComponent((await callbackFrom(pa.url)).search.slice(1));
      const queryB = decodeURIComponent((await callbackFrom(pb.url)).search.slice(1));
      assert.equal(callbacks.deliver('/callback', queryB), true);
      assert.equal(callbacks.deliver('/callback', queryB), false, 'replay');
      assert.equal(callbacks.pendingCount, 1);
      assert.equal(callbacks.deliver('/callback', queryA), true);
      assert.equal(callbacks.deliver('/callback', queryA), false, 'second callback after success');
      assert.equal(callbacks.pendingCount, 0);
      assert.equal((await cb.completeAuthorization(pb, await waitB)).account.label, 'alice');
      assert.equal((await ca.completeAuthorization(pa, await waitA)).account.label, 'alice');
      assert.equal(log.length, 2);
      assert.ok(
        log.every((l) => !l.includes(pa.state) && !l.includes('code-')),
        'the log names no state or code',
      );
    });

    test("two loopback listeners: A's callback sent to B's listener is refused, B keeps waiting", async () => {
      const pages = mediaPages();
      const [la, lb] = await Promise.all([startLoopbackServer(pages), startLoopbackServer(pages)]);
      try {
        const ac = new AbortController();
        const waitA = la.waitForCallback('state-a', ac.signal);
        const waitB = lb.waitForCallback('state-b', ac.signal);
        assert.equal((await fetch(`${lb.redirectUri}?code=c&state=state-a`)).status, 400);
        assert.equal((await fetch(`${la.redirectUri}?code=c&state=state-b`)).status, 400);
        const answered = fetch(`${lb.redirectUri}?code=c&state=state-b`);
        assert.equal((await waitB).get('state'), 'state-b');
        lb.finish({ kind: 'success' });
        assert.equal((await answered).status, 200);
        ac.abort(new AuthError('cancelled', 'Sign-in cancelled.'));
        await assert.rejects(waitA, (e: unknown) => e instanceof AuthError && e.code === 'cancelled');
      } finally {
        la.close();
        lb.close();
      }
    });
  });

  suite('UriCallbacks', () => {
    test('wrong state, unknown path, replay and a callback after cancel are ignored and logged, never thrown', async () => {
      const log: string[] = [];
      const callbacks = new UriCallbacks((l) => log.push(l));
      const ac = new AbortController();
      const waiting = callbacks.wait('s-1', ac.signal);
      assert.equal(callbacks.deliver('/callback', 'code=x&state=s-2'), false);
      assert.equal(callbacks.deliver('/callback', 'code=x'), false);
      assert.equal(callbacks.deliver('/other', 'code=x&state=s-1'), false);
      assert.equal(callbacks.deliver('/callback/', 'code=x&state=s-1'), false);
      assert.equal(
        callbacks.deliver('/callback', `code=x&state=s-2&junk=${'A'.repeat(1 << 20)}`),
        false,
        'oversized, foreign',
      );
      assert.equal(callbacks.pendingCount, 1);
      assert.equal(callbacks.deliver('/callback', 'code=x&state=s-1'), true);
      assert.equal((await waiting).get('code'), 'x');
      assert.equal(callbacks.deliver('/callback', 'code=x&state=s-1'), false, 'replayed');
      const ac2 = new AbortController();
      const cancelled = callbacks.wait('s-3', ac2.signal);
      ac2.abort(new AuthError('cancelled', 'Sign-in cancelled.'));
      await assert.rejects(cancelled, (e: unknown) => e instanceof AuthError && e.code === 'cancelled');
      assert.equal(callbacks.deliver('/callback', 'code=x&state=s-3'), false, 'after cancel');
      assert.equal(callbacks.pendingCount, 0);
      assert.equal(log.length, 7);
      assert.ok(
        log.every((l) => l.length < 200),
        'log lines stay short whatever came in',
      );
      ac.abort();
    });
  });

  suite('property-based (fast-check)', () => {
    // Tens of thousands of rejected callbacks means tens of thousands of Error objects: without stack traces they
    // cost a tenth. Nothing here inspects a stack (a failing property still reports its counterexample and seed).
    let stackTraceLimit: number;
    suiteSetup(() => {
      stackTraceLimit = Error.stackTraceLimit;
      Error.stackTraceLimit = 0;
    });
    suiteTeardown(() => {
      Error.stackTraceLimit = stackTraceLimit;
    });

    test(`completeAuthorization: ${RUNS} generated callbacks — only AuthError, no forged state or code ever exchanged`, async function () {
      this.timeout(120_000);
      const mem = new MemoryAs();
      const client = new ProviderClient(mem.config, { fetch: mem.fetch, getClientSecret: async () => undefined });
      const outcomes: Record<string, number> = {};
      // A pool of pending sign-ins (each with its own state, nonce-less PKCE): beginAuthorization waits for WebCrypto,
      // which would dominate the run time. Every run gets a fresh one-time code for its pending sign-in.
      const pool = await Promise.all(
        Array.from({ length: 64 }, () =>
          client.beginAuthorization({ requestedScopes: [], redirectUri: 'http://127.0.0.1:7777/callback' }),
        ),
      );
      await fc.assert(
        fc.asyncProperty(callbackArb(), fc.nat(), async (spec, pick) => {
          const pending = pool[pick % pool.length];
          const genuineCode = mem.authorize(pending.url);
          const params = materialize(spec, { state: pending.state, code: genuineCode, iss: MemoryAs.issuer });
          const before = mem.tokenRequests;
          let err: unknown;
          let ok = false;
          try {
            await client.completeAuthorization(pending, params);
            ok = true;
          } catch (e) {
            err = e;
          }
          const exchanged = mem.tokenRequests - before;
          const outcome = ok
            ? 'accepted'
            : err instanceof AuthError
              ? err.code
              : `NOT AN AuthError: ${(err as Error)?.name}`;
          outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
          if (!ok && !(err instanceof AuthError))
            throw new Error(`non-AuthError for ${params}: ${(err as Error)?.stack ?? err}`);
          const states = params.getAll('state');
          const isses = params.getAll('iss');
          const stateOk = states.length === 1 && states[0] === pending.state;
          const issOk = isses.length === 1 && isses[0] === MemoryAs.issuer;
          if (!stateOk || !issOk) {
            assert.ok(!ok, `accepted a callback with state ${JSON.stringify(states)} / iss ${JSON.stringify(isses)}`);
            assert.equal((err as AuthError).code, 'invalid_callback', (err as AuthError).message);
            assert.equal(exchanged, 0, 'a callback that failed validation reached the token endpoint');
          }
          if ((err as AuthError | undefined)?.code === 'authorization_denied') {
            assert.ok(stateOk && issOk && !!params.get('error'));
            assert.equal(exchanged, 0);
          }
          if (ok) {
            assert.ok(stateOk && issOk, 'accepted without the pending state and issuer');
            assert.deepEqual(params.getAll('code'), [genuineCode], 'accepted a forged code');
            assert.ok(!params.get('error'));
            assert.equal(exchanged, 1);
          }
          assert.ok(exchanged <= 1);
        }),
        { numRuns: RUNS, ...seed },
      );
      fuzzed += RUNS;
      summary(`completeAuthorization outcomes: ${JSON.stringify(outcomes)}`);
      assert.ok(
        (outcomes.accepted ?? 0) > 0 && (outcomes.invalid_grant ?? 0) > 0 && (outcomes.invalid_callback ?? 0) > 0,
        'the generator reaches every branch',
      );
    });

    test(`UriCallbacks.deliver: ${RUNS} generated URIs — never throws, delivers only to the waiter whose state it names`, async function () {
      this.timeout(120_000);
      let delivered = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.uniqueArray(stateArb, { minLength: 1, maxLength: 3 }),
          fc.oneof(
            fc.constant('/callback'),
            fc.constantFrom('/callback/', '/Callback', '/callback?', '', '/', '/%63allback', 'callback'),
            fc.string(),
          ),
          fc.nat(),
          callbackArb(),
          async (states, path, pick, spec) => {
            const log: string[] = [];
            // The generated query is form-encoded (URLSearchParams.toString), as a browser workbench hands it over;
            // the desktop's decoded form is covered in test/unit/uriCallbacks.test.ts.
            const callbacks = new UriCallbacks((l) => log.push(l), 'form');
            const ac = new AbortController();
            const got = new Map<string, URLSearchParams>();
            for (const s of states)
              callbacks.wait(s, ac.signal).then(
                (q) => got.set(s, q),
                () => {},
              );
            const target = states[pick % states.length];
            const query = materialize(spec, { state: target, code: 'c', iss: 'https://as.example' }).toString();
            let took: boolean;
            try {
              took = callbacks.deliver(path, query);
            } catch (e) {
              throw new Error(`deliver threw for ${JSON.stringify(path)} ? ${query.slice(0, 200)}: ${e}`);
            }
            await null;
            await null; // the waiters' then() run as microtasks
            const named = new URLSearchParams(query).get('state');
            const expected = path === '/callback' && named !== null && states.includes(named);
            assert.equal(took, expected, `deliver(${JSON.stringify(path)}, ${JSON.stringify(query.slice(0, 120))})`);
            if (took) {
              delivered++;
              assert.deepEqual([...got.keys()], [named]);
              assert.equal(got.get(named!)!.toString(), new URLSearchParams(query).toString());
              assert.equal(callbacks.pendingCount, states.length - 1);
            } else {
              assert.equal(got.size, 0, 'a callback naming no pending state reached a waiter');
              assert.equal(callbacks.pendingCount, states.length);
              assert.equal(log.length, 1);
            }
            ac.abort(CANCELLED);
            assert.equal(callbacks.pendingCount, 0);
          },
        ),
        { numRuns: RUNS, ...seed },
      );
      fuzzed += RUNS;
      summary(`UriCallbacks.deliver: ${delivered} of ${RUNS} generated URIs named a pending state and were delivered`);
      assert.ok(delivered > 0 && delivered < RUNS);
    });

    test(`loopback listener: ${LOOPBACK_RUNS} generated requests with foreign states — never delivered, never reflected`, async function () {
      this.timeout(120_000);
      const pages = { success: '<p>SUCCESS</p>', denied: '<p>DENIED</p>', failed: '<p>FAILED</p>' };
      const server = await startLoopbackServer(pages);
      const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
      const state = randomBytes(24).toString('base64url');
      const ac = new AbortController();
      let delivered: URLSearchParams | undefined;
      server.waitForCallback(state, ac.signal).then(
        (q) => {
          delivered = q;
        },
        () => {},
      );
      const bodies = new Set<string>();
      try {
        await fc.assert(
          fc.asyncProperty(
            fc.constantFrom('GET', 'GET', 'GET', 'POST', 'HEAD', 'PUT', 'OPTIONS'),
            fc.oneof(
              fc.constant('/callback'),
              fc.string({ maxLength: 40 }).map((s) => `/${s}`),
            ),
            callbackArb(),
            async (method, path, spec) => {
              const query = materialize(spec, { state: `${state}x`, code: 'c', iss: 'https://as.example' }).toString();
              // Only callbacks that do NOT name the pending state first: those must all be refused.
              if (new URLSearchParams(query).get('state') === state) return;
              const target = rawPath(`${path}?${query}`);
              const res = await request(agent, server.port, method, target);
              assert.ok(
                res.status === 400 || res.status === 404 || res.status === 431,
                `status ${res.status} for ${method} ${target.slice(0, 100)}`,
              );
              assert.match(String(res.headers['content-security-policy'] ?? ''), /default-src 'none'/);
              if (method !== 'HEAD' && res.status !== 431) bodies.add(res.body);
            },
          ),
          { numRuns: LOOPBACK_RUNS, ...seed },
        );
        fuzzed += LOOPBACK_RUNS;
        assert.equal(delivered, undefined, 'a foreign callback was delivered');
        assert.ok(bodies.size <= 2, `only the two fixed pages are ever served, got ${bodies.size} different bodies`);
        // The listener is still waiting for the real one.
        // (Its page is held until the sign-in's outcome is known: answer it once the callback is delivered.)
        const answered = request(agent, server.port, 'GET', `/callback?code=real&state=${state}`);
        while (!delivered) await new Promise((r) => setTimeout(r, 5));
        assert.equal((delivered as URLSearchParams | undefined)?.get('code'), 'real');
        server.finish({ kind: 'success' });
        const ok = await answered;
        assert.equal(ok.status, 200);
        assert.equal(ok.body, pages.success);
      } finally {
        ac.abort();
        server.close();
        agent.destroy();
      }
    });
  });
});

// ————— generators —————

/** base64url, like real states, codes and tokens (cheap to generate, unlike a string over a custom alphabet). */
const tokenChars = fc.uint8Array({ minLength: 1, maxLength: 48 }).map((b) => Buffer.from(b).toString('base64url'));
const stateArb = tokenChars;
/** Any string, including characters that need escaping, separators and non-ASCII. */
const anyString = fc.oneof(fc.string(), fc.string({ unit: 'binary', maxLength: 30 }), tokenChars);

/** name=value&name=value…, with the names that matter and separators inside the values. */
const queryLike = fc
  .array(
    fc.tuple(
      fc.oneof(fc.constantFrom('state', 'code', 'iss', 'error', 'response', '', '=', '&'), fc.string({ maxLength: 8 })),
      fc.string({ maxLength: 20 }),
    ),
    { maxLength: 7 },
  )
  .map((pairs) => pairs.map(([k, v]) => `${k}=${v}`).join('&'));
type ValueSpec =
  | { k: 'genuine' }
  | { k: 'absent' }
  | { k: 'empty' }
  | { k: 'random'; v: string }
  | { k: 'mutated'; op: 'prefix' | 'suffix' | 'truncate' | 'upper' | 'space' | 'percent' | 'flip'; x: string }
  | { k: 'twice'; other: string; genuineFirst: boolean };

interface CallbackSpec {
  raw?: { text: string; appendGenuineState: boolean };
  state: ValueSpec;
  code: ValueSpec;
  iss: ValueSpec;
  error?: string;
  extras: Array<[string, string]>;
}

function valueArb(weightGenuine: number): fc.Arbitrary<ValueSpec> {
  return fc.oneof(
    { weight: weightGenuine, arbitrary: fc.constant({ k: 'genuine' } as const) },
    { weight: 1, arbitrary: fc.constant({ k: 'absent' } as const) },
    { weight: 1, arbitrary: fc.constant({ k: 'empty' } as const) },
    { weight: 2, arbitrary: anyString.map((v) => ({ k: 'random', v }) as const) },
    {
      weight: 2,
      arbitrary: fc.record({
        k: fc.constant('mutated' as const),
        op: fc.constantFrom('prefix', 'suffix', 'truncate', 'upper', 'space', 'percent', 'flip'),
        x: fc.string({ minLength: 1, maxLength: 3 }),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({ k: fc.constant('twice' as const), other: anyString, genuineFirst: fc.boolean() }),
    },
  );
}

function callbackArb(): fc.Arbitrary<CallbackSpec> {
  const structured = fc.record({
    state: valueArb(8),
    code: valueArb(6),
    iss: valueArb(8),
    error: fc.oneof(
      { weight: 8, arbitrary: fc.constant(undefined) },
      { weight: 1, arbitrary: fc.constantFrom('access_denied', 'invalid_request', 'server_error', 'login_required') },
      { weight: 1, arbitrary: anyString },
    ),
    extras: fc.array(
      fc.tuple(
        fc.oneof(
          fc.constantFrom(
            'error_description',
            'session_state',
            'response',
            'id_token',
            'token',
            'scope',
            'code_verifier',
          ),
          anyString,
        ),
        anyString,
      ),
      { maxLength: 3 },
    ),
  });
  const raw = fc.record({
    raw: fc.record({
      text: fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 100 }), queryLike),
      appendGenuineState: fc.boolean(),
    }),
    state: fc.constant({ k: 'absent' } as ValueSpec),
    code: fc.constant({ k: 'absent' } as ValueSpec),
    iss: fc.constant({ k: 'absent' } as ValueSpec),
    extras: fc.constant([] as Array<[string, string]>),
  });
  return fc.oneof({ weight: 4, arbitrary: structured }, { weight: 1, arbitrary: raw });
}

function mutate(v: string, op: Extract<ValueSpec, { k: 'mutated' }>['op'], x: string): string {
  switch (op) {
    case 'prefix':
      return x + v;
    case 'suffix':
      return v + x;
    case 'truncate':
      return v.slice(0, -1);
    case 'upper':
      return v.toUpperCase() === v ? v.toLowerCase() + x : v.toUpperCase();
    case 'space':
      return ` ${v}`;
    case 'percent':
      return `${v}%00`;
    case 'flip':
      return v.length ? String.fromCharCode(v.charCodeAt(0) ^ 1) + v.slice(1) : x;
  }
}

function materialize(spec: CallbackSpec, genuine: { state: string; code: string; iss: string }): URLSearchParams {
  if (spec.raw) {
    const q = new URLSearchParams(spec.raw.text);
    if (spec.raw.appendGenuineState) q.append('state', genuine.state);
    return q;
  }
  const q = new URLSearchParams();
  const put = (name: string, s: ValueSpec, real: string) => {
    switch (s.k) {
      case 'genuine':
        q.append(name, real);
        break;
      case 'absent':
        break;
      case 'empty':
        q.append(name, '');
        break;
      case 'random':
        q.append(name, s.v);
        break;
      case 'mutated':
        q.append(name, mutate(real, s.op, s.x));
        break;
      case 'twice':
        if (s.genuineFirst) {
          q.append(name, real);
          q.append(name, s.other);
        } else {
          q.append(name, s.other);
          q.append(name, real);
        }
        break;
    }
  };
  put('code', spec.code, genuine.code);
  put('state', spec.state, genuine.state);
  put('iss', spec.iss, genuine.iss);
  if (spec.error !== undefined) q.append('error', spec.error);
  for (const [k, v] of spec.extras) q.append(k, v);
  return new URLSearchParams(q.toString()); // as it arrives: serialized and parsed again
}

/** An in-memory authorization server: metadata with RFC 9207, a token endpoint that knows the codes it issued. */
class MemoryAs {
  static readonly issuer = 'https://as.fuzz.test';
  readonly config: ProviderConfig = {
    id: 'fuzz',
    label: 'Fuzz',
    issuer: MemoryAs.issuer,
    endpoints: {},
    clientId: 'fuzz-client',
    clientAuthentication: 'none',
    scopes: ['api'],
    authorizationParameters: {},
    flow: 'auto',
  };
  private readonly codes = new Map<string, { challenge: string; redirectUri: string }>();
  tokenRequests = 0;

  authorize(url: string): string {
    const q = new URL(url).searchParams;
    const code = `genuine-${randomBytes(16).toString('base64url')}`;
    this.codes.set(code, { challenge: q.get('code_challenge')!, redirectUri: q.get('redirect_uri')! });
    return code;
  }

  readonly fetch: BaseFetch = async (url, init) => {
    const u = new URL(url);
    const json = (status: number, body: unknown) =>
      new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
    if (u.pathname === '/.well-known/openid-configuration') {
      return json(200, {
        issuer: MemoryAs.issuer,
        authorization_endpoint: `${MemoryAs.issuer}/authorize`,
        token_endpoint: `${MemoryAs.issuer}/token`,
        response_types_supported: ['code'],
        code_challenge_methods_supported: ['S256'],
        scopes_supported: ['api'],
        authorization_response_iss_parameter_supported: true,
      });
    }
    if (u.pathname === '/token' && init.method === 'POST') {
      this.tokenRequests++;
      const form = new URLSearchParams(String(init.body));
      const code = form.get('code') ?? '';
      const entry = this.codes.get(code);
      this.codes.delete(code);
      const pkce = createHash('sha256')
        .update(form.get('code_verifier') ?? '')
        .digest('base64url');
      if (!entry || entry.challenge !== pkce || entry.redirectUri !== form.get('redirect_uri'))
        return json(400, { error: 'invalid_grant' });
      return json(200, { access_token: `at-${randomBytes(8).toString('hex')}`, token_type: 'Bearer', expires_in: 60 });
    }
    return json(404, { error: 'not_found' });
  };
}

/** Keeps every character Node may send raw in a request target (0x21–0xFF), percent-encodes the rest. */
function rawPath(s: string): string {
  return [...s]
    .map((ch) => {
      const c = ch.codePointAt(0)!;
      return c >= 0x21 && c <= 0xff ? ch : encodeURIComponent(ch);
    })
    .join('');
}

function request(
  agent: http.Agent,
  port: number,
  method: string,
  path: string,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, method, path, agent, headers: { origin: 'https://evil.example' } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}
