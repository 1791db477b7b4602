/**
 * An in-memory SecretStorage with onDidChange, asynchronous like the real one. Two SessionKeepers over one instance
 * behave like two VS Code windows over one keychain.
 */
export class FakeSecrets {
  readonly data = new Map<string, string>();
  private readonly listeners = new Set<(e: { key: string }) => unknown>();
  reads = 0;
  writes = 0;

  get(key: string): Promise<string | undefined> {
    this.reads++;
    return tick().then(() => this.data.get(key));
  }
  store(key: string, value: string): Promise<void> {
    this.writes++;
    return tick().then(() => { this.data.set(key, value); this.emit(key); });
  }
  delete(key: string): Promise<void> {
    return tick().then(() => { if (this.data.delete(key)) this.emit(key); });
  }
  keys(): Promise<string[]> {
    return tick().then(() => [...this.data.keys()]);
  }
  readonly onDidChange = (listener: (e: { key: string }) => unknown) => {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  };
  private emit(key: string) {
    for (const l of [...this.listeners]) setImmediate(() => l({ key }));
  }
}

const tick = () => new Promise<void>((r) => setImmediate(r));
