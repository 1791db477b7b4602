import * as assert from 'node:assert/strict';
import { startLoopbackServer } from '../../../src/node/loopbackServer';
import { ProviderClient } from '../../../src/protocol/client';
import { rejectsWithAuthError } from '../../support/assertions';
import { startOpProcess, type OpProcess } from '../../support/op';
import { PAGES, testConfig } from '../../support/protocolHarness';

const ENTRA = 'https://login.microsoftonline.com';
const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';

/**
 * Entra ID's multi-tenant issuers (`/common/v2.0`, `/organizations/v2.0`): the metadata names
 * `…/{tenantid}/v2.0`, each ID token the user's own tenant. oidc-provider plays that endpoint (entraTenant); the
 * client's fetch maps https://login.microsoftonline.com to it.
 */
suite('protocol: Entra ID multi-tenant issuers', function () {
  this.timeout(30_000);
  let op: OpProcess;
  suiteSetup(async () => {
    op = await startOpProcess({ entraTenant: TENANT, issParameter: false });
  });
  suiteTeardown(async () => {
    await op?.stop();
  });

  const toOp = (url: string) =>
    url
      .replace(/^https:\/\/login\.microsoftonline\.com\/(?:common|organizations)\/v2\.0\//, `${op.issuer}/`)
      .replace(`${ENTRA}/`, `${op.issuer}/`);
  function entraClient(issuer: string): ProviderClient {
    const config = testConfig(op, {
      id: 'entra',
      label: 'Entra',
      issuer,
      scopes: ['openid', 'profile', 'offline_access'],
    });
    return new ProviderClient(config, {
      fetch: (u, i) => fetch(toOp(u), i as RequestInit),
      getClientSecret: async () => undefined,
    });
  }

  async function signIn(client: ProviderClient) {
    const server = await startLoopbackServer(PAGES);
    try {
      const pending = await client.beginAuthorization({ requestedScopes: [], redirectUri: server.redirectUri });
      assert.ok(pending.url.startsWith(`${ENTRA}/`), pending.url);
      const callback = server.waitForCallback(pending.state, AbortSignal.timeout(15_000));
      // The listener holds the browser's request until the outcome is known: drive in the background.
      const driving = op.drive(toOp(pending.url));
      driving.catch(() => {});
      const result = await client.completeAuthorization(pending, await callback);
      server.finish({ kind: 'success' });
      await driving;
      return result;
    } finally {
      server.close();
    }
  }

  for (const path of ['common', 'organizations']) {
    test(`/${path}/v2.0: the ID token's issuer is the user's tenant; sign-in, refresh and revocation work`, async () => {
      const client = entraClient(`${ENTRA}/${path}/v2.0`);
      const result = await signIn(client);
      assert.equal(result.account.label, 'alice');
      assert.equal(result.tokens.idClaims?.iss, `${ENTRA}/${TENANT}/v2.0`);
      assert.equal(result.tokens.idClaims?.tid, TENANT);
      // Refresh validates the new ID token through openid-client's Configuration: the same tenant rule applies.
      const refreshed = await client.refresh(result.tokens);
      assert.notEqual(refreshed.accessToken, result.tokens.accessToken);
      assert.equal(refreshed.idClaims?.iss, `${ENTRA}/${TENANT}/v2.0`);
      assert.equal(await client.revoke(refreshed.refreshToken!, 'refresh_token'), true);
    });
  }

  test('an ID token whose `tid` does not match its issuer is refused', async () => {
    const liar = await startOpProcess({ entraTenant: TENANT, entraTidClaim: 'another-tenant', issParameter: false });
    try {
      const saved = op;
      op = liar;
      try {
        await rejectsWithAuthError(signIn(entraClient(`${ENTRA}/common/v2.0`)), 'invalid_response', /iss/);
      } finally {
        op = saved;
      }
    } finally {
      await liar.stop();
    }
  });
});
