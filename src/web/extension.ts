/**
 * The web-worker extension host entry (vscode.dev, github.dev, code-server's web worker host). Its engine bundle
 * (dist/web/engine.js, engine/web.ts, loaded on first use) has the global fetch (the browser's, so the identity
 * provider must allow CORS for this origin), no Node APIs, and no loopback flow — a browser cannot listen on a port.
 * Sign-in uses the URI handler, or the device code flow.
 */
import type * as vscode from 'vscode';
import { activateWith } from '../vscode/activate';
import { devSwitches } from '../vscode/devSwitches';
import { consoleCaptureSink } from '../vscode/captureConsole';
import { setCaptureSink } from '../vscode/log';
import { loadWebEngine } from './loadEngine';

export function activate(context: vscode.ExtensionContext) {
  // Test and development runs only ("no secrets in logs", test/host/leakCheck.ts): no file system here, so every
  // log line and notification text goes to the worker's console behind a fixed prefix, where the UI tests collect
  // it (test/ui/web.ui.test.ts). An installed extension never does this.
  const dev = devSwitches(context.extensionMode);
  if (dev.captureConsole) setCaptureSink(consoleCaptureSink);
  return activateWith(context, { loadEngine: () => loadWebEngine(context.extensionUri) }, dev);
}

export function deactivate() {}
