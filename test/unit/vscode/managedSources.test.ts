/**
 * Where the organisation's providers and rules come from (managedSources.ts), on plain Node: the settings section the
 * registry reads, and the managed files as the platform reads them.
 */
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as vscode from 'vscode';
import { SETTING } from '../../../src/protocol/config';
import {
  inSection,
  loadManaged,
  MANAGED_FILE_SETTING,
  ORGANIZATION_SETTINGS,
  PROVIDER_SETTINGS,
  SETTINGS_SECTION,
  type ReadManagedFiles,
} from '../../../src/vscode/managedSources';
import { NO_RULES } from '../../../src/settings/orgRules';
import type { ManagedFile } from '../../../src/settings/managedProviders';
import { repoRoot } from '../../support/op';

/** The section as VS Code hands it over: keys relative to SETTINGS_SECTION. */
const section = (values: Record<string, unknown>) =>
  ({ get: (key: string) => values[key] }) as unknown as vscode.WorkspaceConfiguration;
const reading = (files: Record<string, Omit<ManagedFile, 'path'>>): { read: ReadManagedFiles; asked: string[][] } => {
  const asked: string[][] = [];
  return { asked, read: (paths) => (asked.push([...paths]), paths.map((path) => ({ path, ...files[path] }))) };
};
const entry = { id: 'corp', label: 'Corp', issuer: 'https://sso.corp.example', clientId: 'c' };

suite('vscode/managedSources: the organisation settings and managed files', () => {
  test('every setting the registry reads lies in the one section it reads', () => {
    const pkg = JSON.parse(readFileSync(join(repoRoot(), 'package.json'), 'utf8'));
    const contributed = Object.keys(pkg.contributes.configuration.properties as object);
    for (const key of [SETTING, ...PROVIDER_SETTINGS]) {
      assert.ok(key.startsWith(`${SETTINGS_SECTION}.`), key);
      assert.equal(`${SETTINGS_SECTION}.${inSection(key)}`, key);
      assert.ok(contributed.includes(key) || key === ORGANIZATION_SETTINGS, key);
    }
    assert.ok(contributed.every((k) => k.startsWith(`${SETTINGS_SECTION}.`)));
  });

  test('nothing set and no file: no rules, no problems, nothing parsed', () => {
    const { read, asked } = reading({});
    const m = loadManaged(
      section({ organization: { allowedIssuers: null, allowedAccounts: null, disableManualProviders: false } }),
      read,
      '/etc/oauth-accounts/managed.json',
      'linux',
    );
    assert.deepEqual(m, { entries: [], rules: NO_RULES, problems: [] });
    assert.deepEqual(asked, [['/etc/oauth-accounts/managed.json']]);
  });

  test('the organisation settings and the named file are read from the section', () => {
    const { read, asked } = reading({
      '/opt/image/managed.json': { text: JSON.stringify({ providers: [entry] }) },
    });
    const m = loadManaged(
      section({
        organization: { allowedAccounts: ['*@corp.example'] },
        managedProvidersFile: ' /opt/image/managed.json ',
      }),
      read,
      '/etc/oauth-accounts/managed.json',
      'linux',
    );
    assert.deepEqual(asked, [['/etc/oauth-accounts/managed.json', '/opt/image/managed.json']]);
    assert.deepEqual(m.problems, []);
    assert.deepEqual(
      m.entries.map((e) => e.source),
      ['the managed file /opt/image/managed.json'],
    );
    assert.deepEqual(m.rules.allowedAccounts, [
      { source: `your settings (${ORGANIZATION_SETTINGS}.*)`, patterns: ['*@corp.example'] },
    ]);
  });

  test('a file that cannot be read, a malformed rule and a named file on Windows are each a problem', () => {
    const { read } = reading({ 'C:\\ProgramData\\OAuthAccounts\\managed.json': { error: 'EACCES' } });
    const m = loadManaged(
      section({ organization: { allowedIssuers: 'https://corp.example' }, managedProvidersFile: 'C:\\mine.json' }),
      read,
      'C:\\ProgramData\\OAuthAccounts\\managed.json',
      'win32',
    );
    assert.equal(m.problems.length, 3, m.problems.join('\n'));
    assert.match(m.problems.join('\n'), /allowedIssuers/);
    assert.match(m.problems.join('\n'), new RegExp(`"${MANAGED_FILE_SETTING}" is not used on Windows`));
    assert.match(m.problems.join('\n'), /could not be read \(EACCES\)/);
  });
});
