/** One timer per session id: never keeps the process alive, clamped to setTimeout's limit, all stopped at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class KeyedTimers {
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private stopped = false;

  constructor(private readonly due: (id: string) => void) {}

  /** (Re)starts the timer of `id`; a negative delay fires at once. */
  set(id: string, delayMs: number): void {
    this.clear(id);
    if (this.stopped) return;
    const t = setTimeout(() => { this.timers.delete(id); this.due(id); }, Math.min(Math.max(0, delayMs), MAX_TIMER_MS));
    (t as { unref?: () => void }).unref?.();
    this.timers.set(id, t);
  }

  clear(id: string): void {
    clearTimeout(this.timers.get(id));
    this.timers.delete(id);
  }

  /** Stops every timer and refuses new ones. */
  stop(): void {
    this.stopped = true;
    for (const id of [...this.timers.keys()]) this.clear(id);
  }
}
