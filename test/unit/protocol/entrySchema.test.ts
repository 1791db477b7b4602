/**
 * One provider entry, three descriptions: package.json's contributed schema (what the settings editor offers), the
 * published api/oauth-accounts.d.ts (what other extensions compile against) and the validator (src/protocol/config.ts). They
 * must agree: same fields, same enums, same id rule, same endpoint keys. The .d.ts is read with the TypeScript
 * compiler API, as a consumer's compiler would read it.
 */
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ts from 'typescript';
import { CLIENT_AUTHENTICATIONS, ENDPOINT_KEYS, ENTRY_KEYS, parseProvider } from '../../../src/protocol/config';
import {
  EXTENSION_ID,
  isValidProviderId,
  PROVIDER_ID_MAX_LENGTH,
  PROVIDER_ID_PATTERN,
} from '../../../src/protocol/constants';
import { FLOW_SETTINGS } from '../../../src/protocol/config';
import { PRESETS } from '../../../src/vscode/wizard/presetGuide';

// out/test/unit/ → the repository root.
const ROOT = join(__dirname, '..', '..', '..', '..');
const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const schema = manifest.contributes.configuration.properties['oauthAccounts.providers'].items;

interface Member {
  readonly optional: boolean;
  readonly type: ts.TypeNode | undefined;
}
/** The members of `interface ProviderEntry` in the published typings. */
function publishedEntry(): { members: Map<string, Member>; text: string } {
  const file = join(ROOT, 'api', 'oauth-accounts.d.ts');
  const text = readFileSync(file, 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  const entry = source.statements.find(
    (s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === 'ProviderEntry',
  );
  assert.ok(entry, 'api/oauth-accounts.d.ts declares ProviderEntry');
  const members = new Map<string, Member>();
  for (const m of entry.members) {
    if (ts.isPropertySignature(m) && ts.isIdentifier(m.name))
      members.set(m.name.text, { optional: !!m.questionToken, type: m.type });
  }
  return { members, text };
}
const { members: dts } = publishedEntry();

/** The string literals of a union type (`'a' | 'b'`). */
function literals(type: ts.TypeNode | undefined): string[] {
  assert.ok(type && ts.isUnionTypeNode(type), 'a union of string literals');
  return type.types.map((t) => {
    assert.ok(ts.isLiteralTypeNode(t) && ts.isStringLiteral(t.literal));
    return t.literal.text;
  });
}
const sorted = (xs: Iterable<string>) => [...xs].sort();

suite('entry schema: package.json, api/oauth-accounts.d.ts and the validator agree', () => {
  test('the same field names', () => {
    assert.deepEqual(sorted(Object.keys(schema.properties)), sorted(ENTRY_KEYS));
    assert.deepEqual(sorted(dts.keys()), sorted(ENTRY_KEYS));
    assert.equal(schema.additionalProperties, false, 'unknown keys are refused by both');
  });

  test('the same required fields', () => {
    const required = [...dts].filter(([, m]) => !m.optional).map(([k]) => k);
    assert.deepEqual(sorted(schema.required), sorted(required));
    for (const field of schema.required as string[]) {
      const entry: Record<string, unknown> = { id: 'x', label: 'X', clientId: 'c', issuer: 'https://sso.example.com' };
      delete entry[field];
      const r = parseProvider(entry);
      assert.ok('problem' in r && r.problem.field === field, `the validator requires ${field}`);
    }
  });

  test('the same enums: preset, flow, clientAuthentication', () => {
    const enums: Array<[string, readonly string[]]> = [
      ['preset', PRESETS.map((p) => p.id)],
      ['flow', FLOW_SETTINGS],
      ['clientAuthentication', CLIENT_AUTHENTICATIONS],
    ];
    for (const [field, values] of enums) {
      assert.deepEqual(sorted(schema.properties[field].enum), sorted(values), `package.json ${field}`);
      assert.deepEqual(sorted(literals(dts.get(field)?.type)), sorted(values), `api typings ${field}`);
    }
  });

  test('the same endpoint keys', () => {
    assert.deepEqual(sorted(Object.keys(schema.properties.endpoints.properties)), sorted(ENDPOINT_KEYS));
    const endpoints = dts.get('endpoints')?.type;
    assert.ok(endpoints && ts.isTypeLiteralNode(endpoints));
    assert.deepEqual(sorted(endpoints.members.map((m) => (m.name as ts.Identifier).text)), sorted(ENDPOINT_KEYS));
  });

  test('the same id rule: pattern and length, and the validator decides like the settings editor', () => {
    assert.equal(schema.properties.id.pattern, PROVIDER_ID_PATTERN);
    assert.equal(schema.properties.id.maxLength, PROVIDER_ID_MAX_LENGTH);
    const editorAccepts = (id: string) =>
      new RegExp(schema.properties.id.pattern).test(id) && id.length <= schema.properties.id.maxLength;
    const samples = [
      'acme',
      'a',
      'A.b_c-9',
      '9x',
      '-x',
      '.x',
      '_x',
      'a b',
      'a/b',
      'ä',
      '',
      'x'.repeat(100),
      'x'.repeat(101),
    ];
    for (const id of samples) {
      const validatorAccepts = !(
        'problem' in parseProvider({ id, label: 'X', clientId: 'c', issuer: 'https://sso.example.com' })
      );
      assert.equal(validatorAccepts, editorAccepts(id), JSON.stringify(id));
    }
    assert.ok(
      editorAccepts('x'.repeat(100)) && !editorAccepts('x'.repeat(101)),
      'the samples reach both sides of the limit',
    );
    // isValidProviderId is the pattern written out: any string, and long ones around the limit.
    const char = fc.constantFrom('a', 'Z', '0', '9', '.', '_', '-', ' ', '/', 'ä', '\n', '@', '[', '`', ':');
    const id = fc.oneof(
      fc.array(char, { maxLength: 8 }).map((c) => c.join('')),
      fc.tuple(fc.integer({ min: 98, max: 102 }), char).map(([n, c]) => 'x'.repeat(n - 1) + c),
      fc.string({ maxLength: 12 }),
    );
    fc.assert(
      fc.property(id, (s) => isValidProviderId(s) === editorAccepts(s)),
      { numRuns: 3000 },
    );
    for (const notText of [5, undefined, null, ['a'], { length: 1 }])
      assert.equal(isValidProviderId(notText as unknown as string), false, JSON.stringify(notText));
  });

  test('the same loopbackPorts bounds', () => {
    const p = schema.properties.loopbackPorts;
    const accepts = (ports: unknown) =>
      !(
        'problem' in
        parseProvider({ id: 'x', label: 'X', clientId: 'c', issuer: 'https://sso.example.com', loopbackPorts: ports })
      );
    assert.ok(accepts([p.items.minimum]) && accepts([p.items.maximum]));
    assert.ok(!accepts([p.items.minimum - 1]) && !accepts([p.items.maximum + 1]));
    assert.ok(
      accepts(Array.from({ length: p.maxItems }, (_, i) => 8000 + i)) &&
        !accepts(Array.from({ length: p.maxItems + 1 }, (_, i) => 8000 + i)),
    );
    assert.ok(!accepts([]) && p.minItems === 1);
  });

  test("the extension id is package.json's publisher.name", () => {
    assert.equal(EXTENSION_ID, `${manifest.publisher}.${manifest.name}`);
    assert.match(
      publishedEntry().text,
      new RegExp(`getExtension<OAuthAccountsApi>\\('${EXTENSION_ID.replace('.', '\\.')}'\\)`),
    );
  });
});
