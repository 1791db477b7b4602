/**
 * Parameters that ride on several requests of one provider: RFC 8707 `resource` indicators and the RFC 9126 PAR
 * decision. Kept out of client.ts so that file only calls these. No `vscode` import.
 */
import type { ServerMetadata } from 'openid-client';
import type { ProviderConfig } from './config';
import { AuthError } from './errors';

/**
 * `base` plus one `resource` per configured resource (RFC 8707 §2 allows several), as URLSearchParams because a
 * Record cannot repeat a name. The same list goes on the authorization, code exchange, refresh and device requests,
 * so every token of the provider is for exactly the resources of its entry.
 */
export function withResources(config: ProviderConfig, base: Record<string, string> = {}): URLSearchParams {
  const out = new URLSearchParams(base);
  for (const r of config.resources ?? []) out.append('resource', r);
  return out;
}

/**
 * RFC 9126: push the authorization request when the server requires it (`require_pushed_authorization_requests`),
 * or when the entry asks for it and the server has the endpoint. Throws when it is required but the server names
 * no endpoint (a broken server: sending the request in the URL would only be refused).
 */
export function usePushedAuthorization(config: ProviderConfig, as: ServerMetadata): boolean {
  const endpoint = typeof as.pushed_authorization_request_endpoint === 'string';
  if (as.require_pushed_authorization_requests === true) {
    if (!endpoint)
      throw new AuthError(
        'discovery',
        'The server requires pushed authorization requests (RFC 9126) but its metadata names no pushed_authorization_request_endpoint.',
      );
    return true;
  }
  return config.pushedAuthorizationRequests === true && endpoint;
}
