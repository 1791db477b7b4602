/**
 * What a registration (RFC 7591) or an update of it (RFC 7592) answered, read the way servers really answer:
 * - a `client_secret` without `client_secret_expires_at` (RFC 7591 §3.2.1 requires it, some servers in production
 *   leave it out): the secret is taken as not expiring, and that is logged once;
 * - a server that makes every registered client confidential (ignores the requested `token_endpoint_auth_method:
 *   none` and answers a secret and its own method): the client is used as the server registered it. The secret lives
 *   only in the registration record (SecretStorage, registrationStore.ts), bound to that server binding.
 * Engine bundle only (registration.ts). No `vscode` import.
 */
import { AuthError } from './errors';
import { plainText } from './plainText';
import type { RegisteredClient } from './registeredClient';

/**
 * `body`: the server's JSON answer; `redirectUris`: what was sent; `issuer`: for messages. Throws AuthError when the
 * answer cannot be used: no client_id, a confidential method without a secret, or a method we cannot speak.
 */
export function registeredClientFrom(
  body: Record<string, unknown>,
  redirectUris: readonly string[],
  issuer: string,
  log?: (line: string) => void,
): RegisteredClient {
  const clientId = body.client_id;
  if (typeof clientId !== 'string' || !clientId)
    throw new AuthError('invalid_response', 'The client registration response has no client_id.');
  const secret = typeof body.client_secret === 'string' && body.client_secret ? body.client_secret : undefined;
  // RFC 7591 §2: an omitted token_endpoint_auth_method means client_secret_basic. We asked for none, so a server that
  // omits it and issues no secret registered what we asked for.
  const method =
    typeof body.token_endpoint_auth_method === 'string'
      ? body.token_endpoint_auth_method
      : secret
        ? 'client_secret_basic'
        : 'none';
  const management = {
    ...(typeof body.registration_access_token === 'string' && body.registration_access_token
      ? { registrationAccessToken: body.registration_access_token }
      : {}),
    ...(typeof body.registration_client_uri === 'string' && body.registration_client_uri
      ? { registrationClientUri: body.registration_client_uri }
      : {}),
  };
  // A secret next to "none" is not kept: nothing would ever use it, and an unused secret is one more thing to leak.
  if (method === 'none') return { clientId, ...management, redirectUris: [...redirectUris] };
  if (method !== 'client_secret_basic' && method !== 'client_secret_post') {
    throw new AuthError(
      'server_rejected',
      `${issuer} registered the client with token_endpoint_auth_method "${plainText(method, 60)}", which OAuth Accounts cannot use (it uses none, client_secret_basic and client_secret_post). Register a client there by hand and set "clientId".`,
    );
  }
  if (!secret)
    throw new AuthError(
      'invalid_response',
      `${issuer} registered the client as confidential (${method}) but sent no client_secret.`,
    );
  const expires = body.client_secret_expires_at;
  if (typeof expires !== 'number' || !Number.isFinite(expires)) {
    log?.(
      `${issuer} answered the registration of client "${plainText(clientId, 100)}" without a numeric client_secret_expires_at (RFC 7591 §3.2.1); its secret is taken as not expiring`,
    );
  }
  return {
    clientId,
    ...management,
    redirectUris: [...redirectUris],
    clientAuthentication: method,
    clientSecret: secret,
    // RFC 7591 §3.2.1: 0 means "does not expire".
    ...(typeof expires === 'number' && Number.isFinite(expires) && expires > 0
      ? { clientSecretExpiresAt: expires * 1000 }
      : {}),
  };
}
