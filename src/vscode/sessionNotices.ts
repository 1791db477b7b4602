/**
 * What the user is told about sessions: signed out (and whether the server revoked), must sign in again, retired
 * because the entry now names another server (revoked where they came from first). Split from the registry, which
 * only keeps providers in step with the settings; the protocol clients are boundClients.ts's.
 */
import * as vscode from 'vscode';
import * as notify from './notify';
import type { ProviderConfig } from '../protocol/config';
import type { Logger } from './log';
import { LazyClient } from './lazyClient';
import type { StoredSession } from '../sessions/sessionStore';
import type { BoundClients } from './boundClients';
import type { Revocation } from '../sessions/sessionKeeper';
import { bindingKey, configForBinding, describeBinding } from '../sessions/serverBinding';
import { revokeTokens } from '../sessions/revocation';

interface SessionNoticesDeps {
  readonly log: Logger;
  /** Clients bound to a server (a retired session is revoked with one made from its own binding). */
  readonly clients: BoundClients;
  /** Our own "Sign In" buttons: straight to the interactive sign-in. */
  readonly signIn: (providerId: string, scopes: readonly string[]) => void;
}

export class SessionNotices {
  /** Accounts told "sign in again", until they do. */
  private readonly notifiedSignOuts = new Set<string>();
  private readonly pendingReports = new Map<string, Revocation & { timer: ReturnType<typeof setTimeout> }>();

  constructor(private readonly deps: SessionNoticesDeps) {}

  /** An account signed in again: it may be told again when its next session ends. */
  signedIn(config: ProviderConfig, accountId: string): void {
    this.notifiedSignOuts.delete(`${config.id}\n${accountId}`);
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
        clients.get(key) ??
        this.deps.clients.boundClient(configForBinding(binding, config.id, config.label), () => binding);
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
