/**
 * "OAuth Accounts: Add MCP Server...": from the MCP server's URL to a started server. RFC 9728 names its
 * authorization server (the lookup "Add Identity Provider..." uses); a configured provider that already issues tokens
 * for it is reused, or a new one is set up with a client from the first path the server offers, in the MCP
 * specification's order (mcpSetup.ts clientPaths); then the server entry is written. The last step is a modal that
 * says where tokens will go: clicking Add is the approval the bridge needs (mcpHost.ts).
 */
import * as vscode from 'vscode';
import type { ServerMetadata } from 'openid-client';
import * as notify from '../notify';
import type { ProviderRegistry } from '../registry';
import type { McpHost } from '../mcpHost';
import type { Engine } from '../../engine/engine';
import { hasReason, isAuthError } from '../../protocol/errors';
import type { ProtectedResourceMetadata } from '../../protocol/resourceMetadata';
import { parseProvider, SETTING } from '../../protocol/config';
import { authorizationServerChoices, suggestId } from './entryBuilder';
import { MCP_SETTING, parseMcpServer, parseMcpServers } from '../../mcp/serverEntries';
import {
  clientPaths,
  mcpEntry,
  metadataDocumentUrlProblem,
  providerEntry,
  reusableProviders,
  suggestName,
  type ClientPath,
  type TokenBinding,
} from '../../mcp/mcpSetup';
import { chooseBinding, chooseScopes } from './addMcpServerSteps';

const title = 'Add MCP Server';

function ask(
  prompt: string,
  o: { value?: string; placeHolder?: string; password?: boolean; validate?: (v: string) => string | undefined } = {},
): Thenable<string | undefined> {
  return notify.showInputBox({
    title,
    prompt,
    value: o.value,
    placeHolder: o.placeHolder,
    password: o.password,
    ignoreFocusOut: true,
    validateInput: (v) => (v.trim() ? o.validate?.(v.trim()) : 'Required.'),
  });
}

const message = (e: unknown) => (isAuthError(e) ? e.message : String((e as Error)?.message ?? e));
const progress = <T>(what: string, task: () => Promise<T>) =>
  notify.withProgress({ location: vscode.ProgressLocation.Notification, title: what }, task);

export async function addMcpServerCommand(
  registry: ProviderRegistry,
  loadEngine: () => Promise<Engine>,
  host: () => Promise<McpHost>,
): Promise<void> {
  const url = (
    await ask("The MCP server's URL (its streamable HTTP endpoint)", {
      placeHolder: 'https://mcp.example.com/mcp',
      validate: (v) => {
        const p = parseMcpServer({ name: 'x', url: v, providerId: 'x' });
        return 'problem' in p ? `The URL ${p.problem.message}` : undefined;
      },
    })
  )?.trim();
  if (!url) return;

  // RFC 9728: where the server says its tokens come from. Without metadata, a provider the user already has.
  let resource: ProtectedResourceMetadata | undefined;
  try {
    resource = await progress(`Looking up ${url}…`, async () =>
      (await loadEngine()).discoverProtectedResource(url, { timeoutMs: 15_000 }),
    );
  } catch (e) {
    if (!hasReason(e, 'no_resource_metadata')) {
      void notify.showErrorMessage(`OAuth Accounts could not look up ${url}: ${message(e)}`);
      return;
    }
  }
  let provider: { id: string; label: string } | undefined;
  let binding: TokenBinding = { kind: 'scopes' };
  if (!resource) {
    const configs = registry.configs();
    const choice = configs.length
      ? await notify.showQuickPick(
          configs.map((c) => ({ label: c.label, description: c.id, detail: c.issuer, c })),
          {
            title,
            ignoreFocusOut: true,
            placeHolder: `${url} publishes no OAuth metadata (RFC 9728); which of your providers does it accept tokens from?`,
          },
        )
      : undefined;
    if (!choice) {
      if (!configs.length)
        void notify.showErrorMessage(
          `OAuth Accounts: ${url} publishes no OAuth protected-resource metadata (RFC 9728). Add its identity provider first (OAuth Accounts: Add Identity Provider...), then add the server again.`,
        );
      return;
    }
    provider = choice.c;
  } else {
    const servers = authorizationServerChoices(resource);
    const as =
      servers.length === 1
        ? servers[0]
        : await notify.showQuickPick(servers, {
            title,
            ignoreFocusOut: true,
            placeHolder: `${resource.resourceName ?? url} accepts tokens from these servers; sign in with which?`,
          });
    if (!as) return;
    let metadata: ServerMetadata;
    try {
      metadata = await progress(`Looking up ${as.issuer}…`, async () => (await loadEngine()).discoverIssuer(as.issuer));
    } catch (e) {
      void notify.showErrorMessage(`OAuth Accounts could not use ${as.issuer}: ${message(e)}`);
      return;
    }
    const chosen = await chooseBinding(title, metadata.issuer, resource.resource);
    if (!chosen) return;
    binding = chosen;
    provider = await chooseProvider(registry, loadEngine, metadata, binding);
    if (!provider) return;
  }

  const scopes = await chooseScopes(title, resource?.scopesSupported);
  if (scopes === undefined) return;
  const existing = parseMcpServers(
    vscode.workspace.getConfiguration().inspect<unknown>(MCP_SETTING)?.globalValue,
  ).servers.map((s) => s.name);
  const name = await ask('Name VS Code shows for this MCP server', {
    value: suggestName(resource?.resourceName, url, existing),
    validate: (v) =>
      existing.some((n) => n.toLowerCase() === v.toLowerCase())
        ? `"${v}" is already the name of an MCP server.`
        : 'problem' in parseMcpServer({ name: v, url, providerId: 'x' })
          ? 'Letters, digits, spaces, ".", "_" and "-" only, starting with a letter or digit (at most 64).'
          : undefined,
  });
  if (!name) return;
  const raw = mcpEntry({ name: name.trim(), url, providerId: provider.id, scopes, binding });
  const parsed = parseMcpServer(raw);
  if ('problem' in parsed) {
    void notify.showErrorMessage(
      `OAuth Accounts: the new MCP server is not valid: ${parsed.problem.field} ${parsed.problem.message}`,
    );
    return;
  }

  const add = 'Add';
  const ok = await notify.showInformationMessage(
    `Add MCP server "${parsed.entry.name}"?`,
    {
      modal: true,
      detail: `VS Code will reach it through OAuth Accounts, which sends access tokens of ${provider.label} (provider "${provider.id}") to\n${url}\nand only there, refreshing them as they expire.`,
    },
    add,
  );
  if (ok !== add) return;
  const config = vscode.workspace.getConfiguration();
  await config.update(
    MCP_SETTING,
    [...(config.inspect<unknown[]>(MCP_SETTING)?.globalValue ?? []), raw],
    vscode.ConfigurationTarget.Global,
  );
  const mcp = await host();
  await mcp.approve(parsed.entry);
  const signIn = 'Sign In';
  // Not awaited: the wizard is done; the Sign In button works whenever it is pressed.
  void notify
    .showInformationMessage(
      `Added MCP server "${parsed.entry.name}". It is listed with VS Code's MCP servers (MCP: List Servers).`,
      signIn,
    )
    .then((a) => {
      if (a === signIn) void mcp.signIn(provider.id, mcp.tokens.scopesOf(parsed.entry));
    });
}

/** A configured provider that already serves this server, or a new one (written to the settings). */
async function chooseProvider(
  registry: ProviderRegistry,
  loadEngine: () => Promise<Engine>,
  as: ServerMetadata,
  binding: TokenBinding,
): Promise<{ id: string; label: string } | undefined> {
  const candidates = reusableProviders(registry.configs(), as.issuer, binding);
  if (candidates.length) {
    const fresh = { label: 'Set up a new provider', description: `for ${as.issuer}`, c: undefined };
    const pick = await notify.showQuickPick(
      [...candidates.map((c) => ({ label: `Use ${c.label}`, description: c.id, c })), fresh],
      { title, ignoreFocusOut: true, placeHolder: 'These providers already get tokens for this server' },
    );
    if (!pick) return undefined;
    if (pick.c) return { id: pick.c.id, label: pick.c.label };
  }
  const labels: Record<ClientPath, { label: string; description: string }> = {
    'pre-registered': { label: 'Enter a client id', description: 'a client registered for you at the server' },
    'metadata-document': {
      label: 'Use a client ID metadata document',
      description: 'an https URL you host that describes the client',
    },
    dynamic: { label: 'Register automatically', description: 'dynamic client registration (RFC 7591)' },
  };
  const paths = clientPaths(as);
  const path =
    paths.length === 1
      ? paths[0]
      : (
          await notify.showQuickPick(
            paths.map((p) => ({ ...labels[p], p })),
            {
              title,
              ignoreFocusOut: true,
              placeHolder: `How does OAuth Accounts identify itself to ${as.issuer}? (in the order the MCP specification prefers)`,
            },
          )
        )?.p;
  if (!path) return undefined;
  const label = new URL(as.issuer).host;
  const id = suggestId(label, new Set([...registry.usedIds(), ...idsInSettings()]));
  let clientId: string | undefined;
  if (path === 'pre-registered') clientId = await ask(`Client id registered at ${as.issuer}`);
  if (path === 'metadata-document')
    clientId = await ask('URL of your client ID metadata document (it becomes the client id)', {
      placeHolder: 'https://example.com/oauth/client.json',
      validate: (v) => {
        const p = metadataDocumentUrlProblem(v);
        return p ? `The URL ${p}.` : undefined;
      },
    });
  if (path !== 'dynamic' && !clientId) return undefined;
  const entry = providerEntry({ id, label, issuer: as.issuer, clientId: clientId?.trim(), binding });
  const parsed = parseProvider(entry);
  if ('problem' in parsed) {
    void notify.showErrorMessage(
      `OAuth Accounts: the new provider is not valid: ${parsed.problem.field} ${parsed.problem.message}`,
    );
    return undefined;
  }
  if (path === 'dynamic') {
    try {
      // Stored under exactly the binding the new entry names, so its provider finds the client when it starts.
      await progress(`Registering with ${as.issuer}…`, async () =>
        (await loadEngine()).ensureRegisteredClient(registry.registrations, parsed.config, as, {
          redirectUris: registry.registrationRedirectUris(parsed.config),
        }),
      );
    } catch (e) {
      void notify.showErrorMessage(
        `OAuth Accounts could not register with ${as.issuer}: ${message(e)} Register a client there by hand, then choose "Enter a client id".`,
      );
      return undefined;
    }
  }
  const config = vscode.workspace.getConfiguration();
  await config.update(
    SETTING,
    [...(config.inspect<unknown[]>(SETTING)?.globalValue ?? []), entry],
    vscode.ConfigurationTarget.Global,
  );
  return { id, label };
}

function idsInSettings(): string[] {
  const entries = vscode.workspace.getConfiguration().inspect<unknown[]>(SETTING)?.globalValue ?? [];
  return entries.map((e) => (e as { id?: unknown })?.id).filter((x): x is string => typeof x === 'string');
}
