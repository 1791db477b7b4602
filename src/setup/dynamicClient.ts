/**
 * The client id of an entry without `clientId`: the one registered earlier at its server (RegistrationStore), or a
 * new RFC 7591 registration. Shared by the wizard and the provider registry; no `vscode` import.
 */
import type { ServerMetadata } from 'openid-client';
import { AuthError } from '../protocol/errors';
import { registerPublicClient, type RegisteredClient, type RegistrationRequest } from '../protocol/registration';
import type { RegistrationStore } from './registrationStore';
import type { ServerLocation } from '../sessions/serverBinding';

type Fetch = Parameters<typeof registerPublicClient>[2];

export interface EnsuredClient {
  readonly client: RegisteredClient;
  /** True when this call registered it (the wizard says which path it took). */
  readonly registeredNow: boolean;
}

/**
 * The registration stored for `server` (the entry's issuer, discoveryUrl and endpoint overrides) and made at the
 * registration endpoint its metadata `as` names now, else one an earlier version stored under the issuer alone that
 * passes the same checks (registrationStore.ts adoptLegacy), else a new one (stored before it is returned).
 */
export async function ensureRegisteredClient(store: RegistrationStore, server: ServerLocation, as: ServerMetadata, req: RegistrationRequest, fetch: Fetch): Promise<EnsuredClient> {
  const endpoint = as.registration_endpoint;
  if (typeof endpoint !== 'string') {
    throw new AuthError('config', `${as.issuer} does not offer dynamic client registration; set "clientId" to a client registered there.`);
  }
  const stored = (await store.get(server, endpoint)) ?? (await store.adoptLegacy(server, endpoint));
  if (stored) return { client: stored, registeredNow: false };
  const client = await registerPublicClient(as, req, fetch);
  await store.set(server, endpoint, client);
  return { client, registeredNow: true };
}
