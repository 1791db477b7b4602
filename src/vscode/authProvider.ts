/**
 * OAuthAuthenticationProvider: one configured identity provider as a vscode.AuthenticationProvider. Sessions live
 * in SecretStorage (sessionStore.ts) and, after the first read, in memory; the token lifecycle (refresh, cross-window
 * sync, revocation) is delegated to SessionKeeper. Only this file maps StoredSession ↔ vscode.AuthenticationSession.
 */
import * as vscode from 'vscode';
import type { ProviderConfig } from '../protocol/config';
import type { Logger } from './log';
import type { SignInResult } from '../protocol/client';
import type { TokenClient } from '../sessions/tokenSource';
import { isAuthError } from '../protocol/errors';
import { normalizeScopes, sameScopes, union } from '../protocol/scopes';
import type { Clock } from '../protocol/tokens';
import { SessionKeeper, type Revocation } from '../sessions/sessionKeeper';
import type { SignInRequest } from '../engine/signIn';
import { SessionStore, type SecretStorageLike, type StoredSession } from '../sessions/sessionStore';
import { bindingOf } from '../sessions/serverBinding';
import { accountRefused, storedSessionNames, type OrgRules } from '../settings/orgRules';

export interface ProviderDeps {
  readonly config: ProviderConfig;
  readonly client: TokenClient;
  readonly secrets: SecretStorageLike;
  readonly log: Logger;
  /** Runs the interactive sign-in (flows, progress, timeout); throws AuthError. */
  readonly signIn: (scopes: readonly string[], request: SignInRequest) => Promise<SignInResult>;
  readonly notifySignedOut?: (session: StoredSession, reason: string) => void;
  /** The user cancelled a sign-in (whoever asked for it): say so, so a cancel is never silent. */
  readonly cancelled?: () => void;
  /** A session was signed out (Accounts menu, command, or an extension): tell the user what the server did. */
  readonly signedOut?: (session: StoredSession, revocation: Revocation) => void;
  /** Sessions another configuration of this id obtained: revoke them where they came from (see serverBinding.ts). */
  readonly retire?: (sessions: StoredSession[]) => void;
  /** The session lifecycle's one clock (the keeper's); Date.now by default. */
  readonly clock?: Clock;
  /** The organisation's rules in force (orgRules.ts): a stored session whose account they refuse is signed out. */
  readonly orgRules?: () => OrgRules;
}

export class OAuthAuthenticationProvider implements vscode.AuthenticationProvider, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<vscode.AuthenticationProviderAuthenticationSessionsChangeEvent>();
  readonly onDidChangeSessions = this.emitter.event;
  private lifecycle?: SessionKeeper;
  /** The rules the stored sessions were last checked against. */
  private checkedRules?: OrgRules;

  /** Registering a provider at activation builds nothing else: the store and keeper come with the first use. */
  constructor(private readonly deps: ProviderDeps) {}

  /** The token lifecycle; created on first use, so ten providers cost ten small objects at activation. */
  get keeper(): SessionKeeper {
    return (this.lifecycle ??= this.createKeeper());
  }

  get store(): SessionStore {
    return this.keeper.store;
  }

  private createKeeper(): SessionKeeper {
    const { deps } = this;
    return new SessionKeeper({
      store: new SessionStore(deps.secrets, deps.config.id, (l) => deps.log.warn(l), bindingOf(deps.config)),
      secrets: deps.secrets,
      client: deps.client,
      log: deps.log,
      clock: deps.clock,
      fire: (e) => this.fire(e),
      providerLabel: deps.config.label,
      notifySignedOut: deps.notifySignedOut,
      retire: deps.retire,
      allowed: (s) => this.refusal(s) === undefined,
    });
  }

  get id(): string {
    return this.deps.config.id;
  }

  /** The entry this provider serves, with its client id. */
  get config(): ProviderConfig {
    return this.deps.config;
  }

  async getSessions(
    scopes: readonly string[] | undefined,
    options: vscode.AuthenticationProviderSessionOptions = {},
  ): Promise<vscode.AuthenticationSession[]> {
    const wanted = scopes === undefined ? undefined : normalizeScopes(scopes);
    this.enforceOrgRules();
    const matching = await this.keeper.matching(wanted, options.account?.id);
    const fresh = await Promise.all(matching.map((s) => this.keeper.usable(s)));
    // Report the scopes this caller asked for (they matched as a set), as VS Code's own providers do.
    return fresh.filter((s): s is StoredSession => s !== undefined).map((s) => toVsCodeSession(s, wanted));
  }

  async createSession(
    scopes: readonly string[],
    options: vscode.AuthenticationProviderSessionOptions = {},
  ): Promise<vscode.AuthenticationSession> {
    const requested = normalizeScopes(scopes);
    this.deps.log.info(`sign-in requested${requested.length ? ` for scopes ${requested.join(' ')}` : ''}`);
    let result: SignInResult;
    try {
      const selectAccount = !options.account && (await this.keeper.sessions()).length > 0;
      result = await this.deps.signIn(requested, { account: options.account, selectAccount });
    } catch (e) {
      if (isAuthError(e, 'cancelled')) {
        this.deps.log.info('sign-in cancelled');
        this.deps.cancelled?.();
        throw new vscode.CancellationError();
      }
      this.deps.log.warn(`sign-in failed: ${(e as Error)?.message ?? String(e)}`);
      throw e;
    }
    const now = this.keeper.clock();
    const session: StoredSession = {
      v: 1,
      id: crypto.randomUUID(),
      account: result.account,
      scopes: union(result.requestedScopes),
      callerScopes: requested,
      defaultScopes: normalizeScopes(result.requestedScopes.filter((s) => !requested.includes(s))),
      tokens: result.tokens,
      createdAt: now,
      vouchedNames: result.vouchedNames,
    };
    const replaced = (await this.keeper.sessions()).filter(
      (s) => s.account.id === session.account.id && sameScopes(s.scopes, session.scopes),
    );
    await this.keeper.add(session, replaced);
    this.deps.log.info(
      `signed in as ${session.account.label}; access token ${describeExpiry(session, now)}${session.tokens.refreshToken ? ', refresh token stored' : ', no refresh token'}`,
    );
    return toVsCodeSession(session);
  }

  /**
   * Signs out every stored session whose account the organisation's allowed-accounts rules refuse, once per change of
   * the rules (sign-in checks new sessions itself): a rule added after a sign-in ends that session at the next use or
   * rules change, and the user is told why. This is the clean-up, in the background: nobody waits for its revocations,
   * because the keeper never hands a refused session out meanwhile (`allowed`), whatever becomes of it.
   */
  private enforceOrgRules(): void {
    const rules = this.deps.orgRules?.();
    if (!rules?.allowedAccounts.length || this.checkedRules === rules) return;
    this.checkedRules = rules;
    this.endRefusedSessions(rules).catch((e) => {
      if (this.checkedRules === rules) this.checkedRules = undefined; // checked again at the next use
      this.deps.log.error(`checking sessions against the organisation's rules failed: ${(e as Error)?.message ?? e}`);
    });
  }

  /** enforceOrgRules for a provider in use (its sessions read); one not used yet is checked at its first use. */
  enforceOrgRulesIfLoaded(): void {
    if (this.lifecycle) this.enforceOrgRules();
  }

  /** Why the organisation's rules in force refuse this session's account, or undefined (also when its names are unknown). */
  private refusal(s: StoredSession, rules = this.deps.orgRules?.()): string | undefined {
    if (!rules?.allowedAccounts.length) return undefined;
    const names = storedSessionNames(s);
    return names && accountRefused(names, rules);
  }

  private async endRefusedSessions(rules: OrgRules): Promise<void> {
    for (const s of await this.keeper.sessions()) {
      const why = this.refusal(s, rules);
      if (!why) continue;
      this.deps.log.warn(`the organisation's rules no longer allow ${s.account.label}; signing that session out`);
      const removed = await this.keeper.remove(s.id, "refused by the organisation's rules");
      if (removed) this.deps.notifySignedOut?.(s, `The session was signed out: ${why}.`);
    }
  }

  async removeSession(sessionId: string): Promise<void> {
    const removed = await this.keeper.remove(sessionId, 'signed out');
    if (removed) this.deps.signedOut?.(removed.session, removed.revocation);
  }

  private fire(e: { added?: StoredSession[]; removed?: StoredSession[]; changed?: StoredSession[] }): void {
    const map = (l?: StoredSession[]) => (l && l.length ? l.map((s) => toVsCodeSession(s)) : undefined);
    this.emitter.fire({ added: map(e.added), removed: map(e.removed), changed: map(e.changed) });
  }

  dispose(): void {
    this.lifecycle?.dispose();
    this.emitter.dispose();
  }
}

/** `callerScopes`: what the current caller asked for; else what the session's creator asked for. */
export function toVsCodeSession(s: StoredSession, callerScopes?: readonly string[]): vscode.AuthenticationSession {
  const session: vscode.AuthenticationSession & { idToken?: string } = {
    id: s.id,
    accessToken: s.tokens.accessToken,
    account: { id: s.account.id, label: s.account.label },
    scopes: [...(callerScopes ?? s.callerScopes ?? s.scopes)],
  };
  // AuthenticationSession.idToken exists from VS Code 1.106; on older hosts the extra property is harmless.
  if (s.tokens.idToken) session.idToken = s.tokens.idToken;
  return session;
}

export function describeExpiry(s: StoredSession, now: number): string {
  const at = s.tokens.expiresAt;
  if (at === undefined) return 'has no stated expiry';
  const secs = Math.round((at - now) / 1000);
  return `expires ${new Date(at).toISOString()} (in ${secs} s)`;
}
