/**
 * `@hotline/board-sim`: the reference Hotline driver. A simulated PSTN and voice board with
 * analog and E1 (China No.1) trunks and stations, real audio in 20 ms frames, and far-end parties
 * scripted in TypeScript. Runs in virtual time for tests and in real time for demos.
 * @packageDocumentation
 */
export {
  SimBoard,
  SimPhone,
  type SimBoardOptions,
  type SimCallOptions,
  type SimFaxMachine,
  type SubscriberBehaviour,
} from './sim-board.js';
export { SimParty, type PartyRelease, type PressOptions } from './party.js';
export { synthesizeSpeech, seededRandom, type SpeechOptions } from './speech.js';
export { AnswerTypeDetector, type AnswerType, type AnswerTypeOptions } from './answer-detector.js';
