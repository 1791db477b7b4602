/**
 * The API other extensions get from `vscode.extensions.getExtension('openauth.oauth-accounts').exports`: declare an
 * identity provider in code, list providers, follow changes. It deliberately hands out no tokens: extensions get
 * those through vscode.authentication.getSession, where VS Code's per-extension consent applies.
 * The public typings are published in api/oauth-accounts.d.ts; keep the two in step.
 */
import * as vscode from 'vscode';
import type { ProviderRegistry } from './providerRegistry';

export interface ProviderInfo {
  readonly id: string;
  readonly label: string;
  readonly issuer?: string;
  readonly source: 'settings' | 'api';
}

export interface OAuthAccountsApi {
  readonly version: 1;
  registerProvider(entry: Record<string, unknown>): vscode.Disposable;
  getProviders(): readonly ProviderInfo[];
  readonly onDidChangeProviders: vscode.Event<void>;
}

export function createApi(registry: ProviderRegistry): OAuthAccountsApi {
  return Object.freeze({
    version: 1 as const,
    registerProvider(entry: Record<string, unknown>) {
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
