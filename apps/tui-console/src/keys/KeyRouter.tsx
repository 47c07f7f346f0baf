import { useStdin } from 'ink';
import { createContext, useContext, useEffect, useMemo, useRef, type ReactNode } from 'react';
import { parseKey, splitKeys, type KeyPress } from './keypress.js';

/** A key handler; returns true when it used the key. */
export type KeyHandler = (key: KeyPress) => boolean | void;

interface Registry {
  readonly handlers: Map<string, { current: KeyHandler }>;
}

const RegistryContext = createContext<Registry>({ handlers: new Map() });

/**
 * Reads keys from Ink's stdin and gives each to `onKey` (the command table), then, when that did
 * not use it, to the handler registered under `activeOwner` (the focused panel). Exactly one
 * panel owns the keyboard at a time, chosen by the container from the UI state — never by mount
 * order.
 */
export function KeyRouter(props: {
  readonly onKey: (key: KeyPress) => boolean;
  readonly activeOwner: string;
  readonly children: ReactNode;
}): ReactNode {
  const { internal_eventEmitter: emitter, setRawMode, isRawModeSupported } = useStdin();
  const registry = useMemo<Registry>(() => ({ handlers: new Map() }), []);
  const latest = useRef(props);
  latest.current = props;

  useEffect(() => {
    if (isRawModeSupported) setRawMode(true);
    const onInput = (data: string): void => {
      for (const part of splitKeys(data)) {
        const k = parseKey(part);
        if (latest.current.onKey(k)) continue;
        registry.handlers.get(latest.current.activeOwner)?.current(k);
      }
    };
    emitter.on('input', onInput);
    return () => {
      emitter.off('input', onInput);
      if (isRawModeSupported) setRawMode(false);
    };
  }, [emitter, setRawMode, isRawModeSupported, registry]);

  return <RegistryContext.Provider value={registry}>{props.children}</RegistryContext.Provider>;
}

/** Registers the key handler of a panel under `owner` (see {@link KeyRouter}). */
export function useKeys(owner: string, handler: KeyHandler): void {
  const registry = useContext(RegistryContext);
  const ref = useRef(handler);
  ref.current = handler;
  useEffect(() => {
    registry.handlers.set(owner, ref);
    return () => {
      if (registry.handlers.get(owner) === ref) registry.handlers.delete(owner);
    };
  }, [registry, owner]);
}
