/**
 * The web worker entry's engine loader: dist/web/engine.js, read from where VS Code serves this extension's files
 * (workspace.fs for a remote or local install, fetch for a gallery CDN URL) and compiled the way the worker host
 * compiles extension code itself (new Function, with a sourceURL for debuggers).
 */
import * as vscode from 'vscode';
import { hostModules } from 'oauth-accounts:host-modules';
import type { Engine } from '../engine/engine';
import { engineRequire, runEngineBundle } from '../vscode/engineLoader';

export async function loadWebEngine(extensionUri: vscode.Uri): Promise<Engine> {
  const uri = vscode.Uri.joinPath(extensionUri, 'dist', 'web', 'engine.js');
  const source = await readText(uri);
  const compiled = new Function('module', 'exports', 'require', `${source}\n//# sourceURL=${uri.toString(true)}`);
  return runEngineBundle(compiled, engineRequire(hostModules));
}

async function readText(uri: vscode.Uri): Promise<string> {
  if (uri.scheme === 'http' || uri.scheme === 'https') {
    const res = await fetch(uri.toString(true));
    if (!res.ok) throw new Error(`HTTP ${res.status} for ${uri.path}`);
    return await res.text();
  }
  return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
}
