/**
 * The API other extensions get from `vscode.extensions.getExtension('openauth.oauth-accounts').exports`: declare an
 * identity provider in code, list providers, follow changes. It deliberately hands out no tokens: extensions get
 * those through vscode.authentication.getSession, where VS Code's per-extension consent applies.
 * Its types are the published ones in api/oauth-accounts.d.ts, so the two cannot drift apart.
 */
import * as vscode from 'vscode';
import type { OAuthAccountsApi, ProviderEntry, ProviderInfo } from '../api/oauth-accounts';
import type { ProviderRegistry } from './providerRegistry';

export type { OAuthAccountsApi, ProviderInfo } from '../api/oauth-accounts';

export function createApi(registry: ProviderRegistry): OAuthAccountsApi {
  return Object.freeze({
    version: 1 as const,
    registerProvider(entry: ProviderEntry) {
      const caller = callerExtension();
      return registry.registerFromApi(entry, caller ? `extension ${caller}` : 'an extension');
    },
    getProviders: () => providerInfos(registry),
    onDidChangeProviders: registry.onDidChangeProviders,
  });
}

function providerInfos(registry: ProviderRegistry): ProviderInfo[] {
  return registry.configs().map((c) => Object.freeze({ id: c.id, label: c.label, issuer: c.issuer, source: registry.sourceOf(c.id) ?? 'settings' }));
}

/**
 * The same API as commands, for extensions in another extension host. OAuth Accounts prefers the UI side
 * (extensionKind ["ui", "workspace"]: the loopback listener must be on the user's machine), so in a Remote-SSH,
 * WSL or container window an extension running on the remote host cannot reach our exports — getExtension() returns
 * undefined there — but VS Code routes commands across hosts. Registering through a command has no Disposable to
 * tie it to the caller's lifetime, so it is "register or replace" (the caller's host may restart and register
 * again) and ends with the unregister command or the window.
 */
export function registerApiCommands(registry: ProviderRegistry): vscode.Disposable[] {
  const viaCommands = new Map<string, { registration: vscode.Disposable; json: string }>();
  const info = (id: string) => providerInfos(registry).find((p) => p.id === id)!;
  return [
    vscode.commands.registerCommand(API_COMMANDS.registerProvider, (entry: ProviderEntry): ProviderInfo => {
      // An invalid replacement leaves the registered one in place (its sessions too).
      const { id } = registry.validateApiEntry(entry);
      const json = JSON.stringify(entry);
      const previous = viaCommands.get(id);
      if (previous?.json === json) return info(id); // the usual re-registration: no unregister/register churn
      previous?.registration.dispose();
      viaCommands.set(id, { registration: registry.registerFromApi(entry, 'an extension (through the registerProvider command)'), json });
      return info(id);
    }),
    vscode.commands.registerCommand(API_COMMANDS.unregisterProvider, (id: unknown): boolean => {
      const entry = typeof id === 'string' ? viaCommands.get(id) : undefined;
      entry?.registration.dispose();
      return viaCommands.delete(id as string);
    }),
    vscode.commands.registerCommand(API_COMMANDS.getProviders, () => providerInfos(registry)),
    // (the registry's own dispose unregisters the providers; disposing them here would re-apply a disposed registry)
    new vscode.Disposable(() => viaCommands.clear()),
  ];
}

export const API_COMMANDS = {
  registerProvider: 'oauthAccounts.api.registerProvider',
  unregisterProvider: 'oauthAccounts.api.unregisterProvider',
  getProviders: 'oauthAccounts.api.getProviders',
} as const;

/** Best effort, for the log line only: which extension's code called us (from the stack's extension path). */
function callerExtension(): string | undefined {
  const stack = new Error().stack ?? '';
  for (const ext of vscode.extensions.all) {
    if (ext.id.toLowerCase() === 'openauth.oauth-accounts') continue;
    if (stack.includes(ext.extensionUri.fsPath)) return ext.id;
  }
  return undefined;
}
