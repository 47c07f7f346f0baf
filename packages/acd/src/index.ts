/**
 * `@hotline/acd`: automatic call distribution for the Hotline call-centre SDK.
 *
 * Queues, agents with skills and per-media capacity, one explicit agent state machine, routing
 * strategies as typed functions, redirect on no answer, overflow, hours of operation
 * (Asia/Shanghai), queued callbacks, expected wait with a confidence band, statistics from one
 * event log, Erlang C, and a seeded simulation harness. Depends only on rxjs; time is injected.
 */
export * from './acd.js';
export * from './agent-state-machine.js';
export * from './erlang.js';
export * from './errors.js';
export * from './events.js';
export * from './hours.js';
export * from './logger.js';
export * from './model.js';
export * from './random.js';
export * from './simulation.js';
export * from './statistics.js';
export * from './strategies.js';
export * from './virtual-clock.js';
