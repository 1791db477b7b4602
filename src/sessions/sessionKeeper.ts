/**
 * The token lifecycle of one provider's sessions, without `vscode` (unit-tested on plain Node against a real AS):
 * memory in step with SecretStorage (sessionMemory.ts), timers (proactive refresh, back-off, expiry without refresh
 * token), sign-out with revocation, and usable tokens from composed TokenSources (tokenSource.ts), which reach
 * memory and storage only through the SessionPort built here.
 */
import { KeyedTimers, type TimerHost } from './keyedTimers';
import { leased } from './leasedSource';
import { releaseLease, tryAcquireLease, type LeaseOptions } from './refreshLease';
import type { Logger } from '../protocol/log';
import { isAuthError } from '../protocol/errors';
import { freshUntil, type Clock } from '../protocol/tokens';
import { refreshing } from './refreshingSource';
import { revokeTokens, type Revocation } from './revocation';
import type { SessionIndex } from './sessionIndex';
import { SessionMemory, type SessionChange } from './sessionMemory';
import type { SecretStorageLike, SessionStore, StoredSession } from './sessionStore';
import { handlingFailures } from './failureHandling';
import { reusing, type ReusingSource, type SessionPort, type TokenClient } from './tokenSource';

export type { Revocation } from './revocation';
export type { SessionChange } from './sessionMemory';

interface KeeperDeps {
  readonly store: SessionStore;
  readonly secrets: SecretStorageLike;
  readonly client: TokenClient;
  readonly log: Pick<Logger, 'info' | 'warn' | 'error'>;
  readonly fire: (change: SessionChange) => void;
  readonly providerLabel: string;
  /** Tells the user once that an account must sign in again (with a Sign In action). */
  readonly notifySignedOut?: (session: StoredSession, reason: string) => void;
  /** The one clock of the session lifecycle (freshness, timers, leases); Date.now by default. */
  readonly clock?: Clock;
  /** Identifies this window for the refresh lease; random by default. */
  readonly owner?: string;
  /** The timers of the lifecycle (proactive refresh, back-off retry, expiry); setTimeout by default. */
  readonly timers?: TimerHost;
  /**
   * Sessions found in storage that another configuration obtained (serverBinding.ts), already removed from storage:
   * revoke them at the server that issued them and tell the user. Never given to this provider's client.
   */
  readonly retire?: (sessions: StoredSession[]) => void;
  /**
   * Whether a stored session may be handed out now (the organisation's allowed accounts); every one by default. A
   * refused one is never handed out, whatever becomes of its sign-out (the provider's, which may fail or race).
   */
  readonly allowed?: (s: StoredSession) => boolean;
}

/** How long a sign-out waits for a refresh already in flight (whose new tokens it then revokes). */
const SIGN_OUT_WAIT_MS = 15_000;
/** When a background refresh that failed for another reason than the server's answer is tried again. */
const RETRY_AFTER_ERROR_MS = 60_000;

export class SessionKeeper {
  readonly clock: Clock;
  private readonly memory: SessionMemory;
  private ready?: Promise<SessionIndex>;
  private readonly source: ReusingSource;
  private readonly timers: KeyedTimers;
  private readonly subscription: { dispose(): unknown };
  private readonly changeListeners = new Set<() => void>();
  /** This window's refresh lease of one session (refreshLease.ts). */
  private readonly lease: (id: string) => LeaseOptions;
  /** refreshRejected calls in flight, per session and refused token. */
  private readonly rejections = new Map<string, Promise<StoredSession | undefined>>();
  private disposed = false;

  constructor(private readonly deps: KeeperDeps) {
    const { log, providerLabel } = deps;
    const clock = (this.clock = deps.clock ?? Date.now);
    this.timers = new KeyedTimers((id) => void this.onTimer(id), deps.timers);
    this.memory = new SessionMemory(deps.store, { log, retire: deps.retire, changed: (c) => this.changed(c) });
    const owner = deps.owner ?? crypto.randomUUID();
    const lease = (this.lease = (id: string) => ({
      secrets: deps.secrets,
      key: deps.store.leaseKey(id),
      owner,
      now: clock,
    }));
    const port: SessionPort = {
      lookup: async (id) => (await this.map(), this.memory.lookup(id)),
      commit: (next) => this.commit(next),
      onChange: (l) => {
        this.changeListeners.add(l);
        return { dispose: () => this.changeListeners.delete(l) };
      },
    };
    const end = async (s: StoredSession, why: Error) => {
      await this.remove(s.id, 'refresh rejected', { fromRefresh: true });
      deps.notifySignedOut?.(s, why.message);
    };
    const retryIn = (id: string, ms: number) => this.timers.set(id, ms);
    this.source = reusing(
      handlingFailures(leased(refreshing(deps.client, clock, log), { port, lease, clock, log }), {
        clock,
        providerLabel,
        log,
        end,
        retryIn,
      }),
      clock,
    );
    this.subscription = deps.secrets.onDidChange((e) => {
      if (!deps.store.owns(e.key) || !this.memory.isLoaded) return;
      for (const l of [...this.changeListeners]) l();
      void this.syncFromStorage();
    });
  }

  get store(): SessionStore {
    return this.deps.store;
  }

  /** Memory changed: timers follow it, and listeners hear of it. */
  private changed(c: SessionChange): void {
    for (const s of c.removed ?? []) this.timers.clear(s.id);
    for (const s of [...(c.added ?? []), ...(c.changed ?? [])]) this.schedule(s);
    this.deps.fire(c);
  }

  private map(): Promise<SessionIndex> {
    return (this.ready ??= this.memory.index().then((m) => {
      for (const s of m.values()) this.schedule(s);
      return m;
    }));
  }

  async sessions(): Promise<StoredSession[]> {
    return [...(await this.map()).values()];
  }

  /** getSessions' lookup: see SessionIndex.matching. */
  async matching(wanted: readonly string[] | undefined, accountId?: string): Promise<StoredSession[]> {
    const found = (await this.map()).matching(wanted, accountId);
    return this.deps.allowed ? found.filter(this.deps.allowed) : found;
  }

  /** Stores a new session in place of `replaced`, whose tokens are then revoked. */
  async add(session: StoredSession, replaced: StoredSession[]): Promise<void> {
    await this.map();
    await this.memory.add(session, replaced);
    for (const r of replaced) void revokeTokens(this.deps.client, r, this.deps.log);
  }

  /**
   * Removes locally first (never blocked by the network), then revokes at the server, best effort. A refresh of the
   * session already on its way is not cancelled (the server may have answered): commit() finds the session gone and
   * revokes what it produced; this waits for that, so "signed out" means done. Undefined when there was no session.
   */
  async remove(
    id: string,
    reason: string,
    { fromRefresh = false } = {},
  ): Promise<{ session: StoredSession; revocation: Revocation } | undefined> {
    await this.map();
    const s = await this.memory.remove(id);
    if (!s) return undefined;
    this.deps.log.info(`session of ${s.account.label} removed (${reason})`);
    const refreshing = fromRefresh ? undefined : this.source.inFlight(id);
    const revocation = await revokeTokens(this.deps.client, s, this.deps.log);
    if (refreshing) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        refreshing.catch(() => undefined),
        new Promise((r) => {
          timer = setTimeout(r, SIGN_OUT_WAIT_MS);
        }),
      ]);
      clearTimeout(timer);
    }
    return { session: s, revocation };
  }

  /**
   * The session if its access token may be handed out now, refreshing first when it is no longer fresh; undefined
   * when it has ended. Network trouble keeps the session: the still-valid token, or an AuthError once it expired.
   */
  async usable(s: StoredSession): Promise<StoredSession | undefined> {
    const current = (await this.map()).get(s.id);
    return current && (this.deps.allowed?.(current) ?? true) ? this.source.token(current) : undefined;
  }

  /**
   * A resource server refused `accessToken` (HTTP 401) although it may look fresh by the clock (revoked early, a
   * clock apart): refresh now, once, as every refresh is done (lease, rotation, sign-out races). Concurrent reports of
   * the same refusal share one refresh; a session whose token already changed (another caller or window refreshed
   * it) is handed out as it is.
   */
  refreshRejected(id: string, accessToken: string): Promise<StoredSession | undefined> {
    const key = `${id}\n${accessToken}`;
    let pending = this.rejections.get(key);
    if (!pending) {
      pending = this.markStale(id, accessToken)
        .then((s) => s && this.usable(s))
        .finally(() => this.rejections.delete(key));
      this.rejections.set(key, pending);
    }
    return pending;
  }

  /**
   * Stores the session with its refused token marked expired, so every layer and every window sees a token to
   * replace. Under the refresh lease and after reading storage again: no other window's refresh can land between the
   * check and the write (newer tokens are never overwritten). Another window refreshing now: its result will do.
   */
  private async markStale(id: string, accessToken: string): Promise<StoredSession | undefined> {
    await this.map();
    const lease = this.lease(id);
    if (!(await tryAcquireLease(lease))) return (await this.map()).get(id);
    try {
      const found = await this.memory.lookup(id);
      if (found.kind === 'gone') return undefined;
      const current = found.kind === 'present' ? found.session : (await this.map()).get(id);
      if (!current || current.tokens.accessToken !== accessToken) return current;
      const stale = {
        ...current,
        tokens: { ...current.tokens, expiresAt: Math.min(current.tokens.expiresAt ?? Infinity, this.clock()) },
      };
      if (!(await this.memory.replace(stale))) return undefined;
      this.deps.log.info(`a resource server refused the access token of ${current.account.label}; refreshing it now`);
      return stale;
    } finally {
      await releaseLease(lease);
    }
  }

  /** SessionPort.commit: a sign-out (here, or in another window) that raced the refresh wins. */
  private async commit(next: StoredSession): Promise<StoredSession | undefined> {
    await this.map();
    if (await this.memory.replace(next)) {
      const at = next.tokens.expiresAt;
      this.deps.log.info(
        `session of ${next.account.label} refreshed; access token expires ${at ? new Date(at).toISOString() : 'never (no expiry stated)'}`,
      );
      return next;
    }
    this.deps.log.info('the session was signed out while it was being refreshed; revoking the new tokens as well');
    await revokeTokens(this.deps.client, next, this.deps.log);
    await this.syncFromStorage();
    return undefined;
  }

  /** Proactive refresh when the token stops being fresh; a session without refresh token goes when it expires. */
  private schedule(s: StoredSession): void {
    const due = dueAt(s);
    if (due === undefined) this.timers.clear(s.id);
    else this.timers.set(s.id, due - this.clock());
  }

  private async onTimer(id: string): Promise<void> {
    // A timer can fire while the refresh before it is still finishing (releasing its lease): joining that flight
    // would take its result as this timer's own and leave no timer behind. Wait for it; a timer its outcome set decides.
    const finishing = this.source.inFlight(id);
    if (finishing) {
      await finishing.catch(() => undefined);
      if (this.timers.has(id)) return;
    }
    const s = (await this.map()).get(id);
    if (!s || this.disposed) return;
    // A timer can fire before its time on the clock: Node counts from the event loop's cached time, which lags the
    // clock after busy work, and long delays are clamped. Doing nothing then would skip the refresh for good.
    const due = dueAt(s);
    if (due === undefined || this.clock() < due) return this.schedule(s);
    if (!s.tokens.refreshToken) {
      await this.remove(id, 'access token expired and there is no refresh token');
      this.deps.notifySignedOut?.(s, 'The access token expired and the server issued no refresh token.');
      return;
    }
    try {
      await this.usable(s);
    } catch (e) {
      if (!isAuthError(e)) this.deps.log.error(`background refresh failed: ${String(e)}`);
      // A refresh failure's handling set the retry (failureHandling.ts); anything else (the keychain, the lease) left
      // no timer: try again later rather than never.
      if (!this.timers.has(id) && (await this.map()).get(id)) this.timers.set(id, RETRY_AFTER_ERROR_MS);
    }
  }

  /** Another window added, refreshed or removed sessions: diff storage against memory and fire the difference. */
  async syncFromStorage(): Promise<void> {
    await this.map();
    await this.memory.sync();
  }

  dispose(): void {
    this.disposed = true;
    this.timers.stop();
    this.subscription.dispose();
  }
}

/** When the keeper must act on a session: refresh once it stops being fresh, or drop it when it expires without a refresh token. */
function dueAt(s: StoredSession): number | undefined {
  return s.tokens.refreshToken ? freshUntil(s.tokens) : s.tokens.expiresAt;
}
