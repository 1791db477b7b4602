#!/usr/bin/env node
// `npm run lint`, also a step of `npm test`: the layers' import direction (ESLint, eslint.config.mjs), no import cycle
// in src/ (madge; type-only imports count), and the format (Prettier, .prettierrc.json). Exit 1 on any finding.
// `npm run format` rewrites the tree in Prettier's format.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const bin = (pkg, file) => join(root, 'node_modules', pkg, file);
const FORMATTED = ['src', 'test', 'bench', 'scripts', 'api', 'demo', 'examples', 'esbuild.mjs', 'eslint.config.mjs'];
const checks = [
  ['imports point down the layers (eslint)', bin('eslint', 'bin/eslint.js'), ['src']],
  [
    'no import cycle in src/ (madge)',
    bin('madge', 'bin/cli.js'),
    ['--circular', '--no-spinner', '--extensions', 'ts', '--ts-config', 'tsconfig.json', 'src'],
  ],
  [
    'formatted (prettier --check)',
    bin('prettier', 'bin/prettier.cjs'),
    ['--check', '--log-level', 'warn', ...FORMATTED],
  ],
];
let failed = 0;
for (const [what, script, args] of checks) {
  const r = spawnSync(process.execPath, [script, ...args], { cwd: root, stdio: 'inherit' });
  const ok = r.status === 0;
  if (!ok) failed++;
  console.log(`lint: ${what}: ${ok ? 'ok' : 'FAILED'}`);
}
if (failed) console.log('lint: `npm run format` fixes the format; the other findings name the file and the rule.');
process.exit(failed ? 1 : 0);
