/**
 * The pure half of "Add Identity Provider...": turn a preset and answers into a settings entry, summarise what
 * discovery found, and list the redirect URIs to register. No `vscode` import, so it is unit-tested.
 */
import type { ServerMetadata } from 'openid-client';
import { fillTemplate, fillTemplates, type Preset } from './presets';

/** A settings entry as the wizard writes it (validated by parseProvider before it is saved). */
export type ProviderEntry = Record<string, unknown> & { id: string; label: string; clientId: string };

export function buildEntry(preset: Preset, answers: Readonly<Record<string, string>>, ids: { id: string; label: string; clientId: string }): ProviderEntry {
  // `preset` records the IdP so its quirks (protocol/quirks.ts) apply; templates in the entry ({base}) are filled too.
  const entry: ProviderEntry = { id: ids.id, label: ids.label, ...fillTemplates(preset.entry, answers) as Record<string, unknown>, clientId: ids.clientId, preset: preset.id };
  if (preset.issuer) entry.issuer = fillTemplate(preset.issuer, answers);
  // Optional answers that map to authorization parameters (Auth0's audience).
  if (answers.audience?.trim()) {
    entry.authorizationParameters = { ...(entry.authorizationParameters as Record<string, string> | undefined), audience: answers.audience.trim() };
  }
  // Keep the entry in a readable order for settings.json: id, label, issuer, clientId first.
  const { id, label, issuer, clientId, ...rest } = entry;
  return { id, label, ...(issuer ? { issuer } : {}), clientId, ...rest } as ProviderEntry;
}

/** A provider id derived from a name: "Contoso (Entra ID)" → "contoso-entra-id", unique among `taken`. */
export function suggestId(name: string, taken: ReadonlySet<string>): string {
  const base = name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'idp';
  let id = base;
  for (let n = 2; taken.has(id); n++) id = `${base}-${n}`;
  return id;
}

/** The capabilities a person cares about, from the server's metadata. */
export function describeCapabilities(as: ServerMetadata): string[] {
  const methods = Array.isArray(as.code_challenge_methods_supported) ? as.code_challenge_methods_supported : undefined;
  const yes = (b: unknown) => (b ? '✓' : '✗');
  return [
    `Issuer: ${as.issuer}`,
    `${yes(as.authorization_endpoint)} Browser sign-in (authorization code)`,
    `${methods ? yes(methods.includes('S256')) : '?'} PKCE S256${methods ? '' : ' (not advertised; sent anyway)'}`,
    `${yes(as.device_authorization_endpoint)} Device code sign-in (for remote and headless windows)`,
    `${yes(as.revocation_endpoint)} Token revocation on sign-out`,
    `${yes(as.userinfo_endpoint)} User info (account names)`,
    `${yes(Array.isArray(as.grant_types_supported) ? as.grant_types_supported.includes('refresh_token') : true)} Refresh tokens`,
  ];
}

/** What to register at the identity provider for the flows this entry will use. */
export function redirectUrisToRegister(flow: unknown, uriScheme: string): string[] {
  const loopback = 'http://127.0.0.1/callback  (any port)';
  const handler = `${uriScheme}://openauth.oauth-accounts/callback`;
  if (flow === 'loopback') return [loopback];
  if (flow === 'uri-handler') return [handler];
  if (flow === 'device-code') return [];
  return [loopback, handler];
}
