// The second line of defence against a `.only` left in a test (the first is mocha's own --forbid-only, set for every
// suite in scripts/testSuites.mjs): `npm test` refuses to start when any source under test/ uses it, in any spelling
// — `x.only(`, `x.only (`, `x\n  .only(`, `x?.only(`, `x['only'](`, `x["only"]`, x[`only`] — and in every folder,
// fixtures included (test/unit/fixtures/op.test.ts is a real test file). A `.only` narrows a suite to one test and
// reports success while the rest never ran. Mocha catches what text cannot (e.g. a computed property name).
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Member access `.only` (any spacing or line break after the dot, optional chaining) or `['only']` in any quotes. */
const ONLY = /\.\s*only\b|\[\s*(['"`])only\1\s*\]/g;
const SOURCE = /\.(ts|mts|cts|js|mjs|cjs)$/;

function* sources(dir) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== 'node_modules') yield* sources(p);
    } else if (SOURCE.test(e.name) && !e.name.endsWith('.d.ts')) yield p;
  }
}

/** Every use of `.only` under `<root>/test`, as "path:line: text" (path relative to root). */
export function findOnlies(root) {
  const found = [];
  for (const file of sources(join(root, 'test'))) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(ONLY)) {
      const line = text.slice(0, m.index).split('\n').length;
      found.push(`${relative(root, file)}:${line}: ${text.split('\n')[line - 1].trim()}`);
    }
  }
  return found;
}
