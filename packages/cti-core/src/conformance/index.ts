/**
 * `@hotline/cti-core/conformance`: the driver conformance kit. A driver package runs
 * {@link describeDriverConformance} in its own vitest tests with a {@link ConformanceHarness}
 * that creates its board and drives its far end (a fake vendor library, a simulator, or a real
 * board with a test line).
 * @packageDocumentation
 */
export { describeDriverConformance } from './suite.js';
export type {
  ConformanceContext,
  ConformanceHarness,
  FarCall,
  FarEndController,
  OutboundBehaviour,
} from './harness.js';
