/**
 * The Node entry's engine (engine/node.ts, dist/engine.js beside the activation bundle), loaded on first use with
 * Node's own `require`: one file of our install folder, self-contained (it imports nothing from the activation bundle),
 * with Node's stack traces and source maps.
 */
import * as path from 'node:path';
import type { Engine } from '../engine/engine';

export async function loadNodeEngine(dir: string): Promise<Engine> {
  const loaded = require(path.join(dir, 'engine.js')) as { engine?: Engine };
  if (!loaded.engine) throw new Error('dist/engine.js exports no engine');
  return loaded.engine;
}
