// In the real extension host: the setting's validation is kept in the extension's globalState for the next start
// (src/setup/validatedSettings.ts), under the exact value and the build's id, and replaced when the setting changes.
// That the next start reuses it is measured by `npm run bench` (two starts with one browser profile).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { api, setProviders, until } from './support';

interface Kept { build: string; value: string; entries: Array<{ config?: { id: string; label: string }; problem?: { field: string } }> }

suite('Validated settings kept for the next start', () => {
  let before: unknown;
  suiteSetup(() => { before = vscode.workspace.getConfiguration().inspect('oauthAccounts.providers')?.globalValue; });
  suiteTeardown(() => setProviders(before as unknown[] | undefined));

  const keptFor = async (what: string): Promise<Kept> => {
    const { globalState } = await api();
    return until(what, () => {
      const k = globalState.get<Kept>('validatedSettings');
      const current = JSON.stringify(vscode.workspace.getConfiguration().get('oauthAccounts.providers') ?? null);
      return k && k.value === current ? k : undefined;
    });
  };

  test('kept under the exact setting value and this build; replaced, problems included, when the setting changes', async () => {
    const entry = { id: 'kept-a', label: 'Kept A', issuer: 'https://kept.example.com', clientId: 'c' };
    await setProviders([entry]);
    const first = await keptFor('the validated setting to be kept');
    assert.match(first.build, /^[0-9a-f]{16}-node \d+\.\d+\.\d+/, 'the bundle carries its build id, with the host and VS Code version');
    assert.deepEqual(first.entries.map((e) => e.config?.label), ['Kept A']);

    await setProviders([{ ...entry, label: 'Kept B' }, { ...entry, id: 'kept-http', issuer: 'http://kept.example.com' }]);
    const second = await keptFor('the changed setting to be kept');
    assert.equal(second.build, first.build);
    assert.deepEqual(second.entries.map((e) => e.config?.label ?? e.problem?.field), ['Kept B', 'issuer']);
    assert.ok((await api()).registry.get('kept-a'), 'the provider itself is registered');
    assert.equal((await api()).registry.get('kept-http'), undefined, 'the invalid entry is not');
  });

  test('reused, not validated again, while the setting value and build are the same', async () => {
    const { globalState, registry } = await api();
    await setProviders([{ id: 'kept-a', label: 'Kept A', issuer: 'https://kept.example.com', clientId: 'c' }]);
    const kept = await keptFor('the validated setting to be kept');
    // Proof of reuse: a kept verdict that differs from what validating would give is the one applied.
    const marked: Kept = JSON.parse(JSON.stringify(kept));
    marked.entries[0].config!.label = 'From the kept validation';
    await globalState.update('validatedSettings', marked);
    registry.applySettings();
    assert.equal(registry.labelOf('kept-a'), 'From the kept validation');
    // Another value is validated afresh (and replaces the kept one).
    await setProviders([{ id: 'kept-a', label: 'Kept C', issuer: 'https://kept.example.com', clientId: 'c' }]);
    await until('the new label', () => registry.labelOf('kept-a') === 'Kept C');
  });
});
