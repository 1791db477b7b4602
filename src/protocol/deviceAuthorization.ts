/**
 * RFC 8628 §3.2: the device authorization response, checked before anything of it reaches the user. The
 * verification URIs come from the server and are opened in the browser, so they must be https (http only for a
 * loopback server, like every URL). No `vscode` import.
 */
import type * as oauth from 'oauth4webapi';
import type { DeviceAuthorization } from './clientTypes';
import { AuthError } from './errors';
import { sameOrigin, serverUrlProblem } from './urls';

export function deviceAuthorizationFrom(
  response: oauth.DeviceAuthorizationResponse,
  scopes: readonly string[],
  now: number,
): DeviceAuthorization {
  for (const [name, value] of [
    ['verification_uri', response.verification_uri],
    ['verification_uri_complete', response.verification_uri_complete],
  ] as const) {
    if (value === undefined) continue;
    const problem = serverUrlProblem(value);
    if (problem)
      throw new AuthError(
        'invalid_response',
        `The device authorization response's ${name} ${problem}; the sign-in was not started.`,
      );
  }
  return {
    userCode: response.user_code,
    verificationUri: response.verification_uri,
    // The user is shown verification_uri and the browser opens verification_uri_complete: only when both are on
    // the same origin, so the page that opens is on the server the user was told about.
    ...(response.verification_uri_complete && sameOrigin(response.verification_uri_complete, response.verification_uri)
      ? { verificationUriComplete: response.verification_uri_complete }
      : {}),
    expiresAt: now + response.expires_in * 1000,
    scopes,
    response,
  };
}
