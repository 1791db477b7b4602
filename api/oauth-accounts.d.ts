/**
 * Public API of the OAuth Accounts extension (openauth.oauth-accounts), version 1.
 *
 *   const ext = vscode.extensions.getExtension<OAuthAccountsApi>('openauth.oauth-accounts');
 *   const api = await ext?.activate();
 *   context.subscriptions.push(api.registerProvider({ id: 'acme', label: 'Acme SSO', issuer: 'https://sso.acme.example', clientId: 'vscode' }));
 *   const session = await vscode.authentication.getSession('acme', ['openid'], { createIfNone: true });
 *
 * Copy this file into your extension; declare "extensionDependencies": ["openauth.oauth-accounts"].
 *
 * From another extension host (a desktop remote window, where OAuth Accounts runs on the user's machine and
 * getExtension() returns undefined on the remote side), the same functions are commands:
 *   await vscode.commands.executeCommand('oauthAccounts.api.registerProvider', entry);   // → ProviderInfo; same id replaces
 *   await vscode.commands.executeCommand('oauthAccounts.api.unregisterProvider', 'acme'); // → boolean
 *   await vscode.commands.executeCommand('oauthAccounts.api.getProviders');               // → ProviderInfo[]
 */
import type { Disposable, Event } from 'vscode';

/** Same schema as one entry of the `oauthAccounts.providers` setting (see the README). */
export interface ProviderEntry {
  id: string;
  label: string;
  issuer?: string;
  discoveryUrl?: string;
  endpoints?: { authorization?: string; token?: string; userinfo?: string; revocation?: string; deviceAuthorization?: string; jwks?: string };
  clientId: string;
  clientAuthentication?: 'none' | 'client_secret_basic' | 'client_secret_post';
  scopes?: string[];
  authorizationParameters?: Record<string, string>;
  accountLabelClaim?: string;
  flow?: 'auto' | 'loopback' | 'uri-handler' | 'device-code';
  /** Preset whose defaults fill what the entry leaves out and whose IdP quirks apply (e.g. 'github'). */
  preset?: 'keycloak' | 'okta' | 'auth0' | 'entra' | 'google' | 'github' | 'gitlab' | 'dex' | 'generic';
}

export interface ProviderInfo {
  readonly id: string;
  readonly label: string;
  readonly issuer?: string;
  /** Configured in user settings, or registered in code through this API. */
  readonly source: 'settings' | 'api';
}

export interface OAuthAccountsApi {
  /** Bumped on breaking changes; check it before using newer members. */
  readonly version: 1;
  /**
   * Registers an identity provider as a VS Code authentication provider, validated exactly like the setting.
   * Throws an Error naming the field when the entry is invalid or the id is taken. Dispose to unregister.
   */
  registerProvider(entry: ProviderEntry): Disposable;
  getProviders(): readonly ProviderInfo[];
  readonly onDidChangeProviders: Event<void>;
}
