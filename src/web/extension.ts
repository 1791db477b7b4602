/**
 * The web-worker extension host entry (vscode.dev, github.dev, code-server's web worker host): the global fetch
 * (the browser's, so the identity provider must allow CORS for this origin), no Node APIs, and no loopback flow —
 * a browser cannot listen on a port. Sign-in uses the URI handler, or the device code flow.
 */
import type * as vscode from 'vscode';
import { activateWith, isTestOrDevelopment } from '../vscode/activate';
import { consoleCaptureSink } from '../vscode/captureConsole';
import { WEB_FLOWS } from '../flows/web';
import { setCaptureSink } from '../vscode/log';
import type { BaseFetch } from '../protocol/http';

/** The browser's fetch; a request the browser blocks (no CORS headers) fails with a bare TypeError: say why. */
const browserFetch: BaseFetch = async (url, init) => {
  try {
    return await fetch(url, init as RequestInit);
  } catch (e) {
    if ((e as Error)?.name !== 'TypeError') throw e;
    const origin = (globalThis as { location?: { origin?: string } }).location?.origin ?? 'this web window';
    throw new TypeError(`no response; in a web window this usually means the identity provider does not allow cross-origin (CORS) requests from ${origin}`, { cause: e });
  }
};

export function activate(context: vscode.ExtensionContext) {
  // Test and development runs only ("no secrets in logs", test/host/leakCheck.ts): no file system here, so every
  // log line and notification text goes to the worker's console behind a fixed prefix, where the UI tests collect
  // it (test/ui/web.ui.test.ts). An installed extension never does this.
  if (isTestOrDevelopment(context)) setCaptureSink(consoleCaptureSink);
  return activateWith(context, { fetch: browserFetch, flows: WEB_FLOWS });
}

export function deactivate() {}
