/**
 * `@hotline/ivr`: the IVR flow runtime. Flows are typed async functions over a call context;
 * maintainers' menus are validated declarative data compiled to the same runtime; prompts come
 * from a checked catalog; values are spoken in correct Mandarin (and English) from recorded
 * fragments.
 *
 * @packageDocumentation
 */
export * from './errors.js';
export * from './locale.js';
export * from './say/index.js';
export * from './standard-prompts.js';
export * from './prompt-catalog.js';
export * from './prompt-generator.js';
export * from './signals.js';
export * from './analytics.js';
export * from './validators.js';
export * from './adapters.js';
export * from './flow.js';
export {
  CallContext,
  DEFAULT_STEP_DEFAULTS,
  type CollectSpec,
  type FaxOutcome,
  type FaxSpec,
  type MaxFailuresExit,
  type MenuSpec,
  type PlayNodeOptions,
  type PromptRef,
  type Prompts,
  type QueueOutcome,
  type QueueSpec,
  type RecordSpec,
  type ServiceOptions,
  type ServiceResult,
  type StepDefaults,
  type SubFlowResult,
  type TransferOutcome,
  type TransferSpec,
} from './call-context.js';
export * from './survey.js';
export * from './voicemail.js';
export * from './runtime.js';
export * from './menu-schema.js';
export * from './menu-compiler.js';
export * from './menu-registry.js';
