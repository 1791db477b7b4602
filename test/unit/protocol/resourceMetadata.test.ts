import * as assert from 'node:assert/strict';
import { createFetch } from '../../../src/protocol/http';
import {
  bearerChallengeParams,
  discoverProtectedResource,
  sameResource,
  wellKnownUrls,
} from '../../../src/protocol/resourceMetadata';
import { rejectsWithAuthError } from '../../support/assertions';
import { startOpProcess, type OpProcess } from '../../support/op';
import { testClient, testConfig } from '../../support/protocolHarness';
import { startResourceServer, type ResourceServer } from '../../support/resourceServer';

const seam = createFetch((u, i) => fetch(u, i as RequestInit), { timeoutMs: 5_000 });

suite('protocol/resourceMetadata (RFC 9728)', () => {
  let op: OpProcess;
  let rs: ResourceServer;
  suiteSetup(async () => {
    [op, rs] = await Promise.all([startOpProcess(), startResourceServer()]);
  });
  suiteTeardown(async () => {
    await Promise.all([op?.stop(), rs?.stop()]);
  });
  setup(() => {
    rs.routes.clear();
    rs.requests.length = 0;
  });

  test('well-known URLs: path inserted (query kept, terminating slash dropped), then the root', () => {
    assert.deepEqual(wellKnownUrls('https://r.example/mcp'), [
      'https://r.example/.well-known/oauth-protected-resource/mcp',
      'https://r.example/.well-known/oauth-protected-resource',
    ]);
    assert.deepEqual(wellKnownUrls('https://r.example/a/b/?x=1'), [
      'https://r.example/.well-known/oauth-protected-resource/a/b?x=1',
      'https://r.example/.well-known/oauth-protected-resource',
    ]);
    assert.deepEqual(wellKnownUrls('https://r.example/'), ['https://r.example/.well-known/oauth-protected-resource']);
  });

  test('§3.3 identity: only origin with/without "/" is the same; path slashes and case differ', () => {
    assert.ok(sameResource('https://r.example', 'https://r.example/'));
    assert.ok(!sameResource('https://r.example/mcp/', 'https://r.example/mcp'));
    assert.ok(!sameResource('https://R.example/mcp', 'https://r.example/mcp'));
    assert.ok(!sameResource('https://r.example/mcp', 'https://r.example/mcp?x'));
  });

  test('Bearer challenge parameters: quoted values with commas and escapes, other schemes skipped', () => {
    assert.deepEqual(
      bearerChallengeParams(
        'Basic realm="a, b", Bearer error="invalid_token", resource_metadata="https://r.example/.well-known/oauth-protected-resource/x", scope="a b"',
      ),
      {
        error: 'invalid_token',
        resource_metadata: 'https://r.example/.well-known/oauth-protected-resource/x',
        scope: 'a b',
      },
    );
    assert.deepEqual(bearerChallengeParams('Bearer realm="q\\"x", Basic realm=y'), { realm: 'q"x' });
    assert.deepEqual(bearerChallengeParams('Bearer'), {});
    assert.equal(bearerChallengeParams('Basic realm="x"'), undefined);
    assert.equal(bearerChallengeParams(null), undefined);
  });

  test('path-inserted document → authorization servers; the real AS behind it is discovered', async () => {
    const resource = `${rs.origin}/mcp`;
    rs.routes.set('/.well-known/oauth-protected-resource/mcp', {
      body: {
        resource,
        authorization_servers: [op.issuer],
        scopes_supported: ['api:read'],
        resource_name: 'Test [MCP](command:x)',
      },
    });
    const md = await discoverProtectedResource(resource, seam);
    assert.deepEqual(md.authorizationServers, [op.issuer]);
    assert.deepEqual(md.scopesSupported, ['api:read']);
    assert.ok(!md.resourceName!.includes('](command:'), 'server text is plain text');
    assert.deepEqual(rs.requests, ['GET /.well-known/oauth-protected-resource/mcp']);
    const as = await testClient(testConfig(op, { issuer: md.authorizationServers[0] })).serverMetadata();
    assert.equal(as.issuer, op.issuer);
  });

  test('root document when the path-inserted one is missing', async () => {
    const resource = `${rs.origin}/api`;
    rs.routes.set('/.well-known/oauth-protected-resource', { body: { resource, authorization_servers: [op.issuer] } });
    const md = await discoverProtectedResource(resource, seam);
    assert.equal(md.metadataUrl, `${rs.origin}/.well-known/oauth-protected-resource`);
    assert.deepEqual(rs.requests, [
      'GET /.well-known/oauth-protected-resource/api',
      'GET /.well-known/oauth-protected-resource',
    ]);
  });

  test("a 401 challenge's resource_metadata, from the probe or from the caller", async () => {
    const resource = `${rs.origin}/mcp`;
    rs.routes.set('/mcp', {
      status: 401,
      headers: { 'www-authenticate': `Bearer resource_metadata="${rs.origin}/meta/prm.json"` },
    });
    rs.routes.set('/meta/prm.json', { body: { resource, authorization_servers: [op.issuer, 'http://evil.example/'] } });
    const md = await discoverProtectedResource(resource, seam);
    assert.deepEqual(md.authorizationServers, [op.issuer], 'an http server that fails the https rule is dropped');
    rs.requests.length = 0;
    await discoverProtectedResource(resource, seam, {
      challenge: `Bearer resource_metadata="${rs.origin}/meta/prm.json"`,
    });
    assert.deepEqual(rs.requests, ['GET /meta/prm.json'], 'a given challenge needs no probing');
  });

  test('a document for another resource is refused, naming both values', async () => {
    const resource = `${rs.origin}/mcp`;
    rs.routes.set('/.well-known/oauth-protected-resource/mcp', {
      body: { resource: 'https://elsewhere.example/mcp', authorization_servers: [op.issuer] },
    });
    await rejectsWithAuthError(
      discoverProtectedResource(resource, seam),
      'discovery',
      new RegExp(`https://elsewhere\\.example/mcp.*not "${resource}".*RFC 9728 §3\\.3`),
    );
    rs.routes.set('/.well-known/oauth-protected-resource/mcp', {
      body: { resource: `${resource}/`, authorization_servers: [op.issuer] },
    });
    await rejectsWithAuthError(discoverProtectedResource(resource, seam), 'discovery', /§3\.3/);
  });

  test('no usable authorization server, no document, plain-http remote resource', async () => {
    const resource = `${rs.origin}/x`;
    rs.routes.set('/.well-known/oauth-protected-resource/x', {
      body: { resource, authorization_servers: ['http://as.example/'] },
    });
    await rejectsWithAuthError(
      discoverProtectedResource(resource, seam),
      'discovery',
      /none of its authorization servers is a usable URL \(.*must use https:\/\//,
    );
    rs.routes.clear();
    rs.routes.set('/y', { status: 200, body: { hello: 1 } });
    await rejectsWithAuthError(
      discoverProtectedResource(`${rs.origin}/y`, seam),
      'discovery',
      /publishes no OAuth protected resource metadata.*HTTP 200/,
    );
    await rejectsWithAuthError(discoverProtectedResource('http://api.example/mcp', seam), 'config', /https/);
  });

  test('a challenge pointing at a non-https metadata URL is refused before any request', async () => {
    await rejectsWithAuthError(
      discoverProtectedResource(`${rs.origin}/mcp`, seam, {
        challenge: 'Bearer resource_metadata="http://evil.example/prm"',
      }),
      'discovery',
      /nothing was requested/,
    );
    assert.deepEqual(rs.requests, []);
  });
});
