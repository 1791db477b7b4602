/** Helpers for tests that run inside the real extension host (code-server or desktop VS Code). */
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { ProviderRegistry } from '../../src/vscode/registry';
import type { RecommendationPrompt } from '../../src/vscode/recommendationPrompt';

export const EXTENSION_ID = 'openauth.oauth-accounts';

/** The test-mode internals activate() exports when VS Code runs the extension's tests (never in production). */
export interface TestInternals {
  registry: ProviderRegistry;
  secrets: vscode.SecretStorage;
  globalState: vscode.Memento;
  workspaceState: vscode.Memento;
  recommendations: RecommendationPrompt;
}
export async function api(): Promise<TestInternals> {
  const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
  const exports = (await ext.activate()) as { testInternals?: TestInternals };
  if (!exports.testInternals)
    throw new Error('test internals not exported: is the extension running in ExtensionMode.Test?');
  return exports.testInternals;
}

export async function setProviders(value: unknown[] | undefined): Promise<void> {
  await vscode.workspace.getConfiguration().update('oauthAccounts.providers', value, vscode.ConfigurationTarget.Global);
}

/** Polls until `probe` gives a truthy value. The deadline names what never came; generous, as in test/support/until.ts. */
export async function until<T>(what: string, probe: () => T | Promise<T>, timeoutMs = 30_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The bearer call the seed question was about, done right: the access token in the Authorization header. */
export async function userinfo(
  issuer: string,
  accessToken: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${issuer}/me`, { headers: { Authorization: `Bearer ${accessToken}` } });
  return { status: res.status, body: res.status === 200 ? ((await res.json()) as Record<string, unknown>) : {} };
}

/**
 * Signs in the way VS Code's getSession(…, { createIfNone }) does once the user allowed it: the provider's
 * createSession (the browser part runs for real). Commands no longer return sessions — no caller may get a token
 * except through vscode.authentication, where VS Code's consent applies — so tests take it from the provider.
 */
export async function signIn(
  providerId: string,
  scopes: readonly string[] = [],
): Promise<vscode.AuthenticationSession> {
  const provider = (await api()).registry.get(providerId);
  if (!provider) throw new Error(`provider ${providerId} is not registered`);
  return provider.createSession([...scopes], {});
}

/** Signs out of every session of a provider, as the Accounts menu does (removeSession per session). */
export async function signOutAll(providerId: string): Promise<void> {
  const provider = (await api()).registry.get(providerId)!;
  for (const s of await provider.getSessions(undefined, {})) await provider.removeSession(s.id);
}

/** The notifications the extension showed (test capture: OAUTH_ACCOUNTS_LOG_FILE, test runs only). */
export function notifications(): string[] {
  const file = process.env.OAUTH_ACCOUNTS_LOG_FILE;
  return file && fs.existsSync(file)
    ? fs
        .readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l.startsWith('[notification'))
    : [];
}
