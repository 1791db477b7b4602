/**
 * Command palette entries: thin calls into the registry and providers.
 *
 * Any installed extension can run any command, with any arguments, from any extension host. So no command returns a
 * session, a token or decoded claims (extensions get tokens only through vscode.authentication.getSession, where
 * VS Code's per-extension consent applies), and a command that acts on arguments it was given — which the palette
 * never passes — asks the user in a modal dialog first. Modal dialogs cannot be answered by another extension.
 */
import * as vscode from 'vscode';
import * as notify from './notify';
import { isAuthError } from '../protocol/errors';
import type { ProviderRegistry } from './providerRegistry';
import type { DeferredChannel } from './log';
import { setClientSecretCommand, signInCommand, signOutCommand } from './paletteCommands';

export function registerCommands(registry: ProviderRegistry, secrets: vscode.SecretStorage, channel: DeferredChannel): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('oauthAccounts.signIn', async (providerId?: unknown, scopes?: unknown): Promise<void> => signInCommand(registry, providerId, scopes)),
    vscode.commands.registerCommand('oauthAccounts.signOut', async (providerId?: unknown, accountId?: unknown): Promise<void> => signOutCommand(registry, providerId, accountId)),
    vscode.commands.registerCommand('oauthAccounts.setClientSecret', async (providerId?: unknown): Promise<void> => setClientSecretCommand(registry, secrets, providerId)),
    vscode.commands.registerCommand('oauthAccounts.showLog', () => { channel.open().show(); }),
  ];
}

/** Signs in with progress and reports the outcome. Used by the command and by our own "Sign In" buttons. */
export async function interactiveSignIn(registry: ProviderRegistry, id: string, scopes: readonly string[]): Promise<void> {
  // An entry without clientId may still be waiting for its client id: its stand-in signs in once it is known.
  const provider = registry.registered(id);
  if (!provider) return;
  const label = registry.labelOf(id);
  try {
    const session = await provider.createSession([...scopes], {});
    void notify.showInformationMessage(`Signed in to ${label} as ${session.account.label}.`);
  } catch (e) {
    if (e instanceof vscode.CancellationError) return; // the provider has said so already
    void showSignInError(id, registry, e);
  }
}

export async function showSignInError(id: string, registry: ProviderRegistry, e: unknown): Promise<void> {
  const label = registry.labelOf(id);
  const text = isAuthError(e) ? e.message : (e as Error)?.message ?? String(e);
  const a = await notify.showErrorMessage(`Sign in to ${label} failed: ${text}`, 'Show Log');
  if (a) void vscode.commands.executeCommand('oauthAccounts.showLog');
}
