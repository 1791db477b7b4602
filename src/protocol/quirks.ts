/**
 * Identity-provider quirks, in one place. Each is a typed value (`quirk.githubJson`, `quirk.missingExpiresIn(7200)`)
 * that a preset lists (src/protocol/presets.ts `quirks`) and the caller hands to the ProviderClient (`ClientDeps.quirks`);
 * nothing else in the code asks which IdP it talks to.
 *
 * Most quirks are customFetch middleware: they rewrite a non-standard response into the standard shape BEFORE
 * openid-client/oauth4webapi validate it, so validation stays strict (research/oauth-libs.md §3.3). The rest replace
 * one protocol step the IdP does not offer in standard form (account from a REST API, proprietary revocation).
 */
import type * as client from 'openid-client';
import type { ProviderConfig } from './config';
import { accountFrom, type Account } from './account';
import { AuthError } from './errors';
import { toAuthError } from './libraryErrors';
import type { FetchInit } from './http';
import type { TokenSet } from './tokens';

export type QuirkFetch = (url: string, init: FetchInit) => Promise<Response>;
type FetchQuirk = (next: QuirkFetch) => QuirkFetch;

export interface QuirkContext {
  readonly config: ProviderConfig;
  readonly metadata: client.ServerMetadata;
  /** The provider's customFetch (timeout, size cap, log, fetch quirks). */
  readonly fetch: QuirkFetch;
  readonly getClientSecret: () => Promise<string | undefined>;
}

/** Who signed in, for IdPs without an ID token or userinfo. */
type AccountQuirk = (ctx: QuirkContext, tokens: TokenSet) => Promise<Account>;
/** Revocation for IdPs without RFC 7009; resolves false when this kind of token cannot be revoked there. */
type RevokeQuirk = (ctx: QuirkContext, token: string, hint: 'refresh_token' | 'access_token') => Promise<boolean>;

/**
 * One quirk: what it changes in the protocol client. A quirk sets one member (besides its name); `combineQuirks`
 * merges a preset's list into the Quirks the client uses.
 */
export interface Quirk {
  /** For logs and tests: the quirk as written in presets.ts. */
  readonly name: string;
  readonly fetch?: FetchQuirk;
  readonly account?: AccountQuirk;
  readonly revoke?: RevokeQuirk;
  readonly publicDeviceFlow?: true;
}

export interface Quirks {
  readonly names: readonly string[];
  wrapFetch(fetch: QuirkFetch): QuirkFetch;
  readonly account?: AccountQuirk;
  readonly revoke?: RevokeQuirk;
  /**
   * The device flow runs as a public client even when the code flow needs the client secret (GitHub): a headless
   * device sign-in then works with just the client id, and the secret is not sent where it is not needed.
   */
  readonly publicDeviceFlow?: boolean;
}

// ---------------------------------------------------------------------------------------------------------------
// Fetch middleware: token-endpoint style responses (POST) are rewritten; GETs (discovery, JWKS, APIs) pass through.

/** Rewrites the JSON body of POST responses; `fn` returns the new body and status, or undefined to keep it as is. */
function rewriteJson(
  fn: (body: Record<string, unknown>, status: number) => { body: Record<string, unknown>; status: number } | undefined,
): FetchQuirk {
  return (next) => async (url, init) => {
    const res = await next(url, init);
    if ((init.method ?? 'GET').toUpperCase() !== 'POST' || !isJson(res)) return res;
    const text = await res.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return rebuild(res, text, res.status);
    }
    const out = isObject(body) ? fn({ ...body }, res.status) : undefined;
    return out ? rebuild(res, JSON.stringify(out.body), out.status) : rebuild(res, text, res.status);
  };
}

/** `Accept: application/json` on POSTs, and form-encoded answers (GitHub without that header) turned into JSON. */
export const jsonResponses: FetchQuirk = (next) => async (url, init) => {
  const post = (init.method ?? 'GET').toUpperCase() === 'POST';
  const res = await next(url, post ? { ...init, headers: { ...init.headers, accept: 'application/json' } } : init);
  if (!post || !/^application\/x-www-form-urlencoded/i.test(res.headers.get('content-type') ?? '')) return res;
  const body = Object.fromEntries(new URLSearchParams(await res.text()));
  if (typeof body.expires_in === 'string' && /^\d+$/.test(body.expires_in))
    (body as Record<string, unknown>).expires_in = Number(body.expires_in);
  return rebuild(res, JSON.stringify(body), res.status, 'application/json');
};

/** HTTP 200 with `{"error": …}` and no access token becomes the HTTP 400 RFC 6749 §5.2 prescribes. */
export const errorsWithHttp200 = rewriteJson((body, status) =>
  status === 200 && typeof body.error === 'string' && body.access_token === undefined
    ? { body, status: 400 }
    : undefined,
);

/** `scope` in a token response separated by commas (GitHub, Slack) → RFC 6749 spaces. */
export const commaScopes = rewriteJson((body, status) =>
  typeof body.scope === 'string' && body.scope.includes(',')
    ? {
        body: {
          ...body,
          scope: body.scope
            .split(/[,\s]+/)
            .filter(Boolean)
            .join(' '),
        },
        status,
      }
    : undefined,
);

/** A token response without `token_type` is a bearer token (the only kind these IdPs issue). */
export const defaultTokenType = rewriteJson((body, status) =>
  typeof body.access_token === 'string' && body.token_type === undefined
    ? { body: { ...body, token_type: 'bearer' }, status }
    : undefined,
);

/**
 * A token response without `expires_in`: with `seconds` (the IdP's documented lifetime) that value, so the token is
 * refreshed in time; without, left out (the token is used until the server refuses it).
 */
export function missingExpiresIn(seconds?: number): FetchQuirk {
  return rewriteJson((body, status) =>
    seconds !== undefined && typeof body.access_token === 'string' && body.expires_in === undefined
      ? { body: { ...body, expires_in: seconds }, status }
      : undefined,
  );
}

/** GitHub's non-standard error codes → their RFC 6749 / 8628 equivalents (the original stays in the description). */
const GITHUB_ERRORS: Readonly<Record<string, string>> = {
  bad_verification_code: 'invalid_grant',
  bad_refresh_token: 'invalid_grant',
  incorrect_device_code: 'invalid_grant',
  incorrect_client_credentials: 'invalid_client',
  unsupported_grant_type: 'unsupported_grant_type',
};
const githubErrorNames = rewriteJson((body, status) => {
  const mapped = typeof body.error === 'string' ? GITHUB_ERRORS[body.error] : undefined;
  if (!mapped || mapped === body.error) return undefined;
  const description =
    typeof body.error_description === 'string' ? `${body.error}: ${body.error_description}` : body.error;
  return { body: { ...body, error: mapped, error_description: description }, status };
});

/** GitHub's token endpoint: JSON only when asked, errors with HTTP 200, comma scopes, sometimes no token_type. */
export const githubJsonAndErrors: FetchQuirk = compose(
  defaultTokenType,
  commaScopes,
  githubErrorNames,
  errorsWithHttp200,
  jsonResponses,
);

/** The first quirk is the outermost: it sees the request first and the response last. */
export function compose(...quirks: FetchQuirk[]): FetchQuirk {
  return (next) => quirks.reduceRight((inner, q) => q(inner), next);
}

// ---------------------------------------------------------------------------------------------------------------
// GitHub REST API: account and revocation.

/** The REST API base for a GitHub server: api.github.com, or GitHub Enterprise Server's `{origin}/api/v3`. */
export function githubApiBase(config: ProviderConfig, metadata: client.ServerMetadata): string {
  if (config.endpoints.userinfo) return config.endpoints.userinfo.replace(/\/user\/?$/, '');
  const origin = new URL(metadata.token_endpoint ?? metadata.authorization_endpoint!).origin;
  return origin === 'https://github.com' ? 'https://api.github.com' : `${origin}/api/v3`;
}

const GITHUB_API_HEADERS = { accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28' };

/** The account from `GET /user` (`id` is the stable subject, `login` the label). */
export const accountFromApi: AccountQuirk = async (ctx, tokens) => {
  const url = `${githubApiBase(ctx.config, ctx.metadata)}/user`;
  let res: Response;
  try {
    res = await ctx.fetch(url, {
      method: 'GET',
      headers: { ...GITHUB_API_HEADERS, authorization: `Bearer ${tokens.accessToken}` },
      redirect: 'manual',
    });
  } catch (e) {
    // The fetch seam's own refusals (the https rule) stay what they are; a dead server is `network`.
    throw toAuthError(e, 'The user profile request');
  }
  if (res.status >= 500)
    throw new AuthError(
      'network',
      `The user profile request failed: the server answered HTTP ${res.status}. It will be retried.`,
      { status: res.status },
    );
  if (res.status !== 200)
    throw new AuthError(
      'server_rejected',
      `The user profile request was refused (HTTP ${res.status}); the token may lack the read:user scope.`,
      { status: res.status },
    );
  let profile: unknown;
  try {
    profile = await res.json();
  } catch {
    profile = undefined;
  }
  const p = isObject(profile) ? profile : {};
  if ((typeof p.id !== 'number' && typeof p.id !== 'string') || typeof p.login !== 'string' || !p.login) {
    throw new AuthError('invalid_response', 'The user profile response has no "id" and "login".');
  }
  const labelClaim = ctx.config.accountLabelClaim;
  const claims: Record<string, unknown> = { sub: String(p.id), login: p.login };
  if (labelClaim && labelClaim !== 'login') claims[labelClaim] = p[labelClaim];
  return accountFrom(ctx.metadata.issuer, [claims], labelClaim ?? 'login', `${ctx.config.label} account`);
};

/**
 * `DELETE /applications/{client_id}/token` with Basic client_id:secret (GitHub has no RFC 7009 endpoint). Only
 * access tokens: revoking one ends the authorization's use of it; there is no call for a refresh token alone.
 */
export const githubRevocation: RevokeQuirk = async (ctx, token, hint) => {
  if (hint !== 'access_token') return false;
  const secret = await ctx.getClientSecret();
  if (!secret)
    throw new AuthError(
      'config',
      `Provider "${ctx.config.id}" needs its client secret to revoke tokens at GitHub. Run "OAuth Accounts: Set Client Secret...".`,
    );
  const url = `${githubApiBase(ctx.config, ctx.metadata)}/applications/${encodeURIComponent(ctx.config.clientId)}/token`;
  const basic = base64(`${ctx.config.clientId}:${secret}`);
  const res = await ctx.fetch(url, {
    method: 'DELETE',
    redirect: 'manual',
    headers: { ...GITHUB_API_HEADERS, authorization: `Basic ${basic}`, 'content-type': 'application/json' },
    body: JSON.stringify({ access_token: token }),
  });
  // 404: the token is unknown (already revoked or expired) — the goal is reached, as with RFC 7009 §2.2.
  if (res.status === 204 || res.status === 200 || res.status === 404) return true;
  throw new AuthError(
    res.status >= 500 ? 'network' : 'server_rejected',
    `The token revocation was refused by GitHub (HTTP ${res.status}).`,
    { status: res.status },
  );
};

// ---------------------------------------------------------------------------------------------------------------
// The quirks presets can list: typed values, so a misspelt or unknown quirk is a compile error, not a runtime one.

export const quirk = {
  /** GitHub's token endpoint (githubJsonAndErrors). */
  githubJson: { name: 'githubJson', fetch: githubJsonAndErrors },
  jsonResponses: { name: 'jsonResponses', fetch: jsonResponses },
  errorsWithHttp200: { name: 'errorsWithHttp200', fetch: errorsWithHttp200 },
  commaScopes: { name: 'commaScopes', fetch: commaScopes },
  defaultTokenType: { name: 'defaultTokenType', fetch: defaultTokenType },
  /** Token responses without expires_in get the IdP's documented lifetime. */
  missingExpiresIn: (seconds: number): Quirk => ({
    name: `missingExpiresIn(${seconds})`,
    fetch: missingExpiresIn(seconds),
  }),
  /** The account from GitHub's REST API (no ID token, no userinfo). */
  githubAccount: { name: 'githubAccount', account: accountFromApi },
  githubRevocation: { name: 'githubRevocation', revoke: githubRevocation },
  publicDeviceFlow: { name: 'publicDeviceFlow', publicDeviceFlow: true },
} as const satisfies Record<string, Quirk | ((...args: never[]) => Quirk)>;

/** Merges a list of quirks: fetch middleware in list order (the first is outermost); the last account/revoke wins. */
export function combineQuirks(list: readonly Quirk[]): Quirks {
  const fetchQuirks = list.flatMap((q) => (q.fetch ? [q.fetch] : []));
  const last = [...list].reverse();
  return {
    names: list.map((q) => q.name),
    wrapFetch: compose(...fetchQuirks),
    account: last.find((q) => q.account)?.account,
    revoke: last.find((q) => q.revoke)?.revoke,
    publicDeviceFlow: list.some((q) => q.publicDeviceFlow),
  };
}

function isJson(res: Response): boolean {
  return /^application\/(?:[\w.+-]+\+)?json/i.test(res.headers.get('content-type') ?? '');
}

function rebuild(res: Response, body: string, status: number, contentType?: string): Response {
  const headers = new Headers(res.headers);
  headers.delete('content-length');
  if (contentType) headers.set('content-type', contentType);
  return new Response(body, { status, statusText: status === res.status ? res.statusText : '', headers });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function base64(s: string): string {
  const bytes = new TextEncoder().encode(s);
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}
