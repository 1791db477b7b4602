/**
 * The palette's MCP commands other than the wizard: "Show MCP Server Status" (signed in as, token expiry, last
 * error, per server) and "Reset MCP Server Sign-in..." (signs the server's account out — revoking its tokens — and
 * in again, forgetting this window's step-ups and declined scopes). Engine bundle. Neither returns anything: any
 * extension can run any command, and Reset asks in a modal dialog first.
 */
import * as vscode from 'vscode';
import * as notify from './notify';
import { confirm, type McpHost } from './mcpHost';
import type { ProviderRegistry } from './registry';
import { providerMismatch, type McpServerEntry } from '../mcp/serverEntries';
import { normalizeScopes } from '../protocol/scopes';
import type { StoredSession } from '../sessions/sessionStore';

interface Described {
  readonly entry: McpServerEntry;
  readonly state: string;
  readonly detail: string;
  readonly sessions: StoredSession[];
}

function inWords(ms: number): string {
  if (ms <= 0) return 'expired';
  const min = Math.round(ms / 60_000);
  return min < 1
    ? `expires in ${Math.max(1, Math.round(ms / 1000))} s`
    : min < 120
      ? `expires in ${min} min`
      : `expires in ${Math.round(min / 60)} h`;
}

/** What is known about each server now, without refreshing or asking anything. */
async function describeAll(host: McpHost, registry: ProviderRegistry): Promise<Described[]> {
  const out: Described[] = [];
  for (const entry of host.entries()) {
    const status = host.tokens.status.get(entry.name) ?? {};
    const provider = registry.get(entry.providerId);
    const problem = providerMismatch(
      entry,
      provider?.config ?? registry.configs().find((c) => c.id === entry.providerId),
    );
    const sessions = provider ? await provider.keeper.matching(normalizeScopes(host.tokens.scopesOf(entry))) : [];
    const s = sessions[0];
    const state = problem
      ? `cannot start: ${problem}`
      : !host.isApproved(entry)
        ? 'not used yet (you are asked before its first start)'
        : s
          ? `signed in as ${s.account.label}, token ${s.tokens.expiresAt === undefined ? 'has no stated expiry' : inWords(s.tokens.expiresAt - Date.now())}`
          : 'not signed in';
    const last = status.lastError
      ? `last error: ${status.lastError}`
      : status.lastOkAt
        ? `last request: OK at ${new Date(status.lastOkAt).toLocaleTimeString()}`
        : 'no request yet in this window';
    out.push({ entry, state, detail: `${entry.url} · ${registry.labelOf(entry.providerId)} · ${last}`, sessions });
  }
  return out;
}

async function pick(host: McpHost, registry: ProviderRegistry, placeHolder: string): Promise<Described | undefined> {
  const all = await describeAll(host, registry);
  if (all.length === 0) {
    const add = 'Add MCP Server...';
    // Not awaited: a command never waits on a notification the user may leave unanswered (its caller would hang).
    void notify.showInformationMessage('OAuth Accounts: no MCP server is configured yet.', add).then((a) => {
      if (a === add) void vscode.commands.executeCommand('oauthAccounts.addMcpServer');
    });
    return undefined;
  }
  const chosen = await notify.showQuickPick(
    all.map((d) => ({ label: d.entry.name, description: d.state, detail: d.detail, d })),
    { placeHolder, ignoreFocusOut: true },
  );
  return chosen?.d;
}

export async function showMcpStatus(host: McpHost, registry: ProviderRegistry): Promise<void> {
  const d = await pick(host, registry, 'MCP servers signed in through OAuth Accounts');
  if (!d) return;
  const reset = 'Reset Sign-in...';
  const log = 'Show Log';
  const a = await notify.showInformationMessage(
    `MCP server "${d.entry.name}": ${d.state}`,
    {
      modal: true,
      detail: `${d.detail}\nScopes: ${host.tokens.scopesOf(d.entry).join(' ') || "(the provider's defaults)"}`,
    },
    reset,
    log,
  );
  if (a === reset) await resetMcpSignIn(host, registry, d);
  if (a === log) void vscode.commands.executeCommand('oauthAccounts.showLog');
}

export async function resetMcpSignIn(host: McpHost, registry: ProviderRegistry, chosen?: Described): Promise<void> {
  const d = chosen ?? (await pick(host, registry, 'Reset the sign-in of which MCP server?'));
  if (!d) return;
  const label = registry.labelOf(d.entry.providerId);
  const who = d.sessions.length ? d.sessions.map((s) => s.account.label).join(', ') : 'no account';
  const ok = await confirm(
    `Reset the sign-in of MCP server "${d.entry.name}"?`,
    `Signs ${who} out of ${label} for this server's scopes (the tokens are revoked, so other extensions using the same account and scopes lose them too), forgets the larger scopes this server was given or refused in this window, and signs in again.`,
    'Reset',
  );
  if (!ok) return;
  const provider = registry.get(d.entry.providerId);
  for (const s of d.sessions) await provider?.removeSession(s.id);
  host.tokens.forget(d.entry.name);
  await host.signIn(d.entry.providerId, host.tokens.scopesOf(d.entry));
}
