/** Builds ProviderClients against the test AS and completes sign-ins the way a browser would. */
import type { ProviderConfig } from '../../src/protocol/config';
import { ProviderClient, type PendingAuthorization, type SignInResult } from '../../src/protocol/client';
import { startLoopbackServer } from '../../src/node/loopbackServer';
import { CONFIDENTIAL_SECRET, TEST_CLIENTS, type OpProcess } from './op';

export const PAGES = { success: '<p>ok</p>', denied: '<p>denied</p>', failed: '<p>failed</p>' };
export const httpLog: string[] = [];

export function testConfig(op: OpProcess, overrides: Partial<ProviderConfig> = {}): ProviderConfig {
  return {
    id: 'test',
    label: 'Test IdP',
    issuer: op.issuer,
    endpoints: {},
    clientId: TEST_CLIENTS.public,
    clientAuthentication: 'none',
    authorizationParameters: {},
    flow: 'auto',
    ...overrides,
  };
}

export function testClient(
  config: ProviderConfig,
  secret: string | null = CONFIDENTIAL_SECRET,
  now?: () => number,
): ProviderClient {
  return new ProviderClient(config, {
    now,
    fetch: (u, i) => fetch(u, i as RequestInit),
    getClientSecret: async () => secret ?? undefined,
    log: (l) => httpLog.push(l),
  });
}

/** The whole loopback sign-in, with the AS playing the browser through /__test/drive; `ports` as loopbackPorts. */
export async function loopbackSignIn(
  op: OpProcess,
  client: ProviderClient,
  scopes: string[] = [],
  ports?: number[],
): Promise<SignInResult> {
  const server = await startLoopbackServer(PAGES, { ports });
  let driving: Promise<unknown> | undefined;
  try {
    const pending = await client.beginAuthorization({ requestedScopes: scopes, redirectUri: server.redirectUri });
    const callback = server.waitForCallback(pending.state, AbortSignal.timeout(15_000));
    // The listener holds the browser's request until the sign-in's outcome is known: drive in the background.
    driving = op.drive(pending.url);
    driving.catch(() => {});
    return await client.completeAuthorization(pending, await callback);
  } finally {
    server.close();
    await driving?.catch(() => {});
  }
}

/** Drives the authorization request and returns the callback query without delivering it anywhere. */
export async function callbackFor(op: OpProcess, pending: PendingAuthorization): Promise<URLSearchParams> {
  const nav = await op.drive(pending.url, { stopAt: pending.redirectUri.split('?')[0] });
  return new URL(nav.url).searchParams;
}
