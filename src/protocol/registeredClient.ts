/**
 * A dynamically registered client as it is stored (registrationStore.ts) and whether it still fits what its entries
 * send. Shared by both bundles, so only types and small predicates: reading a server's answer is
 * registrationAnswer.ts, in the engine. No `vscode` import.
 */

/** The client authentication methods OAuth Accounts can use for a registered client (besides none). */
type SecretAuthentication = 'client_secret_basic' | 'client_secret_post';

export interface RegisteredClient {
  readonly clientId: string;
  /** RFC 7592 management credentials, when the server issues them (kept in SecretStorage, never logged). */
  readonly registrationAccessToken?: string;
  readonly registrationClientUri?: string;
  /** The redirect URIs this registration was made (or last updated) with: what we sent, so a change is seen. */
  readonly redirectUris: readonly string[];
  /** Absent: a public client (none), as asked for. Set when the server made the client confidential. */
  readonly clientAuthentication?: SecretAuthentication;
  /** The server-issued secret of a confidential client (SecretStorage only, never logged, sent only to its server). */
  readonly clientSecret?: string;
  /** When that secret expires (ms since the epoch); absent: it does not. */
  readonly clientSecretExpiresAt?: number;
}

/** Both lists name the same redirect URIs (order and repeats aside). */
export function sameRedirectUris(a: readonly string[], b: readonly string[]): boolean {
  const x = new Set(a);
  const y = new Set(b);
  return x.size === y.size && [...x].every((u) => y.has(u));
}

/** The server-issued secret of this client has expired (a client without one, or without expiry, never does). */
export function secretExpired(c: Pick<RegisteredClient, 'clientSecretExpiresAt'>, now = Date.now()): boolean {
  return c.clientSecretExpiresAt !== undefined && c.clientSecretExpiresAt <= now;
}

/** The registration can be used as it is for these redirect URIs at `now`: same URIs, secret (if any) not expired. */
export function registrationFits(
  c: Pick<RegisteredClient, 'redirectUris' | 'clientSecretExpiresAt'>,
  redirectUris: readonly string[],
  now = Date.now(),
): boolean {
  return sameRedirectUris(c.redirectUris, redirectUris) && !secretExpired(c, now);
}
