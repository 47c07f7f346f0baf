/**
 * React contexts of the console. State and actions are separate contexts (as in gemini-cli's
 * UIStateContext / UIActionsContext): the actions object never changes, so components that only
 * act do not re-render on every state change.
 */
import type { ConnectionState } from '@hotline/agent-protocol';
import { createContext, useContext, useMemo } from 'react';
import { interval, map, startWith, type SchedulerLike, asyncScheduler } from 'rxjs';
import type { ConsoleActions } from './actions.js';
import { EMPTY_SERVER_STATE, type ServerState } from './server-state.js';
import { initialUiState, type UiState } from './ui-state.js';
import { useObservable } from './use-observable.js';

/** The server state and the connection. */
export interface ServerView {
  readonly server: ServerState;
  readonly connection: ConnectionState;
}

export const ServerContext = createContext<ServerView>({
  server: EMPTY_SERVER_STATE,
  connection: { status: 'offline', reason: 'idle' },
});
export const UiContext = createContext<UiState>(initialUiState());
export const ActionsContext = createContext<ConsoleActions | undefined>(undefined);
export const ClockContext = createContext<SchedulerLike>(asyncScheduler);

/** Screen size in columns and rows. */
export const SizeContext = createContext<{ readonly columns: number; readonly rows: number }>({
  columns: 80,
  rows: 24,
});

export function useServer(): ServerView {
  return useContext(ServerContext);
}

export function useUi(): UiState {
  return useContext(UiContext);
}

export function useActions(): ConsoleActions {
  const actions = useContext(ActionsContext);
  if (!actions) throw new Error('useActions outside the console');
  return actions;
}

export function useSize(): { readonly columns: number; readonly rows: number } {
  return useContext(SizeContext);
}

/** The clock's time, refreshed every `periodMs` on the injected scheduler (virtual in tests). */
export function useNow(periodMs = 1000): number {
  const scheduler = useContext(ClockContext);
  const source = useMemo(
    () =>
      interval(periodMs, scheduler).pipe(
        map(() => scheduler.now()),
        startWith(scheduler.now()),
      ),
    [scheduler, periodMs],
  );
  return useObservable(source, scheduler.now());
}
