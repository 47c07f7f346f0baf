/**
 * What every command module of the CTI link shares: failing a command with a typed protocol
 * error, wrapping a handler so domain and ACD errors reach the desktop as protocol errors, and
 * trying an ACD call whose refusal is expected and harmless.
 *
 * @module
 */
import { ProtocolError } from '@hotline/agent-protocol';
import type { SessionView } from '@hotline/agent-protocol/server';
import type { Logger } from '@hotline/cti-core';
import { toProtocolError } from './mapping.js';

/** Storage promises pass through this (tests in virtual time: `scheduler.track`). */
export type Io = <T>(promise: Promise<T>) => Promise<T>;

/** Ends a command with a typed protocol error. */
export function fail(code: string, message: string, details?: Readonly<Record<string, unknown>>): never {
  throw new ProtocolError(code, message, details ? { details } : {});
}

/** A command handler of the session's user: any error it throws reaches the desktop typed. */
export function command<P, R>(fn: (params: P, session: SessionView) => Promise<R> | R) {
  return async (params: P, ctx: { readonly session: SessionView }): Promise<R> => {
    try {
      return await fn(params, ctx.session);
    } catch (error) {
      throw toProtocolError(error);
    }
  };
}

/** Runs an ACD call whose refusal is expected (the agent already in that state...): logged, not thrown. */
export function tryAcd(logger: Logger, fn: () => void): void {
  try {
    fn();
  } catch (error) {
    logger.debug('cti: ACD refused', { error: String(error) });
  }
}

/** Lets a best-effort storage write go, logging nothing (the call goes on without it). */
export function background(io: Io, work: Promise<unknown>): void {
  void io(work.then(() => undefined)).catch(() => undefined);
}
