/**
 * validatedSettings.ts: the setting's validation is reused across starts only for the exact value and build that
 * produced it, and a reused result behaves exactly like a fresh one (it has been through JSON in globalState).
 */
import * as assert from 'node:assert/strict';
import { configKey, describeProblem, parseProviders, resolveIds, validateEntries, BUILT_IN_PROVIDER_IDS, type Parsed } from '../../../src/setup/config';
import { PRESET_IDS } from '../../../src/setup/presets';
import { ValidatedSettings, VALIDATED_SETTINGS_KEY, type StateStore } from '../../../src/setup/validatedSettings';

/** A Memento as the extension host keeps it: values stored as JSON. */
class FakeState implements StateStore {
  readonly values = new Map<string, string>();
  gets = 0;
  updates = 0;
  failWith?: Error;
  get(key: string): unknown {
    this.gets++;
    const v = this.values.get(key);
    return v === undefined ? undefined : JSON.parse(v);
  }
  async update(key: string, value: unknown): Promise<void> {
    this.updates++;
    if (this.failWith) throw this.failWith;
    this.values.set(key, JSON.stringify(value));
  }
}

const nextTurn = () => new Promise((r) => setTimeout(r, 5));
const entry = (id: string, over: Record<string, unknown> = {}) => ({ id, label: `IdP ${id}`, issuer: 'https://sso.example.com', clientId: 'vscode', ...over });
const noSaveFailure = (m: string) => assert.fail(`unexpected save failure: ${m}`);

suite('ValidatedSettings: validation reused across starts', () => {
  test('a start validates and keeps the result; the next start with the same value and build reuses it', async () => {
    const state = new FakeState();
    const raw = [entry('a'), entry('b', { scopes: ['openid'] })];
    const first = new ValidatedSettings(state, 'build-1', noSaveFailure).entries(raw);
    assert.deepEqual(first, validateEntries(raw));
    assert.equal(state.updates, 0, 'kept on the next turn, not during activation');
    await nextTurn();
    assert.equal(state.updates, 1);
    // Proof of reuse: the next start returns what was kept, even where a fresh validation would say otherwise.
    const kept = JSON.parse(state.values.get(VALIDATED_SETTINGS_KEY)!);
    kept.entries[0].config.label = 'from the kept result';
    state.values.set(VALIDATED_SETTINGS_KEY, JSON.stringify(kept));
    const second = new ValidatedSettings(state, 'build-1', noSaveFailure).entries(JSON.parse(JSON.stringify(raw)));
    assert.equal(('config' in second[0]) && second[0].config.label, 'from the kept result');
    await nextTurn();
    assert.equal(state.updates, 1, 'a reused result is not written again');
  });

  test('a changed value or another build validates afresh and replaces the kept result', async () => {
    const state = new FakeState();
    await keep(state, 'build-1', [entry('a')]);
    const poisoned = JSON.parse(state.values.get(VALIDATED_SETTINGS_KEY)!);
    poisoned.entries[0].config.label = 'stale';
    state.values.set(VALIDATED_SETTINGS_KEY, JSON.stringify(poisoned));

    const changed = [entry('a', { label: 'Renamed' })];
    assert.deepEqual(new ValidatedSettings(state, 'build-1', noSaveFailure).entries(changed), validateEntries(changed));
    await nextTurn();
    assert.equal(JSON.parse(state.values.get(VALIDATED_SETTINGS_KEY)!).value, JSON.stringify(changed));

    const poisoned2 = JSON.parse(state.values.get(VALIDATED_SETTINGS_KEY)!);
    poisoned2.entries[0].config.label = 'stale';
    state.values.set(VALIDATED_SETTINGS_KEY, JSON.stringify(poisoned2));
    assert.deepEqual(new ValidatedSettings(state, 'build-2', noSaveFailure).entries(changed), validateEntries(changed), 'a new build never reuses an older verdict');
  });

  test('a kept result for a valid value is not reused for an invalid one (the https rule still applies)', async () => {
    const state = new FakeState();
    await keep(state, 'b', [entry('a')]);
    const r = new ValidatedSettings(state, 'b', noSaveFailure).entries([entry('a', { issuer: 'http://sso.example.com' })]);
    assert.ok('problem' in r[0] && /https/.test(r[0].problem.message));
  });

  test('a damaged or foreign record is ignored, never thrown', () => {
    const raw = [entry('a')];
    for (const bad of [null, 'text', 42, [], { build: 'b', value: JSON.stringify(raw) }, { build: 'b', value: JSON.stringify(raw), entries: 'x' },
      { build: 'b', value: JSON.stringify(raw), entries: [null] }, { build: 'b', value: JSON.stringify(raw), entries: [{ config: [] }] }, { build: 1, value: JSON.stringify(raw), entries: [] },
      // Right build and value, but not what this build writes: must not reach the registry (it would throw there).
      { build: 'b', value: JSON.stringify(raw), entries: [{ config: {} }] },
      { build: 'b', value: JSON.stringify(raw), entries: [{ config: { ...entry('a'), clientAuthentication: 'none', flow: 'auto', authorizationParameters: {} } }] },
      { build: 'b', value: JSON.stringify(raw), entries: [{ problem: { field: 'id' } }] }]) {
      const state = new FakeState();
      state.values.set(VALIDATED_SETTINGS_KEY, JSON.stringify(bad));
      assert.deepEqual(new ValidatedSettings(state, 'b', noSaveFailure).entries(raw), validateEntries(raw), JSON.stringify(bad));
    }
  });

  test('unbundled code (no build id) neither reads nor writes the state', async () => {
    const state = new FakeState();
    const raw = [entry('a')];
    assert.deepEqual(new ValidatedSettings(state, undefined, noSaveFailure).entries(raw), validateEntries(raw));
    await nextTurn();
    assert.deepEqual([state.gets, state.updates], [0, 0]);
  });

  test('a failed save is reported and changes nothing else', async () => {
    const state = new FakeState();
    state.failWith = new Error('storage is read-only');
    const heard: string[] = [];
    const raw = [entry('a')];
    assert.deepEqual(new ValidatedSettings(state, 'b', (m) => heard.push(m)).entries(raw), validateEntries(raw));
    await nextTurn();
    assert.deepEqual(heard, ['storage is read-only']);
  });

  test('an empty or missing setting is kept and reused like any other value', async () => {
    const state = new FakeState();
    assert.deepEqual(new ValidatedSettings(state, 'b', noSaveFailure).entries(undefined), []);
    await nextTurn();
    assert.equal(JSON.parse(state.values.get(VALIDATED_SETTINGS_KEY)!).value, 'null');
    assert.deepEqual(new ValidatedSettings(state, 'b', noSaveFailure).entries(undefined), []);
  });

  test('a result that went through JSON gives the same providers and problems as a fresh one', () => {
    // Every kind of entry: presets, dynamic registration, endpoints only, every optional field, and problems.
    const raw: unknown[] = [
      ...PRESET_IDS.map((preset) => ({ id: `p-${preset}`, label: preset, clientId: 'c', preset, issuer: 'https://idp.example.com/' })),
      { id: 'dyn', label: 'Dyn', issuer: 'https://mcp.example.com' },
      { id: 'ep', label: 'Ep', clientId: 'c', endpoints: { authorization: 'https://a.example/auth', token: 'https://a.example/token' }, clientAuthentication: 'client_secret_basic' },
      entry('full', { scopes: ['openid', 'openid', 'email'], authorizationParameters: { prompt: 'login' }, accountLabelClaim: 'email', loopbackPorts: [8400, 8401], flow: 'device', resources: ['https://api.example.com/'], pushedAuthorizationRequests: true }),
      entry('full'), entry('github'), entry('bad id!'), entry('x', { issuer: 'ftp://x' }), 7, { id: 'y' },
    ];
    // The same objects, not only the same JSON: a check such as `'issuer' in config` must not tell them apart.
    assert.deepEqual(JSON.parse(JSON.stringify(validateEntries(raw))), validateEntries(raw));
    const taken = new Set(BUILT_IN_PROVIDER_IDS);
    const fresh = parseProviders(raw, taken);
    const reused = resolveIds(JSON.parse(JSON.stringify(validateEntries(raw))) as Parsed[], taken);
    assert.deepEqual(reused.providers.map(configKey), fresh.providers.map(configKey));
    assert.deepEqual(reused.problems.map(describeProblem), fresh.problems.map(describeProblem));
    assert.ok(fresh.providers.length > PRESET_IDS.length / 2 && fresh.problems.length >= 5, 'the fixture covers both kinds');
  });

  test('the id checks are not kept: an id another extension takes since the last start is refused', async () => {
    const state = new FakeState();
    await keep(state, 'b', [entry('corp')]);
    const reused = new ValidatedSettings(state, 'b', noSaveFailure).entries([entry('corp')]);
    const { providers, problems } = resolveIds(reused, new Set(['corp']));
    assert.deepEqual([providers.length, problems.map((p) => p.field)], [0, ['id']]);
  });
});

async function keep(state: FakeState, build: string, raw: unknown): Promise<void> {
  new ValidatedSettings(state, build, noSaveFailure).entries(raw);
  await nextTurn();
  assert.ok(state.values.has(VALIDATED_SETTINGS_KEY));
}
