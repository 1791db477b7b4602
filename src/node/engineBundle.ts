/** The Node entry's engine loader: dist/engine.js, beside the activation bundle, compiled with node:vm. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vm from 'node:vm';
import { createRequire } from 'node:module';
import { hostModules } from 'oauth-accounts:host-modules';
import type { Engine } from '../engine/engine';
import { engineRequire, runEngineBundle } from '../vscode/engineLoader';

export async function loadNodeEngine(dir: string): Promise<Engine> {
  const file = path.join(dir, 'engine.js');
  const source = await fs.promises.readFile(file, 'utf8');
  // compileFunction keeps the file name in stack traces and source maps; Node built-ins resolve as from that file.
  const compiled = vm.compileFunction(source, ['module', 'exports', 'require'], { filename: file });
  return runEngineBundle(compiled, engineRequire(hostModules, createRequire(file)));
}
