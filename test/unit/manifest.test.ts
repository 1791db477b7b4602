import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

// out/test/unit/ → the repository root.
const ROOT = join(__dirname, '..', '..', '..');
const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
/** The ids in src/vscode/api.ts's API_COMMANDS (read as text: src/vscode/api.ts imports vscode, which unit tests cannot load). */
const API_COMMAND_IDS = [
  ...readFileSync(join(ROOT, 'src', 'vscode', 'api.ts'), 'utf8').matchAll(/^\s+\w+: '(oauthAccounts\.api\.\w+)',$/gm),
].map((m) => m[1]);

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

suite('package.json', () => {
  test("extensionKind: the UI side first (loopback on the user's machine in remote windows), the workspace where there is no UI side", () => {
    // ui first: in a desktop Remote-SSH/WSL/container window VS Code runs us in the local extension host, so the
    // loopback listener and the browser are on the same machine. workspace: code-server has no local Node host and
    // picks the server (VS Code's web picker takes `workspace` before the `web` it adds for the browser entry);
    // vscode.dev has neither and runs the browser entry in the web worker.
    assert.deepEqual(manifest.extensionKind, ['ui', 'workspace']);
    assert.equal(manifest.browser, './dist/web/extension.js');
    assert.equal(manifest.main, './dist/extension.js');
  });

  test('every command the code registers is contributed (implicit activation, also from another extension host)', () => {
    const registered = new Set<string>();
    for (const file of sources(join(ROOT, 'src'))) {
      for (const m of readFileSync(file, 'utf8').matchAll(/registerCommand\(\s*'([^']+)'/g)) registered.add(m[1]);
    }
    assert.equal(API_COMMAND_IDS.length, 3, `API_COMMANDS in src/vscode/api.ts: ${API_COMMAND_IDS}`);
    for (const id of API_COMMAND_IDS) registered.add(id);
    const contributed = new Set<string>(manifest.contributes.commands.map((c: { command: string }) => c.command));
    assert.ok(registered.size >= 10, `found only ${[...registered]}`);
    assert.deepEqual(
      [...registered].filter((id) => !contributed.has(id)),
      [],
    );
  });

  test('src/ uses no private (underscore) exports of oauth4webapi or openid-client: only their public API', () => {
    // Such symbols (e.g. oauth4webapi's _nodiscoverycheck, _expectedIssuer) can vanish or change meaning in any
    // patch release; discovery.ts and tenantIssuer.ts do without them.
    const offenders = sources(join(ROOT, 'src')).filter((f) =>
      /\b(?:oauth|client)\._\w|\{\s*_\w+:\s*symbol\s*\}/.test(readFileSync(f, 'utf8')),
    );
    assert.deepEqual(offenders, []);
  });

  test('the API commands are hidden from the command palette', () => {
    const hidden = new Map<string, string>(
      manifest.contributes.menus.commandPalette.map((m: { command: string; when: string }) => [m.command, m.when]),
    );
    for (const id of API_COMMAND_IDS) assert.equal(hidden.get(id), 'false', id);
  });
});
