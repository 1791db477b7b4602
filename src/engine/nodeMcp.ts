/**
 * The MCP part of the Node engine bundle (engine/node.ts): the bridge and everything around it. Not in the web
 * worker's engine: a web worker cannot listen on a port, so src/web never offers MCP servers.
 */
import type { BaseFetch } from '../protocol/http';
import type { ProviderRegistry } from '../vscode/providerRegistry';
import { startMcpBridge } from '../node/mcpBridge';
import { McpHost, type McpHostDeps } from '../vscode/mcpHost';
import { addMcpServerCommand } from '../vscode/wizard/addMcpServer';
import { resetMcpSignIn, showMcpStatus } from '../vscode/mcpCommands';

export function nodeMcp(fetch: BaseFetch) {
  return {
    createHost: (deps: Omit<McpHostDeps, 'startBridge'>) => new McpHost({ ...deps, startBridge: startMcpBridge }),
    addMcpServer: (registry: ProviderRegistry, host: () => Promise<McpHost>) => addMcpServerCommand(registry, fetch, host),
    showStatus: (host: McpHost, registry: ProviderRegistry) => showMcpStatus(host, registry),
    resetSignIn: (host: McpHost, registry: ProviderRegistry) => resetMcpSignIn(host, registry),
  };
}

export type McpEngine = ReturnType<typeof nodeMcp>;
