import * as assert from 'node:assert/strict';
import { describeProblem, parseProviders } from '../../../src/protocol/config';

const base = { id: 'corp', label: 'Corp SSO', issuer: 'https://sso.example.com/realms/main', clientId: 'vscode' };

function problemsOf(entries: unknown, taken?: Set<string>): string[] {
  return parseProviders(entries, taken).problems.map(describeProblem);
}

suite('config: oauthAccounts.providers validation', () => {
  test('a valid entry gets defaults', () => {
    const { providers, problems } = parseProviders([base]);
    assert.deepEqual(problems, []);
    assert.equal(providers[0].clientAuthentication, 'none');
    assert.equal(providers[0].flow, 'auto');
    assert.deepEqual(providers[0].endpoints, {});
    assert.equal(providers[0].scopes, undefined);
  });

  const cases: Array<[string, unknown, RegExp]> = [
    ['not a list', { id: 'x' }, /must be a list of providers/],
    ['not an object', ['corp'], /provider #1 .*must be an object/],
    ['missing id', [{ ...base, id: undefined }], /"id" is required/],
    ['bad id characters', [{ ...base, id: 'my provider' }], /provider "my provider" .*"id" may contain only/],
    ['missing label', [{ ...base, label: ' ' }], /provider "corp" .*"label" is required/],
    ['empty clientId', [{ ...base, clientId: ' ' }], /"clientId" is required/],
    // Left out with an issuer it means dynamic registration (engine/lookUp.test.ts); without one it is required.
    [
      'missing clientId without issuer',
      [{ ...base, issuer: undefined, discoveryUrl: 'https://sso.example.com/meta', clientId: undefined }],
      /"clientId" is required/,
    ],
    ['unknown key', [{ ...base, clientSecret: 'x' }], /"clientSecret" is not a known setting/],
    [
      'http on a remote host',
      [{ ...base, issuer: 'http://sso.example.com' }],
      /"issuer" must use https:\/\/ \(http only for loopback addresses: 127\.0\.0\.0\/8, localhost, \[::1\]\)/,
    ],
    ['not a URL', [{ ...base, issuer: 'sso.example.com' }], /"issuer" is not a valid URL/],
    ['ftp URL', [{ ...base, discoveryUrl: 'ftp://x/y' }], /"discoveryUrl" must be an https:\/\/ URL/],
    [
      'bad endpoint',
      [{ ...base, endpoints: { token: 'http://evil.example/token' } }],
      /"endpoints.token" must use https/,
    ],
    [
      'unknown endpoint',
      [{ ...base, endpoints: { logout: 'https://x/y' } }],
      /"endpoints.logout" is not a known endpoint/,
    ],
    [
      'no issuer or endpoints',
      [{ id: 'a', label: 'A', clientId: 'c', endpoints: { authorization: 'https://x/a' } }],
      /"issuer" is required unless/,
    ],
    [
      'bad client auth',
      [{ ...base, clientAuthentication: 'private_key_jwt' }],
      /"clientAuthentication" must be one of none, client_secret_basic, client_secret_post/,
    ],
    ['bad flow', [{ ...base, flow: 'implicit' }], /"flow" must be one of auto, loopback, uri-handler, device-code/],
    ['scopes with spaces', [{ ...base, scopes: ['openid profile'] }], /"scopes" must be a list of scope names/],
    [
      'reserved authorization parameter',
      [{ ...base, authorizationParameters: { redirect_uri: 'https://evil' } }],
      /"authorizationParameters.redirect_uri" is set by OAuth Accounts itself/,
    ],
    [
      'non-string parameter',
      [{ ...base, authorizationParameters: { max_age: 5 } }],
      /"authorizationParameters.max_age" must be a string/,
    ],
    ['empty label claim', [{ ...base, accountLabelClaim: '' }], /"accountLabelClaim" must be a claim name/],
    [
      'loopback port out of range',
      [{ ...base, loopbackPorts: [80] }],
      /"loopbackPorts" must be a list of 1 to 20 port numbers between 1024 and 65535/,
    ],
    ['loopback ports not numbers', [{ ...base, loopbackPorts: ['8400'] }], /"loopbackPorts" must be a list/],
    ['no loopback ports', [{ ...base, loopbackPorts: [] }], /"loopbackPorts" must be a list/],
    [
      'duplicate id',
      [base, { ...base, label: 'Again' }],
      /oauthAccounts.providers\[1\]: "id" is used by an earlier entry/,
    ],
    ['built-in id', [{ ...base, id: 'github' }], /"id" is already used by another authentication provider/],
  ];
  for (const [name, entries, expected] of cases) {
    test(`rejects: ${name}`, () => {
      const problems = problemsOf(entries);
      assert.equal(problems.length, 1, JSON.stringify(problems));
      assert.match(problems[0], expected);
    });
  }

  test('plain http is fine on loopback hosts', () => {
    for (const issuer of [
      'http://127.0.0.1:8080',
      'http://127.0.0.2:1/realms/x',
      'http://localhost:3000',
      'http://[::1]:9',
    ]) {
      assert.deepEqual(problemsOf([{ ...base, issuer }]), [], issuer);
    }
  });

  test('endpoints alone are enough for plain OAuth 2.0', () => {
    const { providers, problems } = parseProviders([
      {
        id: 'gh',
        label: 'GH',
        clientId: 'c',
        endpoints: { authorization: 'https://x/authorize', token: 'https://x/token' },
      },
    ]);
    assert.deepEqual(problems, []);
    assert.equal(providers[0].issuer, undefined);
  });

  test('a bad entry does not stop the good ones', () => {
    const { providers, problems } = parseProviders([{ ...base, id: 'bad', issuer: 'http://x.example' }, base]);
    assert.deepEqual(
      providers.map((p) => p.id),
      ['corp'],
    );
    assert.equal(problems.length, 1);
  });

  test('ids taken by other extensions are refused', () => {
    assert.match(problemsOf([base], new Set(['corp']))[0], /already used/);
  });
});
