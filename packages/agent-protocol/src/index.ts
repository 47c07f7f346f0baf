/**
 * `@hotline/agent-protocol`: the wire protocol between a Hotline call-centre server and agent
 * desktops — message schemas (zod), versioning, typed errors, and the {@link AgentClient} with
 * auto-reconnect and resume. The server side lives in `@hotline/agent-protocol/server`.
 * @packageDocumentation
 */
export * from './errors.js';
export * from './logger.js';
export * from './version.js';
export * from './domain.js';
export * from './commands.js';
export * from './events.js';
export * from './frames.js';
export * from './transport.js';
export * from './client/index.js';
export * from './desk-state.js';
