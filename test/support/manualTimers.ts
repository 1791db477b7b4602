/**
 * Timers for the SessionKeeper (its `timers` seam) that fire only when the test moves its clock: a back-off of 15 s,
 * 30 s … 5 min is then checked exactly, in no time, and on the keeper's own clock rather than in its log text.
 */
import type { TimerHost } from '../../src/sessions/keyedTimers';
import { TestClock } from './keeperHarness';

/** A TestClock that stands still unless the test moves it, so a timer's due time is exact to the millisecond. */
export class FrozenClock extends TestClock {
  private readonly start = Date.now();
  override readonly now = () => this.start + this.offset;
}

interface Pending {
  at: number;
  delayMs: number;
  fire: () => void;
}

export class ManualTimers implements TimerHost {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  /** How many timers have fired so far. */
  fired = 0;

  constructor(private readonly clock: TestClock) {}

  set(fire: () => void, delayMs: number): number {
    const id = this.nextId++;
    this.pending.set(id, { at: this.clock.now() + delayMs, delayMs, fire });
    return id;
  }

  clear(handle: unknown): void {
    this.pending.delete(handle as number);
  }

  /** The delays the pending timers were set with, in the order they were set. */
  delays(): number[] {
    return [...this.pending.values()].map((t) => t.delayMs);
  }

  /** Moves the clock forward by `ms` and fires every timer due by then, earliest first. */
  advance(ms: number): void {
    this.clock.advance(ms);
    const now = this.clock.now();
    const due = [...this.pending].filter(([, t]) => t.at <= now).sort(([, a], [, b]) => a.at - b.at);
    for (const [id, t] of due) {
      this.pending.delete(id);
      this.fired++;
      t.fire();
    }
  }
}
