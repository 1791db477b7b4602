/**
 * Presets: what a person knows about their identity provider (a tenant, a realm, a domain) turned into a provider
 * entry with the right issuer, scopes and parameters. Each preset is data, read while parsing the settings at
 * activation; IdP quirks that data cannot express are typed values listed per preset in presetQuirks.ts (loaded with
 * the protocol client on first use), never `if (provider === …)` elsewhere.
 */
import { EXTENSION_ID } from './constants';

export interface PresetQuestion {
  /** Placeholder name used in templates: `{tenant}`. */
  readonly key: string;
  readonly prompt: string;
  readonly placeholder?: string;
  readonly defaultValue?: string;
}

export interface Preset {
  readonly id: string;
  readonly label: string;
  readonly description: string;
  /** Issuer URL with `{key}` placeholders filled from the answers. Absent for servers without OpenID discovery. */
  readonly issuer?: string;
  readonly questions: readonly PresetQuestion[];
  /** Defaults merged into the generated entry (the user's answers win). */
  readonly entry: Readonly<Record<string, unknown>>;
  /** What to register at the identity provider, shown by the wizard and the README. */
  readonly registerHint: string;
}

export const PRESETS: readonly Preset[] = [
  {
    id: 'keycloak', label: 'Keycloak', description: 'Keycloak realm (public client)',
    issuer: '{base}/realms/{realm}',
    questions: [
      { key: 'base', prompt: 'Keycloak base URL', placeholder: 'https://keycloak.example.com' },
      { key: 'realm', prompt: 'Realm', defaultValue: 'master' },
    ],
    entry: {},
    registerHint: 'Client authentication off, Standard flow on; Valid redirect URIs: the ones below.',
  },
  {
    id: 'okta', label: 'Okta', description: 'Okta custom authorization server (Native app)',
    issuer: 'https://{domain}/oauth2/{server}',
    questions: [
      { key: 'domain', prompt: 'Okta domain', placeholder: 'example.okta.com' },
      { key: 'server', prompt: 'Authorization server id', defaultValue: 'default' },
    ],
    entry: { scopes: ['openid', 'profile', 'email', 'offline_access'] },
    registerHint: 'Native app with Authorization Code and Refresh Token grants; sign-in redirect URIs: the ones below.',
  },
  {
    id: 'auth0', label: 'Auth0', description: 'Auth0 tenant (Native application)',
    issuer: 'https://{domain}/',
    questions: [
      { key: 'domain', prompt: 'Auth0 domain', placeholder: 'example.eu.auth0.com' },
      { key: 'audience', prompt: 'API audience (optional: for a JWT access token for your API)', placeholder: 'https://api.example.com' },
    ],
    entry: { scopes: ['openid', 'profile', 'email', 'offline_access'], flow: 'uri-handler' },
    registerHint: `Native application; Allowed Callback URLs: vscode://${EXTENSION_ID}/callback. Enable Allow Offline Access on the API for refresh tokens.`,
  },
  {
    id: 'entra', label: 'Microsoft Entra ID', description: 'Entra ID tenant (public client)',
    issuer: 'https://login.microsoftonline.com/{tenant}/v2.0',
    questions: [{ key: 'tenant', prompt: 'Tenant id (a GUID, your domain, or common / organizations for a multi-tenant app)', placeholder: '00000000-0000-0000-0000-000000000000' }],
    entry: { scopes: ['openid', 'profile', 'email', 'offline_access'] },
    registerHint: 'Authentication → Mobile and desktop applications → redirect URI http://127.0.0.1/callback; Allow public client flows on.',
  },
  {
    id: 'google', label: 'Google', description: 'Google account (Desktop app client)',
    issuer: 'https://accounts.google.com',
    questions: [],
    entry: { clientAuthentication: 'client_secret_post', authorizationParameters: { access_type: 'offline', prompt: 'consent' } },
    registerHint: 'OAuth client of type Desktop app (loopback redirects on any port). Store its client secret with "OAuth Accounts: Set Client Secret...".',
  },
  {
    id: 'github', label: 'GitHub', description: 'GitHub.com or GitHub Enterprise Server (OAuth app)',
    questions: [{ key: 'base', prompt: 'GitHub URL', defaultValue: 'https://github.com' }],
    entry: {
      endpoints: {
        authorization: '{base}/login/oauth/authorize',
        token: '{base}/login/oauth/access_token',
        deviceAuthorization: '{base}/login/device/code',
      },
      scopes: ['read:user'],
      // GitHub does not distinguish public and confidential clients: the web flow's code exchange needs the secret.
      clientAuthentication: 'client_secret_post',
    },
    registerHint: 'OAuth app (Settings → Developer settings → OAuth Apps) with Authorization callback URL http://127.0.0.1/callback (GitHub accepts any loopback port); enable Device Flow for remote windows. Store its client secret with "OAuth Accounts: Set Client Secret...".',
  },
  {
    id: 'gitlab', label: 'GitLab', description: 'GitLab.com or self-managed GitLab',
    issuer: '{base}',
    questions: [{ key: 'base', prompt: 'GitLab URL', defaultValue: 'https://gitlab.com' }],
    entry: { scopes: ['openid', 'profile', 'email', 'read_user'] },
    registerHint: 'Application (not confidential) with scopes openid profile email read_user; redirect URIs: the ones below.',
  },
  {
    id: 'dex', label: 'Dex', description: 'Dex (static public client)',
    issuer: '{issuer}',
    questions: [{ key: 'issuer', prompt: 'Dex issuer URL', placeholder: 'https://dex.example.com' }],
    entry: { scopes: ['openid', 'profile', 'email', 'offline_access'] },
    registerHint: 'staticClients entry with public: true (loopback redirects then work on any port).',
  },
  {
    id: 'generic', label: 'Other OpenID Connect / OAuth 2.0 server', description: 'Any server with an issuer URL',
    issuer: '{issuer}',
    questions: [{ key: 'issuer', prompt: 'Issuer URL', placeholder: 'https://sso.example.com' }],
    entry: {},
    registerHint: 'A public client (PKCE) allowing the redirect URIs below.',
  },
];

/** Fills `{key}` placeholders; trailing slashes of base URLs are trimmed so `{base}/realms` never has `//`. */
export function fillTemplate(template: string, answers: Readonly<Record<string, string>>): string {
  return template.replace(/\{(\w+)\}/g, (_m, key: string) => (answers[key] ?? '').trim().replace(/\/+$/, ''));
}

/** The preset with this id, or undefined. */
export function findPreset(id: string): Preset | undefined {
  return PRESETS.find((p) => p.id === id);
}

/** `{key}` placeholders in every string of a JSON-like value (the preset's `entry`). */
export function fillTemplates(value: unknown, answers: Readonly<Record<string, string>>): unknown {
  if (typeof value === 'string') return fillTemplate(value, answers);
  if (Array.isArray(value)) return value.map((v) => fillTemplates(v, answers));
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fillTemplates(v, answers)]));
  return value;
}

/**
 * What `"preset": "<id>"` adds to a settings entry: the preset's `entry` and issuer with the questions' default
 * answers. A field whose template needs an answer without a default (Keycloak's base URL) is left out: the entry
 * must set it.
 */
export function presetDefaults(preset: Preset): Record<string, unknown> {
  const answers: Record<string, string> = {};
  for (const q of preset.questions) if (q.defaultValue) answers[q.key] = q.defaultValue;
  const resolvable = (v: unknown): boolean => {
    if (typeof v === 'string') return [...v.matchAll(/\{(\w+)\}/g)].every((m) => answers[m[1]] !== undefined);
    if (Array.isArray(v)) return v.every(resolvable);
    if (typeof v === 'object' && v !== null) return Object.values(v).every(resolvable);
    return true;
  };
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(preset.entry)) if (resolvable(v)) out[k] = fillTemplates(v, answers);
  if (preset.issuer && resolvable(preset.issuer)) out.issuer = fillTemplate(preset.issuer, answers);
  return out;
}
