/**
 * discoveryUrl without a configured issuer: the metadata's own issuer is accepted (read from the document, then
 * checked by oauth4webapi through its public API), and a document the library would refuse is still refused.
 */
import * as assert from 'node:assert/strict';
import type { ProviderConfig } from '../../../src/protocol/config';
import { ProviderClient } from '../../../src/protocol/client';
import type { BaseFetch } from '../../../src/protocol/http';
import { rejectsWithAuthError } from '../../support/assertions';

const META = {
  issuer: 'https://sso.example.com/tenant',
  authorization_endpoint: 'https://sso.example.com/authorize',
  token_endpoint: 'https://sso.example.com/token',
};
const canned =
  (body: unknown, contentType = 'application/json'): BaseFetch =>
  async () =>
    new Response(typeof body === 'string' ? body : JSON.stringify(body), {
      status: 200,
      headers: { 'content-type': contentType },
    });
const metadataOf = (fetch: BaseFetch, overrides: Partial<ProviderConfig> = {}) =>
  new ProviderClient(
    {
      id: 'd',
      label: 'D',
      discoveryUrl: 'https://sso.example.com/meta.json',
      endpoints: {},
      clientId: 'c',
      clientAuthentication: 'none',
      authorizationParameters: {},
      flow: 'auto',
      ...overrides,
    },
    { fetch, getClientSecret: async () => undefined },
  ).serverMetadata();

suite('protocol/discovery: an explicit discoveryUrl', () => {
  test('without "issuer": the issuer the metadata names is accepted', async () => {
    assert.equal((await metadataOf(canned(META))).issuer, META.issuer);
  });

  test('with "issuer": it must match the document', async () => {
    assert.equal((await metadataOf(canned(META), { issuer: META.issuer })).issuer, META.issuer);
    await rejectsWithAuthError(
      metadataOf(canned(META), { issuer: 'https://sso.example.com/other' }),
      'discovery',
      /names issuer "https:\/\/sso\.example\.com\/tenant"/,
    );
  });

  test('a document without a usable issuer, or no JSON at all, is refused', async () => {
    await rejectsWithAuthError(metadataOf(canned({ ...META, issuer: undefined })), 'discovery', /issuer/);
    await rejectsWithAuthError(metadataOf(canned({ ...META, issuer: 'not a url' })), 'discovery', /not a URL/);
    await rejectsWithAuthError(metadataOf(canned('<html></html>', 'text/html')), 'discovery', /content-type|JSON/i);
  });
});
