/**
 * `@hotline/agent-protocol/conformance`: the protocol conformance suite. A server of the agent
 * protocol runs {@link describeProtocolConformance} in its own vitest tests with a
 * {@link ProtocolConformanceHarness} that builds the server for each test and makes its world do
 * things (put a call through to an agent, hang the caller up, leave a voicemail, let time pass).
 * @packageDocumentation
 */
export { describeProtocolConformance, type SuiteContext } from './suite.js';
export type {
  ConformanceCaller,
  ConformanceNetwork,
  ConformanceUser,
  ConformanceUsers,
  ConformanceWorld,
  ProtocolConformanceHarness,
} from './harness.js';
