/**
 * Two questions of "Add MCP Server..." (addMcpServer.ts): how the authorization server binds tokens to the MCP
 * server, and which scopes to ask for. MCP specifies RFC 8707 resource indicators, but servers differ: Auth0 wants an
 * `audience` parameter instead of `resource`, and Microsoft Entra ID refuses a `resource` next to scopes that name
 * another API (the API is named by a scope such as `api://…/.default`).
 */
import * as notify from '../notify';
import type { TokenBinding } from '../../mcp/mcpSetup';

export async function chooseBinding(
  title: string,
  issuer: string,
  resource: string,
): Promise<TokenBinding | undefined> {
  const items = [
    {
      label: 'Resource indicator',
      description: 'RFC 8707, what MCP specifies (most servers)',
      binding: 'resource' as const,
    },
    { label: 'Audience parameter', description: 'Auth0 and servers like it', binding: 'audience' as const },
    {
      label: 'Scopes only',
      description: 'Microsoft Entra ID: a scope names the API (api://…/.default)',
      binding: 'scopes' as const,
    },
  ];
  // Auth0 tenants are recognisable by their host: offer what they need first.
  if (/\.auth0\.com$/i.test(new URL(issuer).hostname)) items.unshift(items.splice(1, 1)[0]);
  const pick = await notify.showQuickPick(items, {
    title,
    ignoreFocusOut: true,
    placeHolder: `How does ${issuer} issue tokens for ${resource}?`,
  });
  if (!pick) return undefined;
  if (pick.binding === 'resource') return { kind: 'resource', resource };
  if (pick.binding === 'scopes') return { kind: 'scopes' };
  const audience = await notify.showInputBox({
    title,
    ignoreFocusOut: true,
    value: resource,
    prompt: 'The audience (API identifier) the tokens must be for, as the authorization server names it',
    validateInput: (v) => (v.trim() ? undefined : 'Required.'),
  });
  return audience?.trim() ? { kind: 'audience', audience: audience.trim() } : undefined;
}

/** The scopes, space-separated; [] for the provider's defaults; undefined when cancelled. */
export async function chooseScopes(
  title: string,
  supported: readonly string[] | undefined,
): Promise<string[] | undefined> {
  const text = await notify.showInputBox({
    title,
    ignoreFocusOut: true,
    value: supported?.join(' ') ?? '',
    prompt: `Scopes to ask for, separated by spaces (empty: the provider's defaults)${supported?.length ? '; the server lists these' : ''}`,
  });
  return text === undefined ? undefined : [...new Set(text.split(/\s+/).filter(Boolean))];
}
