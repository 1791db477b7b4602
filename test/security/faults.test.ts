/**
 * Faults: a server that is down, failing, slow, answering HTML or broken JSON, or sending megabytes — during
 * discovery, the code exchange, refresh and revocation, through both base fetches the extension uses (node-fetch in
 * the desktop extension host, global fetch in the web worker). Every one must end in an AuthError with a message
 * that says what happened ('network' for the transient ones, which keep sessions; 'timed out' for the slow ones, so
 * the client's own timeout ended them); cancelling ends a request with 'cancelled' (not the timeout's 'network');
 * and no stored session is lost to any of them. How long each took is reported, never asserted: a hang fails by the
 * suite's timeout, and a loaded 2-core machine must not fail a correct client.
 */
import * as assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { ProviderConfig } from '../../src/protocol/config';
import { ProviderClient } from '../../src/protocol/client';
import { AuthError, type AuthErrorCode } from '../../src/protocol/errors';
import { createFetch, type BaseFetch } from '../../src/protocol/http';
import type { StoredSession } from '../../src/sessions/sessionStore';
import { globalFetch, knownGap, openWindow, summary } from './support';

type Phase = 'discovery' | 'exchange' | 'refresh' | 'revocation';
type Fault =
  | 'unreachable'
  | 'reset'
  | 'http-503-json'
  | 'http-502-html'
  | 'slow-headers'
  | 'slow-body'
  | 'html-200'
  | 'html-404'
  | 'malformed-json'
  | 'huge-declared'
  | 'huge-chunked';

const PHASES: readonly Phase[] = ['discovery', 'exchange', 'refresh', 'revocation'];
const FAULTS: readonly Fault[] = [
  'unreachable',
  'reset',
  'http-503-json',
  'http-502-html',
  'slow-headers',
  'slow-body',
  'html-200',
  'html-404',
  'malformed-json',
  'huge-declared',
  'huge-chunked',
];
const TRANSIENT: ReadonlySet<Fault> = new Set([
  'unreachable',
  'reset',
  'http-503-json',
  'http-502-html',
  'slow-headers',
  'slow-body',
]);
/**
 * Per-request timeout of the clients under test (the product default is 30 s; the logic is the same). The matrix
 * runs all at once, so this must leave room for ~100 concurrent requests on a loaded machine; the session-keeper
 * tests run one at a time with a shorter one.
 */
const TIMEOUT_MS = 1000;
const KEEPER_TIMEOUT_MS = 250;
const HUGE = 2 * 1024 * 1024;

const WHAT: Record<Phase, RegExp> = {
  discovery:
    /^(Discovery at http:\/\/127\.0\.0\.1:\d+\/discovery\/[\w-]+\/\.well-known\/(openid-configuration|oauth-authorization-server)|No OAuth metadata found for issuer)/,
  exchange: /^The code exchange/,
  refresh: /^The token refresh/,
  revocation: /^The token revocation/,
};

interface Expectation {
  /** RFC 7009: any 200 answer to a revocation is success, whatever its body. */
  readonly ok?: true;
  readonly codes?: readonly AuthErrorCode[];
  readonly message?: RegExp;
}

function expectation(phase: Phase, fault: Fault): Expectation {
  if (TRANSIENT.has(fault)) {
    const why =
      fault === 'unreachable'
        ? /could not be reached \(ECONNREFUSED\)/
        : fault === 'reset'
          ? /could not be reached/
          : fault.startsWith('slow')
            ? /timed out/
            : fault === 'http-503-json'
              ? /HTTP 503|temporarily_unavailable/
              : /HTTP 502/;
    return { codes: ['network'], message: why };
  }
  if (phase === 'revocation' && (fault === 'html-200' || fault === 'malformed-json')) return { ok: true };
  const why = fault.startsWith('huge')
    ? /larger than 1024 KB/
    : phase === 'discovery' && fault === 'html-404'
      ? /No OAuth metadata found/
      : phase === 'discovery' && fault === 'html-200'
        ? /content-type.*Is this the right issuer/
        : fault === 'html-404'
          ? /HTTP 404|status code/
          : fault === 'html-200'
            ? /content-type|JSON/i
            : /pars|JSON/i;
  return { codes: phase === 'discovery' ? ['discovery'] : ['invalid_response'], message: why };
}

/**
 * Combinations that do not behave as they should yet: src bugs, reported to the lead. They still run (and must
 * still end in an AuthError); while the bug is there the code/message check is pending instead of failed
 * (OAUTH_SECURITY_STRICT=1 makes it fail). A gap that no longer reproduces prints a line saying so.
 */
function knownGapFor(_fetchName: string, _phase: Phase, _fault: Fault | 'cancel'): string | undefined {
  return undefined; // none left: every combination behaves as it should
}

let survived = 0;
let gaps = 0;
const observed: string[] = [];

suite('security: faults', function () {
  let server: Server;
  let base: string;
  let deadPort: number;
  const held = new Set<ServerResponse>();
  const sockets = new Set<Socket>();

  suiteSetup(async () => {
    server = createServer((req, res) => handle(req, res));
    server.on('connection', (s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const dead = createServer();
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', () => r()));
    deadPort = (dead.address() as AddressInfo).port;
    await new Promise<void>((r) => dead.close(() => r()));
  });
  suiteTeardown(async () => {
    for (const r of held) r.destroy();
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
    summary(
      `faults survived: ${survived}${gaps ? ` (${gaps} of them with the wrong code or an unclear message: known gaps, reported)` : ''}`,
    );
    if (process.env.OAUTH_SECURITY_TABLE) for (const o of observed) summary(o);
  });

  function issuerOf(phase: Phase, fault: Fault): string {
    return phase === 'discovery' && fault === 'unreachable'
      ? `http://127.0.0.1:${deadPort}/discovery/unreachable`
      : `${base}/${phase}/${fault}`;
  }

  function metadata(phase: Phase, fault: Fault) {
    const issuer = issuerOf(phase, fault);
    const dead = `http://127.0.0.1:${deadPort}/${phase}`;
    return {
      issuer,
      authorization_endpoint: `${issuer}/authorize`,
      token_endpoint:
        fault === 'unreachable' && (phase === 'exchange' || phase === 'refresh') ? `${dead}/token` : `${issuer}/token`,
      revocation_endpoint: fault === 'unreachable' && phase === 'revocation' ? `${dead}/revoke` : `${issuer}/revoke`,
      response_types_supported: ['code'],
      code_challenge_methods_supported: ['S256'],
      scopes_supported: ['api'],
      authorization_response_iss_parameter_supported: true,
    };
  }

  function handle(req: IncomingMessage, res: ServerResponse) {
    req.resume();
    const [phase, fault, ...rest] = new URL(req.url!, base).pathname.split('/').filter(Boolean) as [
      Phase,
      Fault,
      ...string[],
    ];
    const endpoint = rest.join('/');
    const faulty =
      (phase === 'discovery' && endpoint.startsWith('.well-known/')) ||
      ((phase === 'exchange' || phase === 'refresh') && endpoint === 'token') ||
      (phase === 'revocation' && endpoint === 'revoke');
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (!faulty) {
      if (endpoint === '.well-known/openid-configuration') return json(200, metadata(phase, fault));
      if (endpoint === 'token')
        return json(200, { access_token: 'at-new', token_type: 'Bearer', expires_in: 300, refresh_token: 'rt-new' });
      if (endpoint === 'revoke') {
        res.writeHead(200);
        return res.end();
      }
      return json(404, { error: 'not_found' });
    }
    switch (fault) {
      case 'unreachable':
        return json(500, { error: 'the test routed a request here that should have gone to the dead port' });
      case 'reset':
        req.socket.destroy();
        return;
      case 'http-503-json':
        return json(503, { error: 'temporarily_unavailable', error_description: 'maintenance' });
      case 'http-502-html':
        res.writeHead(502, { 'content-type': 'text/html' });
        return res.end('<html><body><h1>502 Bad Gateway</h1></body></html>');
      case 'slow-headers':
        held.add(res);
        return; // never answers
      case 'slow-body':
        held.add(res);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"access_token":');
        return;
      case 'html-200':
        res.writeHead(200, { 'content-type': 'text/html' });
        return res.end('<html><body>Please log in to the Wi-Fi</body></html>');
      case 'html-404':
        res.writeHead(404, { 'content-type': 'text/html' });
        return res.end('<html><body><h1>Not Found</h1></body></html>');
      case 'malformed-json':
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end('{"access_token": "at", "token_type": ');
      case 'huge-declared': {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(HUGE) });
        res.on('error', () => {});
        return res.end(Buffer.alloc(HUGE, 0x20));
      }
      case 'huge-chunked': {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.on('error', () => {});
        res.write('{"access_token":"');
        return res.end(`${'x'.repeat(HUGE)}"}`);
      }
    }
  }

  function configFor(phase: Phase, fault: Fault): ProviderConfig {
    return {
      id: `${phase}-${fault}`,
      label: 'Faulty',
      issuer: issuerOf(phase, fault),
      endpoints: {},
      clientId: 'faults',
      clientAuthentication: 'none',
      scopes: ['api'],
      authorizationParameters: {},
      flow: 'auto',
    };
  }

  /** Runs `phase` to its end with `client`; discovery (and, for the exchange, the authorization step) first where the phase needs it. */
  async function run(phase: Phase, client: ProviderClient, issuer: string, signal?: AbortSignal): Promise<unknown> {
    switch (phase) {
      case 'discovery':
        return client.beginAuthorization({ requestedScopes: [], redirectUri: 'http://127.0.0.1:9/callback', signal });
      case 'exchange': {
        const pending = await client.beginAuthorization({
          requestedScopes: [],
          redirectUri: 'http://127.0.0.1:9/callback',
        });
        return client.completeAuthorization(
          pending,
          new URLSearchParams({ code: 'c', state: pending.state, iss: issuer }),
          signal,
        );
      }
      case 'refresh':
        return client.refresh({ accessToken: 'at', tokenType: 'bearer', refreshToken: 'rt' }, signal);
      case 'revocation':
        return client.revoke('rt', 'refresh_token', signal);
    }
  }

  let nodeFetch: BaseFetch;
  suiteSetup(async () => {
    // node-fetch v3 is ESM-only; the extension bundles it (src/node/fetch.ts), the tests load it like this.
    const mod = (await import('node-fetch')) as unknown as { default: (u: string, i: unknown) => Promise<Response> };
    nodeFetch = (u, i) => mod.default(u, i);
  });
  const fetches: Array<[string, () => BaseFetch]> = [
    ['node-fetch', () => nodeFetch],
    ['global fetch', () => globalFetch],
  ];

  interface Outcome {
    ms: number;
    value?: unknown;
    error?: unknown;
  }
  const describe = (o: Outcome) =>
    o.error instanceof AuthError
      ? `\`${o.error.code}\` ${o.error.message}`
      : o.error
        ? `NOT AN AuthError: ${(o.error as Error)?.name}: ${(o.error as Error)?.message}`
        : `ok ${JSON.stringify(o.value)}`;

  for (const [fetchName, baseFetch] of fetches) {
    suite(`through ${fetchName}`, () => {
      // Every combination runs concurrently first (the slow ones each take the timeout); the tests then judge them.
      const outcomes = new Map<string, Outcome>();
      suiteSetup(async () => {
        // Two waves: first every client discovers its (healthy) metadata, then all faulty steps run at once, so that
        // only the step under test is timed and a loaded machine cannot push a healthy discovery past the timeout.
        const clients = new Map<string, ProviderClient>();
        for (const phase of PHASES) {
          for (const fault of FAULTS)
            clients.set(
              fault + phase,
              new ProviderClient(configFor(phase, fault), {
                fetch: baseFetch(),
                getClientSecret: async () => undefined,
                timeoutMs: TIMEOUT_MS,
              }),
            );
          clients.set(
            `cancel${phase}`,
            new ProviderClient(configFor(phase, 'slow-headers'), {
              fetch: baseFetch(),
              getClientSecret: async () => undefined,
            }),
          );
        }
        await Promise.all([...clients].filter(([k]) => !k.endsWith('discovery')).map(([, c]) => c.serverMetadata()));
        const jobs: Array<Promise<void>> = [];
        for (const phase of PHASES) {
          for (const fault of FAULTS) {
            jobs.push(
              (async () => {
                const t0 = performance.now();
                try {
                  outcomes.set(fault + phase, {
                    value: await run(phase, clients.get(fault + phase)!, issuerOf(phase, fault)),
                    ms: performance.now() - t0,
                  });
                } catch (error) {
                  outcomes.set(fault + phase, { error, ms: performance.now() - t0 });
                }
              })(),
            );
          }
          jobs.push(
            (async () => {
              // The user cancels (signIn.ts aborts with an AuthError reason) while the server hangs; no timeout would end it.
              const ac = new AbortController();
              setTimeout(() => ac.abort(new AuthError('cancelled', 'Sign-in cancelled.')), 100);
              const t0 = performance.now();
              try {
                outcomes.set(`cancel${phase}`, {
                  value: await run(phase, clients.get(`cancel${phase}`)!, issuerOf(phase, 'slow-headers'), ac.signal),
                  ms: performance.now() - t0 - 100,
                });
              } catch (error) {
                outcomes.set(`cancel${phase}`, { error, ms: performance.now() - t0 - 100 });
              }
            })(),
          );
        }
        await Promise.all(jobs);
      });

      for (const phase of PHASES) {
        for (const fault of FAULTS) {
          const exp = expectation(phase, fault);
          const key = `${fetchName}|${phase}|${fault}`;
          test(`${phase}: ${fault} → ${exp.ok ? 'success (RFC 7009)' : `${exp.codes!.join('|')} ${exp.message}`}`, async function () {
            const o = outcomes.get(fault + phase)!;
            const { error } = o;
            observed.push(`| ${fetchName} | ${phase} | ${fault} | ${describe(o)} | ${Math.round(o.ms)} ms |`);
            // Never anything but an AuthError: unconditional. (Never a hang: the suite setup's timeout; the time each
            // one took is in the report table, not asserted — a loaded 2-core machine is not a fault of the client.)
            assert.ok(
              error === undefined || error instanceof AuthError,
              `not an AuthError: ${(error as Error)?.name}: ${(error as Error)?.message}`,
            );
            const check = async () => {
              if (exp.ok) {
                assert.equal(error, undefined, `expected success, got ${(error as Error)?.message}`);
                return;
              }
              assert.ok(error instanceof AuthError, 'expected an AuthError');
              assert.ok(
                exp.codes!.includes(error.code),
                `code ${error.code} (${error.message}), expected ${exp.codes!.join('|')}`,
              );
              assert.match(error.message, WHAT[phase], 'the message names the step');
              assert.match(error.message, exp.message!);
              assert.equal(error.transient, TRANSIENT.has(fault), 'transient exactly for the transient faults');
            };
            survived++;
            const gap = knownGapFor(fetchName, phase, fault);
            if (gap) {
              gaps++;
              await knownGap(this, key, gap, check);
              gaps--;
            } else await check();
          });
        }
        test(`${phase}: cancelled by the user while the server hangs → 'cancelled' at once`, async function () {
          const o = outcomes.get(`cancel${phase}`)!;
          const { error } = o;
          observed.push(
            `| ${fetchName} | ${phase} | cancel | ${describe(o)} | ${Math.round(o.ms)} ms after the cancel |`,
          );
          assert.ok(
            error instanceof AuthError,
            `not an AuthError: ${(error as Error)?.name}: ${(error as Error)?.message}`,
          );
          const check = async () => {
            assert.equal(error.code, 'cancelled', error.message);
          };
          survived++;
          const gap = knownGapFor(fetchName, phase, 'cancel');
          if (gap) {
            gaps++;
            await knownGap(this, `${fetchName}|${phase}|cancel`, gap, check);
            gaps--;
          } else await check();
        });
      }
    });
  }

  suite('no stored session is lost', () => {
    const session = (id: string, now: number): StoredSession => ({
      v: 1,
      id,
      account: { id: `acct-${id}`, label: `user ${id}` },
      scopes: ['api'],
      defaultScopes: ['api'],
      createdAt: now - 3_600_000,
      // Expires in 2 minutes after a 1-hour lifetime: inside the 5-minute refresh margin, so using it refreshes.
      tokens: { accessToken: `at-${id}`, tokenType: 'bearer', refreshToken: `rt-${id}`, expiresAt: now + 120_000 },
    });

    for (const fault of FAULTS) {
      test(`refresh fails with ${fault}: the session stays stored and usable until it expires`, async () => {
        const client = new ProviderClient(configFor('refresh', fault), {
          fetch: globalFetch,
          getClientSecret: async () => undefined,
          timeoutMs: KEEPER_TIMEOUT_MS,
        });
        const win = openWindow(client, 'faulty');
        try {
          const now = Date.now();
          const s = session('s1', now);
          const other = { ...session('s2', now), tokens: { ...session('s2', now).tokens, expiresAt: now + 3_600_000 } };
          await win.keeper.add(s, []);
          await win.keeper.add(other, []);
          const got = await win.keeper.usable(s);
          assert.equal(got?.tokens.accessToken, 'at-s1', 'the still-valid token is handed out');
          const stored = [...win.secrets.data.keys()].filter((k) => k.includes('/session/'));
          assert.equal(stored.length, 2, 'both sessions still stored');
          assert.deepEqual((await win.keeper.sessions()).map((x) => x.id).sort(), ['s1', 's2']);
          assert.ok(
            win.warnings.some((w) => /refresh failed .*keeping the session/.test(w)),
            win.warnings.join('\n'),
          );
          survived++;
        } finally {
          win.keeper.dispose();
        }
      });
    }

    test('refresh of an expired token during an outage: an AuthError (network), the session is kept for later', async () => {
      const client = new ProviderClient(configFor('refresh', 'http-503-json'), {
        fetch: globalFetch,
        getClientSecret: async () => undefined,
        timeoutMs: KEEPER_TIMEOUT_MS,
      });
      const win = openWindow(client, 'faulty');
      try {
        const now = Date.now();
        const s = { ...session('s3', now), tokens: { ...session('s3', now).tokens, expiresAt: now - 1000 } };
        await win.keeper.add(s, []);
        await assert.rejects(
          win.keeper.usable(s),
          (e: unknown) =>
            e instanceof AuthError && e.code === 'network' && /has expired and could not be refreshed/.test(e.message),
        );
        assert.deepEqual(
          (await win.keeper.sessions()).map((x) => x.id),
          ['s3'],
        );
        survived++;
      } finally {
        win.keeper.dispose();
      }
    });

    for (const fault of ['unreachable', 'slow-headers', 'http-503-json', 'huge-chunked'] as const) {
      test(`sign-out while revocation fails with ${fault}: removed locally, no error, no hang`, async () => {
        const client = new ProviderClient(configFor('revocation', fault), {
          fetch: globalFetch,
          getClientSecret: async () => undefined,
          timeoutMs: KEEPER_TIMEOUT_MS,
        });
        const win = openWindow(client, 'faulty');
        try {
          const now = Date.now();
          await win.keeper.add(session('s4', now), []);
          await win.keeper.add(
            { ...session('s5', now), tokens: { ...session('s5', now).tokens, expiresAt: now + 3_600_000 } },
            [],
          );
          await win.keeper.remove('s4', 'signed out');
          assert.deepEqual(
            (await win.keeper.sessions()).map((x) => x.id),
            ['s5'],
            'the other session is untouched',
          );
          assert.ok(
            win.warnings.some((w) => /revocation failed .*removed locally anyway/.test(w)),
            win.warnings.join('\n'),
          );
          survived++;
        } finally {
          win.keeper.dispose();
        }
      });
    }
  });

  suite('createFetch on its own', () => {
    test('the size cap holds for a body that lies about its length, and the timeout covers the body too', async () => {
      const f = createFetch(globalFetch, { timeoutMs: TIMEOUT_MS, maxBytes: 1024 });
      await assert.rejects(f(`${base}/refresh/huge-chunked/token`, { method: 'POST' }), /larger than 1 KB/);
      await assert.rejects(
        f(`${base}/refresh/slow-body/token`, { method: 'POST' }),
        (e: unknown) => (e as Error).name === 'TimeoutError' || (e as Error).name === 'AbortError',
      );
      survived += 2;
    });
  });
});
