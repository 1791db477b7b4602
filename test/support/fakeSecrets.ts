/**
 * An in-memory SecretStorage with onDidChange, asynchronous like the real one. Two SessionKeepers over one instance
 * behave like two VS Code windows over one keychain. By default every operation settles in one tick; pass a Latency
 * (e.g. KEYCHAIN_LATENCY) to make reads, writes and change events take as long as an OS keychain and the
 * cross-window event delivery do, so interleavings that one tick hides can happen.
 */
export interface Latency {
  readonly get?: number;
  readonly store?: number;
  readonly delete?: number;
  /** How long onDidChange takes to reach each listener (another window hears of a write later than it lands). */
  readonly event?: number;
}

/** Milliseconds per operation, roughly a desktop keychain through VS Code's main process. */
export const KEYCHAIN_LATENCY: Latency = { get: 3, store: 8, delete: 8, event: 25 };

export class FakeSecrets {
  readonly data = new Map<string, string>();
  private readonly listeners = new Set<(e: { key: string }) => unknown>();
  reads = 0;
  writes = 0;

  constructor(private readonly latency: Latency = {}) {}

  get(key: string): Promise<string | undefined> {
    this.reads++;
    return after(this.latency.get).then(() => this.data.get(key));
  }
  store(key: string, value: string): Promise<void> {
    this.writes++;
    return after(this.latency.store).then(() => {
      this.data.set(key, value);
      this.emit(key);
    });
  }
  delete(key: string): Promise<void> {
    return after(this.latency.delete).then(() => {
      if (this.data.delete(key)) this.emit(key);
    });
  }
  keys(): Promise<string[]> {
    return after(this.latency.get).then(() => [...this.data.keys()]);
  }
  readonly onDidChange = (listener: (e: { key: string }) => unknown) => {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  };
  private emit(key: string) {
    for (const l of [...this.listeners]) void after(this.latency.event).then(() => l({ key }));
  }
}

const after = (ms: number | undefined) => new Promise<void>((r) => (ms ? setTimeout(r, ms) : setImmediate(r)));
