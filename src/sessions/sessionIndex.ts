/**
 * The in-memory sessions of one provider, indexed for getSessions, which every extension calls constantly. A request
 * matches a session when, with the provider's default scopes added as at sign-in, it asks for exactly the session's
 * scope set (so `getSession(id, ['openid'])` finds the session the Sign In command made with the defaults). A request
 * is matched against each group of sessions that share default scopes (normally one group) with one map lookup,
 * instead of comparing scope sets session by session. The index is rebuilt lazily after any change.
 */
import { normalizeScopes, union } from '../protocol/scopes';
import type { StoredSession } from './sessionStore';

interface Group {
  readonly defaults: readonly string[];
  readonly byScopes: Map<string, StoredSession[]>;
}

const keyOf = (scopes: readonly string[]) => normalizeScopes(scopes).join(' ');

export class SessionIndex extends Map<string, StoredSession> {
  private groups?: Map<string, Group>;

  override set(id: string, s: StoredSession): this {
    this.groups = undefined;
    return super.set(id, s);
  }

  override delete(id: string): boolean {
    this.groups = undefined;
    return super.delete(id);
  }

  override clear(): void {
    this.groups = undefined;
    super.clear();
  }

  /**
   * Sessions whose scope set equals `wanted` ∪ their default scopes (all sessions when `wanted` is undefined),
   * optionally of one account. `wanted` must already be normalized.
   */
  matching(wanted: readonly string[] | undefined, accountId?: string): StoredSession[] {
    let found: StoredSession[];
    if (wanted === undefined) {
      found = [...this.values()];
    } else {
      found = [];
      for (const g of this.index().values()) {
        const hit = g.byScopes.get(union(wanted, g.defaults).join(' '));
        if (hit) found.push(...hit);
      }
    }
    return accountId === undefined ? found : found.filter((s) => s.account.id === accountId);
  }

  private index(): Map<string, Group> {
    if (this.groups) return this.groups;
    const groups = new Map<string, Group>();
    for (const s of this.values()) {
      const dk = keyOf(s.defaultScopes);
      let g = groups.get(dk);
      if (!g) groups.set(dk, (g = { defaults: normalizeScopes(s.defaultScopes), byScopes: new Map() }));
      const sk = keyOf(s.scopes);
      const list = g.byScopes.get(sk);
      if (list) list.push(s);
      else g.byScopes.set(sk, [s]);
    }
    this.groups = groups;
    return groups;
  }
}
