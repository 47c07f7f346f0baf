/**
 * The typed face of the compiled addon (`build/Release/hotline_sanhui.node`, source
 * `native/addon.cc`) and the library search order.
 * @module
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { libraryCandidates, loadAddon, type AddonLoad, type LibraryCandidate } from '@hotline/native-common';

/** One raw SHP_A3 event as the addon's event thread delivered it (enriched on that thread). */
export interface RawEvent {
  readonly code: number;
  readonly ch: number;
  readonly param: number;
  /** Pending reason, read when the channel entered S_CALL_PENDING. */
  readonly reason?: number;
  /** AutoDial failure reason (ATDL_*), read on a failing progress code or S_CALL_PENDING. */
  readonly failure?: number;
  readonly ka?: number;
  readonly kd?: number;
  /** Calling and called numbers, read when an incoming call reached ringing or KB wait. */
  readonly callerId?: string;
  readonly called?: string;
}

/** What `start` reports. */
export interface StartInfo {
  readonly channels: readonly { readonly type: number; readonly board: number; readonly boardCh: number }[];
  readonly boardName: string;
  readonly boardModel: string;
  readonly serial: string;
  readonly version: string;
}

/** What `load` reports. */
export interface LoadResult {
  readonly ok: boolean;
  readonly path?: string;
  readonly attempts: readonly { readonly candidate: string; readonly error: string }[];
  readonly missingRequired: readonly string[];
  readonly missingOptional: readonly string[];
  /** Test-control entry points found (only the fake has them). */
  readonly control: readonly string[];
}

/** The addon's exports. */
export interface SanhuiBinding {
  load(candidates: readonly string[]): LoadResult;
  start(config: string, index: string): Promise<StartInfo>;
  close(): Promise<void>;
  startEvents(callback: (batch: RawEvent[]) => void, keepAlive: boolean): void;
  stopEvents(): Promise<void>;
  setKeepAlive(keepAlive: boolean): void;
  putMarker(seq: number): boolean;
  stats(): { readonly batches: number; readonly events: number };
  call(
    name: string,
    args: readonly (number | string)[],
  ): Promise<number | string | { stateEx: number; bytesRecorded: number }>;
  control(name: string, args?: readonly (number | string)[]): number | string;
  readonly markerEvent: number;
}

/** The package root (one level above `src/` and `dist/`). */
export const packageRoot: string = join(dirname(fileURLToPath(import.meta.url)), '..');

let cached: AddonLoad<SanhuiBinding> | undefined;

/** Loads the addon once per process (never throws). */
export function sanhuiAddon(): AddonLoad<SanhuiBinding> {
  cached ??= loadAddon<SanhuiBinding>(packageRoot, 'hotline_sanhui');
  return cached;
}

/** The environment variable naming the library to load. */
export const LIBRARY_ENV = 'HOTLINE_SANHUI_LIB';

/** Standard install folders of the Synway Linux runtime, tried after the dynamic linker's search. */
export const STANDARD_DIRS: readonly string[] = [
  '/usr/lib',
  '/usr/lib64',
  '/usr/local/lib',
  '/usr/local/lib64',
  '/opt/synway/lib',
  '/opt/shcti/lib',
];

/**
 * The documented search order: `library` option → `HOTLINE_SANHUI_LIB` → `libshpa3.so` through
 * the dynamic linker (LD_LIBRARY_PATH, ld.so.cache) → {@link STANDARD_DIRS}.
 */
export function sanhuiLibraryCandidates(library?: string, env: NodeJS.ProcessEnv = process.env): LibraryCandidate[] {
  return libraryCandidates(
    { explicit: library, envVar: LIBRARY_ENV, names: ['libshpa3.so'], dirs: STANDARD_DIRS },
    env,
  );
}

/** Where the package's build put the fake libshpa3.so (tests and benchmarks only). */
export const fakeLibraryPath: string = join(packageRoot, 'build', 'Release', 'libshpa3.so');
