/**
 * The engine (engine/engine.ts) on first use, for both entry points; each brings how it loads its bundle
 * (vscode/loadNodeEngine.ts, web/loadEngine.ts).
 */
import type { Engine } from '../engine/engine';
import { AuthError } from '../protocol/errors';
import { plainText } from '../protocol/plainText';

/**
 * The engine, loaded once on first use. A failure (a damaged install) is an AuthError naming the fix, and the
 * next use tries again.
 */
export function lazyEngine(load: () => Promise<Engine>): () => Promise<Engine> {
  return onceUntilFailure(() =>
    load().catch((e: unknown) => {
      throw new AuthError(
        'config',
        `OAuth Accounts could not load its sign-in code (${plainText((e as Error)?.message ?? String(e), 300)}). Reinstall the extension, then reload the window.`,
        { cause: e },
      );
    }),
  );
}

/** `load`'s result, shared by every call; a rejection is not kept, so the next call loads again. */
export function onceUntilFailure<T>(load: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () =>
    (pending ??= load().catch((e: unknown) => {
      pending = undefined;
      throw e;
    }));
}
