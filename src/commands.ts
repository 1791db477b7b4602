/** Command palette entries: thin calls into the registry and providers. */
import * as vscode from 'vscode';
import * as notify from './notify';
import { SETTING } from './config';
import { isAuthError } from './protocol/errors';
import type { ProviderRegistry } from './providerRegistry';
import { keys } from './sessionStore';

export function registerCommands(registry: ProviderRegistry, secrets: vscode.SecretStorage, channel: vscode.LogOutputChannel): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('oauthAccounts.signIn', (providerId?: unknown, scopes?: unknown) => signInCommand(registry, providerId, scopes)),
    vscode.commands.registerCommand('oauthAccounts.signOut', (providerId?: unknown, accountId?: unknown) => signOutCommand(registry, providerId, accountId)),
    vscode.commands.registerCommand('oauthAccounts.setClientSecret', (providerId?: unknown) => setClientSecretCommand(registry, secrets, providerId)),
    vscode.commands.registerCommand('oauthAccounts.showLog', () => channel.show()),
  ];
}

async function pickProvider(registry: ProviderRegistry, providerId: unknown, placeHolder: string): Promise<string | undefined> {
  const configs = registry.configs();
  if (typeof providerId === 'string') {
    if (configs.some((c) => c.id === providerId)) return providerId;
    void notify.showErrorMessage(`OAuth Accounts: no identity provider with id "${providerId}" is configured.`);
    return undefined;
  }
  if (configs.length === 0) {
    const open = 'Open Settings';
    const a = await notify.showInformationMessage(`OAuth Accounts: no identity provider is configured yet. Add one to "${SETTING}" in your user settings.`, open);
    if (a === open) void vscode.commands.executeCommand('workbench.action.openSettings', SETTING);
    return undefined;
  }
  if (configs.length === 1) return configs[0].id;
  const pick = await vscode.window.showQuickPick(
    configs.map((c) => ({ label: c.label, description: c.id, detail: c.issuer ?? c.discoveryUrl ?? c.endpoints.authorization, id: c.id })),
    { placeHolder },
  );
  return pick?.id;
}

/** Returns the new session (for scripts and tests), undefined when cancelled. */
async function signInCommand(registry: ProviderRegistry, providerId: unknown, scopes: unknown): Promise<vscode.AuthenticationSession | undefined> {
  const id = await pickProvider(registry, providerId, 'Sign in to which identity provider?');
  const provider = id ? registry.get(id) : undefined;
  if (!provider) return undefined;
  const requested = Array.isArray(scopes) ? scopes.filter((s): s is string => typeof s === 'string') : [];
  try {
    const session = await provider.createSession(requested, {});
    void notify.showInformationMessage(`Signed in to ${registry.configs().find((c) => c.id === id)?.label} as ${session.account.label}.`);
    return session;
  } catch (e) {
    if (e instanceof vscode.CancellationError) return undefined;
    void showSignInError(id!, registry, e);
    return undefined;
  }
}

export async function showSignInError(id: string, registry: ProviderRegistry, e: unknown): Promise<void> {
  const label = registry.configs().find((c) => c.id === id)?.label ?? id;
  const text = isAuthError(e) ? e.message : (e as Error)?.message ?? String(e);
  const a = await notify.showErrorMessage(`Sign in to ${label} failed: ${text}`, 'Show Log');
  if (a) void vscode.commands.executeCommand('oauthAccounts.showLog');
}

async function signOutCommand(registry: ProviderRegistry, providerId: unknown, accountId: unknown): Promise<void> {
  const accounts: Array<{ providerId: string; providerLabel: string; accountId: string; accountLabel: string }> = [];
  for (const c of registry.configs()) {
    if (typeof providerId === 'string' && c.id !== providerId) continue;
    const sessions = await registry.get(c.id)!.keeper.sessions();
    for (const s of sessions) {
      if (typeof accountId === 'string' && s.account.id !== accountId) continue;
      if (!accounts.some((a) => a.providerId === c.id && a.accountId === s.account.id)) {
        accounts.push({ providerId: c.id, providerLabel: c.label, accountId: s.account.id, accountLabel: s.account.label });
      }
    }
  }
  if (accounts.length === 0) {
    void notify.showInformationMessage('OAuth Accounts: you are not signed in to any identity provider.');
    return;
  }
  const chosen = accounts.length === 1
    ? accounts[0]
    : (await vscode.window.showQuickPick(accounts.map((a) => ({ label: a.accountLabel, description: a.providerLabel, a })), { placeHolder: 'Sign out of which account?' }))?.a;
  if (!chosen) return;
  const provider = registry.get(chosen.providerId)!;
  const sessions = (await provider.keeper.sessions()).filter((s) => s.account.id === chosen.accountId);
  for (const s of sessions) await provider.removeSession(s.id);
  void notify.showInformationMessage(`Signed out of ${chosen.providerLabel} (${chosen.accountLabel}).`);
}

async function setClientSecretCommand(registry: ProviderRegistry, secrets: vscode.SecretStorage, providerId: unknown): Promise<void> {
  const id = await pickProvider(registry, providerId, 'Set the client secret of which identity provider?');
  if (!id) return;
  const value = await vscode.window.showInputBox({
    title: `Client secret for ${id}`,
    prompt: 'Stored in VS Code\'s secret storage (the OS keychain on desktop), never in settings. Leave empty to delete it.',
    password: true,
    ignoreFocusOut: true,
  });
  if (value === undefined) return;
  if (value === '') await secrets.delete(keys.clientSecret(id));
  else await secrets.store(keys.clientSecret(id), value);
  void notify.showInformationMessage(value === '' ? `Client secret for "${id}" deleted.` : `Client secret for "${id}" stored.`);
}
