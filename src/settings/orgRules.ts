/**
 * Organisation rules: which identity providers and accounts may be used, and whether providers may be added by hand.
 * They come from every managed file (managedProviders.ts) and from the `oauthAccounts.organization.*` settings
 * (machine-scoped, and lockable by an administrator through VS Code's policies where VS Code honours them). Sources
 * only ever tighten one another: a server must be allowed by every source that lists servers, an account by every
 * source that lists accounts, and any source can switch manual providers off. So a setting written by the user or by
 * another extension can add a restriction but never lift one. No `vscode` import: unit-tested on plain Node.
 */
import type { ProviderConfig } from '../protocol/config';

export interface OrgRules {
  /**
   * One list per source that restricts servers: exact issuer URLs (`https://login.corp.example/realms/dev`) or origin
   * patterns (`https://*.corp.example`, `https://sso.corp.example`).
   */
  readonly allowedIssuers: ReadonlyArray<{ readonly source: string; readonly patterns: readonly string[] }>;
  /** One list per source that restricts accounts: `*@corp.example`, `alice`, matched case-insensitively. */
  readonly allowedAccounts: ReadonlyArray<{ readonly source: string; readonly patterns: readonly string[] }>;
  /** The sources that switched adding providers by hand (user settings, the API, the wizard) off. */
  readonly manualProvidersDisabledBy: readonly string[];
}

export const NO_RULES: OrgRules = { allowedIssuers: [], allowedAccounts: [], manualProvidersDisabledBy: [] };

/** What one source (a managed file, the settings) says, as written; validated here. */
export interface RawRules {
  readonly allowedIssuers?: unknown;
  readonly allowedAccounts?: unknown;
  readonly disableManualProviders?: unknown;
}

/** Adds one source's rules to `rules`; a malformed rule is a problem, and then counts as "allow nothing". */
export function addRules(rules: OrgRules, source: string, raw: RawRules, problems: string[]): OrgRules {
  const list = (field: keyof RawRules, check: (p: string) => string | undefined) => {
    const v = raw[field];
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v) || v.some((p) => typeof p !== 'string' || !p.trim())) {
      problems.push(`${source}: "${field}" must be a list of strings; nothing is allowed until it is fixed.`);
      return [];
    }
    const bad = (v as string[]).map((p) => check(p.trim())).find((m) => m !== undefined);
    if (bad) {
      problems.push(`${source}: "${field}" ${bad}; nothing is allowed until it is fixed.`);
      return [];
    }
    return (v as string[]).map((p) => p.trim());
  };
  const issuers = list('allowedIssuers', issuerPatternProblem);
  const accounts = list('allowedAccounts', () => undefined);
  const disable = raw.disableManualProviders;
  if (disable !== undefined && disable !== null && typeof disable !== 'boolean')
    problems.push(
      `${source}: "disableManualProviders" must be true or false; adding providers by hand is off until it is fixed.`,
    );
  return {
    allowedIssuers: issuers ? [...rules.allowedIssuers, { source, patterns: issuers }] : rules.allowedIssuers,
    allowedAccounts: accounts ? [...rules.allowedAccounts, { source, patterns: accounts }] : rules.allowedAccounts,
    manualProvidersDisabledBy:
      disable === true || (disable !== undefined && disable !== null && typeof disable !== 'boolean')
        ? [...rules.manualProvidersDisabledBy, source]
        : rules.manualProvidersDisabledBy,
  };
}

/** The source sets no rule (the settings' defaults: null lists, `disableManualProviders` false): addRules adds nothing. */
export function restrictsNothing(raw: RawRules): boolean {
  const unset = (v: unknown) => v === undefined || v === null;
  return (
    unset(raw.allowedIssuers) &&
    unset(raw.allowedAccounts) &&
    (unset(raw.disableManualProviders) || raw.disableManualProviders === false)
  );
}

function issuerPatternProblem(p: string): string | undefined {
  const m = /^(https?):\/\/(\*\.)?([^/*?#\s]+)(\/[^*?#\s]*)?$/.exec(p);
  if (!m)
    return `has ${JSON.stringify(p.slice(0, 100))}, which is neither an issuer URL nor an origin pattern such as "https://*.corp.example"`;
  if (m[2] && m[4] && m[4] !== '/')
    return `has ${JSON.stringify(p.slice(0, 100))}: a pattern with "*." names origins only, without a path`;
  return undefined;
}

/** A pattern that names origins (`https://*.corp.example`, `https://sso.corp.example`), not one exact issuer. */
function isOriginPattern(pattern: string): boolean {
  return /^https?:\/\/[^/]+\/?$/i.test(pattern);
}

/** `url` is allowed by one pattern: the exact issuer, or (for origins) any URL at a matching origin. */
function matchesPattern(url: string, pattern: string, exactIssuer: boolean): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  const wildcard = /^(https?):\/\/\*\.([^/]+)\/?$/i.exec(pattern);
  if (wildcard) {
    const [, scheme, rest] = wildcard;
    return u.protocol === `${scheme.toLowerCase()}:` && u.host.toLowerCase().endsWith(`.${rest.toLowerCase()}`);
  }
  let p: URL;
  try {
    p = new URL(pattern);
  } catch {
    return false;
  }
  const originOnly = p.pathname === '/' && !pattern.replace(/^https?:\/\/[^/]+/i, '').replace(/^\/$/, '');
  if (originOnly) return u.origin === p.origin;
  // An exact issuer: the issuer must be it; the entry's other URLs (discovery, endpoints) must be on its origin.
  return exactIssuer ? url.replace(/\/$/, '') === pattern.replace(/\/$/, '') : u.origin === p.origin;
}

/**
 * Why `config` may not be used under `rules`, or undefined. Every URL that decides where tokens go is checked: the
 * issuer, and the origins of `discoveryUrl` and each endpoint override (an allowed issuer with a token endpoint
 * elsewhere is not an allowed server).
 */
export function serverRefused(
  config: Pick<ProviderConfig, 'issuer' | 'discoveryUrl' | 'endpoints'>,
  rules: OrgRules,
): string | undefined {
  if (!rules.allowedIssuers.length) return undefined;
  const urls: Array<[string, string, boolean]> = [];
  if (config.issuer) urls.push(['issuer', config.issuer, true]);
  if (config.discoveryUrl) urls.push(['discoveryUrl', config.discoveryUrl, false]);
  for (const [k, v] of Object.entries(config.endpoints))
    if (typeof v === 'string') urls.push([`endpoints.${k}`, v, false]);
  for (const { source, patterns } of rules.allowedIssuers) {
    // An exact issuer allows its origin for the entry's other URLs only when the entry names that issuer: without
    // it, a discoveryUrl on a shared host (another tenant or realm) would pass on the origin alone.
    const usable = config.issuer ? patterns : patterns.filter(isOriginPattern);
    for (const [field, url, exact] of urls) {
      if (
        !usable.some(
          (p) =>
            matchesPattern(url, p, exact) &&
            (exact || !config.issuer || isOriginPattern(p) || matchesPattern(config.issuer, p, true)),
        )
      ) {
        return `"${field}" names a server your organisation does not allow (${source} allows ${patterns.length ? patterns.join(', ') : 'none'})`;
      }
    }
  }
  return undefined;
}

/**
 * Why an account may not be used, or undefined. `identifiers` are what names the account (its label, and the
 * email / preferred_username / upn claims when the ID token has them): one of them must match a pattern of every
 * source that lists accounts.
 */
export function accountRefused(identifiers: readonly string[], rules: OrgRules): string | undefined {
  const names = identifiers.filter((id) => id.length <= 256); // no real account name is longer
  for (const { source, patterns } of rules.allowedAccounts) {
    if (!names.some((id) => patterns.some((p) => globMatch(id, p)))) {
      return `your organisation allows only accounts matching ${patterns.length ? patterns.join(', ') : 'none'} (${source})`;
    }
  }
  return undefined;
}

/**
 * `*` matches any run of characters; everything else literally, case-insensitively, over the whole string. Linear
 * (greedy segments, no backtracking): the value is a claim the server chose, matched on the extension host.
 */
export function globMatch(value: string, pattern: string): boolean {
  const v = value.toLowerCase();
  const parts = pattern.toLowerCase().split('*');
  if (parts.length === 1) return v === parts[0];
  const [first, ...rest] = parts;
  const last = rest.pop()!;
  if (!v.startsWith(first) || v.length < first.length + last.length || !v.endsWith(last)) return false;
  let at = first.length;
  const end = v.length - last.length;
  for (const part of rest) {
    const found = v.indexOf(part, at);
    if (found < 0 || found + part.length > end) return false;
    at = found + part.length;
  }
  return true;
}

/**
 * The identifiers of a signed-in account that an allowed-accounts pattern is matched against: the naming claims the
 * server vouches for — an `email` it marks verified (`email_verified` true), `upn`, and `preferred_username` only where
 * the directory assigns it (`directoryUsernames`: Entra ID, where it is the UPN; elsewhere people often choose it
 * themselves, and OIDC Core §5.7 says not to rely on it). Never a display name or the account label, which an entry's
 * `accountLabelClaim` can point at any claim. Only a preset whose quirk names the account from the server's own API
 * (GitHub's login) is matched by the label (`labelFromServerApi`), and only when there are no claims at all.
 */
export function accountIdentifiers(
  label: string,
  claims: Readonly<Record<string, unknown>> | undefined,
  o: { readonly labelFromServerApi?: boolean; readonly directoryUsernames?: boolean } = {},
): string[] {
  if (!claims) return o.labelFromServerApi ? [label] : [];
  const out: string[] = [];
  const text = (name: string) =>
    typeof claims[name] === 'string' && (claims[name] as string).trim() ? (claims[name] as string).trim() : undefined;
  const email = text('email');
  if (email && (claims.email_verified === true || claims.email_verified === 'true')) out.push(email);
  const upn = text('upn');
  if (upn) out.push(upn);
  const username = text('preferred_username');
  if (username && o.directoryUsernames) out.push(username);
  return [...new Set(out)];
}

/**
 * The names a stored session is matched by when the rules change after its sign-in: those the server vouched for then
 * (kept with the session). For a record from before they were kept: its ID token's, when it names the account; else
 * undefined — unknown, and an unknown account is not signed out on a guess (a sign-in checks it again).
 */
export function storedSessionNames(s: {
  readonly account: { readonly label: string };
  readonly tokens: { readonly idClaims?: object };
  readonly vouchedNames?: readonly string[];
}): readonly string[] | undefined {
  if (s.vouchedNames) return s.vouchedNames;
  const fromIdToken = accountIdentifiers(s.account.label, s.tokens.idClaims as Record<string, unknown> | undefined);
  return fromIdToken.length ? fromIdToken : undefined;
}
