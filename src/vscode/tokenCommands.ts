/**
 * Token tools in the command palette: copy an access token (with a warning), show a session's details. Part of the
 * engine bundle; activate.ts registers the commands. Neither returns anything: any installed extension can run
 * them, and a token or its claims leave this extension only through vscode.authentication.getSession, where VS
 * Code's per-extension consent applies.
 */
import * as vscode from 'vscode';
import * as notify from './notify';
import type { ProviderRegistry } from './registry';
import type { StoredSession } from '../sessions/sessionStore';
import { renderTokenDetails, tokenDetailsTitle } from './tokenDetails';

interface Picked {
  readonly providerId: string;
  readonly providerLabel: string;
  readonly session: StoredSession;
}

async function pickSession(registry: ProviderRegistry, placeHolder: string): Promise<Picked | undefined> {
  const all: Picked[] = [];
  for (const c of registry.configs()) {
    // An entry without clientId has no provider (and no session) until its client id is known.
    for (const session of (await registry.get(c.id)?.keeper.sessions()) ?? [])
      all.push({ providerId: c.id, providerLabel: c.label, session });
  }
  if (all.length === 0) {
    void notify.showInformationMessage('OAuth Accounts: you are not signed in to any identity provider.');
    return undefined;
  }
  if (all.length === 1) return all[0];
  const pick = await notify.showQuickPick(
    all.map((p) => ({
      label: p.session.account.label,
      description: p.providerLabel,
      detail: `scopes: ${p.session.scopes.join(' ') || '(none)'}`,
      p,
    })),
    { placeHolder },
  );
  return pick?.p;
}

/** How long a copied access token may stay on the clipboard before it is cleared (if it is still there). */
export const CLIPBOARD_LIFETIME_MS = 60_000;

/**
 * Copies an access token after a warning. Any installed extension can run this command and then read the
 * clipboard, so the warning says so (VS Code does not tell a command who called it), and the token is cleared from
 * the clipboard after a minute unless something else was copied meanwhile.
 */
export async function copyAccessToken(
  registry: ProviderRegistry,
  clipboardLifetimeMs = CLIPBOARD_LIFETIME_MS,
): Promise<void> {
  const picked = await pickSession(registry, 'Copy the access token of which account?');
  if (!picked) return;
  const copy = 'Copy Token';
  const answer = await notify.showWarningMessage(
    `Copy the access token of ${picked.session.account.label} (${picked.providerLabel})?`,
    {
      modal: true,
      detail:
        'The token is a secret: whoever has it can act as you until it expires. Paste it only where you trust it, and never into a chat, issue or log.\n\n' +
        'If you did not just choose "Copy Access Token" yourself, another extension started this to read the token from your clipboard: choose Cancel.\n\n' +
        `The clipboard is cleared after ${Math.round(clipboardLifetimeMs / 1000)} seconds if it still holds the token.`,
    },
    copy,
  );
  if (answer !== copy) return;
  // Through the provider, so an expiring token is refreshed first.
  const sessions =
    (await registry.get(picked.providerId)?.getSessions(undefined, { account: picked.session.account })) ?? [];
  const fresh = sessions.find((s) => s.id === picked.session.id);
  if (!fresh) return void notify.showWarningMessage('That session has ended; sign in again.');
  await vscode.env.clipboard.writeText(fresh.accessToken);
  setTimeout(() => void clearIfStill(fresh.accessToken), clipboardLifetimeMs);
  void notify.showInformationMessage(
    `Access token of ${picked.session.account.label} copied to the clipboard for ${Math.round(clipboardLifetimeMs / 1000)} seconds.`,
  );
}

/** Empties the clipboard if it still holds `token` (the user may have copied something else since). */
async function clearIfStill(token: string): Promise<void> {
  try {
    if ((await vscode.env.clipboard.readText()) === token) await vscode.env.clipboard.writeText('');
  } catch {
    /* the window is closing: nothing to clear */
  }
}

export async function showTokenDetails(registry: ProviderRegistry): Promise<void> {
  const picked = await pickSession(registry, 'Show the token details of which account?');
  if (!picked) return;
  // A webview, not a text document: every extension can read open text documents (workspace.textDocuments),
  // nobody can read a webview's content. No scripts, no local resources.
  const panel = vscode.window.createWebviewPanel(
    'oauthAccounts.tokenDetails',
    `Token details: ${tokenDetailsTitle(picked.session, picked.providerLabel)}`,
    vscode.ViewColumn.Active,
    { enableScripts: false, enableCommandUris: false, localResourceRoots: [] },
  );
  panel.webview.html = renderTokenDetails(picked.session, picked.providerLabel, Date.now());
}
