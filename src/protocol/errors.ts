/**
 * One error type for everything that can go wrong while talking to an authorization server, with a closed set of
 * codes so callers branch on `code`, never on message text. Only `ui.ts`/`log.ts` turn these into words for people;
 * the message here is already safe to show (it never contains a token, code, verifier or secret), and every piece of
 * server text in it (error, error_description, error_uri, WWW-Authenticate parameters, library messages that may
 * quote a response) has passed through `plainText`: one line, no control characters, no link syntax.
 */
import * as oauth from 'oauth4webapi';
import { plainText } from './plainText';

export type AuthErrorCode =
  /** The user cancelled (progress Cancel, closed dialog). Callers of getSession see "Cancelled". */
  | 'cancelled'
  /** No answer from the browser in time. */
  | 'timeout'
  /** This flow cannot work in this window or with this server; another flow may. */
  | 'flow_unavailable'
  /** The authorization server answered the authorization request with an error (access_denied, …). */
  | 'authorization_denied'
  /** The callback did not belong to the pending request (state, iss, missing code). */
  | 'invalid_callback'
  /** The refresh token (or code) was rejected: the grant is gone and the user must sign in again. */
  | 'invalid_grant'
  /** Any other OAuth error response from the server (invalid_client, invalid_scope, …). */
  | 'server_rejected'
  /** The server answered with something a conforming server never sends (bad ID token, bad JSON, …). */
  | 'invalid_response'
  /** The server could not be reached, timed out, or answered 5xx: worth retrying later. */
  | 'network'
  /** Discovery failed: not an OAuth server, issuer mismatch, … */
  | 'discovery'
  /** The provider's settings are unusable. */
  | 'config';

/** Codes after which the same request may succeed later; sessions must survive them. */
export const TRANSIENT_CODES: ReadonlySet<AuthErrorCode> = new Set(['network']);

export class AuthError extends Error {
  override readonly name = 'AuthError';
  constructor(
    readonly code: AuthErrorCode,
    message: string,
    readonly details: { oauthError?: string; oauthErrorDescription?: string; status?: number; cause?: unknown } = {},
  ) {
    super(message);
  }
  get transient(): boolean {
    return TRANSIENT_CODES.has(this.code);
  }
}

export const isAuthError = (e: unknown, code?: AuthErrorCode): e is AuthError =>
  e instanceof AuthError && (code === undefined || e.code === code);

/** Shown when a device code expires (the server said expired_token, or its expires_in passed while polling). */
export const DEVICE_CODE_EXPIRED = 'The code expired before sign-in was completed. Sign in again to get a new code.';

/** The server's own words, when it gave any: `invalid_scope: scope foo is not allowed (see https://…)`. */
function serverWords(error: string, description?: unknown, uri?: unknown): string {
  const words = typeof description === 'string' && description ? `${error}: ${plainText(description)}` : error;
  return typeof uri === 'string' && uri ? `${words} (see ${plainText(uri, 200)})` : words;
}

/** The server-controlled fields of an OAuth error response, as plain text (also what `details` keeps). */
function oauthFields(err: { error?: unknown; error_description?: unknown } | undefined): { code: string; description?: string } {
  const code = typeof err?.error === 'string' && err.error ? plainText(err.error, 80) : 'error';
  const description = typeof err?.error_description === 'string' && err.error_description ? plainText(err.error_description) : undefined;
  return { code, description };
}

/** error_uri: on the error itself, or in what the library keeps as its cause (the JSON body, the callback query). */
function errorUri(err: { error_uri?: unknown; cause?: unknown } | undefined): string | undefined {
  const cause = err?.cause as { error_uri?: unknown; get?: (k: string) => unknown } | undefined;
  const uri = err?.error_uri ?? (cause instanceof URLSearchParams ? cause.get('error_uri') : cause?.error_uri);
  return typeof uri === 'string' ? uri : undefined;
}

/** A library or network message that may quote what the server sent (a JSON parse error shows the body). */
const libraryText = (message: unknown) => plainText(message, 500);

/**
 * The only mapping from protocol-library and network errors to AuthError. `what` names the step for people
 * ("Token request", "Discovery"), so the message says where it failed.
 */
export function toAuthError(e: unknown, what: string): AuthError {
  if (e instanceof AuthError) return e;
  const wrapped = e as { name?: string; code?: string; cause?: unknown } | undefined;
  // openid-client wraps what went wrong ("something went wrong", "operation timed out") in a ClientError whose cause
  // is the real error: judge by that, or a dead server reads like a bad setting.
  if (wrapped?.name === 'ClientError' && wrapped.cause !== undefined && !String(wrapped.code ?? '').startsWith('OAUTH_')) {
    return toAuthError(wrapped.cause, what);
  }
  if (wrapped?.code === 'OAUTH_TIMEOUT') return new AuthError('network', `${what} timed out: the server did not answer in time.`, { cause: e });
  if (wrapped?.name === 'ResponseTooLargeError') return new AuthError('invalid_response', `${what} failed: ${libraryText((e as Error).message)}.`, { cause: e });
  const err = e as { name?: string; code?: string; message?: string; cause?: unknown; error?: string; error_description?: string; error_uri?: string; status?: number };
  if (err?.name === 'AbortError' || err?.name === 'TimeoutError' || err?.code === 'ABORT_ERR') {
    return new AuthError('network', `${what} timed out: the server did not answer in time.`, { cause: e });
  }
  if (e instanceof oauth.AuthorizationResponseError || err?.name === 'AuthorizationResponseError') {
    const { code, description } = oauthFields(err);
    const text = code === 'access_denied' ? 'Sign-in was denied at the identity provider' : 'The identity provider returned an error';
    return new AuthError('authorization_denied', `${text} (${serverWords(code, description, errorUri(err))}).`, {
      oauthError: code, oauthErrorDescription: description, cause: e,
    });
  }
  if (e instanceof oauth.ResponseBodyError || err?.name === 'ResponseBodyError') {
    const { code, description } = oauthFields(err);
    const status = err.status;
    // RFC 8628 §3.5: the two terminal answers of device-code polling. Denying at the IdP is the user's decision,
    // so it ends the sign-in quietly like Cancel; an expired code needs a new sign-in.
    if (code === 'access_denied') {
      return new AuthError('cancelled', 'Sign-in was denied at the identity provider.', { oauthError: code, oauthErrorDescription: description, status, cause: e });
    }
    if (code === 'expired_token') {
      return new AuthError('timeout', DEVICE_CODE_EXPIRED, { oauthError: code, oauthErrorDescription: description, status, cause: e });
    }
    const mapped: AuthErrorCode = code === 'invalid_grant' ? 'invalid_grant' : status !== undefined && status >= 500 ? 'network' : 'server_rejected';
    return new AuthError(mapped, `${what} was rejected by the server (${serverWords(code, description, errorUri(err))}).`, {
      oauthError: code, oauthErrorDescription: description, status, cause: e,
    });
  }
  if (err?.name === 'WWWAuthenticateChallengeError') {
    // 401 with WWW-Authenticate (RFC 6749 §5.2 invalid_client, RFC 6750 invalid_token): the error is in the challenge.
    const challenges = Array.isArray(err.cause) ? (err.cause as Array<{ parameters?: Record<string, string> }>) : [];
    const params = challenges.find((c) => c.parameters?.error)?.parameters;
    const fields = params?.error ? oauthFields(params) : undefined;
    const words = fields ? ` (${serverWords(fields.code, fields.description, params?.error_uri)})` : '';
    return new AuthError('server_rejected', `${what} was refused by the server (HTTP ${err.status ?? 401})${words}.`, {
      status: err.status, oauthError: fields?.code, oauthErrorDescription: fields?.description, cause: e,
    });
  }
  const status = httpStatusOf(err);
  if (status !== undefined && status >= 500) {
    return new AuthError('network', `${what} failed: the server answered HTTP ${status}. It will be retried.`, { status, cause: e });
  }
  if (typeof err?.code === 'string' && err.code.startsWith('OAUTH_')) {
    const where = status !== undefined ? ` (HTTP ${status})` : '';
    return new AuthError('invalid_response', `${what} failed${where}: ${libraryText(err.message)}.`, { status, cause: e });
  }
  if (err?.name === 'TypeError' || err?.name === 'FetchError' || /ECONNREFUSED|ENOTFOUND|ECONNRESET|EHOSTUNREACH|fetch failed|network/i.test(String(err?.message ?? ''))) {
    return new AuthError('network', `${what} failed: the server could not be reached (${shortNetworkReason(err)}).`, { cause: e });
  }
  return new AuthError('invalid_response', `${what} failed: ${libraryText(err?.message ?? String(e))}`, { cause: e });
}

function httpStatusOf(err: { cause?: unknown; status?: number } | undefined): number | undefined {
  if (typeof err?.status === 'number') return err.status;
  const cause = err?.cause as { status?: unknown } | undefined;
  return typeof cause?.status === 'number' ? cause.status : undefined;
}

function shortNetworkReason(err: { code?: string; message?: string; cause?: unknown } | undefined): string {
  const cause = err?.cause as { code?: string } | undefined;
  return plainText(cause?.code ?? err?.code ?? err?.message ?? 'network error', 200);
}
