/** The official TypeScript SDK's MCP client over streamable HTTP, as any MCP client would talk to the bridge. */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

export interface McpTestClient {
  readonly client: Client;
  /** The text of a tool's first content item. */
  call(name: string, args?: Record<string, unknown>, signal?: AbortSignal): Promise<string>;
  close(): Promise<void>;
}

/** Connects (initialize + initialized) to `url`, sending `headers` with every request (the bridge's secret). */
export async function connectMcp(url: string, headers: Record<string, string> = {}): Promise<McpTestClient> {
  const client = new Client({ name: 'oauth-accounts-tests', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } });
  await client.connect(transport);
  return {
    client,
    async call(name, args = {}, signal) {
      const result = await client.callTool({ name, arguments: args }, undefined, { signal });
      const first = (result.content as Array<{ type: string; text?: string }>)[0];
      return first?.text ?? '';
    },
    // Ends the MCP session at the server (DELETE with Mcp-Session-Id), as VS Code does when it stops a server.
    async close() {
      await transport.terminateSession().catch(() => undefined);
      await client.close();
    },
  };
}
