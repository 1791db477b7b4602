/**
 * One error type for everything that can go wrong while talking to an authorization server, with a closed set of
 * codes so callers branch on `code`, never on message text. Only `ui.ts`/`log.ts` turn these into words for people;
 * the message here is already safe to show (it never contains a token, code, verifier or secret), and every piece of
 * server text in it (error, error_description, error_uri, WWW-Authenticate parameters, library messages that may
 * quote a response) has passed through `plainText`: one line, no control characters, no link syntax.
 *
 * This file imports no protocol library: it is part of the bundle loaded at activation, and the session layer uses
 * it. What the libraries throw is mapped in libraryErrors.ts, inside the protocol client (loaded on first use), so
 * every error that leaves the client is already an AuthError.
 */
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

/**
 * Situations a caller handles specially, beyond the code: the registration endpoint wants an initial access token
 * (RFC 7591 §3: ask for one and retry); a URL publishes no RFC 9728 metadata (it may be an issuer instead).
 */
type AuthErrorReason = 'initial_access_token_required' | 'no_resource_metadata';

/** What an AuthError keeps besides its code and message: the server's OAuth error and the HTTP status. */
interface AuthErrorDetails {
  readonly oauthError?: string;
  readonly oauthErrorDescription?: string;
  readonly status?: number;
  readonly reason?: AuthErrorReason;
}

/**
 * What makes an AuthError one, across bundles: the engine bundle (loaded on first use) has its own copy of this
 * module, so `instanceof` cannot tell; a registered symbol can.
 */
const AUTH_ERROR = Symbol.for('openauth.oauth-accounts/AuthError');

/**
 * `new AuthError(code, message, { cause, ...details })`, like panva's errors: the original error is the standard
 * ES2022 `cause` (so `console.log` and debuggers show the chain), `details` keeps what a caller may branch on.
 */
export class AuthError extends Error {
  override readonly name = 'AuthError';
  readonly [AUTH_ERROR] = true;
  readonly details: AuthErrorDetails;
  constructor(
    readonly code: AuthErrorCode,
    message: string,
    { cause, ...details }: AuthErrorDetails & { cause?: unknown } = {},
  ) {
    super(message, cause === undefined ? undefined : { cause });
    this.details = details;
  }
  get transient(): boolean {
    return TRANSIENT_CODES.has(this.code);
  }
}

/** The fetch seam (http.ts) refused a response body over its size cap. */
export class ResponseTooLargeError extends Error {
  override readonly name = 'ResponseTooLargeError';
}

/**
 * The platform fetch failed before any HTTP answer (refused, reset, DNS, TLS, CORS in a browser): the fetch seam
 * wraps whatever the platform threw (node-fetch's FetchError, undici's TypeError) in this, so nothing below has to
 * guess from error names or message text. `cause` is the platform's error.
 */
export class NetworkError extends Error {
  override readonly name = 'NetworkError';
  /** `host` of the request's URL (`idp.example.com:8443`), for messages that name the server, e.g. its certificate. */
  constructor(
    cause: unknown,
    readonly host?: string,
  ) {
    super('the server could not be reached', { cause });
  }
}

/** An AuthError from either bundle (see AUTH_ERROR), with `code` when given. */
export const isAuthError = (e: unknown, code?: AuthErrorCode): e is AuthError =>
  typeof e === 'object' &&
  e !== null &&
  (e as { [AUTH_ERROR]?: unknown })[AUTH_ERROR] === true &&
  (code === undefined || (e as AuthError).code === code);

/** An AuthError for one of the situations callers handle specially (AuthErrorReason). */
export const hasReason = (e: unknown, reason: AuthErrorReason): boolean =>
  isAuthError(e) && e.details.reason === reason;

/** Shown when a device code expires (the server said expired_token, or its expires_in passed while polling). */
export const DEVICE_CODE_EXPIRED = 'The code expired before sign-in was completed. Sign in again to get a new code.';

/**
 * For the session layer, which only calls the protocol client (whose methods throw AuthError, see libraryErrors.ts):
 * an AuthError as it is; anything else — a bug, or the protocol bundle failing to load — as `invalid_response`
 * with its message as plain text, never guessed into a more specific code.
 */
export function asAuthError(e: unknown, what: string): AuthError {
  if (isAuthError(e)) return e;
  return new AuthError(
    'invalid_response',
    `${what} failed: ${plainText((e as Error | undefined)?.message ?? String(e), 500)}`,
    { cause: e },
  );
}
