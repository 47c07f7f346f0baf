import { Subscription, type SchedulerAction, type SchedulerLike } from 'rxjs';
import { IndexedHeap, type HeapItem } from './indexed-heap.js';

/**
 * A small virtual-time `SchedulerLike` for tests and simulations: time only moves when told to,
 * actions due at the same time run in the order they were scheduled, and cancelled actions cost
 * O(log n). Works with RxJS operators (`timer`, `interval`, `delay`) as well as with the ACD.
 */
export class VirtualClock implements SchedulerLike {
  private time: number;
  private seq = 0;
  private readonly heap = new IndexedHeap<ClockAction<unknown>>(
    (a, b) => a.due < b.due || (a.due === b.due && a.order < b.order),
  );

  /** @param startMs initial time, epoch ms (default 0). */
  constructor(startMs = 0) {
    this.time = startMs;
  }

  /** Current virtual time, epoch ms. */
  now(): number {
    return this.time;
  }

  /** Number of pending actions. */
  get pending(): number {
    return this.heap.size;
  }

  /** Schedules `work` after `delay` ms of virtual time (negative delays count as 0). */
  schedule<T>(work: (this: SchedulerAction<T>, state?: T) => void, delay = 0, state?: T): Subscription {
    const action = new ClockAction<T>(this, work);
    action.schedule(state, delay);
    return action;
  }

  /** @internal */
  enqueue(action: ClockAction<unknown>, delay: number): void {
    action.due = this.time + Math.max(0, delay);
    action.order = this.seq++;
    this.heap.push(action);
  }

  /** @internal */
  dequeue(action: ClockAction<unknown>): void {
    this.heap.remove(action);
  }

  /** Runs every action due up to and including `targetMs`, then sets the time to `targetMs`. */
  advanceTo(targetMs: number): void {
    for (;;) {
      const next = this.heap.peek();
      if (!next || next.due > targetMs) break;
      this.heap.pop();
      this.time = Math.max(this.time, next.due);
      next.run();
    }
    this.time = Math.max(this.time, targetMs);
  }

  /** Advances time by `ms`. */
  advanceBy(ms: number): void {
    this.advanceTo(this.time + ms);
  }

  /** Runs until no action is pending (beware of periodic actions), at most `maxActions`. */
  runAll(maxActions = 10_000_000): void {
    for (let n = 0; n < maxActions; n++) {
      const next = this.heap.pop();
      if (!next) return;
      this.time = Math.max(this.time, next.due);
      next.run();
    }
    throw new Error(`VirtualClock.runAll: more than ${maxActions} actions (a periodic action never stops?)`);
  }
}

/** @internal One scheduled piece of work; rescheduling reuses it, as RxJS actions do. */
class ClockAction<T> extends Subscription implements SchedulerAction<T>, HeapItem {
  heapIndex = -1;
  due = 0;
  order = 0;
  private state: T | undefined;

  constructor(
    private readonly clock: VirtualClock,
    private readonly work: (this: SchedulerAction<T>, state?: T) => void,
  ) {
    super();
  }

  override unsubscribe(): void {
    if (this.closed) return;
    this.clock.dequeue(this as ClockAction<unknown>);
    super.unsubscribe();
  }

  schedule(state?: T, delay = 0): Subscription {
    if (this.closed) return this;
    this.state = state;
    this.clock.dequeue(this as ClockAction<unknown>);
    this.clock.enqueue(this as ClockAction<unknown>, delay);
    return this;
  }

  run(): void {
    if (this.closed) return;
    const before = this.order;
    this.work.call(this, this.state);
    // Done unless the work rescheduled itself.
    if (this.order === before && this.heapIndex < 0) this.unsubscribe();
  }
}
