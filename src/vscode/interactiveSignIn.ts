/**
 * A sign-in the user asked for (the Sign In command, our own "Sign In" buttons): with progress, and the outcome told.
 * Takes only what it needs of the registry, so the registry can offer it without an import cycle.
 */
import * as vscode from 'vscode';
import * as notify from './notify';
import { isAuthError } from '../protocol/errors';

interface SignInTarget {
  /** What VS Code has registered under `id` (an entry without clientId: its stand-in, which waits for the id). */
  registered(id: string): vscode.AuthenticationProvider | undefined;
  labelOf(id: string): string;
}

/** Signs in with progress and reports the outcome. Used by the command and by our own "Sign In" buttons. */
export async function interactiveSignIn(registry: SignInTarget, id: string, scopes: readonly string[]): Promise<void> {
  // An entry without clientId may still be waiting for its client id: its stand-in signs in once it is known.
  const provider = registry.registered(id);
  if (!provider) return;
  const label = registry.labelOf(id);
  try {
    const session = await provider.createSession([...scopes], {});
    void notify.showInformationMessage(`Signed in to ${label} as ${session.account.label}.`);
  } catch (e) {
    if (e instanceof vscode.CancellationError) return; // the provider has said so already
    void showSignInError(id, registry, e);
  }
}

async function showSignInError(id: string, registry: SignInTarget, e: unknown): Promise<void> {
  const label = registry.labelOf(id);
  const text = isAuthError(e) ? e.message : ((e as Error)?.message ?? String(e));
  const a = await notify.showErrorMessage(`Sign in to ${label} failed: ${text}`, 'Show Log');
  if (a) void vscode.commands.executeCommand('oauthAccounts.showLog');
}
