/**
 * TokenSet: what a token response leaves us with, in our own small shape (≈ golang.org/x/oauth2's Token). Expiry is
 * an absolute time computed once when the response arrives; "fresh" applies one named margin (refreshMargin) and is
 * decided here, from the token alone, for every caller (the session keeper's reads and its proactive timer).
 */

/** Epoch milliseconds now. Injected once (the session keeper's) so tests can move time; Date.now in production. */
export type Clock = () => number;

export interface IdTokenClaims {
  readonly iss: string;
  readonly sub: string;
  readonly aud: string | readonly string[];
  readonly [claim: string]: unknown;
}

export interface TokenSet {
  readonly accessToken: string;
  readonly tokenType: string;
  readonly refreshToken?: string;
  readonly idToken?: string;
  /** Validated claims of `idToken` (signature and claims checked by the protocol library). */
  readonly idClaims?: IdTokenClaims;
  /** Epoch ms; undefined when the server did not say (then the token is used until the server refuses it). */
  readonly expiresAt?: number;
  /** Scopes the server says it granted; undefined when it did not say (RFC 6749 §5.1: then as requested). */
  readonly grantedScopes?: readonly string[];
  /**
   * Epoch ms when the response arrived: with expiresAt it gives the lifetime, so short-lived tokens are refreshed
   * after two thirds of it rather than 5 minutes early. Stored records from before this field get it on load
   * (sessionStore.ts parseSession).
   */
  readonly issuedAt?: number;
}

interface TokenEndpointResponseLike {
  access_token: string;
  token_type?: string;
  refresh_token?: string;
  id_token?: string;
  expires_in?: number;
  scope?: string;
}

export function fromTokenResponse(
  res: TokenEndpointResponseLike,
  idClaims: IdTokenClaims | undefined,
  now: number,
  previous?: TokenSet,
): TokenSet {
  return {
    accessToken: res.access_token,
    tokenType: res.token_type ?? 'bearer',
    // RFC 6749 §6: a refresh response without refresh_token means "keep using the one you have".
    refreshToken: res.refresh_token ?? previous?.refreshToken,
    idToken: res.id_token ?? previous?.idToken,
    idClaims: idClaims ?? previous?.idClaims,
    expiresAt: typeof res.expires_in === 'number' && res.expires_in > 0 ? now + res.expires_in * 1000 : undefined,
    grantedScopes: typeof res.scope === 'string' ? res.scope.split(' ').filter(Boolean) : previous?.grantedScopes,
    issuedAt: now,
  };
}

/** Refresh this long before expiry: 5 minutes, or a third of the lifetime for short-lived tokens. */
export function refreshMargin(lifetimeMs: number | undefined): number {
  const fiveMinutes = 5 * 60_000;
  if (lifetimeMs === undefined || lifetimeMs <= 0) return fiveMinutes;
  return Math.min(fiveMinutes, Math.floor(lifetimeMs / 3));
}

/**
 * When the token stops being fresh: its expiry minus the refresh margin, or undefined when the server stated no
 * expiry (such a token is used until the server refuses it).
 */
export function freshUntil(t: TokenSet): number | undefined {
  if (t.expiresAt === undefined) return undefined;
  const lifetime = t.issuedAt === undefined ? undefined : t.expiresAt - t.issuedAt;
  return t.expiresAt - refreshMargin(lifetime);
}

/** Whether the access token may be handed out without refreshing first (≈ x/oauth2's Token.Valid). */
export function isFresh(t: TokenSet, now: number): boolean {
  const until = freshUntil(t);
  return until === undefined || now < until;
}

/** Whether the access token has expired outright (no margin): past this it is never handed out. */
export function isExpired(t: TokenSet, now: number): boolean {
  return t.expiresAt !== undefined && now >= t.expiresAt;
}

/** The payload of a JWT, or undefined when the string is not one. Not verified: for display, or for choosing what the library then verifies. */
export function decodeJwtPayload(token: string): Record<string, unknown> | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts[1]) return undefined;
  try {
    const json = atob(
      parts[1]
        .replace(/-/g, '+')
        .replace(/_/g, '/')
        .padEnd(Math.ceil(parts[1].length / 4) * 4, '='),
    );
    const v = JSON.parse(
      decodeURIComponent(Array.from(json, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`).join('')),
    );
    return v && typeof v === 'object' && !Array.isArray(v) ? v : undefined;
  } catch {
    return undefined;
  }
}
