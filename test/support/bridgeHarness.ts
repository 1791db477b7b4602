/**
 * The MCP bridge (src/node/mcpBridge.ts) in front of the real SDK MCP server (mcpServer.ts), with a stand-in for the
 * provider's sessions: tokens minted here and accepted by the server, counters for every call the bridge makes to
 * its auth, and knobs for "signed out" and "the user declines the step-up". Plain Node; used by the unit and security
 * suites and the bench. The real-host test (test/integration/mcpBridge.test.ts) uses real sessions instead.
 */
import { randomBytes } from 'node:crypto';
import { startMcpBridge, type BridgeOptions, type McpBridge } from '../../src/node/mcpBridge';
import { startMcpServer, type TestMcpServer, type TokenInfo } from './mcpServer';

export interface BridgeHarness {
  readonly mcp: TestMcpServer;
  readonly bridge: McpBridge;
  /** The bridge URL of the server "test". */
  readonly url: string;
  readonly calls: { token: number; refreshed: number; stepUp: number; stepUpScopes: string[][] };
  readonly outcomes: string[];
  /** Every token minted, in order (the last is the current one). */
  readonly minted: string[];
  /** No session: token() refuses with this text. */
  signedOut?: string;
  /** The user declines step-ups. */
  declineStepUp?: boolean;
  stop(): Promise<void>;
}

export async function startBridgeHarness(options: Omit<BridgeOptions, 'auth'> = {}): Promise<BridgeHarness> {
  const mcp = await startMcpServer();
  const valid = new Map<string, TokenInfo>();
  mcp.verifyWith((t) => valid.get(t));
  const minted: string[] = [];
  const mint = (scopes: string[]) => {
    const t = `at-${randomBytes(24).toString('base64url')}`;
    valid.set(t, { sub: 'alice', scopes });
    minted.push(t);
    return t;
  };
  let scopes = ['api:read'];
  let current = mint(scopes);
  const calls = { token: 0, refreshed: 0, stepUp: 0, stepUpScopes: [] as string[][] };
  const outcomes: string[] = [];
  const bridge = await startMcpBridge({
    ...options,
    auth: {
      async token() {
        calls.token++;
        return h.signedOut ? { refused: h.signedOut } : { token: current };
      },
      async refreshed(_name, rejected) {
        calls.refreshed++;
        if (rejected === current) current = mint(scopes);
        return { token: current };
      },
      async stepUp(_name, wanted) {
        calls.stepUp++;
        calls.stepUpScopes.push([...wanted]);
        if (h.declineStepUp) return { refused: 'the user did not allow the larger scope set.' };
        scopes = [...new Set([...scopes, ...wanted])];
        current = mint(scopes);
        return { token: current };
      },
      outcome: (_name, o) => {
        outcomes.push('ok' in o ? 'ok' : o.error);
      },
    },
  });
  bridge.setRoutes([{ name: 'test', url: mcp.url }]);
  const h: BridgeHarness = {
    mcp,
    bridge,
    url: bridge.urlFor('test'),
    calls,
    outcomes,
    minted,
    async stop() {
      await bridge.close();
      await mcp.stop();
    },
  };
  return h;
}
