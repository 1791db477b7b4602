/**
 * The Node extension host entry (desktop, and remote hosts: SSH, containers, WSL, code-server): node-fetch, so
 * VS Code's proxy and certificate patches apply, and all three flows including the loopback listener.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as vscode from 'vscode';
import { activateWith } from './activate';
import { deviceCodeFlow } from './flows/deviceCode';
import { loopbackFlow } from './flows/loopback';
import { uriHandlerFlow } from './flows/uriHandler';
import { platformFetch } from './node/fetch';

export function activate(context: vscode.ExtensionContext) {
  const media = (name: string) => fs.readFileSync(path.join(context.extensionPath, 'media', name), 'utf8');
  return activateWith(context, {
    fetch: platformFetch,
    flows: [
      loopbackFlow(() => ({ success: media('callback-success.html'), error: media('callback-error.html') })),
      uriHandlerFlow(),
      deviceCodeFlow(),
    ],
  });
}

export function deactivate() {}
