/**
 * The pure half of "Add Identity Provider...": turn a preset and answers into a settings entry, summarise what
 * discovery found, and list the redirect URIs to register. No `vscode` import, so it is unit-tested.
 */
import type { ProtectedResourceMetadata } from '../../protocol/resourceMetadata';
import type { ServerMetadata } from 'openid-client';
import type { FlowId, FlowInfo } from '../../flows/flow';
import { fillTemplate, fillTemplates } from '../../protocol/presets';
import type { Preset } from './presetGuide';

/** A settings entry as the wizard writes it (validated by parseProvider before it is saved). */
export type ProviderEntry = Record<string, unknown> & { id: string; label: string; clientId: string };

export function buildEntry(
  preset: Preset,
  answers: Readonly<Record<string, string>>,
  ids: { id: string; label: string; clientId: string },
): ProviderEntry {
  // `preset` records the IdP so its quirks (protocol/quirks.ts) apply; templates in the entry ({base}) are filled too.
  const entry: ProviderEntry = {
    id: ids.id,
    label: ids.label,
    ...(fillTemplates(preset.entry, answers) as Record<string, unknown>),
    clientId: ids.clientId,
    preset: preset.id,
  };
  if (preset.issuer) entry.issuer = fillTemplate(preset.issuer, answers);
  // Optional answers that map to authorization parameters (Auth0's audience).
  if (answers.audience?.trim()) {
    entry.authorizationParameters = {
      ...(entry.authorizationParameters as Record<string, string> | undefined),
      audience: answers.audience.trim(),
    };
  }
  // Keep the entry in a readable order for settings.json: id, label, issuer, clientId first.
  const { id, label, issuer, clientId, ...rest } = entry;
  return { id, label, ...(issuer ? { issuer } : {}), clientId, ...rest } as ProviderEntry;
}

/** A provider id derived from a name: "Contoso (Entra ID)" → "contoso-entra-id", unique among `taken`. */
export function suggestId(name: string, taken: ReadonlySet<string>): string {
  const base =
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 40) || 'idp';
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

/** One line of "what to register": the flow, the redirect URI it sends from this window, and what to register. */
interface RedirectLine {
  flow: FlowId;
  label: string;
  sends?: string;
  register?: string;
  note?: string;
  /** Several URIs to register (fixed loopback ports). */ registerEach?: readonly string[];
}

/**
 * The redirect URIs this window will really send, for the flows the flow table picks here (`flows`, in order).
 * `handlerUri` is env.asExternalUri of the URI-handler callback in this window: vscode://… on desktop, an http(s) URL
 * of the workbench with a per-request query (vscode-reqid=…) in code-server, Codespaces and vscode.dev.
 */
export function redirectLines(
  flows: readonly FlowInfo[],
  handlerUri: string,
  loopbackPorts?: readonly number[],
): RedirectLine[] {
  return flows.map(({ id, label }): RedirectLine => {
    const flow = id as FlowId;
    if (flow === 'loopback' && loopbackPorts?.length) {
      // Registered ports (exact-match servers): exactly these URIs, tried in order.
      const uris = loopbackPorts.map((p) => `http://127.0.0.1:${p}/callback`);
      return {
        flow,
        label,
        register: uris.join(' and '),
        registerEach: uris,
        note: 'each port registered exactly; a busy port falls through to the next',
      };
    }
    if (flow === 'loopback') {
      return {
        flow,
        label,
        sends: 'http://127.0.0.1:<a free port>/callback',
        register: 'http://127.0.0.1/callback',
        note: 'RFC 8252: servers must accept any port for 127.0.0.1; if yours matches ports exactly, register e.g. http://127.0.0.1:8400/callback and add "loopbackPorts": [8400] to the entry',
      };
    }
    if (flow === 'device-code') return { flow, label, note: 'no redirect URI (the user enters a code in any browser)' };
    const q = handlerUri.indexOf('?');
    // The query (vscode-reqid=N…) differs per sign-in: a server with exact matching cannot accept it.
    if (q >= 0)
      return {
        flow,
        label,
        sends: handlerUri,
        register: handlerUri.slice(0, q),
        note: 'the query changes on every sign-in: the server must match this prefix, else use the device code flow',
      };
    return { flow, label, sends: handlerUri, register: handlerUri };
  });
}

/** The lines as the wizard's dialog shows them. */
export function describeRedirects(lines: readonly RedirectLine[]): string {
  if (!lines.length) return '  (no sign-in method works in this window with this server)';
  return lines
    .map((l) =>
      [
        `• ${l.label}`,
        ...(l.register ? [`    register: ${l.register}`] : []),
        ...(l.sends && l.sends !== l.register ? [`    sends: ${l.sends}`] : []),
        ...(l.note ? [`    (${l.note})`] : []),
      ].join('\n'),
    )
    .join('\n');
}

/** The resource's servers in the order it lists them, with the first as the suggestion. */
export function authorizationServerChoices(
  resource: ProtectedResourceMetadata,
): Array<{ label: string; description?: string; issuer: string }> {
  return resource.authorizationServers.map((issuer, i) => ({
    label: issuer,
    issuer,
    ...(i === 0 ? { description: 'listed first by the resource' } : {}),
  }));
}
