/**
 * The `oauthAccounts.mcpServers` setting → validated MCP server entries, and the facts derived from one entry: where
 * the bridge serves it, what the user approved for it, and whether its provider issues the tokens it needs. Pure (no
 * `vscode` import), so every message is unit-tested.
 *
 * An entry names *where tokens go* (its URL) and *whose tokens* (a provider id). Both come from settings, which any
 * extension can rewrite, so an entry alone never sends a token anywhere: the user approves each (URL, provider,
 * resource, audience) in a modal dialog first (approvalKey), and a changed entry needs a new approval.
 */
import { isValidProviderId } from '../protocol/constants';
import { plainText } from '../protocol/plainText';
import { serverUrlProblem } from '../protocol/urls';
import { normalizeScopes } from '../protocol/scopes';
import { MCP_SETTING } from './setting';

export { MCP_SETTING };

export interface McpServerEntry {
  /** Shown by VS Code as the server's label; unique among the entries. */
  readonly name: string;
  /** The MCP endpoint (streamable HTTP): the only place this entry's tokens are ever sent. */
  readonly url: string;
  /** The OAuth Accounts provider whose sessions authenticate the requests. */
  readonly providerId: string;
  /** Scopes the session is asked for (sorted, unique); [] = the provider's defaults. */
  readonly scopes: readonly string[];
  /** RFC 8707 resource the tokens must be for: the provider's `resources` must name it. */
  readonly resource?: string;
  /** Auth0-style `audience` the tokens must be for: the provider's `authorizationParameters.audience` must be it. */
  readonly audience?: string;
}

interface McpEntryProblem {
  readonly index: number;
  readonly name?: string;
  readonly field: string;
  readonly message: string;
}

const KNOWN_KEYS = new Set(['name', 'url', 'providerId', 'scopes', 'resource', 'audience']);
/** Letters, digits, space, ".", "_", "-": safe in a URL path, a label, a log line and a quick pick. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$/;

export function describeMcpProblem(p: McpEntryProblem): string {
  const who = p.name ? `MCP server "${p.name}"` : `MCP server #${p.index + 1}`;
  return `${who} in ${MCP_SETTING}[${p.index}]: ${p.field ? `"${p.field}" ` : ''}${p.message}`;
}

/** The whole setting: valid entries in order, and one problem per invalid or duplicate entry. */
export function parseMcpServers(raw: unknown): { servers: McpServerEntry[]; problems: McpEntryProblem[] } {
  const servers: McpServerEntry[] = [];
  const problems: McpEntryProblem[] = [];
  if (raw === undefined || raw === null) return { servers, problems };
  if (!Array.isArray(raw))
    return { servers, problems: [{ index: 0, field: '', message: 'must be a list of MCP servers.' }] };
  raw.forEach((input, index) => {
    const parsed = parseMcpServer(input, index);
    if ('problem' in parsed) problems.push(parsed.problem);
    else if (servers.some((s) => s.name.toLowerCase() === parsed.entry.name.toLowerCase()))
      problems.push({
        index,
        name: parsed.entry.name,
        field: 'name',
        message: 'is used by an earlier entry; names must be unique.',
      });
    else servers.push(parsed.entry);
  });
  return { servers, problems };
}

export function parseMcpServer(input: unknown, index = 0): { entry: McpServerEntry } | { problem: McpEntryProblem } {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    return { problem: { index, field: '', message: 'must be an object with name, url and providerId.' } };
  const e = input as Record<string, unknown>;
  const name = typeof e.name === 'string' ? e.name.trim() : undefined;
  const bad = (field: string, message: string) => ({
    problem: { index, ...(name && NAME.test(name) ? { name } : {}), field, message },
  });
  if (!name || !NAME.test(name))
    return bad(
      'name',
      'is required: 1 to 64 letters, digits, spaces, ".", "_" or "-", starting with a letter or digit.',
    );
  for (const key of Object.keys(e))
    if (!KNOWN_KEYS.has(key)) return bad(key, `is not a known setting (known: ${[...KNOWN_KEYS].join(', ')}).`);
  const url = urlProblem(e.url);
  if (url.problem) return bad('url', url.problem);
  if (typeof e.providerId !== 'string' || !isValidProviderId(e.providerId))
    return bad(
      'providerId',
      'is required: the id of an OAuth Accounts provider (an entry of oauthAccounts.providers).',
    );
  if (
    e.scopes !== undefined &&
    (!Array.isArray(e.scopes) || e.scopes.some((s) => typeof s !== 'string' || !s || /\s/.test(s)))
  )
    return bad('scopes', 'must be a list of scope names without spaces.');
  let resource: string | undefined;
  if (e.resource !== undefined) {
    const r = urlProblem(e.resource);
    if (r.problem) return bad('resource', r.problem);
    resource = r.url;
  }
  if (e.audience !== undefined && (typeof e.audience !== 'string' || !e.audience.trim()))
    return bad('audience', 'must be a non-empty string, the API identifier the tokens are for.');
  return {
    entry: {
      name,
      url: url.url!,
      providerId: e.providerId,
      scopes: normalizeScopes(e.scopes as string[] | undefined),
      ...(resource ? { resource } : {}),
      ...(typeof e.audience === 'string' ? { audience: e.audience.trim() } : {}),
    },
  };
}

/** An MCP endpoint or resource URL: the https rule, no credentials, no fragment. */
function urlProblem(v: unknown): { url?: string; problem?: string } {
  if (typeof v !== 'string' || !v) return { problem: 'is required: the https:// URL of the MCP server.' };
  const problem = serverUrlProblem(v);
  if (problem) return { problem: `${problem}.` };
  const u = new URL(v);
  if (u.username || u.password) return { problem: 'must not contain a user name or password.' };
  if (u.hash) return { problem: 'must not contain a fragment (#…).' };
  return { url: v };
}

/** The part of a provider config an entry is checked against. */
interface ProviderFacts {
  readonly label: string;
  readonly resources?: readonly string[];
  readonly authorizationParameters: Readonly<Record<string, string>>;
}

/**
 * Why `provider` cannot issue the tokens `entry` needs, or undefined. Sessions are per provider and a provider's
 * resources are part of its binding, so the entry does not change what the provider asks for: it checks.
 */
export function providerMismatch(entry: McpServerEntry, provider: ProviderFacts | undefined): string | undefined {
  if (!provider) return `no OAuth Accounts provider "${entry.providerId}" is configured.`;
  if (entry.resource && !(provider.resources ?? []).includes(entry.resource)) {
    return `its tokens must be for the resource ${plainText(entry.resource, 200)}, but the provider "${entry.providerId}" asks for ${provider.resources?.length ? provider.resources.map((r) => plainText(r, 200)).join(', ') : 'no resource'}; add it to that provider's "resources" (or use "Add MCP Server...", which sets up a provider for it).`;
  }
  if (entry.audience && provider.authorizationParameters.audience !== entry.audience) {
    return `its tokens must be for the audience "${plainText(entry.audience, 200)}", but the provider "${entry.providerId}" sends ${provider.authorizationParameters.audience ? `"${plainText(provider.authorizationParameters.audience, 200)}"` : 'no audience'}; set "authorizationParameters": { "audience": … } on that provider.`;
  }
  return undefined;
}

/**
 * What the user approves for an entry: where tokens go and whose tokens they are. Any change to these (not to the
 * name or scopes) needs a new approval.
 */
export function approvalKey(entry: McpServerEntry): string {
  return JSON.stringify([entry.url, entry.providerId, entry.resource ?? null, entry.audience ?? null]);
}

/** The definition's `version`: changes with the entry, so VS Code sees an edited server as changed; no secrets. */
export function definitionVersion(entry: McpServerEntry): string {
  let h = 0x811c9dc5; // FNV-1a: short and stable, not a security property
  for (const ch of JSON.stringify(entry)) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return h.toString(16);
}

/** The bridge path of an entry: its name, percent-encoded (names are unique case-insensitively). */
export function bridgePath(name: string): string {
  return `/mcp/${encodeURIComponent(name.toLowerCase())}`;
}
