import * as assert from 'node:assert/strict';
import { parseProvider, type ParsedEntry } from '../../../src/protocol/config';
import { parseManaged, systemManagedFile } from '../../../src/settings/managedProviders';
import { apiEntryRefused, resolveSources } from '../../../src/settings/entrySources';
import { classifyRecommendations } from '../../../src/settings/recommendations';
import { NO_RULES } from '../../../src/settings/orgRules';
import { serverHosts } from '../../../src/sessions/serverBinding';

const corp = { id: 'corp', label: 'Corp SSO', issuer: 'https://sso.corp.example', clientId: 'vscode' };
const file = (doc: unknown, path = '/etc/oauth-accounts/managed.json') => ({ path, text: JSON.stringify(doc) });
const user = (...entries: unknown[]): ParsedEntry[] => entries.map((e, i) => parseProvider(e, i));
const config = (e: unknown) => {
  const p = parseProvider(e);
  assert.ok('config' in p);
  return p.config;
};

suite("settings/managedProviders and providerSources: the organisation's providers", () => {
  test('the system path per platform', () => {
    assert.equal(systemManagedFile('linux', {}), '/etc/oauth-accounts/managed.json');
    assert.equal(systemManagedFile('darwin', {}), '/Library/Application Support/OAuthAccounts/managed.json');
    assert.equal(
      systemManagedFile('win32', { ProgramData: 'C:\\ProgramData' }),
      'C:\\ProgramData\\OAuthAccounts\\managed.json',
    );
  });

  test('files: entries validated like user entries, rules collected, broken files named', () => {
    const m = parseManaged([
      file({
        providers: [corp, { id: 'bad', label: 'Bad', issuer: 'http://evil.example', clientId: 'x' }],
        rules: { allowedAccounts: ['*@corp.example'] },
      }),
      { path: '/missing.json' },
      { path: '/locked.json', error: 'EACCES' },
      { path: '/broken.json', text: '{ not json' },
      file({ providers: {}, extra: 1 }, '/odd.json'),
    ]);
    assert.equal(m.entries.length, 2);
    assert.deepEqual(m.rules.allowedAccounts, [
      { source: 'the managed file /etc/oauth-accounts/managed.json', patterns: ['*@corp.example'] },
    ]);
    assert.equal(m.problems.length, 4, m.problems.join('\n'));
    assert.match(m.problems.join('\n'), /\/locked\.json could not be read \(EACCES\)/);
    assert.match(m.problems.join('\n'), /\/broken\.json is not valid JSON/);
    assert.match(m.problems.join('\n'), /"extra" is not known/);
    assert.match(m.problems.join('\n'), /"providers" must be a list/);
  });

  test('managed entries come first; a user entry cannot take a managed id; the rules apply to every source', () => {
    const managed = parseManaged([
      file({
        providers: [corp, { id: 'bad', label: 'Bad', issuer: 'http://evil.example', clientId: 'x' }],
        rules: { allowedIssuers: ['https://*.corp.example', 'https://sso.corp.example'] },
      }),
    ]);
    const r = resolveSources(
      managed,
      user(
        { ...corp, label: 'Mine', issuer: 'https://sso.corp.example' },
        { id: 'other', label: 'Other', issuer: 'https://evil.example', clientId: 'x' },
        { id: 'dev', label: 'Dev', issuer: 'https://dev.corp.example', clientId: 'x' },
      ),
      new Set(),
    );
    assert.deepEqual(
      r.managed.map((c) => c.id),
      ['corp'],
    );
    assert.deepEqual(
      r.user.map((c) => c.id),
      ['dev'],
    );
    const text = r.problems.join('\n');
    assert.match(text, /the managed file \/etc\/oauth-accounts\/managed\.json: provider "bad"/);
    assert.match(
      text,
      /provider "corp" in oauthAccounts\.providers\[0\]: "id" is the id of a provider your organisation manages/,
    );
    assert.match(
      text,
      /provider "other" in your user settings is not used: "issuer" names a server your organisation does not allow/,
    );
    assert.match(
      apiEntryRefused(config({ id: 'x', label: 'X', issuer: 'https://evil.example', clientId: 'x' }), managed.rules) ??
        '',
      /does not allow/,
    );
  });

  test('manual providers switched off: no user entry is used, the API is refused, managed ones stay', () => {
    const managed = parseManaged([file({ providers: [corp], rules: { disableManualProviders: true } })]);
    const r = resolveSources(
      managed,
      user({ id: 'mine', label: 'Mine', issuer: 'https://sso.corp.example', clientId: 'x' }),
      new Set(),
    );
    assert.deepEqual(
      r.managed.map((c) => c.id),
      ['corp'],
    );
    assert.deepEqual(r.user, []);
    assert.match(r.problems.join('\n'), /switched adding providers by hand off \(the managed file/);
    assert.match(
      apiEntryRefused(
        config({ id: 'x', label: 'X', issuer: 'https://sso.corp.example', clientId: 'x' }),
        managed.rules,
      ) ?? '',
      /switched adding providers off/,
    );
  });

  test("a managed id that is taken elsewhere (another extension's, VS Code's) is reported, not registered", () => {
    const r = resolveSources(parseManaged([file({ providers: [corp, corp] })]), [], new Set(['github']));
    assert.deepEqual(
      r.managed.map((c) => c.id),
      ['corp'],
    );
    assert.match(r.problems.join('\n'), /used by an earlier managed entry/);
    const taken = resolveSources(
      parseManaged([file({ providers: [{ ...corp, id: 'github' }] })]),
      [],
      new Set(['github']),
    );
    assert.deepEqual(taken.managed, []);
  });
});

suite('settings/recommendations: what a workspace recommendation is', () => {
  const ctx = (userEntries: unknown[] = [], taken: Array<[string, string]> = []) => ({
    userEntries: userEntries.map(config),
    takenIds: new Map(taken),
    rules: NO_RULES,
  });

  test('new, already added (same server and client), or unusable with the reason', () => {
    const recs = classifyRecommendations(
      [
        corp,
        { id: 'same', label: 'Same', issuer: 'https://a.example', clientId: 'c' },
        { id: 'moved', label: 'Moved', issuer: 'https://evil.example', clientId: 'c' },
        { id: 'managed', label: 'M', issuer: 'https://a.example', clientId: 'c' },
        { id: 'bad', label: 'Bad', issuer: 'http://evil.example', clientId: 'c' },
        'not an entry',
      ],
      ctx(
        [
          { id: 'same', label: 'Mine', issuer: 'https://a.example', clientId: 'c', scopes: ['openid'] },
          { id: 'moved', label: 'Mine', issuer: 'https://a.example', clientId: 'c' },
        ],
        [['managed', 'a provider your organisation manages']],
      ),
    );
    assert.deepEqual(
      recs.map((r) => r.status.kind),
      ['new', 'added', 'unusable', 'unusable', 'unusable', 'unusable'],
    );
    const why = recs.map((r) => (r.status.kind === 'unusable' ? r.status.why : ''));
    assert.match(why[2], /names another server or client; a recommendation never replaces it/);
    assert.match(why[3], /already used by a provider your organisation manages/);
    assert.match(why[4], /not a valid provider entry: "issuer" must use https/);
    assert.notEqual(
      recs[0].key,
      classifyRecommendations([{ ...corp, issuer: 'https://other.example' }], ctx())[0].key,
      'a changed recommendation is a new question',
    );
    assert.equal(classifyRecommendations(undefined, ctx()).length, 0);
  });

  test("the organisation's rules decide first", () => {
    const rules = parseManaged([file({ rules: { allowedIssuers: ['https://*.corp.example'] } })]).rules;
    const [rec] = classifyRecommendations([{ ...corp, issuer: 'https://evil.example' }], { ...ctx(), rules });
    assert.equal(rec.status.kind, 'unusable');
    const off = parseManaged([file({ rules: { disableManualProviders: true } })]).rules;
    assert.match(
      (classifyRecommendations([corp], { ...ctx(), rules: off })[0].status as { why: string }).why,
      /switched adding providers off/,
    );
  });
});

suite('settings/recommendations: what the question shows', () => {
  test("every host the entry sends to, with its fields, the issuer's first; an entry too long to show whole is not offered", () => {
    assert.deepEqual(
      serverHosts(
        config({
          id: 'x',
          label: 'X',
          issuer: 'https://sso.corp.example',
          clientId: 'c',
          endpoints: { token: 'https://evil.example/t', userinfo: 'https://sso.corp.example/me' },
        }),
      ),
      [
        { host: 'sso.corp.example', fields: ['issuer', 'endpoints.userinfo'] },
        { host: 'evil.example', fields: ['endpoints.token'] },
      ],
    );
    const padded = { ...corp, authorizationParameters: { x: 'p'.repeat(4000) } };
    const [rec] = classifyRecommendations([padded], { userEntries: [], takenIds: new Map(), rules: NO_RULES });
    assert.match(rec.status.kind === 'unusable' ? rec.status.why : '', /too long to show you whole/);
  });
});
