#!/usr/bin/env node
// `npm run package`: the production bundles, then oauth-accounts.vsix with vsce, then what is inside (files, size).
// The README's relative links (examples/, api/, docs/api.md, CONTRIBUTING.md, SECURITY.md, screenshots: none of them
// ships) are turned into links to the repository by vsce's --baseContentUrl/--baseImagesUrl, derived from
// package.json "repository": vsce can only guess them for GitHub and GitLab, and refuses to package otherwise
// ("Couldn't detect the repository where this extension is published").
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { vsixFiles } from './vsixFiles.mjs';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const out = process.argv[2] ?? 'oauth-accounts.vsix';
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const repo = String(pkg.repository?.url ?? pkg.repository ?? '')
  .replace(/^git\+/, '')
  .replace(/\.git$/, '');
if (!/^https:\/\//.test(repo)) {
  console.error('package: set package.json "repository.url" (https) so the README\'s relative links can be resolved');
  process.exit(1);
}
const step = (cmd, args) => {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`package: ${[cmd, ...args].join(' ')} failed`);
    process.exit(1);
  }
};
step(process.execPath, ['esbuild.mjs', '--production']);
step(process.execPath, [
  join(root, 'node_modules', '@vscode', 'vsce', 'vsce'),
  'package',
  '--no-dependencies',
  '--no-update-package-json',
  '--baseContentUrl',
  `${repo}/blob/HEAD`,
  '--baseImagesUrl',
  `${repo}/raw/HEAD`,
  '-o',
  out,
]);
const files = vsixFiles(join(root, out));
console.log(`\n${out}: ${(statSync(join(root, out)).size / 1024).toFixed(1)} KB, ${files.length} files`);
for (const f of files) console.log(`  ${f.name.padEnd(48)} ${(f.size / 1024).toFixed(1).padStart(7)} KB`);
