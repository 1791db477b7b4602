/**
 * Sessions of one provider in SecretStorage: one key per session (a change rewrites one record, not all of them)
 * plus a small index of ids, because SecretStorage.keys() only exists from VS Code 1.105. Records are versioned
 * compact JSON in our own shape, separate from vscode.AuthenticationSession. A corrupt or foreign record is skipped
 * with a warning and never breaks the other sessions.
 */
import type { Account } from '../protocol/account';
import type { TokenSet } from '../protocol/tokens';
import { bindingKey, parseBinding, type ServerBinding } from './serverBinding';

/** The part of vscode.SecretStorage we use (a fake in unit tests). */
export interface SecretStorageLike {
  get(key: string): Thenable<string | undefined>;
  store(key: string, value: string): Thenable<void>;
  delete(key: string): Thenable<void>;
  readonly onDidChange: (listener: (e: { key: string }) => unknown) => { dispose(): unknown };
  keys?: () => Thenable<string[]>;
}

/** A stored-record lookup: never `undefined` for two different things. */
export type SessionLookup =
  | { readonly kind: 'present'; readonly session: StoredSession }
  | { readonly kind: 'gone' }
  | { readonly kind: 'unreadable' };

export interface StoredSession {
  readonly v: 1;
  readonly id: string;
  readonly account: Account;
  /** Scopes sent to the server: the caller's ∪ the provider's defaults at sign-in, sorted. */
  readonly scopes: readonly string[];
  /** The provider's default scopes at sign-in; lets getSessions match a request without discovery. */
  readonly defaultScopes: readonly string[];
  /**
   * The scopes the caller asked for, reported to VS Code as the session's scopes: VS Code clears an Accounts-menu
   * sign-in request only when the new session's scopes equal the requested ones. Absent in records before 0.1.
   */
  readonly callerScopes?: readonly string[];
  readonly tokens: TokenSet;
  readonly createdAt: number;
  readonly refreshedAt?: number;
  /**
   * The account's names the server vouched for at sign-in (a verified e-mail, the UPN…), from the ID token and from
   * userinfo: an allowed-accounts rule added later is checked against these, without asking the server again. Absent
   * in records before 0.2, and when they could not be known (orgRules.ts storedSessionNames).
   */
  readonly vouchedNames?: readonly string[];
  /**
   * The server and client that issued the tokens (serverBinding.ts), stamped by SessionStore.write. A record whose
   * binding differs from the provider's current configuration — or has none — is foreign: never served or refreshed.
   */
  readonly binding?: ServerBinding;
}

const PREFIX = 'oauthAccounts/';
export const keys = {
  index: (providerId: string) => `${PREFIX}${providerId}/sessions`,
  session: (providerId: string, id: string) => `${PREFIX}${providerId}/session/${id}`,
  lease: (providerId: string, id: string) => `${PREFIX}${providerId}/lease/${id}`,
  clientSecret: (providerId: string) => `${PREFIX}${providerId}/clientSecret`,
};

export class SessionStore {
  constructor(
    private readonly secrets: SecretStorageLike,
    readonly providerId: string,
    private readonly warn: (line: string) => void,
    /** The current configuration's binding: only records bound to it are this provider's sessions. */
    readonly binding: ServerBinding,
  ) {
    this.ownKey = bindingKey(binding);
  }

  /** Computed once: every read compares each record's binding with it. */
  private readonly ownKey: string;

  private isOurs(s: StoredSession): boolean {
    return !!s.binding && bindingKey(s.binding) === this.ownKey;
  }

  /** Whether a SecretStorage key belongs to this provider's sessions (for onDidChange). */
  owns(key: string): boolean {
    return key === keys.index(this.providerId) || key.startsWith(`${PREFIX}${this.providerId}/session/`);
  }

  /** The refresh lease's key; deliberately outside owns(), so taking a lease is not a session change. */
  leaseKey(id: string): string {
    return keys.lease(this.providerId, id);
  }

  /** Whether the index lists the session (a missing record that is still listed is unreadable, not removed). */
  async listed(id: string): Promise<boolean> {
    return (await this.readIndex()).includes(id);
  }

  /** The sessions bound to the current configuration. */
  async readAll(): Promise<StoredSession[]> {
    return (await this.readListed()).filter((s) => this.isOurs(s));
  }

  /**
   * One read of every listed record, split into this configuration's sessions and the foreign ones (obtained under
   * another configuration, or before bindings existed), which are to be retired.
   */
  async readSplit(): Promise<{ ours: StoredSession[]; foreign: StoredSession[] }> {
    const split = { ours: [] as StoredSession[], foreign: [] as StoredSession[] };
    for (const s of await this.readListed()) (this.isOurs(s) ? split.ours : split.foreign).push(s);
    return split;
  }

  /** One session, if it is bound to the current configuration. */
  async read(id: string): Promise<StoredSession | undefined> {
    const s = await this.readRecord(id);
    return s && this.isOurs(s) ? s : undefined;
  }

  /**
   * One session, with why it is missing: `gone` when the index no longer lists it (signed out, here or in another
   * window), `unreadable` when it is listed but its record is missing, corrupt, bound elsewhere or cannot be read
   * (then the caller keeps what it has: a damaged record is not a sign-out).
   */
  async lookup(id: string): Promise<SessionLookup> {
    const s = await this.read(id);
    if (s) return { kind: 'present', session: s };
    return (await this.listed(id)) ? { kind: 'unreadable' } : { kind: 'gone' };
  }

  private async readListed(): Promise<StoredSession[]> {
    const ids = await this.readIndex();
    const records = await Promise.all(ids.map((id) => this.readRecord(id)));
    return records.filter((s): s is StoredSession => s !== undefined);
  }

  private async readRecord(id: string): Promise<StoredSession | undefined> {
    let raw: string | undefined;
    try {
      raw = await this.secrets.get(keys.session(this.providerId, id));
    } catch (e) {
      this.warn(`could not read session ${id} from the secret store (${(e as Error)?.message ?? e}); skipping it`);
      return undefined;
    }
    if (raw === undefined) return undefined;
    const parsed = parseSession(raw, id);
    if (!parsed)
      this.warn(`session record ${id} in the secret store is corrupt or from an unknown version; skipping it`);
    return parsed;
  }

  /** Record first, then index: a crash in between leaves an unlisted record, never a listed missing one. */
  async write(session: StoredSession): Promise<void> {
    const record: StoredSession = { ...session, binding: this.binding };
    await this.secrets.store(keys.session(this.providerId, session.id), JSON.stringify(record));
    const ids = await this.readIndex();
    if (!ids.includes(session.id)) await this.writeIndex([...ids, session.id]);
  }

  async remove(id: string): Promise<void> {
    const ids = await this.readIndex();
    if (ids.includes(id)) await this.writeIndex(ids.filter((x) => x !== id));
    await this.secrets.delete(keys.session(this.providerId, id));
  }

  private async readIndex(): Promise<string[]> {
    let raw: string | undefined;
    try {
      raw = await this.secrets.get(keys.index(this.providerId));
    } catch (e) {
      this.warn(`could not read the session index from the secret store (${(e as Error)?.message ?? e})`);
      return [];
    }
    if (raw === undefined) return [];
    try {
      const ids = JSON.parse(raw);
      if (Array.isArray(ids) && ids.every((x) => typeof x === 'string')) return ids;
    } catch {
      /* reported below */
    }
    this.warn('the session index in the secret store is corrupt; starting with no sessions for this provider');
    return [];
  }

  private async writeIndex(ids: string[]): Promise<void> {
    await this.secrets.store(keys.index(this.providerId), JSON.stringify(ids));
  }
}

/** Strict shape check: anything else is treated as foreign and skipped. */
export function parseSession(raw: string, expectedId?: string): StoredSession | undefined {
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    return undefined;
  }
  const s = v as Partial<StoredSession> | null;
  if (
    !s ||
    typeof s !== 'object' ||
    s.v !== 1 ||
    typeof s.id !== 'string' ||
    (expectedId !== undefined && s.id !== expectedId)
  )
    return undefined;
  if (!s.account || typeof s.account.id !== 'string' || typeof s.account.label !== 'string') return undefined;
  if (!isStringArray(s.scopes) || !isStringArray(s.defaultScopes) || typeof s.createdAt !== 'number') return undefined;
  if (s.callerScopes !== undefined && !isStringArray(s.callerScopes)) return undefined;
  if (s.vouchedNames !== undefined && !isStringArray(s.vouchedNames)) return undefined;
  const t = s.tokens as Partial<TokenSet> | undefined;
  if (!t || typeof t.accessToken !== 'string' || typeof t.tokenType !== 'string') return undefined;
  if (t.refreshToken !== undefined && typeof t.refreshToken !== 'string') return undefined;
  if (t.expiresAt !== undefined && typeof t.expiresAt !== 'number') return undefined;
  if (t.issuedAt !== undefined && typeof t.issuedAt !== 'number') return undefined;
  if (s.binding !== undefined && !parseBinding(s.binding)) return undefined;
  // Records written before TokenSet.issuedAt: the session's own times say when its token was issued.
  if (t.issuedAt === undefined)
    return {
      ...(s as StoredSession),
      tokens: { ...(t as TokenSet), issuedAt: typeof s.refreshedAt === 'number' ? s.refreshedAt : s.createdAt },
    };
  return s as StoredSession;
}

function isStringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'string');
}
