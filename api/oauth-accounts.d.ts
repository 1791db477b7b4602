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
 *   const { handle } = await vscode.commands.executeCommand<ProviderInfo & { handle?: string }>('oauthAccounts.api.registerProvider', entry);
 *   await vscode.commands.executeCommand('oauthAccounts.api.registerProvider', changedEntry, handle); // replace: needs the handle
 *   await vscode.commands.executeCommand('oauthAccounts.api.unregisterProvider', 'acme', handle);    // → boolean; needs the handle
 *   await vscode.commands.executeCommand('oauthAccounts.api.getProviders');                          // → ProviderInfo[]
 *
 * Trust model. Nothing here hands out a token, a session or claims: extensions get tokens only through
 * vscode.authentication.getSession, where VS Code asks the user per extension and account. A registration has an
 * owner: through the exports, whoever holds the returned Disposable; through the commands, whoever holds the `handle`
 * the first registration returned (keep it, e.g. in your SecretStorage, if your host may restart). Registering an
 * identical entry again is idempotent without the handle; replacing or unregistering without it is refused, and an
 * id used by a user setting, VS Code, another extension or another registrant is refused. Sessions and client
 * secrets are bound to the server and client id that issued them: registering a freed id at another server never
 * gives that server the old refresh tokens or secret — those sessions are revoked at their own server and removed.
 */
import type { Disposable, Event } from 'vscode';

/** Same schema as one entry of the `oauthAccounts.providers` setting (see the README). */
export interface ProviderEntry {
  id: string;
  label: string;
  issuer?: string;
  discoveryUrl?: string;
  endpoints?: {
    authorization?: string;
    token?: string;
    userinfo?: string;
    revocation?: string;
    deviceAuthorization?: string;
    jwks?: string;
  };
  /** Leave out (with `issuer` set) to register dynamically (RFC 7591) at a server that offers it. */
  clientId?: string;
  clientAuthentication?: 'none' | 'client_secret_basic' | 'client_secret_post';
  scopes?: string[];
  authorizationParameters?: Record<string, string>;
  accountLabelClaim?: string;
  flow?: 'auto' | 'loopback' | 'uri-handler' | 'device-code';
  /** Loopback ports registered at the server as http://127.0.0.1:<port>/callback (exact-match servers), tried in order. */
  loopbackPorts?: number[];
  /**
   * RFC 8707 resource indicators (https URLs, no fragment): the APIs or MCP servers the tokens are for, sent as
   * `resource` on every authorization, token, refresh and device request. Changing them signs the old sessions out.
   */
  resources?: string[];
  /** RFC 9126: push authorization requests when the server supports PAR (always done when it requires PAR). */
  pushedAuthorizationRequests?: boolean;
  /** Preset whose defaults fill what the entry leaves out and whose IdP quirks apply (e.g. 'github'). */
  preset?: 'keycloak' | 'okta' | 'auth0' | 'entra' | 'google' | 'github' | 'gitlab' | 'dex' | 'generic';
}

export interface ProviderInfo {
  readonly id: string;
  readonly label: string;
  readonly issuer?: string;
  /**
   * Configured in user settings, registered in code through this API, or provided by the organisation (a managed
   * file, see the README's "For teams").
   */
  readonly source: 'settings' | 'api' | 'managed';
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
