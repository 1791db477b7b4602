/**
 * Settings → validated provider configs. Pure (no `vscode` import) so every message is unit-tested. A bad entry
 * never stops the good ones: each problem names the provider and the field, and what to change.
 */
import type { ProviderEntry } from '../../api/oauth-accounts';
import { everyOf, isValidProviderId } from './constants';
import { presetDefaults, presetEntry, PRESET_IDS } from './presets';
import { serverUrlProblem } from './urls';
import {
  checkAuthorizationParameters,
  checkEndpoints,
  checkLoopbackPorts,
  checkResources,
  checkScopes,
  isObject,
  typeOf,
  type EndpointOverrides,
} from './entryFields';

export { ENDPOINT_KEYS, type EndpointOverrides } from './entryFields';

// The entry's schema is the published ProviderEntry (api/oauth-accounts.d.ts); the run-time lists below are checked
// against it by the compiler, and package.json's contributed schema against them by test/unit/entrySchema.test.ts.
export type ClientAuthentication = NonNullable<ProviderEntry['clientAuthentication']>;
/**
 * The `flow` setting: `auto`, or a flow that may be forced. flows/shipped.ts checks at compile time that these are
 * exactly the forcible flows the builds ship.
 */
export const FLOW_SETTINGS = ['auto', 'loopback', 'uri-handler', 'device-code'] as const;
export type FlowSetting = (typeof FLOW_SETTINGS)[number];
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
  const endpoints = checkEndpoints(entry.endpoints);
  if (!('value' in endpoints)) return bad(endpoints.field, endpoints.message);
  if (
    entry.issuer === undefined &&
    entry.discoveryUrl === undefined &&
    !(endpoints.value.authorization && endpoints.value.token)
  ) {
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

  const scopes = checkScopes(entry.scopes);
  if (!('value' in scopes)) return bad(scopes.field, scopes.message);
  const authorizationParameters = checkAuthorizationParameters(entry.authorizationParameters);
  if (!('value' in authorizationParameters)) return bad(authorizationParameters.field, authorizationParameters.message);
  if (
    entry.accountLabelClaim !== undefined &&
    (typeof entry.accountLabelClaim !== 'string' || !entry.accountLabelClaim)
  ) {
    return bad('accountLabelClaim', 'must be a claim name such as "email".');
  }
  const loopbackPorts = checkLoopbackPorts(entry.loopbackPorts);
  if (!('value' in loopbackPorts)) return bad(loopbackPorts.field, loopbackPorts.message);
  const resources = checkResources(entry.resources);
  if (!('value' in resources)) return bad(resources.field, resources.message);
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
      endpoints: endpoints.value,
      clientId: dynamic ? '' : (entry.clientId as string).trim(),
      ...(dynamic ? { clientRegistration: 'dynamic' as const } : {}),
      clientAuthentication: clientAuthentication as ClientAuthentication,
      ...(scopes.value ? { scopes: scopes.value } : {}),
      authorizationParameters: authorizationParameters.value,
      ...(entry.accountLabelClaim !== undefined ? { accountLabelClaim: entry.accountLabelClaim as string } : {}),
      flow: flow as FlowSetting,
      ...(loopbackPorts.value ? { loopbackPorts: loopbackPorts.value } : {}),
      ...(resources.value ? { resources: resources.value } : {}),
      ...(entry.pushedAuthorizationRequests !== undefined
        ? { pushedAuthorizationRequests: entry.pushedAuthorizationRequests as boolean }
        : {}),
      ...(entry.preset !== undefined ? { preset: entry.preset as string } : {}),
    },
  };
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
