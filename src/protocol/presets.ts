/**
 * Presets: what `"preset": "<id>"` adds to a settings entry — the issuer (or endpoints) and the defaults an identity
 * provider needs. Read while parsing the settings at activation, so only data is here: the wizard's questions and
 * hints for each preset are in presetGuide.ts and the IdP quirks in presetQuirks.ts (both loaded on first use);
 * never `if (provider === …)` elsewhere. Templates hold `{key}` placeholders, filled from the wizard's answers or
 * from `defaults`.
 */
export interface PresetEntry {
  /** Issuer URL template. Absent for servers without OpenID discovery (their endpoints are in `entry`). */
  readonly issuer?: string;
  /** Defaults merged into the entry (the user's own fields win). */
  readonly entry: Readonly<Record<string, unknown>>;
  /** Answers used when the wizard's question is not asked or left as it is (Keycloak's realm: master). */
  readonly defaults?: Readonly<Record<string, string>>;
}

export const PRESET_ENTRIES = {
  keycloak: { issuer: '{base}/realms/{realm}', defaults: { realm: 'master' }, entry: {} },
  okta: {
    issuer: 'https://{domain}/oauth2/{server}',
    defaults: { server: 'default' },
    entry: { scopes: ['openid', 'profile', 'email', 'offline_access'] },
  },
  auth0: {
    issuer: 'https://{domain}/',
    entry: { scopes: ['openid', 'profile', 'email', 'offline_access'], flow: 'uri-handler' },
  },
  entra: {
    issuer: 'https://login.microsoftonline.com/{tenant}/v2.0',
    entry: { scopes: ['openid', 'profile', 'email', 'offline_access'] },
  },
  google: {
    issuer: 'https://accounts.google.com',
    entry: {
      clientAuthentication: 'client_secret_post',
      authorizationParameters: { access_type: 'offline', prompt: 'consent' },
    },
  },
  github: {
    defaults: { base: 'https://github.com' },
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
  },
  gitlab: {
    issuer: '{base}',
    defaults: { base: 'https://gitlab.com' },
    entry: { scopes: ['openid', 'profile', 'email', 'read_user'] },
  },
  dex: { issuer: '{issuer}', entry: { scopes: ['openid', 'profile', 'email', 'offline_access'] } },
  generic: { issuer: '{issuer}', entry: {} },
} as const satisfies Record<string, PresetEntry>;

export type PresetId = keyof typeof PRESET_ENTRIES;
export const PRESET_IDS = Object.keys(PRESET_ENTRIES) as PresetId[];

/** The preset with this id, or undefined (own keys only: "constructor" is not a preset). */
export function presetEntry(id: string): PresetEntry | undefined {
  return Object.hasOwn(PRESET_ENTRIES, id) ? PRESET_ENTRIES[id as PresetId] : undefined;
}

/** Fills `{key}` placeholders; trailing slashes of base URLs are trimmed so `{base}/realms` never has `//`. */
export function fillTemplate(template: string, answers: Readonly<Record<string, string>>): string {
  return template.replace(/\{(\w+)\}/g, (_m, key: string) => (answers[key] ?? '').trim().replace(/\/+$/, ''));
}

/** `{key}` placeholders in every string of a JSON-like value (the preset's `entry`). */
export function fillTemplates(value: unknown, answers: Readonly<Record<string, string>>): unknown {
  if (typeof value === 'string') return fillTemplate(value, answers);
  if (Array.isArray(value)) return value.map((v) => fillTemplates(v, answers));
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fillTemplates(v, answers)]));
  return value;
}

/**
 * What `"preset": "<id>"` adds to a settings entry: the preset's `entry` and issuer with its default answers. A
 * field whose template needs an answer without a default (Keycloak's base URL) is left out: the entry must set it.
 */
export function presetDefaults(preset: PresetEntry): Record<string, unknown> {
  const answers: Readonly<Record<string, string>> = preset.defaults ?? {};
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
