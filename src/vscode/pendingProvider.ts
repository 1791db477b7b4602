/**
 * An entry without clientId (RFC 7591 dynamic registration) before its client id is known. Registered with VS Code
 * in activate(), like every entry — VS Code gives up on a provider id that is not registered within 5 s — while the
 * id is looked up after activation (dynamicClientIds.ts: SecretStorage, else a registration at the server). Once it
 * is known the registry replaces this with the real provider; a caller that came in meanwhile is answered by it.
 */
import * as vscode from 'vscode';
import type { ProviderConfig } from '../setup/config';
import { AuthError } from '../protocol/errors';
import { plainText } from '../protocol/plainText';

export interface PendingProviderDeps {
  readonly config: ProviderConfig;
  /** The real provider, once the client id is known; rejects when it could not be found or registered. */
  readonly ready: () => Promise<vscode.AuthenticationProvider | undefined>;
}

export class PendingProvider implements vscode.AuthenticationProvider, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<vscode.AuthenticationProviderAuthenticationSessionsChangeEvent>();
  readonly onDidChangeSessions = this.emitter.event;

  constructor(private readonly deps: PendingProviderDeps) {}

  /** No client id yet means no session yet: an id that cannot be had answers with none, without prompting. */
  async getSessions(scopes: readonly string[] | undefined, options?: vscode.AuthenticationProviderSessionOptions): Promise<vscode.AuthenticationSession[]> {
    const real = await this.deps.ready().catch(() => undefined);
    return real ? real.getSessions(scopes, options ?? {}) : [];
  }

  async createSession(scopes: readonly string[], options?: vscode.AuthenticationProviderSessionOptions): Promise<vscode.AuthenticationSession> {
    let real: vscode.AuthenticationProvider | undefined;
    try {
      real = await this.deps.ready();
    } catch (e) {
      if (e instanceof AuthError) throw e;
      throw new AuthError('config', `${this.deps.config.label} has no clientId and none could be registered at ${this.deps.config.issuer} (${plainText((e as Error)?.message ?? String(e))}). Set "clientId" to a client registered there.`, { cause: e });
    }
    if (!real) throw new AuthError('config', `${this.deps.config.label} was removed while its client id was being looked up.`);
    return real.createSession(scopes, options ?? {});
  }

  async removeSession(sessionId: string): Promise<void> {
    const real = await this.deps.ready().catch(() => undefined);
    await real?.removeSession(sessionId);
  }

  dispose(): void {
    this.emitter.dispose();
  }
}
