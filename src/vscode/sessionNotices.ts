/**
 * What the user is told about sessions — signed out (and whether the server revoked), must sign in again, retired
 * because the entry now names another server — and the stored client secrets, which are only handed to the client
 * they were set for (serverBinding.ts). Split from the registry, which only keeps providers in step with the settings.
 */
import * as vscode from 'vscode';
import * as notify from './notify';
import type { ProviderConfig } from '../protocol/config';
import type { Logger } from './log';
import type { Engine } from '../engine/engine';
import { LazyClient } from './lazyClient';
import { keys, type SecretStorageLike, type StoredSession } from '../sessions/sessionStore';
import type { Revocation } from '../sessions/sessionKeeper';
import {
  bindingKey,
  configForBinding,
  decodeClientSecret,
  describeBinding,
  type ServerBinding,
} from '../sessions/serverBinding';
import { revokeTokens } from '../sessions/revocation';

export interface SessionNoticesDeps {
  readonly secrets: Pick<SecretStorageLike, 'get'>;
  readonly log: Logger;
  /** The engine bundle, loaded on first use (engineLoader.ts). */
  readonly engine: () => Promise<Engine>;
  /** Our own "Sign In" buttons: straight to the interactive sign-in. */
  readonly signIn: (providerId: string, scopes: readonly string[]) => void;
}

export class SessionNotices {
  /** Accounts told "sign in again", until they do. */
  private readonly notifiedSignOuts = new Set<string>();
  private readonly pendingReports = new Map<string, Revocation & { timer: ReturnType<typeof setTimeout> }>();

  constructor(private readonly deps: SessionNoticesDeps) {}

  /**
   * A protocol client for `config` whose client secret is only the one stored for `binding` (both made on first
   * use), or, for a dynamically registered client, `registeredSecret`: the one its registration record holds.
   */
  boundClient(
    config: ProviderConfig,
    binding: () => ServerBinding,
    registeredSecret?: () => Promise<string | undefined>,
  ): LazyClient {
    return new LazyClient(async () => {
      const log = this.deps.log.forProvider(config.id);
      const bound = binding();
      return (await this.deps.engine()).createClient(config, {
        getClientSecret: registeredSecret ?? (() => this.clientSecret(config.id, bound)),
        log: (l) => log.trace(l),
      });
    });
  }

  /** An account signed in again: it may be told again when its next session ends. */
  signedIn(config: ProviderConfig, accountId: string): void {
    this.notifiedSignOuts.delete(`${config.id}\n${accountId}`);
  }

  /**
   * The stored client secret, only if it was set for this exact server and client (serverBinding.ts): after the
   * entry's issuer, endpoints or client id change — by the user, or by an extension rewriting the setting or
   * registering a freed id — the old secret is never sent to the new server.
   */
  async clientSecret(id: string, binding: ServerBinding): Promise<string | undefined> {
    const stored = decodeClientSecret(await this.deps.secrets.get(keys.clientSecret(id)), binding);
    if (stored.kind === 'foreign')
      this.deps.log
        .forProvider(id)
        .warn(
          `the stored client secret is not used: ${stored.why}. Run "OAuth Accounts: Set Client Secret..." for this provider.`,
        );
    return stored.kind === 'bound' ? stored.secret : undefined;
  }

  /**
   * Sessions of this id that another configuration obtained: revoked at the server that issued them, with a client
   * built from their own binding (never this provider's client), and the user told once.
   */
  async retire(config: ProviderConfig, sessions: StoredSession[]): Promise<void> {
    const log = this.deps.log.forProvider(config.id);
    let revoked = 0;
    // One client per old binding (one discovery), never the provider's current client.
    const clients = new Map<string, LazyClient>();
    for (const s of sessions) {
      if (!s.binding) continue; // stored before bindings existed: where it came from is unknown, so it goes nowhere
      const key = bindingKey(s.binding);
      const binding = s.binding;
      const client =
        clients.get(key) ?? this.boundClient(configForBinding(binding, config.id, config.label), () => binding);
      clients.set(key, client);
      log.info(`revoking a retired session at ${describeBinding(s.binding)}`);
      if ((await revokeTokens(client, s, log)).outcome === 'revoked') revoked++;
    }
    void notify
      .showWarningMessage(
        `${config.label}: ${sessions.length === 1 ? 'an account was' : `${sessions.length} accounts were`} signed out because the provider "${config.id}" now names a different server or client id. ` +
          (revoked
            ? 'The old tokens were revoked at the server that issued them.'
            : 'The old tokens were deleted from VS Code.'),
        'Sign In',
      )
      .then((a) => {
        if (a) this.deps.signIn(config.id, []);
      });
  }

  /**
   * One message per account and sign-out, however many sessions (scopes) it had: VS Code's Accounts menu removes
   * them one by one. Says so when the server refused to revoke: the token then stays valid until it expires.
   */
  signedOut(config: ProviderConfig, s: StoredSession, revocation: Revocation): void {
    const key = `${config.id}\n${s.account.id}`;
    const pending = this.pendingReports.get(key);
    const worst = pending && pending.outcome === 'failed' ? pending : revocation;
    if (pending) clearTimeout(pending.timer);
    const timer = setTimeout(() => {
      this.pendingReports.delete(key);
      const who = `${config.label} (${s.account.label})`;
      if (worst.outcome === 'failed') {
        const why = worst.status
          ? `the server refused to revoke the token (HTTP ${worst.status})`
          : `the token could not be revoked (${worst.message})`;
        void notify
          .showWarningMessage(
            `Signed out of ${who} in VS Code, but ${why}; it stays valid at the server until it expires.`,
            'Show Log',
          )
          .then((a) => {
            if (a) void vscode.commands.executeCommand('oauthAccounts.showLog');
          });
      } else {
        void notify.showInformationMessage(
          `Signed out of ${who}.${worst.outcome === 'unsupported' ? ' (The server has no revocation endpoint: its tokens were deleted from VS Code and expire on their own.)' : ''}`,
        );
      }
    }, 300);
    this.pendingReports.set(key, { ...worst, timer });
  }

  /** Told once per account until it signs in again, with a Sign In action. */
  mustSignInAgain(config: ProviderConfig, s: StoredSession, reason: string): void {
    const key = `${config.id}\n${s.account.id}`;
    if (this.notifiedSignOuts.has(key)) return;
    this.notifiedSignOuts.add(key);
    void notify
      .showWarningMessage(`${config.label}: ${s.account.label} needs to sign in again. ${reason}`, 'Sign In')
      .then((a) => {
        if (a) this.deps.signIn(config.id, s.callerScopes ?? []);
      });
  }
}
