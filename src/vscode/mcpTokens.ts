/**
 * Where the MCP bridge gets its tokens (its BridgeAuth): the session of the entry's provider that the registry holds,
 * for the entry's scopes — the same token lifecycle every consumer gets (lazy refresh with a margin, one refresh at a
 * time across windows, a dead grant ends the session and the user is told once).
 *
 * Why not vscode.authentication.getSession: the bridge is this extension's own code acting for the user, on an entry
 * the user approved in a modal dialog (mcpHost.ts), and it sends the token to that entry's URL and nowhere else. VS
 * Code's consent is about which *extension* may hold a token; the question here is which *server* gets it, and VS
 * Code cannot ask that. Going through getSession would add a dialog "OAuth Accounts wants to sign in using <our own
 * provider>" that protects nothing more.
 *
 * Asking the user: a server that needs a sign-in gets one notification (not one per request); a step-up (403
 * insufficient_scope) waits for the user's answer in a modal and their sign-in, and a "no" is remembered until
 * Reset Sign-in.
 */
import * as notify from './notify';
import type { ProviderRegistry } from './registry';
import type { OAuthAuthenticationProvider } from './authProvider';
import type { BridgeAuth, Grant } from '../node/mcpBridge';
import { providerMismatch, type McpServerEntry } from '../mcp/serverEntries';
import { normalizeScopes, union } from '../protocol/scopes';
import { plainText } from '../protocol/plainText';
import type { StoredSession } from '../sessions/sessionStore';
import type { Logger } from './log';

interface ServerStatus {
  account?: string;
  expiresAt?: number;
  lastError?: string;
  lastOkAt?: number;
}

interface McpTokensDeps {
  readonly registry: ProviderRegistry;
  readonly log: Logger;
  /** The entry of this name if the user approved it (where its tokens go), else undefined. */
  readonly approved: (name: string) => McpServerEntry | undefined;
  /** Runs the interactive sign-in for these scopes (progress, browser); true when signed in. */
  readonly signIn: (providerId: string, scopes: readonly string[]) => Promise<boolean>;
  /** A modal question; true only when the user clicked `action`. */
  readonly confirm: (message: string, detail: string, action: string) => Promise<boolean>;
}

export class McpTokens implements BridgeAuth {
  readonly status = new Map<string, ServerStatus>();
  /** Scopes a server asked for beyond its entry's (step-up), per server. */
  private readonly extraScopes = new Map<string, string[]>();
  /** Step-ups the user declined, per server: not asked again until Reset Sign-in. */
  private readonly declined = new Map<string, Set<string>>();
  /** The session each server used last, so the same account keeps serving it. */
  private readonly lastSession = new Map<string, string>();
  /** Servers the user was told need a sign-in, until a token works again. */
  private readonly toldToSignIn = new Set<string>();

  constructor(private readonly deps: McpTokensDeps) {}

  scopesOf(entry: McpServerEntry): string[] {
    return union(entry.scopes, this.extraScopes.get(entry.name));
  }

  /** Forgets what this window learned about a server (Reset Sign-in). */
  forget(name: string): void {
    this.extraScopes.delete(name);
    this.declined.delete(name);
    this.lastSession.delete(name);
    this.toldToSignIn.delete(name);
    this.status.delete(name);
  }

  /** The session serving `entry` now (refreshed when due), or why none; `tell`: notify the user when a sign-in is needed. */
  async session(
    entry: McpServerEntry,
    tell = true,
  ): Promise<{ provider: OAuthAuthenticationProvider; session: StoredSession } | { refused: string }> {
    const provider = this.deps.registry.get(entry.providerId);
    const mismatch = providerMismatch(
      entry,
      provider?.config ?? this.deps.registry.configs().find((c) => c.id === entry.providerId),
    );
    if (mismatch || !provider)
      return {
        refused:
          mismatch ?? `the provider "${entry.providerId}" is still looking up its client id; try again in a moment.`,
      };
    const matching = await provider.keeper.matching(normalizeScopes(this.scopesOf(entry)));
    const chosen = matching.find((s) => s.id === this.lastSession.get(entry.name)) ?? matching[0];
    let session: StoredSession | undefined;
    try {
      session = chosen && (await provider.keeper.usable(chosen));
    } catch (e) {
      return {
        refused: `no usable token from ${provider.config.label}: ${plainText((e as Error)?.message ?? String(e), 300)}`,
      };
    }
    if (!session) return { refused: this.signInNeeded(entry, provider.config.label, tell) };
    this.lastSession.set(entry.name, session.id);
    this.toldToSignIn.delete(entry.name);
    this.update(entry.name, { account: session.account.label, expiresAt: session.tokens.expiresAt });
    return { provider, session };
  }

  async token(name: string): Promise<Grant> {
    const entry = this.deps.approved(name);
    if (!entry) return { refused: `MCP server "${name}" is not approved in this window; start it from VS Code again.` };
    const found = await this.session(entry);
    return 'refused' in found ? found : { token: found.session.tokens.accessToken };
  }

  async refreshed(name: string, rejected: string): Promise<Grant> {
    const entry = this.deps.approved(name);
    const provider = entry && this.deps.registry.get(entry.providerId);
    const id = this.lastSession.get(name);
    if (!entry || !provider || !id) return this.token(name);
    try {
      const next = await provider.keeper.refreshRejected(id, rejected);
      if (next) {
        this.update(name, { account: next.account.label, expiresAt: next.tokens.expiresAt });
        return { token: next.tokens.accessToken };
      }
    } catch (e) {
      return {
        refused: `the token was refused and could not be refreshed: ${plainText((e as Error)?.message ?? String(e), 300)}`,
      };
    }
    return { refused: this.signInNeeded(entry, provider.config.label) };
  }

  async stepUp(name: string, scopes: readonly string[]): Promise<Grant> {
    const entry = this.deps.approved(name);
    if (!entry) return this.token(name);
    const wanted = union(this.scopesOf(entry), scopes);
    const key = wanted.join(' ');
    const label = this.deps.registry.labelOf(entry.providerId);
    if (this.declined.get(name)?.has(key))
      return {
        refused: `MCP server "${name}" needs the scopes ${plainText(key, 200)}, which were not allowed; run "OAuth Accounts: Reset MCP Server Sign-in..." to be asked again.`,
      };
    const provider = this.deps.registry.get(entry.providerId);
    const existing = provider && (await provider.keeper.matching(wanted))[0];
    if (!existing) {
      // A modal, answered before the request goes on: consent to more access is never given by ignoring a toast.
      const allowed = await this.deps.confirm(
        `MCP server "${name}" asks for more access at ${label}.`,
        `Scopes: ${plainText(key, 300)}\nSigning in again with them gives the server (and only it) tokens for them.`,
        'Sign In',
      );
      if (!allowed || !(await this.deps.signIn(entry.providerId, wanted))) {
        const set = this.declined.get(name) ?? new Set<string>();
        this.declined.set(name, set.add(key));
        return { refused: `the larger scope set for MCP server "${name}" (${plainText(key, 200)}) was not allowed.` };
      }
    }
    this.extraScopes.set(name, wanted);
    this.deps.log.info(`MCP server "${name}" now uses the scopes ${key}`);
    return this.token(name);
  }

  outcome(name: string, o: { readonly ok: true } | { readonly error: string }): void {
    this.update(name, 'ok' in o ? { lastOkAt: Date.now(), lastError: undefined } : { lastError: o.error });
  }

  private update(name: string, patch: Partial<ServerStatus>): void {
    this.status.set(name, { ...this.status.get(name), ...patch });
  }

  /** One notification per server until a token works again; the text the bridge answers with. */
  private signInNeeded(entry: McpServerEntry, label: string, tell = true): string {
    this.update(entry.name, { account: undefined, expiresAt: undefined });
    if (tell && !this.toldToSignIn.has(entry.name)) {
      this.toldToSignIn.add(entry.name);
      void notify
        .showWarningMessage(`MCP server "${entry.name}" needs you to sign in to ${label} again.`, 'Sign In')
        .then((a) => {
          if (a) void this.deps.signIn(entry.providerId, this.scopesOf(entry));
        });
    }
    return `not signed in to ${label} for MCP server "${entry.name}": sign in again (OAuth Accounts: Sign In..., or the notification's Sign In button).`;
  }
}
