/**
 * RFC 7591 dynamic client registration of OAuth Accounts as a native client, and RFC 7592 updates of that
 * registration, over oauth4webapi and through the fetch seam (https rule, timeout). No `vscode` import.
 *
 * We ask for a public client on purpose: a secret issued to an extension installed on many machines would not be a
 * secret, and PKCE protects the code either way. A server that makes every registered client confidential anyway is
 * answered with what it registered (registrationAnswer.ts): its secret is then kept with the registration and sent
 * only to that server.
 */
import * as oauth from 'oauth4webapi';
import type { ServerMetadata } from 'openid-client';
import { AuthError } from './errors';
import { toAuthError } from './libraryErrors';
import { describeUrl, type FetchInit } from './http';
import { registeredClientFrom } from './registrationAnswer';
import type { RegisteredClient } from './registeredClient';
import { isHttpUrl, sameOrigin, serverUrlProblem } from './urls';

export type { RegisteredClient } from './registeredClient';

/** The server registers clients only with an RFC 7591 §3 initial access token: callers may ask for one and retry. */

type Fetch = (url: string, init: FetchInit) => Promise<Response>;

export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

export interface RegistrationRequest {
  /**
   * Exactly the redirect URIs the entries of this server send: `http://127.0.0.1/callback` (any port, RFC 8252
   * §7.3) or `http://127.0.0.1:<port>/callback` per port of a `loopbackPorts` pool, and the URI-handler callback.
   */
  readonly redirectUris: readonly string[];
  readonly clientName?: string;
  /** RFC 7591 §3: a token the server's administrator handed out for registering. */
  readonly initialAccessToken?: string;
  readonly signal?: AbortSignal;
  /** Where notes about the server's answer go (a missing client_secret_expires_at); never given a secret. */
  readonly log?: (line: string) => void;
}

/** The grant types to ask for: the code flow always; refresh and device code when the server advertises them. */
export function grantTypesFor(as: ServerMetadata): string[] {
  const supported = Array.isArray(as.grant_types_supported) ? as.grant_types_supported : undefined;
  // RFC 8414 §2: an absent grant_types_supported means ["authorization_code", "implicit"]; refresh is usually
  // supported anyway and a server refusing it answers invalid_client_metadata, so it is asked for unless excluded.
  const grants = ['authorization_code'];
  if (!supported || supported.includes('refresh_token')) grants.push('refresh_token');
  if (as.device_authorization_endpoint && (!supported || supported.includes(DEVICE_CODE_GRANT)))
    grants.push(DEVICE_CODE_GRANT);
  return grants;
}

/** The client metadata we register (and, on an update, register again): `current` keeps the server's auth method. */
function clientMetadata(as: ServerMetadata, req: RegistrationRequest, current?: RegisteredClient) {
  return {
    client_name: req.clientName ?? 'VS Code (OAuth Accounts)',
    application_type: 'native',
    redirect_uris: [...req.redirectUris],
    response_types: ['code'],
    grant_types: grantTypesFor(as),
    token_endpoint_auth_method: current?.clientAuthentication ?? 'none',
  };
}

export async function registerPublicClient(
  as: ServerMetadata,
  req: RegistrationRequest,
  fetch: Fetch,
): Promise<RegisteredClient> {
  const endpoint = as.registration_endpoint;
  if (typeof endpoint !== 'string')
    throw new AuthError(
      'flow_unavailable',
      `${as.issuer} does not offer dynamic client registration (no registration_endpoint); a client id must be registered there by hand.`,
    );
  const problem = serverUrlProblem(endpoint);
  if (problem)
    throw new AuthError(
      'discovery',
      `The server's registration_endpoint ${describeUrl(endpoint)} ${problem}; nothing was sent there.`,
    );
  try {
    const res = await oauth.dynamicClientRegistrationRequest(as as oauth.AuthorizationServer, clientMetadata(as, req), {
      [oauth.customFetch]: fetch as never,
      [oauth.allowInsecureRequests]: isHttpUrl(endpoint), // passed the https rule above: a loopback server only
      ...(req.initialAccessToken ? { initialAccessToken: req.initialAccessToken } : {}),
      signal: req.signal,
    });
    // A success is read here, not by oauth4webapi, which refuses a whole registration over a missing
    // client_secret_expires_at; its processing still turns every error answer into the server's own words.
    if (res.status === 201)
      return registeredClientFrom(
        await jsonObject(res, 'The client registration'),
        req.redirectUris,
        as.issuer,
        req.log,
      );
    await oauth.processDynamicClientRegistrationResponse(res);
    throw new AuthError('invalid_response', `The client registration failed: the server answered HTTP ${res.status}.`, {
      status: res.status,
    });
  } catch (e) {
    const mapped = toAuthError(e, 'The client registration');
    const status = mapped.details.status;
    // 401/403 (or invalid_token): the server wants an initial access token, or a different one.
    if (status === 401 || status === 403 || mapped.details.oauthError === 'invalid_token') {
      throw new AuthError(
        'server_rejected',
        `${as.issuer} refused the client registration without a valid initial access token (RFC 7591 §3). Ask its administrator for one, or register a client by hand and enter its id.`,
        { cause: e, reason: 'initial_access_token_required' },
      );
    }
    throw mapped;
  }
}

/**
 * Whether `current` can be updated in place (RFC 7592): the server issued a registration access token and a
 * registration_client_uri on the registration endpoint's own origin. The token (and a client secret, which RFC 7592
 * §2.2 puts in the update) is sent nowhere else: a URI on another origin is not used, the client is registered anew.
 */
export function canUpdateRegistration(as: ServerMetadata, current: RegisteredClient): boolean {
  const uri = current.registrationClientUri;
  return (
    !!current.registrationAccessToken &&
    !!uri &&
    typeof as.registration_endpoint === 'string' &&
    !serverUrlProblem(uri) &&
    sameOrigin(uri, as.registration_endpoint)
  );
}

/**
 * RFC 7592 §2.2: replaces the registered metadata of `current` (the redirect URIs changed) with a PUT to its
 * registration_client_uri, keeping the client id and therefore its sessions. The server may rotate the
 * registration access token and the secret; what it does not send again stays as it was.
 */
export async function updateRegisteredClient(
  as: ServerMetadata,
  current: RegisteredClient,
  req: RegistrationRequest,
  fetch: Fetch,
): Promise<RegisteredClient> {
  if (!canUpdateRegistration(as, current))
    throw new AuthError(
      'flow_unavailable',
      `${as.issuer} gave no usable registration access token for client "${current.clientId}" (RFC 7592).`,
    );
  const body = {
    ...clientMetadata(as, req, current),
    client_id: current.clientId,
    ...(current.clientSecret ? { client_secret: current.clientSecret } : {}),
  };
  try {
    const res = await fetch(current.registrationClientUri!, {
      method: 'PUT',
      headers: {
        accept: 'application/json',
        'content-type': 'application/json',
        authorization: `Bearer ${current.registrationAccessToken}`,
      },
      body: JSON.stringify(body),
      signal: req.signal,
    });
    if (res.status !== 200 && res.status !== 201) {
      await oauth.processDynamicClientRegistrationResponse(res); // throws the server's error
      throw new AuthError(
        'invalid_response',
        `The registration update failed: the server answered HTTP ${res.status}.`,
        { status: res.status },
      );
    }
    const answer = await jsonObject(res, 'The registration update');
    const kept =
      answer.client_secret === undefined && current.clientSecret
        ? {
            client_secret: current.clientSecret,
            client_secret_expires_at: current.clientSecretExpiresAt ? current.clientSecretExpiresAt / 1000 : 0,
          }
        : {};
    const updated = registeredClientFrom({ ...answer, ...kept }, req.redirectUris, as.issuer, req.log);
    if (updated.clientId !== current.clientId)
      throw new AuthError(
        'invalid_response',
        `${as.issuer} answered the update of client "${current.clientId}" with another client id.`,
      );
    return {
      ...updated,
      registrationAccessToken: updated.registrationAccessToken ?? current.registrationAccessToken,
      registrationClientUri: updated.registrationClientUri ?? current.registrationClientUri,
    };
  } catch (e) {
    throw toAuthError(e, 'The registration update');
  }
}

async function jsonObject(res: Response, what: string): Promise<Record<string, unknown>> {
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    body = undefined;
  }
  if (!body || typeof body !== 'object' || Array.isArray(body))
    throw new AuthError('invalid_response', `${what} failed (HTTP ${res.status}): the answer is not a JSON object.`, {
      status: res.status,
    });
  return body as Record<string, unknown>;
}
