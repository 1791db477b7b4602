/**
 * What the MCP bridge adds to a request: the official SDK's client calling a tool (`echo`, answered as SSE by the SDK's
 * streamable HTTP server) directly with a bearer token, and through the bridge with the window's secret, interleaved
 * one by one so both see the same machine state. Plain Node, loopback only; the bridge's token lookup is an in-memory
 * answer here (in VS Code it is the provider's cached session, a few µs: see the getSessions rows).
 *   node mcpBridge.cjs <out.json>
 */
import { writeFileSync } from 'node:fs';
import { startMcpBridge } from '../../src/node/mcpBridge';
import { startMcpServer } from '../../test/support/mcpServer';
import { connectMcp } from '../../test/support/mcpClient';

const [outFile] = process.argv.slice(2);
const WARMUP = 200;
const CALLS = 2000;
const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
const r3 = (x: number) => Math.round(x * 1000) / 1000;

async function main() {
  const token = 'bench-access-token-0123456789abcdef';
  const mcp = await startMcpServer();
  mcp.verifyWith((t) => (t === token ? { sub: 'bench', scopes: [] } : undefined));
  const bridge = await startMcpBridge({
    auth: { token: async () => ({ token }), refreshed: async () => ({ token }), stepUp: async () => ({ token }) },
  });
  bridge.setRoutes([{ name: 'bench', url: mcp.url }]);
  const direct = await connectMcp(mcp.url, { Authorization: `Bearer ${token}` });
  const bridged = await connectMcp(bridge.urlFor('bench'), { ...bridge.clientHeaders });
  const times = { direct: [] as number[], bridged: [] as number[] };
  const once = async (c: typeof direct) => {
    const t = process.hrtime.bigint();
    await c.call('echo', { text: 'ping' });
    return Number(process.hrtime.bigint() - t) / 1e6;
  };
  for (let i = 0; i < WARMUP; i++) {
    await once(direct);
    await once(bridged);
  }
  for (let i = 0; i < CALLS; i++) {
    // Alternate which goes first, so neither always runs right after the other's garbage.
    if (i % 2) {
      times.direct.push(await once(direct));
      times.bridged.push(await once(bridged));
    } else {
      times.bridged.push(await once(bridged));
      times.direct.push(await once(direct));
    }
  }
  await direct.close();
  await bridged.close();
  await bridge.close();
  await mcp.stop();
  const d = [...times.direct].sort((a, b) => a - b);
  const b = [...times.bridged].sort((a, b2) => a - b2);
  return {
    calls: CALLS,
    directMs: { p50: r3(pct(d, 50)), p99: r3(pct(d, 99)) },
    bridgedMs: { p50: r3(pct(b, 50)), p99: r3(pct(b, 99)) },
    addedMs: { p50: r3(pct(b, 50) - pct(d, 50)), p99: r3(pct(b, 99) - pct(d, 99)) },
    note: `One tools/call (echo) per sample, ${CALLS} samples each after ${WARMUP} warm-up calls, direct and bridged interleaved, one client each (keep-alive connections), loopback. addedMs is the bridged percentile minus the direct one. The bridge's token answer is in memory here.`,
  };
}

main().then(
  (r) => {
    writeFileSync(outFile, JSON.stringify(r, null, 2));
    process.exit(0);
  },
  (e) => {
    console.error('[bench mcpBridge]', e?.stack ?? e);
    process.exit(1);
  },
);
