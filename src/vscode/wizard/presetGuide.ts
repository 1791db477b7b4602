/**
 * The Add Identity Provider wizard's side of the presets: what a person knows about their identity provider (a
 * tenant, a realm, a domain), asked as questions, and what to register there. The data the answers fill in is
 * presets.ts (read at activation); this file is part of the engine bundle, loaded when the wizard runs.
 */
import { EXTENSION_ID } from '../../protocol/constants';
import { PRESET_ENTRIES, type PresetEntry, type PresetId } from '../../protocol/presets';

interface PresetQuestion {
  /** Placeholder name used in templates: `{tenant}`. */
  readonly key: string;
  readonly prompt: string;
  readonly placeholder?: string;
  /** The preset's default answer (presets.ts `defaults`), offered in the input box. */
  readonly defaultValue?: string;
}

export interface Preset extends PresetEntry {
  readonly id: PresetId;
  readonly label: string;
  readonly description: string;
  readonly questions: readonly PresetQuestion[];
  /** What to register at the identity provider, shown by the wizard and the README. */
  readonly registerHint: string;
}

interface Guide {
  readonly label: string;
  readonly description: string;
  readonly questions: ReadonlyArray<Omit<PresetQuestion, 'defaultValue'>>;
  readonly registerHint: string;
}

/** One preset: its data from presets.ts, its questions (with the data's default answers) and hint from here. */
function preset(id: PresetId, guide: Guide): Preset {
  const data: PresetEntry = PRESET_ENTRIES[id];
  const questions = guide.questions.map((q) => ({ ...q, defaultValue: data.defaults?.[q.key] }));
  return { ...data, ...guide, id, questions };
}

export const PRESETS: readonly Preset[] = [
  preset('keycloak', {
    label: 'Keycloak',
    description: 'Keycloak realm (public client)',
    questions: [
      { key: 'base', prompt: 'Keycloak base URL', placeholder: 'https://keycloak.example.com' },
      { key: 'realm', prompt: 'Realm' },
    ],
    registerHint: 'Client authentication off, Standard flow on; Valid redirect URIs: the ones below.',
  }),
  preset('okta', {
    label: 'Okta',
    description: 'Okta custom authorization server (Native app)',
    questions: [
      { key: 'domain', prompt: 'Okta domain', placeholder: 'example.okta.com' },
      { key: 'server', prompt: 'Authorization server id' },
    ],
    registerHint: 'Native app with Authorization Code and Refresh Token grants; sign-in redirect URIs: the ones below.',
  }),
  preset('auth0', {
    label: 'Auth0',
    description: 'Auth0 tenant (Native application)',
    questions: [
      { key: 'domain', prompt: 'Auth0 domain', placeholder: 'example.eu.auth0.com' },
      {
        key: 'audience',
        prompt: 'API audience (optional: for a JWT access token for your API)',
        placeholder: 'https://api.example.com',
      },
    ],
    registerHint: `Native application; Allowed Callback URLs: vscode://${EXTENSION_ID}/callback. Enable Allow Offline Access on the API for refresh tokens.`,
  }),
  preset('entra', {
    label: 'Microsoft Entra ID',
    description: 'Entra ID tenant (public client)',
    questions: [
      {
        key: 'tenant',
        prompt: 'Tenant id (a GUID, your domain, or common / organizations for a multi-tenant app)',
        placeholder: '00000000-0000-0000-0000-000000000000',
      },
    ],
    registerHint:
      'Authentication → Mobile and desktop applications → redirect URI http://127.0.0.1/callback; Allow public client flows on.',
  }),
  preset('google', {
    label: 'Google',
    description: 'Google account (Desktop app client)',
    questions: [],
    registerHint:
      'OAuth client of type Desktop app (loopback redirects on any port). Store its client secret with "OAuth Accounts: Set Client Secret...".',
  }),
  preset('github', {
    label: 'GitHub',
    description: 'GitHub.com or GitHub Enterprise Server (OAuth app)',
    questions: [{ key: 'base', prompt: 'GitHub URL' }],
    registerHint:
      'OAuth app (Settings → Developer settings → OAuth Apps) with Authorization callback URL http://127.0.0.1/callback (GitHub accepts any loopback port); enable Device Flow for remote windows. Store its client secret with "OAuth Accounts: Set Client Secret...".',
  }),
  preset('gitlab', {
    label: 'GitLab',
    description: 'GitLab.com or self-managed GitLab',
    questions: [{ key: 'base', prompt: 'GitLab URL' }],
    registerHint:
      'Application (not confidential) with scopes openid profile email read_user; redirect URIs: the ones below.',
  }),
  preset('dex', {
    label: 'Dex',
    description: 'Dex (static public client)',
    questions: [{ key: 'issuer', prompt: 'Dex issuer URL', placeholder: 'https://dex.example.com' }],
    registerHint: 'staticClients entry with public: true (loopback redirects then work on any port).',
  }),
  preset('generic', {
    label: 'Other OpenID Connect / OAuth 2.0 server',
    description: 'Any server with an issuer URL',
    questions: [{ key: 'issuer', prompt: 'Issuer URL', placeholder: 'https://sso.example.com' }],
    registerHint: 'A public client (PKCE) allowing the redirect URIs below.',
  }),
];
