/**
 * Loopback ports for a strict server's exact redirect URIs (they must be registered before the test AS starts):
 * each is bound on port 0 by a small server that stays listening ("another program"), so nothing else can take it
 * between picking it and using it. release() frees one right before the code under test binds it; the others stay
 * busy for as long as the test wants them busy.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HeldPorts {
  readonly ports: number[];
  /** Stops holding `port`, so the code under test can bind it. */
  release(port: number): Promise<void>;
  /** Stops holding every port still held. */
  close(): Promise<void>;
}

export async function holdPorts(n: number, host = '127.0.0.1'): Promise<HeldPorts> {
  const held = new Map<number, Server>();
  for (let i = 0; i < n; i++) {
    const s = createServer((_, res) => res.end('another program'));
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.listen(0, host, resolve);
    });
    held.set((s.address() as AddressInfo).port, s);
  }
  const release = async (port: number) => {
    const s = held.get(port);
    held.delete(port);
    if (s)
      await new Promise<void>((r) => {
        s.close(() => r());
        s.closeAllConnections();
      });
  };
  return {
    ports: [...held.keys()],
    release,
    close: async () => {
      for (const p of [...held.keys()]) await release(p);
    },
  };
}
