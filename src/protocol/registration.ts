/**
 * RFC 7591 dynamic client registration of OAuth Accounts as a public native client, over oauth4webapi and through
 * the fetch seam (https rule, timeout). No `vscode` import. The registration is public on purpose: a secret issued
 * to an extension installed on many machines would not be a secret, and PKCE protects the code either way.
 */
import * as oauth from 'oauth4webapi';
import type { ServerMetadata } from 'openid-client';
import { AuthError } from './errors';
import { toAuthError } from './libraryErrors';
import { describeUrl } from './http';
import { isHttpUrl, serverUrlProblem } from './urls';

/** The server registers clients only with an RFC 7591 §3 initial access token: callers may ask for one and retry. */
export class InitialAccessTokenRequired extends AuthError {}

type Fetch = (url: string, init: import('./http').FetchInit) => Promise<Response>;

export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

export interface RegisteredClient {
  readonly clientId: string;
  /** RFC 7592 management credentials, when the server issues them (kept in SecretStorage, never logged). */
  readonly registrationAccessToken?: string;
  readonly registrationClientUri?: string;
  readonly redirectUris: readonly string[];
}

export interface RegistrationRequest {
  /** Loopback (`http://127.0.0.1/callback`, any port per RFC 8252 §7.3) and the URI-handler callback of this host. */
  readonly redirectUris: readonly string[];
  readonly clientName?: string;
  /** RFC 7591 §3: a token the server's administrator handed out for registering. */
  readonly initialAccessToken?: string;
  readonly signal?: AbortSignal;
}

/** The grant types to ask for: the code flow always; refresh and device code when the server advertises them. */
export function grantTypesFor(as: ServerMetadata): string[] {
  const supported = Array.isArray(as.grant_types_supported) ? as.grant_types_supported : undefined;
  // RFC 8414 §2: an absent grant_types_supported means ["authorization_code", "implicit"]; refresh is usually
  // supported anyway and a server refusing it answers invalid_client_metadata, so it is asked for unless excluded.
  const grants = ['authorization_code'];
  if (!supported || supported.includes('refresh_token')) grants.push('refresh_token');
  if (as.device_authorization_endpoint && (!supported || supported.includes(DEVICE_CODE_GRANT))) grants.push(DEVICE_CODE_GRANT);
  return grants;
}

export async function registerPublicClient(as: ServerMetadata, req: RegistrationRequest, fetch: Fetch): Promise<RegisteredClient> {
  const endpoint = as.registration_endpoint;
  if (typeof endpoint !== 'string') throw new AuthError('flow_unavailable', `${as.issuer} does not offer dynamic client registration (no registration_endpoint); a client id must be registered there by hand.`);
  const problem = serverUrlProblem(endpoint);
  if (problem) throw new AuthError('discovery', `The server's registration_endpoint ${describeUrl(endpoint)} ${problem}; nothing was sent there.`);
  const metadata = {
    client_name: req.clientName ?? 'VS Code (OAuth Accounts)',
    application_type: 'native',
    redirect_uris: [...req.redirectUris],
    response_types: ['code'],
    grant_types: grantTypesFor(as),
    token_endpoint_auth_method: 'none',
  };
  let client: oauth.OmitSymbolProperties<oauth.Client>;
  try {
    const res = await oauth.dynamicClientRegistrationRequest(as as oauth.AuthorizationServer, metadata, {
      [oauth.customFetch]: fetch as never,
      [oauth.allowInsecureRequests]: isHttpUrl(endpoint), // passed the https rule above: a loopback server only
      ...(req.initialAccessToken ? { initialAccessToken: req.initialAccessToken } : {}),
      signal: req.signal,
    });
    client = await oauth.processDynamicClientRegistrationResponse(res);
  } catch (e) {
    const mapped = toAuthError(e, 'The client registration');
    const status = mapped.details.status;
    // 401/403 (or invalid_token): the server wants an initial access token, or a different one.
    if (status === 401 || status === 403 || mapped.details.oauthError === 'invalid_token') {
      throw new InitialAccessTokenRequired('server_rejected', `${as.issuer} refused the client registration without a valid initial access token (RFC 7591 §3). Ask its administrator for one, or register a client by hand and enter its id.`, { cause: e });
    }
    throw mapped;
  }
  if (typeof client.client_id !== 'string' || !client.client_id) throw new AuthError('invalid_response', 'The client registration response has no client_id.');
  return {
    clientId: client.client_id,
    ...(typeof client.registration_access_token === 'string' ? { registrationAccessToken: client.registration_access_token } : {}),
    ...(typeof client.registration_client_uri === 'string' ? { registrationClientUri: client.registration_client_uri } : {}),
    redirectUris: Array.isArray(client.redirect_uris) ? client.redirect_uris.filter((u): u is string => typeof u === 'string') : [...req.redirectUris],
  };
}
