/**
 * The API other extensions get from `vscode.extensions.getExtension('openauth.oauth-accounts').exports`: declare an
 * identity provider in code, list providers, follow changes. It deliberately hands out no tokens: extensions get
 * those through vscode.authentication.getSession, where VS Code's per-extension consent applies.
 * Its types are the published ones in api/oauth-accounts.d.ts, so the two cannot drift apart.
 */
import * as vscode from 'vscode';
import type { OAuthAccountsApi, ProviderEntry, ProviderInfo } from '../../api/oauth-accounts';
import { EXTENSION_ID } from '../protocol/constants';
import type { ProviderRegistry } from './registry';

export type { OAuthAccountsApi, ProviderInfo } from '../../api/oauth-accounts';

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
  return registry
    .configs()
    .map((c) =>
      Object.freeze({ id: c.id, label: c.label, issuer: c.issuer, source: registry.sourceOf(c.id) ?? 'settings' }),
    );
}

/**
 * The same API as commands, for extensions in another extension host. OAuth Accounts prefers the UI side
 * (extensionKind ["ui", "workspace"]: the loopback listener must be on the user's machine), so in a Remote-SSH,
 * WSL or container window an extension running on the remote host cannot reach our exports — getExtension() returns
 * undefined there — but VS Code routes commands across hosts.
 *
 * Any extension can run any command, so a registration has an owner: the first registration of an id returns a
 * `handle` (a random secret) that only its registrant knows. Replacing or unregistering needs it. Registering an
 * identical entry again is idempotent without it (the registrant's host may have restarted), and an id held by the
 * settings, the exports API or another registrant is refused.
 */
export function registerApiCommands(registry: ProviderRegistry): vscode.Disposable[] {
  const viaCommands = new Map<string, { registration: vscode.Disposable; json: string; handle: string }>();
  const info = (id: string) => providerInfos(registry).find((p) => p.id === id)!;
  return [
    vscode.commands.registerCommand(
      API_COMMANDS.registerProvider,
      (entry: ProviderEntry, handle?: unknown): ProviderInfo & { handle?: string } => {
        // An invalid replacement leaves the registered one in place (its sessions too).
        const { id } = registry.validateApiEntry(entry);
        const json = JSON.stringify(entry);
        const previous = viaCommands.get(id);
        if (previous) {
          const owner = typeof handle === 'string' && handle === previous.handle;
          if (previous.json === json) return owner ? { ...info(id), handle: previous.handle } : info(id); // no churn
          if (!owner)
            throw new Error(
              `OAuth Accounts: provider id "${id}" is registered by another extension; only its registrant (with the handle its registration returned) can replace it.`,
            );
          previous.registration.dispose();
          viaCommands.delete(id);
        }
        const registration = registry.registerFromApi(entry, 'an extension (through the registerProvider command)');
        const next = { registration, json, handle: previous?.handle ?? crypto.randomUUID() };
        viaCommands.set(id, next);
        return { ...info(id), handle: next.handle };
      },
    ),
    vscode.commands.registerCommand(API_COMMANDS.unregisterProvider, (id: unknown, handle?: unknown): boolean => {
      const entry = typeof id === 'string' ? viaCommands.get(id) : undefined;
      if (!entry || typeof handle !== 'string' || handle !== entry.handle) return false;
      entry.registration.dispose();
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
    if (ext.id.toLowerCase() === EXTENSION_ID) continue;
    if (stack.includes(ext.extensionUri.fsPath)) return ext.id;
  }
  return undefined;
}
