/** The pure half of "Add MCP Server...": client paths in the MCP specification's order, provider reuse, entries. */
import * as assert from 'node:assert/strict';
import {
  clientPaths,
  mcpEntry,
  metadataDocumentUrlProblem,
  providerEntry,
  reusableProviders,
  suggestName,
  type ProviderSummary,
} from '../../../src/mcp/mcpSetup';
import { parseProvider } from '../../../src/protocol/config';
import { parseMcpServer } from '../../../src/mcp/serverEntries';

const R = 'https://mcp.example.com/mcp';

suite('mcp/mcpSetup', () => {
  test('client paths: pre-registered, then a client ID metadata document when supported, then dynamic registration', () => {
    assert.deepEqual(clientPaths({}), ['pre-registered']);
    assert.deepEqual(clientPaths({ registration_endpoint: 'https://as/reg' }), ['pre-registered', 'dynamic']);
    assert.deepEqual(
      clientPaths({ registration_endpoint: 'https://as/reg', client_id_metadata_document_supported: true }),
      ['pre-registered', 'metadata-document', 'dynamic'],
    );
    assert.deepEqual(
      clientPaths({ client_id_metadata_document_supported: 'yes' }),
      ['pre-registered'],
      'only a literal true counts',
    );
  });

  test('a client ID metadata document URL: https with a path, nothing else', () => {
    assert.equal(metadataDocumentUrlProblem('https://example.com/oauth/client.json'), undefined);
    for (const bad of [
      'http://127.0.0.1/client.json',
      'https://example.com/',
      'https://example.com',
      'https://example.com/c#x',
      'https://u:p@example.com/c',
      'not a url',
    ]) {
      assert.ok(metadataDocumentUrlProblem(bad), bad);
    }
  });

  test('reuse: a provider of the same issuer that already binds its tokens the same way', () => {
    const providers: ProviderSummary[] = [
      { id: 'a', label: 'A', issuer: 'https://as', resources: [R], authorizationParameters: {} },
      { id: 'b', label: 'B', issuer: 'https://as', authorizationParameters: { audience: 'api' } },
      { id: 'c', label: 'C', issuer: 'https://as', authorizationParameters: {} },
      { id: 'd', label: 'D', issuer: 'https://other', resources: [R], authorizationParameters: {} },
    ];
    assert.deepEqual(
      reusableProviders(providers, 'https://as', { kind: 'resource', resource: R }).map((p) => p.id),
      ['a'],
    );
    assert.deepEqual(
      reusableProviders(providers, 'https://as', { kind: 'audience', audience: 'api' }).map((p) => p.id),
      ['b'],
    );
    assert.deepEqual(
      reusableProviders(providers, 'https://as', { kind: 'scopes' }).map((p) => p.id),
      ['c'],
    );
  });

  test('the entries it writes are valid settings, and agree with each other', () => {
    for (const binding of [
      { kind: 'resource', resource: R },
      { kind: 'audience', audience: 'api' },
      { kind: 'scopes' },
    ] as const) {
      const p = parseProvider(
        providerEntry({ id: 'mcp-example-com', label: 'mcp.example.com', issuer: 'https://as.example.com', binding }),
      );
      assert.ok('config' in p, JSON.stringify(p));
      assert.equal(p.config.clientRegistration, 'dynamic', 'no clientId: registered dynamically');
      const m = parseMcpServer(
        mcpEntry({ name: 'Team', url: R, providerId: 'mcp-example-com', scopes: ['api:read'], binding }),
      );
      assert.ok('entry' in m, JSON.stringify(m));
      assert.equal(m.entry.resource, binding.kind === 'resource' ? R : undefined);
      assert.equal(p.config.authorizationParameters.audience, binding.kind === 'audience' ? 'api' : undefined);
    }
    const withClient = parseProvider(
      providerEntry({
        id: 'x',
        label: 'x',
        issuer: 'https://as.example.com',
        clientId: 'https://example.com/oauth/client.json',
        binding: { kind: 'scopes' },
      }),
    );
    assert.ok('config' in withClient && withClient.config.clientId === 'https://example.com/oauth/client.json');
  });

  test("a suggested name: the resource's name or the host, made valid and unique", () => {
    assert.equal(suggestName('Team MCP', R, []), 'Team MCP');
    assert.equal(suggestName(undefined, R, ['mcp.example.com']), 'mcp.example.com 2');
    assert.equal(suggestName('[x](command:evil) ✓ Tools', R, []), 'x command evil Tools');
  });
});
