import { useMemo, useSyncExternalStore } from 'react';
import type { Observable } from 'rxjs';

/**
 * The latest value of an Observable, as React state: one subscription per `source` through
 * `useSyncExternalStore`, so every component sees the same value in the same render (no tearing).
 * `initial` is returned until the source emits; a source that replays (a BehaviorSubject's
 * `asObservable()`) emits during subscribe, so its current value shows in the first commit.
 * Pass a stable `source` (memoised), or the hook resubscribes on each render.
 */
export function useObservable<T>(source: Observable<T>, initial: T): T {
  const store = useMemo(() => {
    let value = initial;
    return {
      subscribe: (onChange: () => void): (() => void) => {
        const sub = source.subscribe((next) => {
          value = next;
          onChange();
        });
        return () => sub.unsubscribe();
      },
      get: (): T => value,
    };
    // `initial` only seeds a new source's store.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [source]);
  return useSyncExternalStore(store.subscribe, store.get, store.get);
}
