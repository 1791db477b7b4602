/**
 * Settings → validated provider configs. Pure (no `vscode` import) so every message is unit-tested. A bad entry
 * never stops the good ones: each problem names the provider and the field, and what to change.
 */
import type { ProviderEntry } from '../../api/oauth-accounts';
import { everyOf, isValidProviderId } from './constants';
import { presetDefaults, presetEntry, PRESET_IDS } from './presets';
import { serverUrlProblem } from './urls';
import { plainText } from './plainText';

// The entry's schema is the published ProviderEntry (api/oauth-accounts.d.ts); the run-time lists below are checked
// against it by the compiler, and package.json's contributed schema against them by test/unit/entrySchema.test.ts.
export type ClientAuthentication = NonNullable<ProviderEntry['clientAuthentication']>;
/**
 * The `flow` setting: `auto`, or a flow that may be forced. flows/shipped.ts checks at compile time that these are
 * exactly the forcible flows the builds ship.
 */
export const FLOW_SETTINGS = ['auto', 'loopback', 'uri-handler', 'device-code'] as const;
export type FlowSetting = (typeof FLOW_SETTINGS)[number];
export type EndpointOverrides = NonNullable<ProviderEntry['endpoints']>;
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** Compiles only while the `flow` values the API typings publish are exactly the setting's values. */
export const FLOW_TYPINGS_AGREE: Same<NonNullable<ProviderEntry['flow']>, FlowSetting> = true;

/** One identity provider, as the user (or an admin, or another extension) configured it. */
export interface ProviderConfig {
  readonly id: string;
  readonly label: string;
  readonly issuer?: string;
  readonly discoveryUrl?: string;
  readonly endpoints: Readonly<EndpointOverrides>;
  readonly clientId: string;
  readonly clientAuthentication: ClientAuthentication;
  /** Added to every request; undefined means "pick from what the server supports". */
  readonly scopes?: readonly string[];
  readonly authorizationParameters: Readonly<Record<string, string>>;
  readonly accountLabelClaim?: string;
  readonly flow: FlowSetting;
  /** Loopback ports registered at the server, tried in order (exact-match redirect URIs); none: any free port. */
  readonly loopbackPorts?: readonly number[];
  /** Preset id (src/protocol/presets.ts): its defaults were applied while parsing, its quirks apply in the protocol layer. */
  readonly preset?: string;
  /**
   * RFC 8707 resource indicators: the APIs (or MCP servers) the tokens are for, sent as `resource` on every
   * authorization, token, refresh and device request. Part of the server binding (serverBinding.ts): the tokens of
   * a provider are for exactly its resources, so different resources are different providers.
   */
  readonly resources?: readonly string[];
  /** RFC 9126: push authorization requests when the server supports it (always done when the server requires it). */
  readonly pushedAuthorizationRequests?: boolean;
  /**
   * 'dynamic': the entry names no clientId; the client is registered at the issuer (RFC 7591) and its id kept in
   * SecretStorage per server binding (registrationStore.ts). `clientId` is '' here until the registry fills it in.
   */
  readonly clientRegistration?: 'dynamic';
}

interface ConfigProblem {
  /** Position in the settings array, for the message. */
  readonly index: number;
  readonly providerId?: string;
  readonly field: string;
  readonly message: string;
}

export const SETTING = 'oauthAccounts.providers';
/** Global boolean: with `"flow": "auto"`, try the device code flow first wherever the server supports it. */
export const PREFER_DEVICE_CODE_SETTING = 'oauthAccounts.preferDeviceCode';
export const ENDPOINT_KEYS = everyOf<keyof EndpointOverrides>()([
  'authorization',
  'token',
  'userinfo',
  'revocation',
  'deviceAuthorization',
  'jwks',
]);
export const CLIENT_AUTHENTICATIONS = everyOf<ClientAuthentication>()([
  'none',
  'client_secret_basic',
  'client_secret_post',
]);
/** Every field of an entry, in the order package.json lists them. */
export const ENTRY_KEYS = everyOf<keyof ProviderEntry>()([
  'id',
  'label',
  'preset',
  'issuer',
  'discoveryUrl',
  'endpoints',
  'clientId',
  'clientAuthentication',
  'scopes',
  'authorizationParameters',
  'accountLabelClaim',
  'loopbackPorts',
  'flow',
  'resources',
  'pushedAuthorizationRequests',
]);
const KNOWN_KEYS: ReadonlySet<string> = new Set(ENTRY_KEYS);
/** Parameters we set ourselves; letting settings override them would break PKCE, state or the redirect. */
const RESERVED_PARAMETERS = new Set([
  'client_id',
  'redirect_uri',
  'response_type',
  'state',
  'nonce',
  'code_challenge',
  'code_challenge_method',
  'scope',
  'response_mode',
  'request',
  'request_uri',
]);

/** Ids VS Code or its built-in extensions own; registering one of them would be ignored by VS Code. */
export const BUILT_IN_PROVIDER_IDS: readonly string[] = [
  'github',
  'github-enterprise',
  'microsoft',
  'microsoft-sovereign-cloud',
];

export function describeProblem(p: ConfigProblem): string {
  const who = p.providerId ? `provider "${p.providerId}"` : `provider #${p.index + 1}`;
  return `${who} in ${SETTING}[${p.index}]: ${p.field === '' ? '' : `"${p.field}" `}${p.message}`;
}

/**
 * Validates the whole setting. `takenIds` are provider ids that exist already outside this list (VS Code's
 * built-ins, other extensions' providers, providers registered through our API).
 */
export function parseProviders(
  raw: unknown,
  takenIds: ReadonlySet<string> = new Set(BUILT_IN_PROVIDER_IDS),
): { providers: ProviderConfig[]; problems: ConfigProblem[] } {
  return resolveIds(validateEntries(raw), takenIds);
}

/**
 * Each entry on its own, in order: what depends only on the setting's value.
 */
export function validateEntries(raw: unknown): ParsedEntry[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw))
    return [{ problem: { index: 0, field: '', message: `must be a list of providers, not ${typeOf(raw)}.` } }];
  return raw.map((entry, index) => parseProvider(entry, index));
}

/** The checks that depend on more than one entry or on the rest of VS Code: ids unique, and not taken elsewhere. */
export function resolveIds(
  parsed: readonly ParsedEntry[],
  takenIds: ReadonlySet<string>,
): { providers: ProviderConfig[]; problems: ConfigProblem[] } {
  const providers: ProviderConfig[] = [];
  const problems: ConfigProblem[] = [];
  const seen = new Set<string>();
  parsed.forEach((result, index) => {
    if ('problem' in result) {
      problems.push(result.problem);
      return;
    }
    const { config } = result;
    if (seen.has(config.id)) {
      problems.push({
        index,
        providerId: config.id,
        field: 'id',
        message: 'is used by an earlier entry; provider ids must be unique.',
      });
    } else if (takenIds.has(config.id)) {
      problems.push({
        index,
        providerId: config.id,
        field: 'id',
        message: 'is already used by another authentication provider in VS Code; choose a different id.',
      });
    } else {
      seen.add(config.id);
      providers.push(config);
    }
  });
  return { providers, problems };
}

export type ParsedEntry = { config: ProviderConfig } | { problem: ConfigProblem };

/** Validates one entry; the first problem found is reported (fixing it reveals the next, like a compiler). */
export function parseProvider(input: unknown, index = 0): ParsedEntry {
  const fail = (field: string, message: string, providerId?: string): ParsedEntry => ({
    problem: { index, ...(providerId ? { providerId } : {}), field, message },
  });
  if (!isObject(input)) return fail('', `must be an object with id, label and clientId, not ${typeOf(input)}.`);
  let entry: Record<string, unknown> = input;
  const rawId = entry.id;
  const providerId = typeof rawId === 'string' && rawId ? rawId : undefined;
  const bad = (field: string, message: string) => fail(field, message, providerId);

  if (typeof rawId !== 'string' || !rawId)
    return bad('id', 'is required: the id other extensions pass to vscode.authentication.getSession.');
  if (!isValidProviderId(rawId))
    return bad('id', 'may contain only letters, digits, ".", "_" and "-", and must start with a letter or digit.');
  for (const key of Object.keys(entry))
    if (!KNOWN_KEYS.has(key)) return bad(key, `is not a known setting (known: ${[...KNOWN_KEYS].join(', ')}).`);
  if (entry.preset !== undefined) {
    const preset = typeof entry.preset === 'string' ? presetEntry(entry.preset) : undefined;
    if (!preset) return bad('preset', `is not a known preset (known: ${PRESET_IDS.join(', ')}).`);
    entry = withPresetDefaults(entry, presetDefaults(preset));
  }
  if (typeof entry.label !== 'string' || !entry.label.trim())
    return bad('label', 'is required: the name shown in the Accounts menu.');
  // Without clientId the client is registered dynamically (RFC 7591), which needs the issuer to find the server.
  const dynamic = entry.clientId === undefined && typeof entry.issuer === 'string';
  if (!dynamic && (typeof entry.clientId !== 'string' || !entry.clientId.trim()))
    return bad(
      'clientId',
      'is required: the client id registered at the identity provider (it may be left out only with "issuer" set, for a server with dynamic client registration).',
    );

  for (const field of ['issuer', 'discoveryUrl'] as const) {
    const v = entry[field];
    if (v === undefined) continue;
    if (typeof v !== 'string') return bad(field, `must be a URL string, not ${typeOf(v)}.`);
    const problem = serverUrlProblem(v);
    if (problem) return bad(field, `${problem}.`);
  }
  const endpoints: EndpointOverrides = {};
  if (entry.endpoints !== undefined) {
    if (!isObject(entry.endpoints)) return bad('endpoints', `must be an object, not ${typeOf(entry.endpoints)}.`);
    for (const [key, v] of Object.entries(entry.endpoints)) {
      if (!(ENDPOINT_KEYS as readonly string[]).includes(key))
        return bad(`endpoints.${key}`, `is not a known endpoint (known: ${ENDPOINT_KEYS.join(', ')}).`);
      if (typeof v !== 'string') return bad(`endpoints.${key}`, `must be a URL string, not ${typeOf(v)}.`);
      const problem = serverUrlProblem(v);
      if (problem) return bad(`endpoints.${key}`, `${problem}.`);
      endpoints[key as keyof EndpointOverrides] = v;
    }
  }
  if (entry.issuer === undefined && entry.discoveryUrl === undefined && !(endpoints.authorization && endpoints.token)) {
    return bad(
      'issuer',
      'is required unless "discoveryUrl" or both "endpoints.authorization" and "endpoints.token" are set.',
    );
  }

  const clientAuthentication = entry.clientAuthentication ?? 'none';
  if (!CLIENT_AUTHENTICATIONS.includes(clientAuthentication as ClientAuthentication))
    return bad('clientAuthentication', `must be one of ${CLIENT_AUTHENTICATIONS.join(', ')}.`);
  if (dynamic && clientAuthentication !== 'none')
    return bad(
      'clientAuthentication',
      'must be "none" without a clientId: dynamically registered clients are public (PKCE).',
    );
  const flow = entry.flow ?? 'auto';
  if (!FLOW_SETTINGS.includes(flow as FlowSetting)) return bad('flow', `must be one of ${FLOW_SETTINGS.join(', ')}.`);

  let scopes: string[] | undefined;
  if (entry.scopes !== undefined) {
    if (!Array.isArray(entry.scopes) || entry.scopes.some((s) => typeof s !== 'string' || !s || /\s/.test(s))) {
      return bad(
        'scopes',
        'must be a list of scope names without spaces, for example ["openid", "profile", "offline_access"].',
      );
    }
    scopes = [...new Set(entry.scopes as string[])];
  }
  const authorizationParameters: Record<string, string> = {};
  if (entry.authorizationParameters !== undefined) {
    if (!isObject(entry.authorizationParameters))
      return bad(
        'authorizationParameters',
        `must be an object of strings, not ${typeOf(entry.authorizationParameters)}.`,
      );
    for (const [k, v] of Object.entries(entry.authorizationParameters)) {
      if (RESERVED_PARAMETERS.has(k))
        return bad(`authorizationParameters.${k}`, 'is set by OAuth Accounts itself and cannot be overridden.');
      if (typeof v !== 'string') return bad(`authorizationParameters.${k}`, `must be a string, not ${typeOf(v)}.`);
      authorizationParameters[k] = v;
    }
  }
  if (
    entry.accountLabelClaim !== undefined &&
    (typeof entry.accountLabelClaim !== 'string' || !entry.accountLabelClaim)
  ) {
    return bad('accountLabelClaim', 'must be a claim name such as "email".');
  }
  let loopbackPorts: number[] | undefined;
  if (entry.loopbackPorts !== undefined) {
    const ports = entry.loopbackPorts;
    if (
      !Array.isArray(ports) ||
      ports.length === 0 ||
      ports.length > 20 ||
      ports.some((p) => !Number.isInteger(p) || p < 1024 || p > 65535)
    ) {
      return bad(
        'loopbackPorts',
        'must be a list of 1 to 20 port numbers between 1024 and 65535, registered at the identity provider as http://127.0.0.1:<port>/callback, for example [8400, 8401].',
      );
    }
    loopbackPorts = [...new Set(ports as number[])];
  }
  const resources = parseResources(entry.resources);
  if (typeof resources === 'string') return bad('resources', resources);
  if (entry.pushedAuthorizationRequests !== undefined && typeof entry.pushedAuthorizationRequests !== 'boolean') {
    return bad('pushedAuthorizationRequests', 'must be true or false.');
  }
  return {
    config: {
      // Optional fields are left out rather than set to undefined: the config is the same object after a JSON round
      // trip.
      id: rawId,
      label: entry.label.trim(),
      ...(entry.issuer !== undefined ? { issuer: entry.issuer as string } : {}),
      ...(entry.discoveryUrl !== undefined ? { discoveryUrl: entry.discoveryUrl as string } : {}),
      endpoints,
      clientId: dynamic ? '' : (entry.clientId as string).trim(),
      ...(dynamic ? { clientRegistration: 'dynamic' as const } : {}),
      clientAuthentication: clientAuthentication as ClientAuthentication,
      ...(scopes ? { scopes } : {}),
      authorizationParameters,
      ...(entry.accountLabelClaim !== undefined ? { accountLabelClaim: entry.accountLabelClaim as string } : {}),
      flow: flow as FlowSetting,
      ...(loopbackPorts ? { loopbackPorts } : {}),
      ...(resources ? { resources } : {}),
      ...(entry.pushedAuthorizationRequests !== undefined
        ? { pushedAuthorizationRequests: entry.pushedAuthorizationRequests as boolean }
        : {}),
      ...(entry.preset !== undefined ? { preset: entry.preset as string } : {}),
    },
  };
}

/** RFC 8707 §2: absolute URIs without a fragment (here: URLs under the https rule); a message when invalid. */
function parseResources(v: unknown): string[] | undefined | string {
  if (v === undefined) return undefined;
  const example =
    'must be a list of 1 to 10 resource URLs (https://, no #fragment), for example ["https://api.example.com/"].';
  if (!Array.isArray(v) || v.length === 0 || v.length > 10 || v.some((r) => typeof r !== 'string')) return example;
  for (const r of v as string[]) {
    const problem = serverUrlProblem(r);
    if (problem) return `"${plainText(r, 200)}" ${problem}.`;
    if (r.includes('#')) return `"${plainText(r, 200)}" must not contain a fragment (RFC 8707 §2).`;
  }
  return [...new Set(v as string[])];
}

/**
 * A preset's defaults under the entry: every key the entry sets wins as a whole (an entry's `endpoints` replaces the
 * preset's). The preset's issuer or endpoints only apply when the entry names no server of its own.
 */
function withPresetDefaults(
  entry: Record<string, unknown>,
  defaults: Record<string, unknown>,
): Record<string, unknown> {
  const ownServer = entry.issuer !== undefined || entry.discoveryUrl !== undefined || entry.endpoints !== undefined;
  const { issuer, endpoints, ...rest } = defaults;
  return { ...rest, ...(ownServer ? {} : { issuer, endpoints }), ...entry };
}

/** Stable comparison key: a changed entry re-registers its provider, an unchanged one is left alone. */
export function configKey(c: ProviderConfig): string {
  return JSON.stringify(c);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  return typeof v === 'object' ? 'an object' : `${typeof v} ${JSON.stringify(v)?.slice(0, 40)}`;
}
