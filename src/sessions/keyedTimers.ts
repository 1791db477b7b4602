/** One timer per session id: never keeps the process alive, clamped to setTimeout's limit, all stopped at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Where the timers come from: the platform's setTimeout by default. The keeper's tests pass timers driven by their
 * own clock, so a 5-minute back-off is checked without waiting 5 minutes (test/support/manualTimers.ts).
 */
export interface TimerHost {
  set(fire: () => void, delayMs: number): unknown;
  clear(handle: unknown): void;
}

const PLATFORM_TIMERS: TimerHost = {
  set(fire, delayMs) {
    const t = setTimeout(fire, delayMs);
    (t as { unref?: () => void }).unref?.();
    return t;
  },
  clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export class KeyedTimers {
  private readonly timers = new Map<string, unknown>();
  private stopped = false;

  constructor(
    private readonly due: (id: string) => void,
    private readonly host: TimerHost = PLATFORM_TIMERS,
  ) {}

  /** (Re)starts the timer of `id`; a negative delay fires at once. */
  set(id: string, delayMs: number): void {
    this.clear(id);
    if (this.stopped) return;
    const t = this.host.set(
      () => {
        this.timers.delete(id);
        this.due(id);
      },
      Math.min(Math.max(0, delayMs), MAX_TIMER_MS),
    );
    this.timers.set(id, t);
  }

  /** Whether a timer of `id` is waiting to fire. */
  has(id: string): boolean {
    return this.timers.has(id);
  }

  clear(id: string): void {
    if (this.timers.has(id)) this.host.clear(this.timers.get(id));
    this.timers.delete(id);
  }

  /** Stops every timer and refuses new ones. */
  stop(): void {
    this.stopped = true;
    for (const id of [...this.timers.keys()]) this.clear(id);
  }
}
