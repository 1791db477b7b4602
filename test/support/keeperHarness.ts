/** Builds SessionKeepers (one per simulated window) over a shared fake SecretStorage and a real test AS. */
import type { StoredSession } from '../../src/sessions/sessionStore';
import { SessionStore } from '../../src/sessions/sessionStore';
import { SessionKeeper, type SessionChange } from '../../src/sessions/sessionKeeper';
import type { ProviderClient } from '../../src/protocol/client';
import type { TimerHost } from '../../src/sessions/keyedTimers';
import { FakeSecrets } from './fakeSecrets';
import { TEST_BINDING } from './binding';
import type { OpProcess } from './op';
import { loopbackSignIn, testClient, testConfig } from './protocolHarness';

export interface Window {
  readonly keeper: SessionKeeper;
  readonly events: SessionChange[];
  readonly signedOut: string[];
  /** The window's clock at each signedOut notice. */
  readonly signedOutAt: number[];
  readonly warnings: string[];
  readonly infos: string[];
}

/** A clock the test moves forward, so "an hour later" takes no time. */
export class TestClock {
  offset = 0;
  readonly now = () => Date.now() + this.offset;
  advance(ms: number) {
    this.offset += ms;
  }
}

/**
 * One window's SessionKeeper over `secrets` (the keychain windows share), recording what it tells the user. `owner`
 * names the window in the refresh lease; `providerId` the store (and the provider's label).
 */
export function openWindow(
  secrets: FakeSecrets,
  client: ProviderClient,
  clock: TestClock = new TestClock(),
  o: { owner?: string; timers?: TimerHost; providerId?: string; allowed?: (s: StoredSession) => boolean } = {},
): Window {
  const { owner, timers, providerId = 'test', allowed } = o;
  const events: SessionChange[] = [];
  const signedOut: string[] = [];
  const signedOutAt: number[] = [];
  const warnings: string[] = [];
  const infos: string[] = [];
  const store = new SessionStore(secrets, providerId, (l) => warnings.push(l), TEST_BINDING);
  const keeper = new SessionKeeper({
    store,
    secrets,
    client,
    owner,
    timers,
    allowed,
    clock: clock.now,
    providerLabel: providerId === 'test' ? 'Test IdP' : providerId,
    log: { info: (l) => infos.push(l), warn: (l) => warnings.push(l), error: (l) => warnings.push(l) },
    fire: (e) => events.push(e),
    notifySignedOut: (s, reason) => {
      signedOut.push(`${s.account.label}: ${reason}`);
      signedOutAt.push(clock.now());
    },
  });
  return { keeper, events, signedOut, signedOutAt, warnings, infos };
}

export function storedSession(
  id: string,
  r: { tokens: StoredSession['tokens']; account: StoredSession['account'] },
  now: number,
): StoredSession {
  return {
    v: 1,
    id,
    account: r.account,
    scopes: ['openid'],
    defaultScopes: ['openid'],
    tokens: r.tokens,
    createdAt: now,
  };
}

/**
 * A real sign-in at `op`, stored as session "s1" by the first of `windows` windows sharing one keychain (the others
 * load it); the AS's counters are reset afterwards, so a test counts only its own requests.
 */
export async function signedInWindows(op: OpProcess, windows = 1) {
  const clock = new TestClock();
  const client = testClient(testConfig(op), null, clock.now);
  const secrets = new FakeSecrets();
  const r = await loopbackSignIn(op, client);
  const ws = Array.from({ length: windows }, (_, i) => openWindow(secrets, client, clock, { owner: `window-${i}` }));
  const session = storedSession('s1', r, clock.now());
  await ws[0].keeper.add(session, []);
  for (const w of ws.slice(1)) await w.keeper.sessions();
  await op.resetStats();
  return { client, clock, secrets, ws, session };
}

export { FakeSecrets };
