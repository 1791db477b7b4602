/**
 * What VS Code sees for an entry without clientId (RFC 7591 dynamic registration): one provider registered in
 * activate() like every entry — VS Code gives up on an id not registered within 5 s — and kept registered while the
 * client id behind it is looked up after activation (dynamicClientIds.ts: SecretStorage, else a registration at the
 * server), found, or forgotten and registered again. Registering the real provider in its place would leave the id
 * unregistered for a moment, and a getSession in that moment would fail; so this stays, and delegates.
 */
import * as vscode from 'vscode';
import type { ProviderConfig } from '../protocol/config';
import { AuthError, isAuthError } from '../protocol/errors';
import { plainText } from '../protocol/plainText';
import { toVsCodeSession, type OAuthAuthenticationProvider } from './authProvider';

export class RegisteringProvider implements vscode.AuthenticationProvider, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<vscode.AuthenticationProviderAuthenticationSessionsChangeEvent>();
  readonly onDidChangeSessions = this.emitter.event;
  private inner?: { readonly provider: OAuthAuthenticationProvider; readonly subscription: vscode.Disposable };

  /** `whenKnown`: settles once the client id is known (and attached here) or could not be had. */
  constructor(
    private readonly config: ProviderConfig,
    private readonly whenKnown: () => Promise<unknown>,
  ) {}

  /** The provider for the client id now known, or undefined while there is none; the previous one is disposed. */
  get current(): OAuthAuthenticationProvider | undefined {
    return this.inner?.provider;
  }

  /**
   * The provider for a new client id. The previous one (a client the server forgot) is let go once VS Code has been
   * told its sessions are gone: they were bound to that client, and the new provider retires them from storage.
   */
  attach(provider: OAuthAuthenticationProvider): void {
    const previous = this.inner;
    this.inner = { provider, subscription: provider.onDidChangeSessions((e) => this.emitter.fire(e)) };
    if (previous) void this.letGo(previous);
  }

  private async letGo(previous: NonNullable<RegisteringProvider['inner']>): Promise<void> {
    try {
      const gone = await previous.provider.keeper.sessions();
      if (gone.length)
        this.emitter.fire({ added: undefined, changed: undefined, removed: gone.map((s) => toVsCodeSession(s)) });
    } catch {
      // unreadable storage: the new provider reports what it finds
    } finally {
      previous.subscription.dispose();
      previous.provider.dispose();
    }
  }

  private async ready(): Promise<OAuthAuthenticationProvider | undefined> {
    if (!this.inner) await this.whenKnown();
    return this.inner?.provider;
  }

  /** No client id yet means no session yet: an id that cannot be had answers with none, without prompting. */
  async getSessions(
    scopes: readonly string[] | undefined,
    options?: vscode.AuthenticationProviderSessionOptions,
  ): Promise<vscode.AuthenticationSession[]> {
    const real = await this.ready().catch(() => undefined);
    return real ? real.getSessions(scopes, options ?? {}) : [];
  }

  async createSession(
    scopes: readonly string[],
    options?: vscode.AuthenticationProviderSessionOptions,
  ): Promise<vscode.AuthenticationSession> {
    let real: OAuthAuthenticationProvider | undefined;
    try {
      // Always through whenKnown: after the server forgot the client, a sign-in waits for the new registration
      // instead of trying the dead client id once more.
      await this.whenKnown();
      real = this.inner?.provider;
    } catch (e) {
      if (isAuthError(e)) throw e;
      throw new AuthError(
        'config',
        `${this.config.label} has no clientId and none could be registered at ${this.config.issuer} (${plainText((e as Error)?.message ?? String(e))}). Set "clientId" to a client registered there.`,
        { cause: e },
      );
    }
    if (!real) throw new AuthError('config', `${this.config.label} has no client id yet; try again in a moment.`);
    return real.createSession(scopes, options ?? {});
  }

  async removeSession(sessionId: string): Promise<void> {
    const real = await this.ready().catch(() => undefined);
    await real?.removeSession(sessionId);
  }

  dispose(): void {
    this.inner?.subscription.dispose();
    this.inner?.provider.dispose();
    this.inner = undefined;
    this.emitter.dispose();
  }
}
