/**
 * The Command Palette's Sign In, Sign Out and Set Client Secret: their pickers and modal dialogs. Part of the engine
 * bundle; commands.ts registers them at activation.
 *
 * Any installed extension can run any command, with any arguments, from any extension host. So none of these
 * returns anything, and one that acts on arguments it was given — which the palette never passes — asks the user in
 * a modal dialog first. Modal dialogs cannot be answered by another extension.
 */
import * as vscode from 'vscode';
import * as notify from './notify';
import { plainText } from '../protocol/plainText';
import { SETTING } from '../protocol/config';
import type { ProviderRegistry } from './registry';
import { interactiveSignIn } from './interactiveSignIn';
import { keys } from '../sessions/sessionStore';
import { bindingOf, encodeClientSecret, serverHosts } from '../sessions/serverBinding';

/** A modal question; true only when the user clicked `action`. */
async function confirm(message: string, detail: string, action: string): Promise<boolean> {
  try {
    return (await notify.showWarningMessage(message, { modal: true, detail }, action)) === action;
  } catch {
    return false; // a host that refuses dialogs (extension tests) answers no
  }
}

/** `alwaysAsk`: show the pick even for one provider, so that running the command with no arguments starts nothing by itself. */
async function pickProvider(
  registry: ProviderRegistry,
  providerId: unknown,
  placeHolder: string,
  alwaysAsk = false,
): Promise<string | undefined> {
  const configs = registry.configs();
  if (typeof providerId === 'string') {
    if (configs.some((c) => c.id === providerId)) return providerId;
    void notify.showErrorMessage(
      `OAuth Accounts: no identity provider with id "${providerId.slice(0, 100)}" is configured.`,
    );
    return undefined;
  }
  if (configs.length === 0) {
    const open = 'Open Settings';
    const a = await notify.showInformationMessage(
      `OAuth Accounts: no identity provider is configured yet. Add one to "${SETTING}" in your user settings.`,
      open,
    );
    if (a === open) void vscode.commands.executeCommand('workbench.action.openSettings', SETTING);
    return undefined;
  }
  if (configs.length === 1 && !alwaysAsk) return configs[0].id;
  const pick = await notify.showQuickPick(
    configs.map((c) => ({
      label: c.label,
      description: registry.sourceOf(c.id) === 'managed' ? `${c.id} · managed by your organisation` : c.id,
      detail: c.issuer ?? c.discoveryUrl ?? c.endpoints.authorization,
      id: c.id,
    })),
    { placeHolder },
  );
  return pick?.id;
}

/**
 * Sign In from the palette (no arguments) starts with the user's pick of a provider. With arguments it was run by
 * code — another extension, or a link — so it shows the consent a getSession call would get before anything
 * happens. Returns nothing.
 */
export async function signInCommand(registry: ProviderRegistry, providerId: unknown, scopes: unknown): Promise<void> {
  const id = await pickProvider(registry, providerId, 'Sign in to which identity provider?', true);
  if (!id) return;
  const requested = Array.isArray(scopes) ? scopes.filter((s): s is string => typeof s === 'string').slice(0, 50) : [];
  if (providerId !== undefined || scopes !== undefined) {
    const label = registry.labelOf(id);
    const ok = await confirm(
      `Sign in to ${label}?`,
      `Something other than the Command Palette (another extension, or a link) asked OAuth Accounts to sign in${requested.length ? ` with the scopes ${requested.join(' ').slice(0, 300)}` : ''}. ` +
        'The new session is not given to whoever asked: extensions get it only through VS Code, which asks you first. Continue only if you expected this.',
      'Sign In',
    );
    if (!ok) return;
  }
  await interactiveSignIn(registry, id, requested);
}

/** Always asks in a modal before signing out (and revoking), like VS Code's own Accounts-menu sign-out. */
export async function signOutCommand(
  registry: ProviderRegistry,
  providerId: unknown,
  accountId: unknown,
): Promise<void> {
  const accounts: Array<{ providerId: string; providerLabel: string; accountId: string; accountLabel: string }> = [];
  for (const c of registry.configs()) {
    if (typeof providerId === 'string' && c.id !== providerId) continue;
    const sessions = (await registry.get(c.id)?.keeper.sessions()) ?? [];
    for (const s of sessions) {
      if (typeof accountId === 'string' && s.account.id !== accountId) continue;
      if (!accounts.some((a) => a.providerId === c.id && a.accountId === s.account.id)) {
        accounts.push({
          providerId: c.id,
          providerLabel: c.label,
          accountId: s.account.id,
          accountLabel: s.account.label,
        });
      }
    }
  }
  if (accounts.length === 0) {
    void notify.showInformationMessage('OAuth Accounts: you are not signed in to any identity provider.');
    return;
  }
  const chosen =
    accounts.length === 1
      ? accounts[0]
      : (
          await notify.showQuickPick(
            accounts.map((a) => ({ label: a.accountLabel, description: a.providerLabel, a })),
            { placeHolder: 'Sign out of which account?' },
          )
        )?.a;
  if (!chosen) return;
  const ok = await confirm(
    `Sign out of ${chosen.accountLabel} (${chosen.providerLabel})?`,
    'Its tokens are deleted from VS Code and revoked at the identity provider. Extensions using this account lose access until you sign in again.',
    'Sign Out',
  );
  if (!ok) return;
  await registry.signOutAccount(chosen.providerId, chosen.accountId);
}

/**
 * The secret is stored with the server and client it belongs to (serverBinding.ts): it is only ever sent to them,
 * whatever the settings say later. Deleting asks first: an empty input box can be accepted by any extension.
 */
export async function setClientSecretCommand(
  registry: ProviderRegistry,
  secrets: vscode.SecretStorage,
  providerId: unknown,
): Promise<void> {
  const id = await pickProvider(registry, providerId, 'Set the client secret of which identity provider?');
  const config = registry.configs().find((c) => c.id === id);
  if (!id || !config) return;
  const value = await notify.showInputBox({
    title: `Client secret for ${config.label} (${id})`,
    // Every host the entry names: the secret goes to the token endpoint, which discoveryUrl or an override decides.
    prompt: `Stored in VS Code's secret storage (the OS keychain on desktop), never in settings, and only ever sent to client "${plainText(config.clientId, 100)}" at ${serverHosts(
      config,
    )
      .map((h) => plainText(h.host, 200))
      .join(', ')}. Leave empty to delete it.`,
    password: true,
    ignoreFocusOut: true,
  });
  if (value === undefined) return;
  if (value === '') {
    if (
      !(await confirm(
        `Delete the client secret of ${config.label}?`,
        'Sign-ins that need it will fail until you set it again.',
        'Delete',
      ))
    )
      return;
    await secrets.delete(keys.clientSecret(id));
  } else {
    await secrets.store(keys.clientSecret(id), encodeClientSecret(value, bindingOf(config)));
  }
  void notify.showInformationMessage(
    value === '' ? `Client secret for "${id}" deleted.` : `Client secret for "${id}" stored.`,
  );
}
