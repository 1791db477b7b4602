// The few `vscode` APIs that provider.ts and signIn.ts touch, so the real OAuthAuthenticationProvider and signIn()
// run on plain Node in the bench (esbuild aliases `vscode` to this file). No UI: progress is a no-op.
type Listener<T> = (e: T) => unknown;
export class EventEmitter<T> {
  private listeners = new Set<Listener<T>>();
  readonly event = (l: Listener<T>) => {
    this.listeners.add(l);
    return { dispose: () => this.listeners.delete(l) };
  };
  fire(e: T) {
    for (const l of [...this.listeners]) l(e);
  }
  dispose() {
    this.listeners.clear();
  }
}
export class CancellationError extends Error {}
export const ProgressLocation = { SourceControl: 1, Window: 10, Notification: 15 };
export const window = {
  withProgress<R>(
    _o: unknown,
    task: (
      p: { report(v: unknown): void },
      t: { onCancellationRequested(l: () => void): { dispose(): void } },
    ) => Promise<R>,
  ): Promise<R> {
    return task({ report() {} }, { onCancellationRequested: () => ({ dispose() {} }) });
  },
  async showWarningMessage() {
    return undefined;
  },
};
