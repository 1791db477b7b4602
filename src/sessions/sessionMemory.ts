/**
 * The in-memory source of truth for one provider's sessions, kept in step with SecretStorage (≈ the
 * `_sessionsPromise` + `checkForUpdates` pair of VS Code's GitHub provider): loaded once, changed in memory first and
 * then written through in order, and diffed against storage when another window changes it. Every change is
 * reported once through `changed` (so the keeper can fire events and move timers).
 */
import type { Logger } from '../protocol/log';
import { SessionIndex } from './sessionIndex';
import type { SessionLookup, SessionStore, StoredSession } from './sessionStore';
import { WriteQueue } from './writeQueue';

export interface SessionChange {
  added?: StoredSession[];
  removed?: StoredSession[];
  changed?: StoredSession[];
}

interface MemoryHooks {
  readonly log: Pick<Logger, 'warn'>;
  /** Memory changed; called once per change, after memory (not necessarily storage) has it. */
  readonly changed: (change: SessionChange) => void;
  /** Sessions bound to another configuration, already removed from storage (serverBinding.ts). */
  readonly retire?: (sessions: StoredSession[]) => void;
}

export class SessionMemory {
  private loaded?: Promise<SessionIndex>;
  private readonly writes = new WriteQueue();
  private syncing?: Promise<void>;

  constructor(
    private readonly store: SessionStore,
    private readonly hooks: MemoryHooks,
  ) {}

  get isLoaded(): boolean {
    return this.loaded !== undefined;
  }

  /** The sessions, read from storage on first use (foreign ones are removed from storage and retired first). */
  index(): Promise<SessionIndex> {
    this.loaded ??= (async () => {
      const { ours, foreign } = await this.store.readSplit();
      if (foreign.length) {
        await this.writes.run(async () => {
          for (const s of foreign) await this.store.remove(s.id);
        });
        this.hooks.log.warn(
          `${foreign.length} stored session(s) were obtained from a different server or client id than this provider is now configured with; removed them (they are revoked at the server that issued them)`,
        );
        this.hooks.retire?.(foreign);
      }
      return new SessionIndex(ours.map((s) => [s.id, s]));
    })();
    return this.loaded;
  }

  /** A new session, replacing others. Memory first, so the onDidChange echo of our own write finds nothing new. */
  async add(session: StoredSession, replaced: StoredSession[]): Promise<void> {
    const m = await this.index();
    m.set(session.id, session);
    for (const r of replaced) m.delete(r.id);
    await this.writes.run(async () => {
      await this.store.write(session);
      for (const r of replaced) await this.store.remove(r.id);
    });
    this.hooks.changed({ added: [session], removed: replaced });
  }

  /** Removes the session here and from storage; undefined when there was none. */
  async remove(id: string): Promise<StoredSession | undefined> {
    const m = await this.index();
    const s = m.get(id);
    if (!s) return undefined;
    m.delete(id);
    await this.writes.run(() => this.store.remove(id));
    this.hooks.changed({ removed: [s] });
    return s;
  }

  /**
   * Stores a refreshed session, unless it was signed out meanwhile, here or in another window (which removed it
   * from storage): then false. Stored before it is handed out: a rotated refresh token never exists only in memory.
   */
  async replace(next: StoredSession): Promise<boolean> {
    const m = await this.index();
    if (!m.has(next.id) || !(await this.store.listed(next.id))) return false;
    m.set(next.id, next);
    await this.writes.run(() => this.store.write(next));
    this.hooks.changed({ changed: [next] });
    return true;
  }

  /** Reads one stored record and adopts what another window did to it (refreshed, or signed out). */
  async lookup(id: string): Promise<SessionLookup> {
    const m = await this.index();
    const found = await this.store.lookup(id);
    const mine = m.get(id);
    if (found.kind === 'gone' && mine) {
      m.delete(id);
      this.hooks.changed({ removed: [mine] });
    } else if (found.kind === 'present' && mine && found.session.tokens.accessToken !== mine.tokens.accessToken) {
      m.set(id, found.session);
      this.hooks.changed({ changed: [found.session] });
    }
    return found;
  }

  /** Another window added, refreshed or removed sessions: diff storage against memory and report the difference. */
  sync(): Promise<void> {
    this.syncing ??= (async () => {
      try {
        const m = await this.index();
        let stored: Map<string, StoredSession>;
        for (let attempt = 0; ; attempt++) {
          const before = this.writes.count;
          await this.writes.idle();
          stored = new Map((await this.store.readAll()).map((s) => [s.id, s]));
          // Our own change landed in memory while we read: storage may not have it yet, so this read is stale.
          if (before === this.writes.count || attempt >= 5) break;
        }
        const added = [...stored.values()].filter((s) => !m.has(s.id));
        const removed = [...m.values()].filter((s) => !stored.has(s.id));
        const changed = [...stored.values()].filter(
          (s) => m.has(s.id) && m.get(s.id)!.tokens.accessToken !== s.tokens.accessToken,
        );
        for (const s of removed) m.delete(s.id);
        for (const s of [...added, ...changed]) m.set(s.id, s);
        if (added.length || removed.length || changed.length) this.hooks.changed({ added, removed, changed });
      } finally {
        this.syncing = undefined;
      }
    })();
    return this.syncing;
  }
}
