/**
 * This window's own storage writes, run one after another. A diff with storage waits for them and checks `count`,
 * so it never mistakes a half-written local change for another window's.
 */
export class WriteQueue {
  private tail: Promise<unknown> = Promise.resolve();
  /** Local changes queued so far (memory is changed first, then the write is queued). */
  count = 0;

  run<T>(fn: () => Promise<T>): Promise<T> {
    this.count++;
    const run = this.tail.then(fn, fn);
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** Resolves when every write queued so far has landed (or failed). */
  idle(): Promise<unknown> {
    return this.tail;
  }
}
