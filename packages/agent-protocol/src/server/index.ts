/**
 * `@hotline/agent-protocol/server`: the session engine ({@link ProtocolServer}) and its `ws`
 * WebSocket adapter ({@link listenWebSocket}).
 * @packageDocumentation
 */
export * from './protocol-server.js';
export * from './ws-server.js';
