/**
 * Wiring shared by the Node and web-worker entry points. activate() registers every configured provider
 * synchronously — VS Code gives up on a provider that is not registered 5 s after activation — and touches neither
 * the network nor SecretStorage on the way (entries without a clientId too: see applySettings). Each
 * entry point brings only what differs: how it loads its engine bundle (its fetch and flows) on first use.
 */
import * as vscode from 'vscode';
import * as notify from './notify';
import type { FlowUi } from '../flows/flow';
import type { Engine } from '../engine/engine';
import { createApi, registerApiCommands } from './api';
import { registerCommands } from './commands';
import { addProviderCommand } from './wizard/addProvider';
import { copyAccessToken, showTokenDetails } from './tokenCommands';
import { createLogger, DeferredChannel, setConsoleMirror } from './log';
import { lazyEngine } from './engineLoader';
import { ProviderRegistry } from './registry';
import { UriCallbacks } from './uriCallbacks';
import { validateEntries } from '../protocol/config';
import type { DevSwitches } from './devSwitches';
import { loadManaged, PROVIDER_SETTINGS, type ReadManagedFiles } from './managedSources';
import { RecommendationPrompt } from './recommendationPrompt';
import { RECOMMENDED_SETTING } from '../settings/recommendations';
import type { McpServers, McpServersDeps } from './mcpServers';

interface Platform {
  /** Loads this host's engine bundle (engine/engine.ts: fetch, flows, protocol client, wizard); called on first use. */
  readonly loadEngine: () => Promise<Engine>;
  /** The loopback listener's pages, where the build has that flow. */
  readonly callbackPages?: FlowUi['callbackPages'];
  /** Reads managed files (Node only: the web worker host has no file system to read them from). */
  readonly readManagedFiles?: ReadManagedFiles;
  /** The managed file at the platform's fixed path (managedProviders.ts systemManagedFile). */
  readonly systemManagedFile?: string;
  /** MCP servers through the bridge (mcpServers.ts), where the host can listen on a port: the Node entry only. */
  readonly mcpServers?: (deps: McpServersDeps) => McpServers;
}

export function activateWith(context: vscode.ExtensionContext, platform: Platform, dev: DevSwitches) {
  setConsoleMirror(dev.consoleMirror);
  const channel = new DeferredChannel(() => vscode.window.createOutputChannel('OAuth Accounts', { log: true }));
  const log = createLogger(channel);
  // A browser workbench hands over the callback query still form-encoded, a desktop one decoded (see QueryEncoding).
  const callbacks = new UriCallbacks((l) => log.info(l), vscode.env.uiKind === vscode.UIKind.Web ? 'form' : 'decoded');
  callbacks.onLateAnswer = () =>
    void notify.showInformationMessage(
      'OAuth Accounts: that sign-in was already cancelled or had timed out in VS Code, so its answer was not used. Start the sign-in again.',
    );
  const engine = lazyEngine(platform.loadEngine);
  const registry = new ProviderRegistry({
    context,
    log,
    callbacks,
    engine,
    callbackPages: platform.callbackPages,
    validate: validateEntries,
    signInTimeoutMs: dev.signInTimeoutMs,
    managed: (settings) =>
      loadManaged(
        settings,
        platform.readManagedFiles,
        platform.systemManagedFile,
        typeof process === 'undefined' ? undefined : process.platform,
      ),
  });
  registry.applySettings();
  const recommendations = new RecommendationPrompt(registry, context.workspaceState, log);

  context.subscriptions.push(
    channel,
    registry,
    vscode.window.registerUriHandler({ handleUri: (uri) => void callbacks.deliver(uri.path, uri.query) }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (PROVIDER_SETTINGS.some((key) => e.affectsConfiguration(key))) registry.applySettings();
    }),
    ...registerCommands(registry, context.secrets, channel),
    vscode.commands.registerCommand('oauthAccounts.addProvider', async () => addProviderCommand(registry, engine)),
    vscode.commands.registerCommand('oauthAccounts.copyAccessToken', async (): Promise<void> =>
      copyAccessToken(registry),
    ),
    vscode.commands.registerCommand('oauthAccounts.showTokenDetails', async (): Promise<void> =>
      showTokenDetails(registry),
    ),
    ...registerApiCommands(registry),
    vscode.commands.registerCommand('oauthAccounts.reviewRecommendations', async (): Promise<void> =>
      recommendations.review(),
    ),
    vscode.workspace.onDidGrantWorkspaceTrust(() => void recommendations.offer()),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(RECOMMENDED_SETTING)) void recommendations.offer();
    }),
  );
  // Workspace recommendations are offered after activation, never inside it.
  setTimeout(() => void recommendations.offer(), 0);
  const mcp = platform.mcpServers?.({ context, registry, log, engine });
  if (mcp) context.subscriptions.push(mcp);
  // Internals only for the extension's own test run: exported in production they would let any extension read
  // every token and bypass VS Code's per-extension access control.
  const api = createApi(registry);
  const testInternals = {
    registry,
    secrets: context.secrets,
    globalState: context.globalState,
    workspaceState: context.workspaceState,
    recommendations,
    mcp,
  };
  return dev.exportInternals ? { ...api, testInternals } : api;
}
