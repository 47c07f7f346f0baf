import { Subscription, type SchedulerAction, type SchedulerLike } from 'rxjs';

type Work<T> = (this: SchedulerAction<T>, state?: T) => void;

interface Entry {
  readonly action: VirtualAction<unknown>;
  readonly version: number;
  readonly due: number;
  readonly seq: number;
}

class VirtualAction<T> extends Subscription implements SchedulerAction<T> {
  version = 0;
  state: T | undefined;
  private rescheduled = false;

  constructor(
    private readonly scheduler: VirtualScheduler,
    private readonly work: Work<T>,
  ) {
    super(() => {
      this.version++;
    });
  }

  schedule(state?: T, delay = 0): Subscription {
    if (this.closed) return this;
    this.state = state;
    this.rescheduled = true;
    this.scheduler.enqueue(this as VirtualAction<unknown>, delay);
    return this;
  }

  execute(): void {
    this.rescheduled = false;
    try {
      this.work.call(this, this.state);
    } finally {
      if (!this.rescheduled) this.unsubscribe();
    }
  }
}

/** Lets pending promise chains (and anything queued with setImmediate before) run. */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * A virtual clock for tests and simulations: an RxJS `SchedulerLike` whose time only moves when
 * told to. Unlike RxJS's `VirtualTimeScheduler`, it lets `async` code run between timers: before
 * each due action and after the last, it yields to the event loop so promise chains started by
 * the previous action complete at the same virtual instant. Whole calls written as plain
 * `async` functions therefore run in virtual time, deterministically and fast.
 *
 * Actions due at the same instant run in the order they were scheduled.
 */
export class VirtualScheduler implements SchedulerLike {
  private time: number;
  private seq = 0;
  private readonly heap: Entry[] = [];
  private running: Promise<void> | undefined;
  private tracked = 0;

  /** @param startMs the initial value of `now()` (epoch milliseconds; default 2026-01-01T00:00:00+08:00). */
  constructor(startMs = Date.UTC(2025, 11, 31, 16, 0, 0)) {
    this.time = startMs;
  }

  now(): number {
    return this.time;
  }

  schedule<T>(work: Work<T>, delay = 0, state?: T): Subscription {
    const action = new VirtualAction<T>(this, work);
    return action.schedule(state, delay);
  }

  /** @internal Called by actions. */
  enqueue(action: VirtualAction<unknown>, delay: number): void {
    action.version++;
    const d = Number.isFinite(delay) && delay > 0 ? delay : 0;
    this.push({ action, version: action.version, due: this.time + d, seq: this.seq++ });
  }

  /** Number of actions waiting to run. */
  get pending(): number {
    return this.heap.filter((e) => !e.action.closed && e.version === e.action.version).length;
  }

  /** Time of the next due action, or undefined when nothing is scheduled. */
  nextDue(): number | undefined {
    this.dropStale();
    return this.heap[0]?.due;
  }

  /**
   * Marks real asynchronous work (a database write, a file read) that virtual time must wait
   * for: while any tracked promise is pending, no timer runs and time does not move, so a 5 ms
   * disk write cannot let 30 s of call timers fire. Returns the same promise.
   */
  track<T>(promise: Promise<T>): Promise<T> {
    this.tracked++;
    const done = (): void => {
      this.tracked--;
    };
    promise.then(done, done);
    return promise;
  }

  /** Real asynchronous work being waited for (see {@link track}). */
  get trackedPending(): number {
    return this.tracked;
  }

  /** Waits (in real time) until no tracked work is pending. */
  private async drainTracked(): Promise<void> {
    const started = process.hrtime.bigint();
    while (this.tracked > 0) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (process.hrtime.bigint() - started > 60_000_000_000n) {
        throw new Error(`VirtualScheduler: ${this.tracked} tracked operation(s) still pending after 60 s of real time`);
      }
    }
  }

  /** Moves time forward by `ms`, running every action that falls due, in order. */
  advanceBy(ms: number): Promise<void> {
    return this.advanceTo(this.time + ms);
  }

  /** Moves time forward to `target` (epoch ms), running every action that falls due, in order. */
  async advanceTo(target: number): Promise<void> {
    if (this.running) throw new Error('VirtualScheduler: advance already in progress');
    let release!: () => void;
    this.running = new Promise<void>((r) => (release = r));
    try {
      await settle();
      for (;;) {
        await this.drainTracked();
        this.dropStale();
        const next = this.heap[0];
        if (!next || next.due > target) break;
        this.pop();
        if (next.due > this.time) this.time = next.due;
        next.action.execute();
        await settle();
      }
      if (target > this.time) this.time = target;
      await settle();
    } finally {
      this.running = undefined;
      release();
    }
  }

  /**
   * Advances time until `promise` settles (returning its value or throwing its error), in steps
   * of at most `stepMs`. Fails if `maxMs` of virtual time pass first. While nothing at all is
   * scheduled, time does not move: the promise can then only be waiting for real I/O, so `run`
   * waits for it in real time (up to `realIdleMs`).
   */
  async run<T>(promise: Promise<T>, maxMs = 3_600_000, stepMs = 1_000, realIdleMs = 30_000): Promise<T> {
    let done = false;
    const tracked = promise.finally(() => {
      done = true;
    });
    tracked.catch(() => undefined);
    const deadline = this.time + maxMs;
    let idleSince: bigint | undefined;
    while (!done) {
      if (this.time >= deadline) {
        throw new Error(`VirtualScheduler.run: promise still pending after ${maxMs} ms of virtual time`);
      }
      await this.drainTracked();
      if (this.nextDue() === undefined) {
        idleSince ??= process.hrtime.bigint();
        if (process.hrtime.bigint() - idleSince > BigInt(realIdleMs) * 1_000_000n) {
          throw new Error(
            `VirtualScheduler.run: promise still pending after ${realIdleMs} ms of real time with no timer scheduled`,
          );
        }
        await new Promise<void>((resolve) => setImmediate(resolve));
        continue;
      }
      idleSince = undefined;
      const next = this.nextDue();
      const step = Math.min(deadline, next === undefined ? this.time + stepMs : Math.min(next, this.time + stepMs));
      await this.advanceTo(step);
    }
    return tracked;
  }

  private dropStale(): void {
    while (this.heap.length > 0) {
      const top = this.heap[0]!;
      if (!top.action.closed && top.version === top.action.version) return;
      this.pop();
    }
  }

  private less(a: Entry, b: Entry): boolean {
    return a.due < b.due || (a.due === b.due && a.seq < b.seq);
  }

  private push(entry: Entry): void {
    const h = this.heap;
    h.push(entry);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  private pop(): Entry | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.less(h[l]!, h[m]!)) m = l;
        if (r < h.length && this.less(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}
