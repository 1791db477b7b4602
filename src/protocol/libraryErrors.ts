/**
 * The only mapping from protocol-library and network errors to AuthError (see errors.ts for the type). It lives
 * with the protocol client, in the bundle loaded on first use, because it needs the libraries' error classes; the
 * client's public methods pass everything they throw through it, so callers outside the protocol layer only ever
 * see AuthError.
 */
import * as client from 'openid-client';
import * as oauth from 'oauth4webapi';
import {
  asAuthError,
  AuthError,
  DEVICE_CODE_EXPIRED,
  isAuthError,
  NetworkError,
  ResponseTooLargeError,
  type AuthErrorCode,
} from './errors';
import { plainText } from './plainText';
import { certificateMessage, certificateProblem } from './certificateErrors';

/** The server's own words, when it gave any: `invalid_scope: scope foo is not allowed (see https://…)`. */
function serverWords(error: string, description?: unknown, uri?: unknown): string {
  const words = typeof description === 'string' && description ? `${error}: ${plainText(description)}` : error;
  return typeof uri === 'string' && uri ? `${words} (see ${plainText(uri, 200)})` : words;
}

/** The server-controlled fields of an OAuth error response, as plain text (also what `details` keeps). */
function oauthFields(err: { error?: unknown; error_description?: unknown } | undefined): {
  code: string;
  description?: string;
} {
  const code = typeof err?.error === 'string' && err.error ? plainText(err.error, 80) : 'error';
  const description =
    typeof err?.error_description === 'string' && err.error_description ? plainText(err.error_description) : undefined;
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

/** openid-client's code for its own timeout (a DOMException TimeoutError it caught); no constant is exported. */
const OPENID_CLIENT_TIMEOUT = 'OAUTH_TIMEOUT';

/**
 * The only mapping from protocol-library and network errors to AuthError, by class (`instanceof` the libraries'
 * exported error classes and ours) and by the libraries' exported code constants, never by message text. `what`
 * names the step for people ("Token request", "Discovery"), so the message says where it failed.
 */
export function toAuthError(e: unknown, what: string): AuthError {
  if (isAuthError(e)) return e;
  if (e instanceof client.ClientError) {
    if (e.code === OPENID_CLIENT_TIMEOUT) return timedOut(what, e);
    // openid-client's "something went wrong" (the only ClientError without a code) wraps what really failed (our
    // fetch seam's errors, a cancel): judge by that, or a dead server reads like a bad setting.
    if (e.code === undefined && e.cause !== undefined) return toAuthError(e.cause, what);
  }
  if (e instanceof ResponseTooLargeError)
    return new AuthError('invalid_response', `${what} failed: ${libraryText(e.message)}.`, { cause: e });
  if (isTimeoutOrAbort(e)) return timedOut(what, e);
  if (e instanceof oauth.AuthorizationResponseError) {
    const { code, description } = oauthFields(e);
    const text =
      code === 'access_denied'
        ? 'Sign-in was denied at the identity provider'
        : 'The identity provider returned an error';
    return new AuthError('authorization_denied', `${text} (${serverWords(code, description, errorUri(e))}).`, {
      oauthError: code,
      oauthErrorDescription: description,
      cause: e,
    });
  }
  if (e instanceof oauth.ResponseBodyError) {
    const { code, description } = oauthFields(e);
    const status = e.status;
    // RFC 8628 §3.5: the two terminal answers of device-code polling. Denying at the IdP is the user's decision,
    // so it ends the sign-in quietly like Cancel; an expired code needs a new sign-in.
    if (code === 'access_denied') {
      return new AuthError('cancelled', 'Sign-in was denied at the identity provider.', {
        oauthError: code,
        oauthErrorDescription: description,
        status,
        cause: e,
      });
    }
    if (code === 'expired_token') {
      return new AuthError('timeout', DEVICE_CODE_EXPIRED, {
        oauthError: code,
        oauthErrorDescription: description,
        status,
        cause: e,
      });
    }
    const mapped: AuthErrorCode =
      code === 'invalid_grant' ? 'invalid_grant' : status >= 500 ? 'network' : 'server_rejected';
    return new AuthError(
      mapped,
      `${what} was rejected by the server (${serverWords(code, description, errorUri(e))}).`,
      {
        oauthError: code,
        oauthErrorDescription: description,
        status,
        cause: e,
      },
    );
  }
  if (e instanceof oauth.WWWAuthenticateChallengeError) {
    // 401 with WWW-Authenticate (RFC 6749 §5.2 invalid_client, RFC 6750 invalid_token): the error is in the challenge.
    const params = e.cause.find((c) => c.parameters?.error)?.parameters;
    const fields = params?.error ? oauthFields(params) : undefined;
    const words = fields ? ` (${serverWords(fields.code, fields.description, params?.error_uri)})` : '';
    return new AuthError('server_rejected', `${what} was refused by the server (HTTP ${e.status ?? 401})${words}.`, {
      status: e.status,
      oauthError: fields?.code,
      oauthErrorDescription: fields?.description,
      cause: e,
    });
  }
  if (e instanceof NetworkError) {
    // A refused certificate stays 'network' (sessions are kept and retried: a CA can be installed, a proxy can
    // change), but the message names the host, the problem and the fix instead of "could not be reached".
    const cert = certificateProblem(e.cause);
    if (cert) return new AuthError('network', certificateMessage(what, e.host ?? 'the server', cert), { cause: e });
    return new AuthError(
      'network',
      `${what} failed: the server could not be reached (${shortNetworkReason(e.cause)}).`,
      { cause: e },
    );
  }
  const status = httpStatusOf(e);
  if (status !== undefined && status >= 500) {
    return new AuthError('network', `${what} failed: the server answered HTTP ${status}. It will be retried.`, {
      status,
      cause: e,
    });
  }
  if (isLibraryError(e)) {
    const where = status !== undefined ? ` (HTTP ${status})` : '';
    return new AuthError('invalid_response', `${what} failed${where}: ${libraryText(e.message)}.`, {
      status,
      cause: e,
    });
  }
  return asAuthError(e, what);
}

/** An error raised by oauth4webapi's checks, or openid-client's rewording of one (both carry an `OAUTH_…` code). */
export function isLibraryError(e: unknown, code?: string): e is oauth.OperationProcessingError | client.ClientError {
  return (
    (e instanceof oauth.OperationProcessingError || e instanceof client.ClientError) &&
    (code === undefined || e.code === code)
  );
}

function timedOut(what: string, cause: unknown): AuthError {
  return new AuthError('network', `${what} timed out: the server did not answer in time.`, { cause });
}

/**
 * A timeout or abort the platform raised: `AbortSignal.timeout()` rejects with a DOMException named TimeoutError,
 * an aborted fetch with one named AbortError (the DOM spec has no subclass per name, so the name is the type),
 * Node's own abort errors carry `code: 'ABORT_ERR'`.
 */
function isTimeoutOrAbort(e: unknown): boolean {
  if (e instanceof DOMException) return e.name === 'TimeoutError' || e.name === 'AbortError';
  return e instanceof Error && (e as { code?: unknown }).code === 'ABORT_ERR';
}

function httpStatusOf(e: unknown): number | undefined {
  const err = e as { cause?: unknown; status?: unknown } | undefined;
  if (typeof err?.status === 'number') return err.status;
  // RESPONSE_IS_NOT_CONFORM and friends keep the Response as their cause.
  const cause = err?.cause as { status?: unknown } | undefined;
  return typeof cause?.status === 'number' ? cause.status : undefined;
}

/** The system error code (ECONNREFUSED, ENOTFOUND, …) of a platform fetch failure, else its message. */
function shortNetworkReason(platformError: unknown): string {
  const err = platformError as { code?: unknown; message?: unknown; cause?: { code?: unknown } } | undefined;
  const reason = [err?.cause?.code, err?.code, err?.message].find((v) => typeof v === 'string' && v);
  return plainText((reason as string | undefined) ?? 'network error', 200);
}
