export * from './agent-client.js';
export * from './ws-transport.js';
