/**
 * Organisation rules: which identity providers and accounts may be used, and whether providers may be added by hand.
 * They come from every managed file (managedProviders.ts) and from the `oauthAccounts.organization.*` settings
 * (machine-scoped, and lockable by an administrator through VS Code's policies where VS Code honours them). Sources
 * only ever tighten one another: a server must be allowed by every source that lists servers, an account by every
 * source that lists accounts, and any source can switch manual providers off. So a setting written by the user or by
 * another extension can add a restriction but never lift one. No `vscode` import: unit-tested on plain Node.
 */
import type { ProviderConfig } from './config';

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
    if (bad) { problems.push(`${source}: "${field}" ${bad}; nothing is allowed until it is fixed.`); return []; }
    return (v as string[]).map((p) => p.trim());
  };
  const issuers = list('allowedIssuers', issuerPatternProblem);
  const accounts = list('allowedAccounts', () => undefined);
  const disable = raw.disableManualProviders;
  if (disable !== undefined && disable !== null && typeof disable !== 'boolean') problems.push(`${source}: "disableManualProviders" must be true or false; adding providers by hand is off until it is fixed.`);
  return {
    allowedIssuers: issuers ? [...rules.allowedIssuers, { source, patterns: issuers }] : rules.allowedIssuers,
    allowedAccounts: accounts ? [...rules.allowedAccounts, { source, patterns: accounts }] : rules.allowedAccounts,
    manualProvidersDisabledBy: disable === true || (disable !== undefined && disable !== null && typeof disable !== 'boolean')
      ? [...rules.manualProvidersDisabledBy, source] : rules.manualProvidersDisabledBy,
  };
}

function issuerPatternProblem(p: string): string | undefined {
  const m = /^(https?):\/\/(\*\.)?([^/*?#\s]+)(\/[^*?#\s]*)?$/.exec(p);
  if (!m) return `has ${JSON.stringify(p.slice(0, 100))}, which is neither an issuer URL nor an origin pattern such as "https://*.corp.example"`;
  if (m[2] && m[4] && m[4] !== '/') return `has ${JSON.stringify(p.slice(0, 100))}: a pattern with "*." names origins only, without a path`;
  return undefined;
}

/** `url` is allowed by one pattern: the exact issuer, or (for origins) any URL at a matching origin. */
function matchesPattern(url: string, pattern: string, exactIssuer: boolean): boolean {
  let u: URL;
  try { u = new URL(url); } catch { return false; }
  const wildcard = /^(https?):\/\/\*\.([^/]+)\/?$/i.exec(pattern);
  if (wildcard) {
    const [, scheme, rest] = wildcard;
    return u.protocol === `${scheme.toLowerCase()}:` && u.host.toLowerCase().endsWith(`.${rest.toLowerCase()}`);
  }
  let p: URL;
  try { p = new URL(pattern); } catch { return false; }
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
export function serverRefused(config: Pick<ProviderConfig, 'issuer' | 'discoveryUrl' | 'endpoints'>, rules: OrgRules): string | undefined {
  const urls: Array<[string, string, boolean]> = [];
  if (config.issuer) urls.push(['issuer', config.issuer, true]);
  if (config.discoveryUrl) urls.push(['discoveryUrl', config.discoveryUrl, false]);
  for (const [k, v] of Object.entries(config.endpoints)) if (typeof v === 'string') urls.push([`endpoints.${k}`, v, false]);
  for (const { source, patterns } of rules.allowedIssuers) {
    for (const [field, url, exact] of urls) {
      if (!patterns.some((p) => matchesPattern(url, p, exact))) {
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
  for (const { source, patterns } of rules.allowedAccounts) {
    if (!identifiers.some((id) => patterns.some((p) => globMatch(id, p)))) {
      return `your organisation allows only accounts matching ${patterns.length ? patterns.join(', ') : 'none'} (${source})`;
    }
  }
  return undefined;
}

/** `*` matches any run of characters; everything else literally, case-insensitively, over the whole string. */
export function globMatch(value: string, pattern: string): boolean {
  const re = new RegExp(`^${pattern.split('*').map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'i');
  return re.test(value);
}

/**
 * The identifiers of a signed-in account that an allowed-accounts pattern is matched against: the naming claims the
 * server vouches for (`email` unless it says `email_verified: false`, `preferred_username`, `upn`). Never a display
 * name or an unverified address: on a server where people register themselves, anyone can type those. Only a server
 * that sends no claims at all (plain OAuth 2.0, e.g. GitHub, whose preset names the account by its login) is
 * matched by the account label instead.
 */
export function accountIdentifiers(label: string, claims: Readonly<Record<string, unknown>> | undefined): string[] {
  if (!claims) return [label];
  const out: string[] = [];
  for (const claim of ['email', 'preferred_username', 'upn']) {
    const v = claims[claim];
    if (claim === 'email' && claims.email_verified === false) continue;
    if (typeof v === 'string' && v.trim()) out.push(v.trim());
  }
  return [...new Set(out)];
}
