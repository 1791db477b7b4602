/**
 * Loading the engine bundle (engine/engine.ts) on first use, for both entry points; each brings how it reads the
 * file and compiles it (node/engineBundle.ts, web/engineBundle.ts).
 *
 * The bundle is CommonJS evaluated with our own `require`: `vscode` is this extension's API object (never another
 * extension's), and `oauth-accounts-host:<file>` is the activation bundle's own instance of a module both bundles
 * use (the build writes those ids, scripts/bundles.mjs). Nothing goes through a global, so no other extension in the
 * same host can swap a module in.
 */
import * as vscode from 'vscode';
import type { Engine } from '../engine/engine';
import { AuthError } from '../protocol/errors';
import { plainText } from '../protocol/plainText';

export const HOST_MODULE_PREFIX = 'oauth-accounts-host:';

export type BundleRequire = (id: string) => unknown;

/** The `require` an engine bundle sees; `fallback` resolves anything else (Node built-ins), or nothing in a browser. */
export function engineRequire(hostModules: Readonly<Record<string, unknown>>, fallback?: BundleRequire): BundleRequire {
  return (id) => {
    if (id === 'vscode') return vscode;
    if (id.startsWith(HOST_MODULE_PREFIX)) {
      const key = id.slice(HOST_MODULE_PREFIX.length);
      if (!Object.hasOwn(hostModules, key)) throw new Error(`the activation bundle does not provide ${key} (rebuild both bundles together)`);
      return hostModules[key];
    }
    if (fallback) return fallback(id);
    throw new Error(`cannot load module '${id}' in a web worker`);
  };
}

/** Runs a compiled CommonJS bundle (`function (module, exports, require)`) and returns its engine. */
export function runEngineBundle(compiled: Function, require: BundleRequire): Engine {
  const module: { exports: { engine?: Engine } } = { exports: {} };
  compiled.call(module.exports, module, module.exports, require);
  if (!module.exports.engine) throw new Error('the bundle exports no engine');
  return module.exports.engine;
}

/**
 * The engine, loaded once on first use. A failure (a damaged install) is an AuthError naming the fix, and the
 * next use tries again.
 */
export function lazyEngine(load: () => Promise<Engine>): () => Promise<Engine> {
  return onceUntilFailure(() => load().catch((e: unknown) => {
    throw new AuthError('config', `OAuth Accounts could not load its sign-in code (${plainText((e as Error)?.message ?? String(e), 300)}). Reinstall the extension, then reload the window.`, { cause: e });
  }));
}

/** `load`'s result, shared by every call; a rejection is not kept, so the next call loads again. */
export function onceUntilFailure<T>(load: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => (pending ??= load().catch((e: unknown) => {
    pending = undefined;
    throw e;
  }));
}
