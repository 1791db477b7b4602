/**
 * Loads source modules on plain Node with `fake` as their `vscode` module: each path is loaded afresh (so module
 * state, such as the log's capture sink, is the fake's own), and the stand-in applies only while they load.
 */
import Module from 'node:module';

export function requireWithVscode(fake: object, paths: readonly string[]): unknown[] {
  const loader = Module as unknown as { _load(request: string, ...rest: unknown[]): unknown };
  const original = loader._load;
  for (const p of paths) delete require.cache[p];
  loader._load = function (request: string, ...rest: unknown[]) {
    return request === 'vscode' ? fake : original.call(this, request, ...rest);
  };
  try {
    return paths.map((p) => require(p));
  } finally {
    loader._load = original;
  }
}
