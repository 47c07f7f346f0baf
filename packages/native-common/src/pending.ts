/**
 * Counts the native calls a driver has in flight, so a test harness (or `close()`) can wait
 * until the addon is quiet. Wrap each call's Promise with {@link PendingCalls.track}.
 */
export class PendingCalls {
  private readonly inflight = new Set<Promise<unknown>>();
  private started = 0;

  /** Tracks `promise` until it settles and returns it unchanged. */
  track<T>(promise: Promise<T>): Promise<T> {
    this.started++;
    this.inflight.add(promise);
    const forget = (): void => {
      this.inflight.delete(promise);
    };
    promise.then(forget, forget);
    return promise;
  }

  /** Calls in flight now. */
  get size(): number {
    return this.inflight.size;
  }

  /** Calls started since creation (a change tells a settle loop that work happened). */
  get count(): number {
    return this.started;
  }

  /** Resolves once every call in flight (including ones started meanwhile) has settled. */
  async idle(): Promise<void> {
    while (this.inflight.size > 0) {
      await Promise.allSettled([...this.inflight]);
    }
  }
}
