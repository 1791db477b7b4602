/**
 * Command palette entries: thin calls into the registry and providers.
 *
 * Any installed extension can run any command, with any arguments, from any extension host. So no command returns a
 * session, a token or decoded claims (extensions get tokens only through vscode.authentication.getSession, where
 * VS Code's per-extension consent applies), and a command that acts on arguments it was given — which the palette
 * never passes — asks the user in a modal dialog first. Modal dialogs cannot be answered by another extension.
 */
import * as vscode from 'vscode';
import type { ProviderRegistry } from './registry';
import type { DeferredChannel } from './log';
import { setClientSecretCommand, signInCommand, signOutCommand } from './paletteCommands';

export function registerCommands(
  registry: ProviderRegistry,
  secrets: vscode.SecretStorage,
  channel: DeferredChannel,
): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(
      'oauthAccounts.signIn',
      async (providerId?: unknown, scopes?: unknown): Promise<void> => signInCommand(registry, providerId, scopes),
    ),
    vscode.commands.registerCommand(
      'oauthAccounts.signOut',
      async (providerId?: unknown, accountId?: unknown): Promise<void> =>
        signOutCommand(registry, providerId, accountId),
    ),
    vscode.commands.registerCommand('oauthAccounts.setClientSecret', async (providerId?: unknown): Promise<void> =>
      setClientSecretCommand(registry, secrets, providerId),
    ),
    vscode.commands.registerCommand('oauthAccounts.showLog', () => {
      channel.open().show();
    }),
  ];
}
