/**
 * The API other extensions get from `vscode.extensions.getExtension('openauth.oauth-accounts').exports`: declare an
 * identity provider in code, list providers, follow changes. It deliberately hands out no tokens: extensions get
 * those through vscode.authentication.getSession, where VS Code's per-extension consent applies.
 * Its types are the published ones in api/oauth-accounts.d.ts, so the two cannot drift apart.
 */
import * as vscode from 'vscode';
import type { OAuthAccountsApi, ProviderEntry } from '../api/oauth-accounts';
import type { ProviderRegistry } from './providerRegistry';

export type { OAuthAccountsApi, ProviderInfo } from '../api/oauth-accounts';

export function createApi(registry: ProviderRegistry): OAuthAccountsApi {
  return Object.freeze({
    version: 1 as const,
    registerProvider(entry: ProviderEntry) {
      return registry.registerFromApi(entry, callerExtension() ?? 'an extension');
    },
    getProviders() {
      return registry.configs().map((c) => Object.freeze({ id: c.id, label: c.label, issuer: c.issuer, source: registry.sourceOf(c.id) ?? 'settings' }));
    },
    onDidChangeProviders: registry.onDidChangeProviders,
  });
}

/** Best effort, for the log line only: which extension's code called us (from the stack's extension path). */
function callerExtension(): string | undefined {
  const stack = new Error().stack ?? '';
  for (const ext of vscode.extensions.all) {
    if (ext.id.toLowerCase() === 'openauth.oauth-accounts') continue;
    if (stack.includes(ext.extensionUri.fsPath)) return ext.id;
  }
  return undefined;
}
