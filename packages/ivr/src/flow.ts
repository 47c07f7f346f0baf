/**
 * Flows: typed async functions over a {@link CallContext}.
 *
 * @module
 */
import type { CallContext } from './call-context.js';

/** A flow: a named async function over a call, with the prompts it refers to. */
export interface FlowDefinition<A = void, R = void> {
  /** Name for analytics and logs. */
  readonly name: string;
  /**
   * Prompt ids the flow plays (beyond the standard prompts and `say` fragments, which are always
   * checked). The runtime verifies them at start-up in every locale.
   */
  readonly prompts?: readonly string[];
  /** Version of a compiled declarative menu (undefined for code flows). */
  readonly version?: number;
  run(ctx: CallContext, args: A): Promise<R>;
}

/** Defines a flow (an identity function that gives the definition its type). */
export function defineFlow<A = void, R = void>(definition: FlowDefinition<A, R>): FlowDefinition<A, R> {
  return definition;
}
