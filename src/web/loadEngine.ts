/**
 * The web worker entry's engine (engine/web.ts, dist/web/engine.js), loaded on first use: read from where VS Code
 * serves this extension's files (workspace.fs for a remote or local install, fetch for a gallery CDN URL) and run the
 * way the worker host runs extension code itself (new Function, with a sourceURL for debuggers). The bundle is
 * self-contained: it requires nothing, so its `require` refuses everything.
 */
import * as vscode from 'vscode';
import type { Engine } from '../engine/engine';

export async function loadWebEngine(extensionUri: vscode.Uri): Promise<Engine> {
  const uri = vscode.Uri.joinPath(extensionUri, 'dist', 'web', 'engine.js');
  const source = await readText(uri);
  const run = new Function('module', 'exports', 'require', `${source}\n//# sourceURL=${uri.toString(true)}`);
  const module: { exports: { engine?: Engine } } = { exports: {} };
  run.call(module.exports, module, module.exports, (id: string) => {
    throw new Error(`the engine bundle cannot load '${id}' in a web worker`);
  });
  if (!module.exports.engine) throw new Error('dist/web/engine.js exports no engine');
  return module.exports.engine;
}

async function readText(uri: vscode.Uri): Promise<string> {
  if (uri.scheme === 'http' || uri.scheme === 'https') {
    const res = await fetch(uri.toString(true));
    if (!res.ok) throw new Error(`HTTP ${res.status} for ${uri.path}`);
    return await res.text();
  }
  return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
}
