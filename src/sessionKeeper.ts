/**
 * The token lifecycle of one provider's sessions, without `vscode` (unit-tested on plain Node against a real AS):
 * the in-memory source of truth loaded once from SecretStorage, lazy and proactive refresh (single-flight per
 * session, one window at a time through a lease), adoption of tokens refreshed or removed by other windows,
 * `invalid_grant` vs transient failures, and revocation on removal.
 */
import type { Logger } from './log';
import type { ProviderClient } from './protocol/client';
import { AuthError, isAuthError, toAuthError } from './protocol/errors';
import { refreshMargin } from './protocol/tokens';
import { releaseLease, tryAcquireLease, waitForLease, type LeaseOptions } from './refreshLease';
import { SessionIndex } from './sessionIndex';
import type { SecretStorageLike, SessionStore, StoredSession } from './sessionStore';

export interface SessionChange {
  added?: StoredSession[];
  removed?: StoredSession[];
  changed?: StoredSession[];
}

export interface KeeperDeps {
  readonly store: SessionStore;
  readonly secrets: SecretStorageLike;
  readonly client: ProviderClient;
  readonly log: Pick<Logger, 'info' | 'warn' | 'error'>;
  readonly fire: (change: SessionChange) => void;
  readonly providerLabel: string;
  /** Tells the user once that an account must sign in again (with a Sign In action). */
  readonly notifySignedOut?: (session: StoredSession, reason: string) => void;
  readonly now?: () => number;
  /** Identifies this window for the refresh lease; random by default. */
  readonly owner?: string;
  /**
   * Sessions found in storage that another configuration obtained (serverBinding.ts), already removed from storage:
   * revoke them at the server that issued them and tell the user. Never given to this provider's client.
   */
  readonly retire?: (sessions: StoredSession[]) => void;
}

/** What the server did with a removed session's tokens (RFC 7009): the user is told the truth. */
export type Revocation =
  | { readonly outcome: 'revoked' }
  | { readonly outcome: 'unsupported' }
  | { readonly outcome: 'failed'; readonly message: string; readonly status?: number };

/**
 * What a failed refresh means, by what the server said rather than only the `error` code: strict servers answer a
 * dead refresh token with a bare HTTP 400 or 401 (no JSON, no invalid_grant). Those end the session unless they
 * name a transient error; 5xx, 429, timeouts and network errors keep it for a retry.
 */
const TRANSIENT_OAUTH_ERRORS = new Set(['temporarily_unavailable', 'server_error', 'slow_down']);
export function refreshVerdict(err: AuthError): 'dead' | 'retry' {
  if (err.code === 'invalid_grant') return 'dead';
  const status = err.details.status;
  if (err.transient || status === 429 || (status !== undefined && status >= 500)) return 'retry';
  if (err.details.oauthError && TRANSIENT_OAUTH_ERRORS.has(err.details.oauthError)) return 'retry';
  return status === 400 || status === 401 ? 'dead' : 'retry';
}

/** How long a sign-out waits for a refresh already in flight (whose new tokens it then revokes). */
const SIGN_OUT_WAIT_MS = 15_000;

/** Back-off between retries after network errors and 5xx: never a sign-out, never a hot loop. */
const BACKOFF_MS = [15_000, 30_000, 60_000, 120_000, 300_000];
const MAX_TIMER_MS = 2 ** 31 - 1;

export class SessionKeeper {
  private loaded?: Promise<SessionIndex>;
  private readonly inflight = new Map<string, Promise<StoredSession | undefined>>();
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly failures = new Map<string, number>();
  private readonly owner: string;
  private readonly subscription: { dispose(): unknown };
  private readonly changeListeners = new Set<() => void>();
  private syncing?: Promise<void>;
  /** Our own storage writes, in order; a sync waits for them so it never mistakes a half-written change for another window's. */
  private writes: Promise<unknown> = Promise.resolve();
  /** Counts local changes (memory first, then a queued write): a sync that overlapped one reads storage again. */
  private localChanges = 0;
  private disposed = false;

  constructor(private readonly deps: KeeperDeps) {
    this.owner = deps.owner ?? crypto.randomUUID();
    this.subscription = deps.secrets.onDidChange((e) => {
      if (!deps.store.owns(e.key) || !this.loaded) return;
      for (const l of [...this.changeListeners]) l();
      void this.syncFromStorage();
    });
  }

  private now(): number {
    return (this.deps.now ?? Date.now)();
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    this.localChanges++;
    const run = this.writes.then(fn, fn);
    this.writes = run.catch(() => undefined);
    return run;
  }

  private map(): Promise<SessionIndex> {
    this.loaded ??= (async () => {
      const { ours: list, foreign } = await this.deps.store.readSplit();
      await this.retireForeign(foreign);
      const m = new SessionIndex(list.map((s) => [s.id, s]));
      for (const s of m.values()) this.schedule(s);
      return m;
    })();
    return this.loaded;
  }

  /** Removes sessions bound to another configuration from storage before anything can use them, then hands them on. */
  private async retireForeign(foreign: StoredSession[]): Promise<void> {
    if (foreign.length === 0) return;
    await this.serial(async () => { for (const s of foreign) await this.deps.store.remove(s.id); });
    this.deps.log.warn(`${foreign.length} stored session(s) were obtained from a different server or client id than this provider is now configured with; removed them (they are revoked at the server that issued them)`);
    this.deps.retire?.(foreign);
  }

  async sessions(): Promise<StoredSession[]> {
    return [...(await this.map()).values()];
  }

  /** getSessions' lookup: see SessionIndex.matching. */
  async matching(wanted: readonly string[] | undefined, accountId?: string): Promise<StoredSession[]> {
    return (await this.map()).matching(wanted, accountId);
  }

  async add(session: StoredSession, replaced: StoredSession[]): Promise<void> {
    const m = await this.map();
    // Memory first, so the onDidChange echo of our own write finds nothing new.
    m.set(session.id, session);
    for (const r of replaced) m.delete(r.id);
    await this.serial(async () => {
      await this.deps.store.write(session);
      for (const r of replaced) await this.deps.store.remove(r.id);
    });
    for (const r of replaced) this.unschedule(r.id);
    this.schedule(session);
    this.deps.fire({ added: [session], removed: replaced });
    for (const r of replaced) void this.revoke(r);
  }

  /**
   * Removes locally first (never blocked by the network), then revokes at the server, best effort. Returns the
   * removed session and what the server said, or undefined when there was no such session.
   */
  async remove(id: string, reason: string, { fromRefresh = false } = {}): Promise<{ session: StoredSession; revocation: Revocation } | undefined> {
    const m = await this.map();
    const s = m.get(id);
    if (!s) return undefined;
    m.delete(id);
    this.unschedule(id);
    await this.serial(() => this.deps.store.remove(id));
    this.deps.log.info(`session of ${s.account.label} removed (${reason})`);
    this.deps.fire({ removed: [s] });
    // A refresh of this session already on its way is not cancelled (the server may have answered): refreshNow
    // sees the session gone and revokes whatever it produced. Wait for it, so "signed out" means done.
    const refreshing = fromRefresh ? undefined : this.inflight.get(id);
    const revocation = await this.revoke(s);
    if (refreshing) await Promise.race([refreshing.catch(() => undefined), new Promise((r) => setTimeout(r, SIGN_OUT_WAIT_MS))]);
    return { session: s, revocation };
  }

  private async revoke(s: StoredSession): Promise<Revocation> {
    const { refreshToken, accessToken } = s.tokens;
    try {
      // Revoking the refresh token revokes the grant at most servers; the access token is revoked on its own too.
      const done = refreshToken ? await this.deps.client.revoke(refreshToken, 'refresh_token') : false;
      const doneAt = await this.deps.client.revoke(accessToken, 'access_token');
      this.deps.log.info(done || doneAt ? 'tokens revoked at the server' : 'the server has no revocation endpoint; tokens were only deleted locally');
      return { outcome: done || doneAt ? 'revoked' : 'unsupported' };
    } catch (e) {
      const err = toAuthError(e, 'Revocation');
      this.deps.log.warn(`revocation failed (${err.message}${err.details.status ? `, HTTP ${err.details.status}` : ''}); the session was removed locally anyway`);
      return { outcome: 'failed', message: err.message, status: err.details.status };
    }
  }

  /**
   * The session if its access token may be handed out now, refreshing first when it expires within the margin.
   * Network trouble keeps the session: the still-valid token is returned, or an AuthError if it has expired.
   */
  async usable(s: StoredSession): Promise<StoredSession | undefined> {
    if (this.isFresh(s)) return s;
    const current = (await this.map()).get(s.id);
    if (!current) return undefined;
    if (this.isFresh(current)) return current;
    // Without a refresh token there is nothing to do early: keep handing out the token until it really expires.
    if (!current.tokens.refreshToken && !this.isExpired(current)) return current;
    return this.refreshOnce(current);
  }

  private isExpired(s: StoredSession): boolean {
    return s.tokens.expiresAt !== undefined && this.now() >= s.tokens.expiresAt;
  }

  isFresh(s: StoredSession): boolean {
    const at = s.tokens.expiresAt;
    if (at === undefined) return true;
    const lifetime = at - (s.refreshedAt ?? s.createdAt);
    return this.now() < at - refreshMargin(lifetime);
  }

  /** Single-flight per session: N concurrent callers share one refresh. */
  private refreshOnce(s: StoredSession): Promise<StoredSession | undefined> {
    let p = this.inflight.get(s.id);
    if (!p) {
      p = this.refreshCoordinated(s).finally(() => this.inflight.delete(s.id));
      this.inflight.set(s.id, p);
    }
    return p;
  }

  private leaseFor(id: string): LeaseOptions {
    return { secrets: this.deps.secrets, key: this.deps.store.leaseKey(id), owner: this.owner, now: () => this.now() };
  }

  /** One window at a time: wait for another window's refresh and adopt its result, or refresh ourselves. */
  private async refreshCoordinated(s: StoredSession): Promise<StoredSession | undefined> {
    const lease = this.leaseFor(s.id);
    for (let attempt = 0; attempt < 3; attempt++) {
      const adopted = await this.adoptStored(s.id);
      if (adopted === null) return undefined; // removed by another window
      if (adopted && this.isFresh(adopted)) return adopted;
      if (await tryAcquireLease(lease)) {
        try {
          // Read storage again under the lease: another window may have refreshed, or signed out, meanwhile.
          const stored = await this.adoptStored(s.id);
          if (stored === null) return undefined;
          const latest = stored ?? s;
          if (this.isFresh(latest)) return latest;
          return await this.refreshNow(latest);
        } finally {
          await releaseLease(lease);
        }
      }
      this.deps.log.info('another window is refreshing this session; waiting for its result');
      await waitForLease(lease, (l) => this.onStoredChange(l));
    }
    // The other window never finished: its lease expired or it keeps losing; refresh ourselves.
    const stored = await this.adoptStored(s.id);
    return stored === null ? undefined : this.refreshNow(stored ?? s);
  }

  private onStoredChange(listener: () => void): { dispose(): unknown } {
    this.changeListeners.add(listener);
    return { dispose: () => this.changeListeners.delete(listener) };
  }

  /**
   * Re-reads the stored record and adopts it when another window changed it. Returns the current session,
   * `null` when it is gone from storage, or undefined when the record could not be read.
   */
  private async adoptStored(id: string): Promise<StoredSession | null | undefined> {
    const m = await this.map();
    const stored = await this.deps.store.read(id);
    const mine = m.get(id);
    if (!stored) {
      if (mine && !(await this.deps.store.listed(id))) {
        m.delete(id);
        this.unschedule(id);
        this.deps.fire({ removed: [mine] });
        return null;
      }
      return mine;
    }
    if (mine && stored.tokens.accessToken !== mine.tokens.accessToken) {
      m.set(id, stored);
      this.schedule(stored);
      this.deps.fire({ changed: [stored] });
    }
    return stored;
  }

  private async refreshNow(s: StoredSession): Promise<StoredSession | undefined> {
    const started = this.now();
    try {
      const tokens = await this.deps.client.refresh(s.tokens);
      const next: StoredSession = { ...s, tokens, refreshedAt: this.now() };
      const m = await this.map();
      // Signed out while the refresh was on its way (here, or in another window, which removed it from storage):
      // the sign-out wins, and the tokens this refresh produced are revoked too — never left valid at the server.
      const signedOut = !m.has(s.id) || !(await this.deps.store.listed(s.id));
      if (signedOut) {
        this.deps.log.info('the session was signed out while it was being refreshed; revoking the new tokens as well');
        await this.revoke(next);
        if (m.has(s.id)) await this.syncFromStorage();
        return undefined;
      }
      m.set(s.id, next);
      // Stored before it is handed out: a rotated refresh token must never exist only in memory.
      await this.serial(() => this.deps.store.write(next));
      this.failures.delete(s.id);
      this.schedule(next);
      this.deps.log.info(`session of ${s.account.label} refreshed in ${this.now() - started} ms; access token expires ${next.tokens.expiresAt ? new Date(next.tokens.expiresAt).toISOString() : 'never (no expiry stated)'}`);
      this.deps.fire({ changed: [next] });
      return next;
    } catch (e) {
      return this.refreshFailed(s, toAuthError(e, 'The token refresh'));
    }
  }

  private async refreshFailed(s: StoredSession, err: AuthError): Promise<StoredSession | undefined> {
    if (refreshVerdict(err) === 'dead' || (!s.tokens.refreshToken && !err.transient)) {
      // Another window may have rotated the token while we used the old one: adopt its result instead.
      const stored = await this.deps.store.read(s.id);
      if (stored && stored.tokens.refreshToken !== s.tokens.refreshToken) {
        this.deps.log.info('refresh token was already rotated by another window; adopting its tokens');
        return (await this.adoptStored(s.id)) ?? undefined;
      }
      this.deps.log.warn(`session of ${s.account.label} can no longer be refreshed (${err.details.oauthError ?? err.code}); removing it`);
      await this.remove(s.id, 'refresh rejected', { fromRefresh: true });
      this.deps.notifySignedOut?.(s, err.message);
      return undefined;
    }
    const n = (this.failures.get(s.id) ?? 0) + 1;
    this.failures.set(s.id, n);
    const delay = BACKOFF_MS[Math.min(n - 1, BACKOFF_MS.length - 1)];
    this.deps.log.warn(`refresh failed (${err.message}); keeping the session, retrying in ${Math.round(delay / 1000)} s`);
    this.setTimer(s.id, delay);
    if (!this.isExpired(s)) return s;
    throw new AuthError(err.code, `The ${this.deps.providerLabel} access token for ${s.account.label} has expired and could not be refreshed: ${err.message}`, err.details);
  }

  /** Proactive refresh shortly before expiry while VS Code runs; expired sessions without refresh token go. */
  private schedule(s: StoredSession): void {
    const at = s.tokens.expiresAt;
    if (at === undefined || this.disposed) return this.unschedule(s.id);
    const lifetime = at - (s.refreshedAt ?? s.createdAt);
    const due = s.tokens.refreshToken ? at - refreshMargin(lifetime) : at;
    this.setTimer(s.id, Math.max(0, due - this.now()));
  }

  private setTimer(id: string, delay: number): void {
    this.unschedule(id);
    if (this.disposed) return;
    const t = setTimeout(() => void this.onTimer(id), Math.min(delay, MAX_TIMER_MS));
    (t as { unref?: () => void }).unref?.();
    this.timers.set(id, t);
  }

  private unschedule(id: string): void {
    const t = this.timers.get(id);
    if (t) clearTimeout(t);
    this.timers.delete(id);
  }

  private async onTimer(id: string): Promise<void> {
    this.timers.delete(id);
    const s = (await this.map()).get(id);
    if (!s || this.disposed) return;
    if (!s.tokens.refreshToken) {
      if (s.tokens.expiresAt !== undefined && this.now() >= s.tokens.expiresAt) {
        await this.remove(id, 'access token expired and there is no refresh token');
        this.deps.notifySignedOut?.(s, 'The access token expired and the server issued no refresh token.');
      }
      return;
    }
    try {
      await this.usable(s);
    } catch (e) {
      if (!isAuthError(e)) this.deps.log.error(`background refresh failed: ${String(e)}`);
    }
  }

  /** Another window added, refreshed or removed sessions: diff storage against memory and fire the difference. */
  syncFromStorage(): Promise<void> {
    this.syncing ??= (async () => {
      try {
        const m = await this.map();
        let stored: Map<string, StoredSession>;
        for (let attempt = 0; ; attempt++) {
          const before = this.localChanges;
          await this.writes;
          stored = new Map((await this.deps.store.readAll()).map((s) => [s.id, s]));
          // Our own change landed in memory while we read: storage may not have it yet, so this read is stale.
          if (before === this.localChanges || attempt >= 5) break;
        }
        const added = [...stored.values()].filter((s) => !m.has(s.id));
        const removed = [...m.values()].filter((s) => !stored.has(s.id));
        const changed = [...stored.values()].filter((s) => m.has(s.id) && m.get(s.id)!.tokens.accessToken !== s.tokens.accessToken);
        for (const s of removed) { m.delete(s.id); this.unschedule(s.id); }
        for (const s of [...added, ...changed]) { m.set(s.id, s); this.schedule(s); }
        if (added.length || removed.length || changed.length) this.deps.fire({ added, removed, changed });
      } finally {
        this.syncing = undefined;
      }
    })();
    return this.syncing;
  }

  dispose(): void {
    this.disposed = true;
    for (const id of [...this.timers.keys()]) this.unschedule(id);
    this.subscription.dispose();
  }
}


