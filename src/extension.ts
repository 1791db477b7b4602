/**
 * Wiring only. activate() registers every configured provider synchronously — VS Code gives up on a provider that is
 * not registered 5 s after activation — and touches neither the network nor SecretStorage on the way.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { SETTING } from './config';
import type { Flow, FlowId } from './flows/flow';
import { loopbackFlow } from './flows/loopback';
import { uriHandlerFlow } from './flows/uriHandler';
import { registerCommands } from './commands';
import { createLogger } from './log';
import { platformFetch } from './node/fetch';
import { ProviderRegistry } from './providerRegistry';
import { UriCallbacks } from './uriCallbacks';

export function activate(context: vscode.ExtensionContext) {
  const channel = vscode.window.createOutputChannel('OAuth Accounts', { log: true });
  const log = createLogger(channel);
  const callbacks = new UriCallbacks((l) => log.info(l));
  const media = (name: string) => fs.readFileSync(path.join(context.extensionPath, 'media', name), 'utf8');
  const flows = new Map<FlowId, Flow>([
    ['loopback', loopbackFlow(() => ({ success: media('callback-success.html'), error: media('callback-error.html') }))],
    ['uri-handler', uriHandlerFlow()],
  ]);
  const registry = new ProviderRegistry({ context, log, callbacks, fetch: platformFetch, flows });
  registry.applySettings();

  context.subscriptions.push(
    channel,
    registry,
    vscode.window.registerUriHandler({ handleUri: (uri) => void callbacks.deliver(uri.path, uri.query) }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(SETTING)) registry.applySettings();
    }),
    ...registerCommands(registry, context.secrets, channel),
  );
  // Internals only for the extension's own test run: exported in production they would let any extension read
  // every token and bypass VS Code's per-extension access control.
  return context.extensionMode === vscode.ExtensionMode.Test ? { registry, secrets: context.secrets } : {};
}

export function deactivate() {}
