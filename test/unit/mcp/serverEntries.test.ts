/** oauthAccounts.mcpServers: validation, what an approval covers, the provider check, and its package.json schema. */
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  approvalKey,
  bridgePath,
  definitionVersion,
  describeMcpProblem,
  MCP_SETTING,
  parseMcpServers,
  providerMismatch,
  type McpServerEntry,
} from '../../../src/mcp/serverEntries';

const ROOT = join(__dirname, '..', '..', '..', '..');
const good = {
  name: 'Team MCP',
  url: 'https://mcp.example.com/mcp',
  providerId: 'corp',
  scopes: ['b', 'a', 'a'],
  resource: 'https://mcp.example.com/mcp',
};
const first = (raw: unknown) => parseMcpServers([raw]);

suite('mcp/serverEntries', () => {
  test('a valid entry: scopes sorted and unique, optional fields only when given', () => {
    assert.deepEqual(first(good).servers, [
      { name: 'Team MCP', url: good.url, providerId: 'corp', scopes: ['a', 'b'], resource: good.url },
    ]);
    assert.deepEqual(first({ name: 'x', url: 'http://127.0.0.1:8080/mcp', providerId: 'p' }).servers, [
      { name: 'x', url: 'http://127.0.0.1:8080/mcp', providerId: 'p', scopes: [] },
    ]);
  });

  test('each bad field gets one message naming the server and the field; the good entries still count', () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ ...good, url: 'http://mcp.example.com/mcp' }, /"url" must use https:\/\//],
      [
        { ...good, url: 'https://user:pw@mcp.example.com/mcp' },
        /"url" (must not contain|contains) a user name or password/,
      ],
      [{ ...good, url: 'https://mcp.example.com/mcp#x' }, /"url" must not contain a fragment/],
      [{ ...good, url: 'https://mcp.example.com/[x](command:evil)' }, /"url" contains "\["/],
      [{ ...good, name: '../evil' }, /"name" is required/],
      [{ ...good, name: 'a'.repeat(65) }, /"name" is required/],
      [{ ...good, providerId: 'not valid!' }, /"providerId" is required/],
      [{ ...good, scopes: ['has space'] }, /"scopes" must be a list/],
      [{ ...good, resource: 'ftp://x' }, /"resource" must be an https:\/\/ URL/],
      [{ ...good, audience: '' }, /"audience" must be a non-empty string/],
      [{ ...good, headers: { x: 'y' } }, /"headers" is not a known setting/],
      ['a string', /must be an object/],
    ];
    for (const [raw, message] of cases) {
      const { servers, problems } = parseMcpServers([raw, { ...good, name: 'Other' }]);
      assert.equal(problems.length, 1, JSON.stringify(raw));
      assert.match(describeMcpProblem(problems[0]), message);
      assert.match(
        describeMcpProblem(problems[0]),
        new RegExp(`^MCP server (".*"|#1) in ${MCP_SETTING.replace('.', '\\.')}\\[0\\]`),
      );
      assert.deepEqual(
        servers.map((s) => s.name),
        ['Other'],
      );
    }
    assert.match(
      describeMcpProblem(parseMcpServers([good, { ...good, name: 'team mcp' }]).problems[0]),
      /"name" is used by an earlier entry/,
    );
    assert.deepEqual(
      parseMcpServers({}).problems.map((p) => p.message),
      ['must be a list of MCP servers.'],
    );
  });

  test('an approval covers where tokens go and whose they are: URL, provider, resource, audience — not name or scopes', () => {
    const base = first(good).servers[0];
    const key = approvalKey(base);
    assert.equal(approvalKey({ ...base, name: 'Renamed', scopes: ['c'] }), key);
    for (const changed of [
      { url: 'https://evil.example/mcp' },
      { providerId: 'other' },
      { resource: 'https://evil.example/' },
      { audience: 'x' },
    ]) {
      assert.notEqual(approvalKey({ ...base, ...changed } as McpServerEntry), key, JSON.stringify(changed));
    }
    assert.notEqual(
      definitionVersion({ ...base, scopes: ['c'] }),
      definitionVersion(base),
      'VS Code sees an edited entry as changed',
    );
    assert.equal(bridgePath('Team MCP'), '/mcp/team%20mcp');
  });

  test("the provider must issue the tokens the entry needs: its resource in the provider's resources, its audience sent", () => {
    const e = first(good).servers[0];
    const provider = { label: 'Corp', resources: [good.url], authorizationParameters: {} };
    assert.equal(providerMismatch(e, provider), undefined);
    assert.match(providerMismatch(e, undefined)!, /no OAuth Accounts provider "corp" is configured/);
    assert.match(
      providerMismatch(e, { ...provider, resources: ['https://other.example/'] })!,
      /must be for the resource https:\/\/mcp\.example\.com\/mcp, but the provider "corp" asks for https:\/\/other\.example\//,
    );
    const withAudience = { ...e, audience: 'https://api.example.com' };
    assert.match(
      providerMismatch(withAudience, provider)!,
      /audience "https:\/\/api\.example\.com", but the provider "corp" sends no audience/,
    );
    assert.equal(
      providerMismatch(withAudience, { ...provider, authorizationParameters: { audience: 'https://api.example.com' } }),
      undefined,
    );
  });

  test('package.json: user settings only, no configurationDefaults, the commands only where the bridge runs', () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    const setting = manifest.contributes.configuration.properties[MCP_SETTING];
    assert.equal(setting.scope, 'application');
    assert.equal(setting.disallowConfigurationDefault, true);
    assert.deepEqual(setting.items.required, ['name', 'url', 'providerId']);
    assert.deepEqual(Object.keys(setting.items.properties).sort(), [
      'audience',
      'name',
      'providerId',
      'resource',
      'scopes',
      'url',
    ]);
    assert.deepEqual(manifest.contributes.mcpServerDefinitionProviders, [
      { id: 'oauthAccounts.mcpServers', label: 'OAuth Accounts' },
    ]);
    const when = new Map(
      manifest.contributes.menus.commandPalette.map((m: { command: string; when: string }) => [m.command, m.when]),
    );
    for (const id of ['oauthAccounts.addMcpServer', 'oauthAccounts.mcpServerStatus', 'oauthAccounts.resetMcpSignIn'])
      assert.equal(when.get(id), 'oauthAccounts.mcpAvailable', id);
  });
});
