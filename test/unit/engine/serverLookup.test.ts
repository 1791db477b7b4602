import * as assert from 'node:assert/strict';
import { parseProvider } from '../../../src/protocol/config';
import { lookUpServerUrl } from '../../../src/engine/serverLookup';
import { rejectsWithAuthError } from '../../support/assertions';
import { startOpProcess, type OpProcess } from '../../support/op';
import { startResourceServer, type ResourceServer } from '../../support/resourceServer';

const base = (u: string, i: unknown) => fetch(u, i as RequestInit);

suite('wizard lookup: an issuer or a protected resource URL', function () {
  this.timeout(30_000);
  let op: OpProcess;
  let rs: ResourceServer;
  suiteSetup(async () => {
    [op, rs] = await Promise.all([startOpProcess({ registration: true }), startResourceServer()]);
  });
  suiteTeardown(async () => {
    await Promise.all([op?.stop(), rs?.stop()]);
  });

  test('an issuer is an issuer: no RFC 9728 request', async () => {
    const r = await lookUpServerUrl(op.issuer, base);
    assert.equal(r.kind, 'issuer');
    assert.equal(r.kind === 'issuer' && r.metadata.issuer, op.issuer);
    assert.deepEqual(rs.requests, []);
  });

  test('an MCP endpoint URL → its authorization servers; the entry records the resource and may omit clientId', async () => {
    const resource = `${rs.origin}/mcp`;
    rs.routes.set('/.well-known/oauth-protected-resource/mcp', {
      body: { resource, authorization_servers: [op.issuer, 'https://other.example'] },
    });
    const r = await lookUpServerUrl(resource, base);
    assert.equal(r.kind, 'resource');
    assert.deepEqual(r.kind === 'resource' && r.resource.authorizationServers, [op.issuer, 'https://other.example']);
    const parsed = parseProvider({ id: 'mcp', label: 'MCP', issuer: op.issuer, resources: [resource] });
    assert.ok('config' in parsed && parsed.config.clientRegistration === 'dynamic' && parsed.config.clientId === '');
    assert.ok(
      'problem' in
        parseProvider({ id: 'mcp', label: 'MCP', issuer: op.issuer, clientAuthentication: 'client_secret_basic' }),
      'a registered client is public',
    );
    assert.ok(
      'problem' in
        parseProvider({
          id: 'x',
          label: 'X',
          endpoints: { authorization: 'https://a.example/a', token: 'https://a.example/t' },
        }),
      'no issuer: clientId stays required',
    );
  });

  test('neither: one message naming both lookups', async () => {
    rs.routes.set('/plain', { body: { ok: true } });
    await rejectsWithAuthError(
      lookUpServerUrl(`${rs.origin}/plain`, base),
      'discovery',
      /neither an authorization server .* nor a protected resource/,
    );
  });
});
