/**
 * Control-flow signals of the runtime. They travel as thrown values through flow code (so a
 * `*` pressed five menus deep unwinds to the previous menu) and are not failures: a flow that
 * catches everything must rethrow them (`if (isFlowSignal(e)) throw e`). They are `Error` objects
 * (so a stray one still carries a stack and a message) recognised by a marker, never by class.
 *
 * @module
 */

const FLOW_SIGNAL: unique symbol = Symbol.for('hotline.ivr.flow-signal') as never;

/** Why a flow was asked to reach an agent. */
export type AgentReason = 'caller-request' | 'max-failures' | 'flow';

/** A flow signal: `back` (`*`), `agent` (`0` or a max-failures exit), or `end` (the flow is over). */
export type FlowSignal =
  | { readonly [FLOW_SIGNAL]: true; readonly kind: 'back'; readonly node: string }
  | { readonly [FLOW_SIGNAL]: true; readonly kind: 'agent'; readonly node: string; readonly reason: AgentReason }
  | {
      readonly [FLOW_SIGNAL]: true;
      readonly kind: 'end';
      readonly node: string;
      /** How the call ended inside the flow. */
      readonly end: 'hangup-by-flow' | 'max-failures' | 'handed-off';
      /** For `handed-off`: to whom. */
      readonly to?:
        { readonly kind: 'agent'; readonly agentId: string } | { readonly kind: 'transfer'; readonly target: string };
    };

/** True for a {@link FlowSignal} (from any copy of this package). */
export function isFlowSignal(value: unknown): value is FlowSignal {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[FLOW_SIGNAL] === true;
}

type SignalData = FlowSignal extends infer S ? (S extends FlowSignal ? Omit<S, typeof FLOW_SIGNAL> : never) : never;

function signal(data: SignalData): FlowSignal & Error {
  const message = `IVR flow signal: ${data.kind} at ${data.node}`;
  return Object.assign(new Error(message), { name: 'FlowSignal', [FLOW_SIGNAL]: true as const }, data);
}

/** @internal */
export function backSignal(node: string): FlowSignal & Error {
  return signal({ kind: 'back', node });
}

/** @internal */
export function agentSignal(node: string, reason: AgentReason): FlowSignal & Error {
  return signal({ kind: 'agent', node, reason });
}

/** @internal */
export function endSignal(
  node: string,
  end: 'hangup-by-flow' | 'max-failures' | 'handed-off',
  to?: { readonly kind: 'agent'; readonly agentId: string } | { readonly kind: 'transfer'; readonly target: string },
): FlowSignal & Error {
  return signal({ kind: 'end', node, end, ...(to ? { to } : {}) });
}
