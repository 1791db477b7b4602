/**
 * The client of an entry without `clientId`: the one registered earlier at its server (RegistrationStore), kept in
 * step with the redirect URIs its entries send, or a new RFC 7591 registration. Shared by the wizard and the
 * provider registry; no `vscode` import.
 */
import type { ServerMetadata } from 'openid-client';
import { AuthError, isAuthError } from '../protocol/errors';
import {
  canUpdateRegistration,
  registerPublicClient,
  updateRegisteredClient,
  type RegisteredClient,
  type RegistrationRequest,
} from '../protocol/registration';
import { registrationFits, secretExpired } from '../protocol/registeredClient';
import type { RegistrationStore } from '../sessions/registrationStore';
import type { ServerLocation } from '../sessions/serverBinding';

type Fetch = Parameters<typeof registerPublicClient>[2];

export interface EnsuredClient {
  readonly client: RegisteredClient;
  /** True when this call registered it (the wizard says which path it took). */
  readonly registeredNow: boolean;
  /** True when this call updated its redirect URIs in place (RFC 7592). */
  readonly updatedNow?: boolean;
}

/**
 * The registration stored for `server` (the entry's issuer, discoveryUrl and endpoint overrides) and made at the
 * registration endpoint its metadata `as` names now, else one an earlier version stored under the issuer alone that
 * passes the same checks (registrationStore.ts adoptLegacy), else a new one (stored before it is returned).
 *
 * A stored registration made for other redirect URIs than `req.redirectUris` (an entry's `loopbackPorts` changed; a
 * server that matches redirect URIs exactly refuses the others) is updated with RFC 7592 when the server gave a
 * registration access token, else registered anew; one whose secret expired is registered anew.
 */
export async function ensureRegisteredClient(
  store: RegistrationStore,
  server: ServerLocation,
  as: ServerMetadata,
  req: RegistrationRequest,
  fetch: Fetch,
): Promise<EnsuredClient> {
  const endpoint = as.registration_endpoint;
  if (typeof endpoint !== 'string') {
    throw new AuthError(
      'config',
      `${as.issuer} does not offer dynamic client registration; set "clientId" to a client registered there.`,
    );
  }
  const request = { ...req, log: req.log ?? store.log };
  const stored = (await store.get(server, endpoint)) ?? (await store.adoptLegacy(server, endpoint));
  if (stored && registrationFits(stored, req.redirectUris)) return { client: stored, registeredNow: false };
  if (stored && !secretExpired(stored) && canUpdateRegistration(as, stored)) {
    try {
      const client = await updateRegisteredClient(as, stored, request, fetch);
      await store.set(server, endpoint, client);
      store.log?.(
        `the redirect URIs registered for client "${client.clientId}" at ${as.issuer} were updated (RFC 7592): ${client.redirectUris.join(' ')}`,
      );
      return { client, registeredNow: false, updatedNow: true };
    } catch (e) {
      // Offline: a new registration would fail too; say so. Refused (token expired or revoked, update not allowed):
      // a new registration is what is left.
      if (isAuthError(e, 'network')) throw e;
      store.log?.(
        `updating the registration of client "${stored.clientId}" at ${as.issuer} failed (${(e as Error).message}); registering a new client`,
      );
    }
  }
  const client = await registerPublicClient(as, request, fetch);
  await store.set(server, endpoint, client);
  return { client, registeredNow: true };
}
