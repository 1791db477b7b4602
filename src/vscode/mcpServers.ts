/**
 * The MCP servers of `oauthAccounts.mcpServers`, offered to VS Code through the stable MCP API
 * (`vscode.lm.registerMcpServerDefinitionProvider`, VS Code 1.101; feature-detected, engines.vscode stays 1.93):
 * each as an HTTP server whose URL is this window's bridge (src/node/mcpBridge.ts), which adds a fresh access token
 * to every request. Node extension hosts only (src/extension.ts registers this; a web worker cannot listen on a
 * port), and the palette shows the MCP commands only where it did (context key `oauthAccounts.mcpAvailable`).
 *
 * Activation stays cheap: this registers a provider and three commands and reads nothing, and it is all of the MCP
 * code in the activation bundle. VS Code asks for the definitions right after activation: with no server configured
 * that is answered here; otherwise by the engine bundle's McpHost (mcpHost.ts: entries, the bridge, sessions, the
 * approval of where tokens go), loaded then. Definitions carry no URL of the bridge, no header and no token (VS Code
 * keeps them in its cache); resolveMcpServerDefinition adds the bridge's URL and secret when VS Code starts one.
 */
import * as vscode from 'vscode';
import * as notify from './notify';
import type { Engine } from '../engine/engine';
import type { Logger } from './log';
import type { ProviderRegistry } from './registry';
import { McpHost } from './mcpHost';
import { addMcpServerCommand } from './wizard/addMcpServer';
import { resetMcpSignIn, showMcpStatus } from './mcpCommands';
import { MCP_SETTING } from '../mcp/setting';

export const MCP_DEFINITION_PROVIDER_ID = 'oauthAccounts.mcpServers';
export const MCP_AVAILABLE_CONTEXT = 'oauthAccounts.mcpAvailable';

/** The part of VS Code's stable MCP API used here (its types are newer than @types/vscode 1.93). */
interface McpHttpDefinition {
  readonly label: string;
  uri: vscode.Uri;
  headers: Record<string, string>;
  version?: string;
}
interface McpApi {
  readonly registerMcpServerDefinitionProvider: (
    id: string,
    provider: {
      onDidChangeMcpServerDefinitions?: vscode.Event<void>;
      provideMcpServerDefinitions(token: vscode.CancellationToken): Promise<McpHttpDefinition[]>;
      resolveMcpServerDefinition(
        server: McpHttpDefinition,
        token: vscode.CancellationToken,
      ): Promise<McpHttpDefinition | undefined>;
    },
  ) => vscode.Disposable;
  readonly Definition: new (
    label: string,
    uri: vscode.Uri,
    headers?: Record<string, string>,
    version?: string,
  ) => McpHttpDefinition;
}

/** The MCP API of this VS Code, or undefined before 1.101. */
export function mcpApi(): McpApi | undefined {
  const lm = (vscode as { lm?: { registerMcpServerDefinitionProvider?: unknown } }).lm;
  const Definition = (vscode as unknown as { McpHttpServerDefinition?: McpApi['Definition'] }).McpHttpServerDefinition;
  if (typeof lm?.registerMcpServerDefinitionProvider !== 'function' || typeof Definition !== 'function')
    return undefined;
  return {
    registerMcpServerDefinitionProvider: lm.registerMcpServerDefinitionProvider.bind(
      lm,
    ) as McpApi['registerMcpServerDefinitionProvider'],
    Definition,
  };
}

/**
 * What a definition points at until VS Code resolves it: an address that serves nothing (port 9, discard) and never
 * gets a header. resolveMcpServerDefinition replaces it with the bridge's URL and secret.
 */
const UNRESOLVED = 'http://127.0.0.1:9/oauth-accounts-mcp-bridge';

export interface McpServersDeps {
  readonly context: vscode.ExtensionContext;
  readonly registry: ProviderRegistry;
  readonly log: Logger;
  readonly engine: () => Promise<Engine>;
}

export class McpServers implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private readonly changed = new vscode.EventEmitter<void>();
  private hostPromise?: Promise<McpHost>;

  constructor(private readonly deps: McpServersDeps) {
    const api = mcpApi();
    const unavailable = () =>
      void notify.showInformationMessage(
        `OAuth Accounts: MCP servers need VS Code 1.101 or later (this is ${vscode.version}).`,
      );
    this.disposables.push(
      this.changed,
      vscode.commands.registerCommand('oauthAccounts.addMcpServer', async (): Promise<void> =>
        api ? addMcpServerCommand(deps.registry, deps.engine, () => this.host()) : unavailable(),
      ),
      vscode.commands.registerCommand('oauthAccounts.mcpServerStatus', async (): Promise<void> =>
        api ? showMcpStatus(await this.host(), deps.registry) : unavailable(),
      ),
      vscode.commands.registerCommand('oauthAccounts.resetMcpSignIn', async (): Promise<void> =>
        api ? resetMcpSignIn(await this.host(), deps.registry) : unavailable(),
      ),
    );
    if (!api) {
      deps.log.info('this VS Code has no MCP server API (VS Code 1.101 or later): MCP servers are not offered');
      return;
    }
    // Only the palette reads it: set after activate() returns, not inside it.
    const showCommands = setTimeout(
      () => void vscode.commands.executeCommand('setContext', MCP_AVAILABLE_CONTEXT, true),
      0,
    );
    this.disposables.push({ dispose: () => clearTimeout(showCommands) });
    const placeholder = vscode.Uri.parse(UNRESOLVED);
    this.disposables.push(
      api.registerMcpServerDefinitionProvider(MCP_DEFINITION_PROVIDER_ID, {
        onDidChangeMcpServerDefinitions: this.changed.event,
        provideMcpServerDefinitions: async () => {
          const raw = vscode.workspace.getConfiguration().get<unknown>(MCP_SETTING);
          if (Array.isArray(raw) && raw.length === 0) return []; // nothing configured: no engine load
          return (await this.host()).definitions().map((d) => new api.Definition(d.name, placeholder, {}, d.version));
        },
        resolveMcpServerDefinition: async (server) => {
          const resolved = await (await this.host()).resolve(server.label);
          return (
            resolved &&
            new api.Definition(server.label, vscode.Uri.parse(resolved.url), resolved.headers, resolved.version)
          );
        },
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!e.affectsConfiguration(MCP_SETTING)) return;
        this.changed.fire();
        void this.hostPromise?.then((h) => h.entriesChanged());
      }),
      deps.registry.onDidChangeProviders(() => void this.hostPromise?.then((h) => h.entriesChanged())),
    );
  }

  /** The MCP host (entries, the bridge, sessions, approvals), made on first use; the bridge comes with the engine. */
  host(): Promise<McpHost> {
    return (this.hostPromise ??= this.deps
      .engine()
      .then(({ startMcpBridge }) => {
        if (!startMcpBridge) throw new Error('this extension host has no MCP bridge');
        return new McpHost({
          registry: this.deps.registry,
          log: this.deps.log,
          state: this.deps.context.globalState,
          startBridge: startMcpBridge,
          setting: () => vscode.workspace.getConfiguration().get<unknown>(MCP_SETTING),
        });
      })
      .catch((e: unknown) => {
        this.hostPromise = undefined;
        throw e;
      }));
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
    void this.hostPromise?.then(
      (h) => h.dispose(),
      () => undefined,
    );
  }
}

export function registerMcpServers(deps: McpServersDeps): McpServers {
  return new McpServers(deps);
}
