/**
 * The engine-bundle half of the MCP servers (mcpServers.ts is the activation half): this window's bridge, started
 * when VS Code first starts one of our servers and closed with the window; the user's approval of where each entry's
 * tokens go; the sign-in a server needs before it starts; and the palette's status and Reset Sign-in.
 *
 * The approval is the trust decision. Settings can be written by any extension, so an entry naming
 * https://evil.example and the user's company provider must not make the bridge send that provider's tokens there.
 * Before a server first starts, the user is asked in a modal dialog — which no extension can answer — whether
 * tokens of that provider may go to that URL; the answer is kept in this extension's own globalState (which no other
 * extension can write) under the entry's URL, provider, resource and audience (approvalKey), so a changed entry is
 * asked about again. The bridge serves approved entries only.
 */
import * as vscode from 'vscode';
import * as notify from './notify';
import type { Logger } from './log';
import type { ProviderRegistry } from './registry';
import type { BridgeOptions, McpBridge } from '../node/mcpBridge';
import {
  approvalKey,
  definitionVersion,
  describeMcpProblem,
  parseMcpServers,
  providerMismatch,
  type McpServerEntry,
} from '../mcp/serverEntries';
import { McpTokens } from './mcpTokens';
import { isAuthError } from '../protocol/errors';

export const MCP_APPROVALS_KEY = 'mcpServerApprovals';

interface McpHostDeps {
  readonly registry: ProviderRegistry;
  readonly log: Logger;
  /** This extension's globalState: where approvals are kept. */
  readonly state: vscode.Memento;
  /** The setting's value now. */
  readonly setting: () => unknown;
  readonly startBridge: (o: BridgeOptions) => Promise<McpBridge>;
}

/** A modal question; true only when the user clicked `action` (a host that refuses dialogs answers no). */
export async function confirm(message: string, detail: string, action: string): Promise<boolean> {
  try {
    return (await notify.showWarningMessage(message, { modal: true, detail }, action)) === action;
  } catch {
    return false;
  }
}

export class McpHost implements vscode.Disposable {
  readonly tokens: McpTokens;
  private bridgePromise?: Promise<McpBridge>;
  private disposed = false;
  private readonly shownProblems = new Set<string>();

  constructor(private readonly deps: McpHostDeps) {
    const log = deps.log.forProvider('mcp');
    this.tokens = new McpTokens({
      registry: deps.registry,
      log,
      approved: (name) => this.approvedEntries().find((e) => e.name === name),
      signIn: (providerId, scopes) => this.signIn(providerId, scopes),
      confirm,
    });
  }

  /** The setting's valid entries; each problem is logged and shown once. */
  entries(): McpServerEntry[] {
    const { servers, problems } = parseMcpServers(this.deps.setting());
    for (const p of problems) {
      const text = describeMcpProblem(p);
      this.deps.log.warn(`settings: ${text}`);
      if (this.shownProblems.has(text)) continue;
      this.shownProblems.add(text);
      void notify.showWarningMessage(`OAuth Accounts: ${text}`, 'Open Settings').then((a) => {
        if (a) void vscode.commands.executeCommand('workbench.action.openSettingsJson');
      });
    }
    return servers;
  }

  /** What VS Code lists: a name and a version per entry (no URL, header or token). */
  definitions(): Array<{ name: string; version: string }> {
    return this.entries().map((e) => ({ name: e.name, version: definitionVersion(e) }));
  }

  private approvals(): string[] {
    const v = this.deps.state.get<unknown>(MCP_APPROVALS_KEY);
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  }

  isApproved(entry: McpServerEntry): boolean {
    return this.approvals().includes(approvalKey(entry));
  }

  /** Records the user's approval (the wizard's last modal, or resolve's). */
  async approve(entry: McpServerEntry): Promise<void> {
    if (!this.isApproved(entry))
      await this.deps.state.update(MCP_APPROVALS_KEY, [...this.approvals(), approvalKey(entry)]);
  }

  approvedEntries(): McpServerEntry[] {
    const keys = new Set(this.approvals());
    return this.entries().filter((e) => keys.has(approvalKey(e)));
  }

  /** The bridge, started on first use. */
  bridge(): Promise<McpBridge> {
    return (this.bridgePromise ??= this.deps
      .startBridge({
        auth: this.tokens,
        log: (level, line) => this.deps.log.forProvider('mcp')[level](line),
      })
      .then((b) => {
        if (this.disposed) void b.close();
        this.deps.log.forProvider('mcp').info(`MCP bridge listening at ${b.origin}`);
        b.setRoutes(this.approvedEntries());
        return b;
      }));
  }

  /** The setting or the providers changed: the bridge serves exactly the approved entries from now on. */
  async entriesChanged(): Promise<void> {
    if (this.bridgePromise) (await this.bridgePromise).setRoutes(this.approvedEntries());
  }

  /**
   * VS Code is starting the server `name`: approval, the provider's check, a session (signing in if needed),
   * then the bridge's URL and this window's secret for the definition. Undefined: the server is not started.
   */
  async resolve(name: string): Promise<{ url: string; headers: Record<string, string>; version: string } | undefined> {
    const entry = this.entries().find((e) => e.name === name);
    if (!entry) return undefined;
    const log = this.deps.log.forProvider('mcp');
    const label = this.deps.registry.labelOf(entry.providerId);
    if (!this.isApproved(entry)) {
      const ok = await confirm(
        `Allow MCP server "${entry.name}" to use your ${label} sign-in?`,
        `OAuth Accounts will send access tokens of ${label} (provider "${entry.providerId}") to\n${entry.url}\nand only there, with every request VS Code makes to this MCP server.\n\n` +
          'This entry comes from your settings, which other extensions can write too: allow it only if you added this server yourself.',
        'Allow',
      );
      if (!ok) {
        log.info(`MCP server "${entry.name}" was not started: its use of ${label} was not allowed`);
        return undefined;
      }
      await this.approve(entry);
    }
    const mismatch = providerMismatch(
      entry,
      this.deps.registry.configs().find((c) => c.id === entry.providerId),
    );
    if (mismatch) {
      void notify.showErrorMessage(`OAuth Accounts: MCP server "${entry.name}" cannot start: ${mismatch}`);
      return undefined;
    }
    let found = await this.tokens.session(entry, false); // asked below, in a modal
    if ('refused' in found) {
      // A modal: VS Code waits for this answer before it starts the server, and a notification could be left unanswered.
      const detail = `Scopes: ${this.tokens.scopesOf(entry).join(' ') || "(the provider's defaults)"}. Your browser opens ${label}'s sign-in page.`;
      if (!(await confirm(`MCP server "${entry.name}" needs you to sign in to ${label}.`, detail, 'Sign In')))
        return undefined;
      if (!(await this.signIn(entry.providerId, this.tokens.scopesOf(entry)))) return undefined;
      found = await this.tokens.session(entry, false);
      if ('refused' in found) return undefined;
    }
    const bridge = await this.bridge();
    bridge.setRoutes(this.approvedEntries());
    log.info(
      `MCP server "${entry.name}" starts through the bridge (${entry.url}, signed in as ${found.session.account.label})`,
    );
    return { url: bridge.urlFor(entry.name), headers: { ...bridge.clientHeaders }, version: definitionVersion(entry) };
  }

  /** The interactive sign-in for an MCP server; true when it worked (failures are shown to the user). */
  async signIn(providerId: string, scopes: readonly string[]): Promise<boolean> {
    const provider = this.deps.registry.registered(providerId);
    if (!provider) return false;
    try {
      const s = await provider.createSession([...scopes], {});
      void notify.showInformationMessage(
        `Signed in to ${this.deps.registry.labelOf(providerId)} as ${s.account.label}.`,
      );
      return true;
    } catch (e) {
      if (!(e instanceof vscode.CancellationError))
        void notify.showErrorMessage(
          `Sign in to ${this.deps.registry.labelOf(providerId)} failed: ${isAuthError(e) ? e.message : String((e as Error)?.message ?? e)}`,
        );
      return false;
    }
  }

  dispose(): void {
    this.disposed = true;
    void this.bridgePromise?.then(
      (b) => b.close(),
      () => undefined,
    );
  }
}
