/**
 * The Node extension host entry (desktop, and remote hosts: SSH, containers, WSL, code-server). Its engine bundle
 * (dist/engine.js, engine/node.ts, loaded on first use) has node-fetch, so VS Code's proxy and certificate patches
 * apply, and every flow including the loopback listener; only here are MCP servers offered (a loopback bridge, mcpServers.ts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as vscode from 'vscode';
import { activateWith } from './vscode/activate';
import { devSwitches } from './vscode/devSwitches';
import { setCaptureSink } from './vscode/log';
import { loadNodeEngine } from './vscode/loadNodeEngine';
import { systemManagedFile } from './settings/managedProviders';
import { readManagedFile } from './node/managedFile';
import { registerMcpServers } from './vscode/mcpServers';

export function activate(context: vscode.ExtensionContext) {
  // Test runs only (devSwitches.ts): "no secrets in logs" (test/host/leakCheck.ts) appends every log line and
  // notification text to this file; no file is touched until a line is written.
  const dev = devSwitches(context.extensionMode);
  const captureFile = dev.captureFile;
  if (captureFile) setCaptureSink((line) => fs.appendFileSync(captureFile, line.replace(/\r?\n/g, '\n  ') + '\n'));
  const media = (name: string) => fs.readFileSync(path.join(context.extensionPath, 'media', name), 'utf8');
  return activateWith(
    context,
    {
      loadEngine: () => loadNodeEngine(__dirname),
      readManagedFiles: (paths) => paths.map((p) => readManagedFile(p, dev.ownManagedFilesOk)),
      systemManagedFile: dev.systemManagedFile ?? systemManagedFile(process.platform, process.env),
      callbackPages: () => ({
        success: media('callback-success.html'),
        denied: media('callback-denied.html'),
        failed: media('callback-failed.html'),
      }),
      mcpServers: registerMcpServers,
    },
    dev,
  );
}

export function deactivate() {}
