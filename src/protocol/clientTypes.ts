/**
 * The values the protocol client hands its callers (client.ts): what it needs, a started authorization request, a
 * started device authorization, and the result of a sign-in. Secrets live in some of them: never logged.
 */
import type * as oauth from 'oauth4webapi';
import type { Account } from './account';
import type { BaseFetch, HttpLog } from './http';
import type { Quirk } from './quirks';
import type { TokenSet } from './tokens';

export interface ClientDeps {
  readonly fetch: BaseFetch;
  /** Read when a token request needs it, never cached: the user may set it while a provider is registered. */
  readonly getClientSecret: () => Promise<string | undefined>;
  readonly log?: HttpLog;
  readonly timeoutMs?: number;
  readonly now?: () => number;
  /** The IdP's quirks (its preset's: presets.ts presetQuirks); none for a standards-conforming server. */
  readonly quirks?: readonly Quirk[];
}

/** Everything needed to finish one authorization request, held by the caller (never logged: it has secrets). */
export interface PendingAuthorization {
  readonly url: string;
  readonly state: string;
  readonly nonce?: string;
  readonly codeVerifier: string;
  readonly redirectUri: string;
  readonly scopes: readonly string[];
}

export interface SignInResult {
  readonly tokens: TokenSet;
  readonly account: Account;
  /** Scopes that were requested from the server (requested ∪ defaults). */
  readonly requestedScopes: readonly string[];
  /** The userinfo answer the sign-in fetched to name the account, if it did: read again, never fetched twice. */
  readonly userinfo?: Readonly<Record<string, unknown>>;
  /**
   * The account's names the server vouched for (orgRules.ts accountIdentifiers), as the sign-in checked them against
   * the organisation's allowed accounts: set by the engine's sign-in, kept with the session.
   */
  readonly vouchedNames?: readonly string[];
}

/** A started RFC 8628 device authorization, held by the caller (never logged: `response` has the device_code). */
export interface DeviceAuthorization {
  readonly userCode: string;
  readonly verificationUri: string;
  readonly verificationUriComplete?: string;
  /** Epoch ms after which polling stops (the server's expires_in). */
  readonly expiresAt: number;
  readonly scopes: readonly string[];
  readonly response: oauth.DeviceAuthorizationResponse;
}
