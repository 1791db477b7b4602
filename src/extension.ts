/**
 * The Node extension host entry (desktop, and remote hosts: SSH, containers, WSL, code-server). Its engine bundle
 * (dist/engine.js, engine/node.ts, loaded on first use) has node-fetch, so VS Code's proxy and certificate patches
 * apply, and every flow including the loopback listener; only here are MCP servers offered (a loopback bridge, mcpServers.ts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as vscode from 'vscode';
import { activateWith, isTestOrDevelopment } from './vscode/activate';
import { setCaptureSink } from './vscode/log';
import { loadNodeEngine } from './vscode/loadNodeEngine';
import { systemManagedFile } from './settings/managedProviders';
import { readManagedFile } from './node/managedFile';
import { registerMcpServers } from './vscode/mcpServers';

export function activate(context: vscode.ExtensionContext) {
  // Test runs only ("no secrets in logs", test/host/leakCheck.ts): append every log line and notification text to
  // this file. Ignored by an installed (Production) extension, so a variable in a user's environment cannot copy
  // their log and notifications to a file; no file is touched until a line is written.
  const captureFile = isTestOrDevelopment(context) ? process.env.OAUTH_ACCOUNTS_LOG_FILE : undefined;
  if (captureFile) setCaptureSink((line) => fs.appendFileSync(captureFile, line.replace(/\r?\n/g, '\n  ') + '\n'));
  const media = (name: string) => fs.readFileSync(path.join(context.extensionPath, 'media', name), 'utf8');
  return activateWith(context, {
    loadEngine: () => loadNodeEngine(__dirname),
    readManagedFiles: (paths) => paths.map((p) => readManagedFile(p, isTestOrDevelopment(context))),
    // Test and development runs may point the system path elsewhere; an installed extension reads only the real one.
    systemManagedFile:
      (isTestOrDevelopment(context) && process.env.OAUTH_ACCOUNTS_SYSTEM_MANAGED_FILE) ||
      systemManagedFile(process.platform, process.env),
    callbackPages: () => ({
      success: media('callback-success.html'),
      denied: media('callback-denied.html'),
      failed: media('callback-failed.html'),
    }),
    mcpServers: registerMcpServers,
  });
}

export function deactivate() {}
