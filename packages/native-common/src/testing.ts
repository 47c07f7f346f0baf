/**
 * `@hotline/native-common/testing`: the virtual-time harness for a driver running its real addon
 * against a fake vendor library with a manual clock.
 *
 * The VirtualScheduler yields to the event loop between timers, but events from an addon thread
 * arrive as real macrotasks at no particular moment, and commands run on the libuv pool. This
 * runner makes such tests deterministic: before every step of virtual time it waits until the
 * driver is quiet (no native call in flight, every event the fake has queued delivered to JS and
 * handled), then moves the fake's clock and the scheduler's clock to the same instant, the
 * earlier of their next due times.
 * @packageDocumentation
 */
import type { VirtualScheduler } from '@hotline/cti-core';

/** What the runner needs from the driver and the fake. */
export interface NativeClockBinding {
  readonly scheduler: VirtualScheduler;
  /** Resolves when the driver is quiet: no call in flight and every queued event handled. */
  settle(): Promise<void>;
  /** Milliseconds until the fake's next timed event, or undefined when it has none. */
  fakeNextDueIn(): number | undefined;
  /** Moves the fake's clock forward by `ms`, firing what falls due (synchronously queued). */
  fakeAdvance(ms: number): void;
  /** Called after each settle, e.g. to resolve far-end watchers. */
  afterSettle?(): void;
}

/** `run` and `wait` for a {@link ConformanceContext}-style harness. */
export interface NativeClock {
  run<T>(promise: Promise<T>, maxMs?: number): Promise<T>;
  wait(ms: number): Promise<void>;
  /** Settles the driver, then runs watchers; no time passes. */
  settle(): Promise<void>;
}

/** Builds the deterministic virtual-time runner for a native fake. */
export function nativeClock(binding: NativeClockBinding, stepMs = 1_000): NativeClock {
  const { scheduler } = binding;
  let busy = false;
  const settle = async (): Promise<void> => {
    await binding.settle();
    binding.afterSettle?.();
  };
  const step = async (deadline: number): Promise<void> => {
    const now = scheduler.now();
    const s = scheduler.nextDue();
    const f = binding.fakeNextDueIn();
    let target = Math.min(deadline, now + stepMs);
    if (s !== undefined) target = Math.min(target, Math.max(s, now));
    if (f !== undefined) target = Math.min(target, now + Math.max(f, 0));
    if (target > now) binding.fakeAdvance(target - now);
    await settle();
    // Only the actions due at this instant: commands they start settle before time moves on.
    await scheduler.advanceTo(target);
  };
  const run = async <T>(promise: Promise<T>, maxMs = 600_000): Promise<T> => {
    if (busy) return promise; // nested run from inside a step: just wait
    busy = true;
    let done = false;
    const tracked = promise.finally(() => {
      done = true;
    });
    tracked.catch(() => undefined);
    try {
      const deadline = scheduler.now() + maxMs;
      await settle();
      while (!done) {
        if (scheduler.now() >= deadline) {
          throw new Error(`nativeClock.run: promise still pending after ${maxMs} ms of virtual time`);
        }
        await step(deadline);
        await settle();
      }
    } finally {
      busy = false;
    }
    return tracked;
  };
  const wait = async (ms: number): Promise<void> => {
    const until = scheduler.now() + ms;
    if (busy) return;
    busy = true;
    try {
      await settle();
      while (scheduler.now() < until) {
        await step(until);
        await settle();
      }
    } finally {
      busy = false;
    }
  };
  return { run, wait, settle };
}
