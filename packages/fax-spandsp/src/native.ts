/**
 * Loads the native binding (`build/Release/hotline_fax.node`) once, and explains its absence:
 * the package always loads; a machine without libspandsp gets `available: false` and a reason
 * that says what to install.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Options of a native session (mirrors `src/native/fax-session.cc`). */
export interface NativeSessionOptions {
  readonly calling: boolean;
  readonly send: boolean;
  readonly file: string;
  readonly transport?: 'audio' | 't38';
  readonly localId?: string;
  readonly headerInfo?: string;
  readonly ecm?: boolean;
  /** Bit set of spandsp `T30_SUPPORT_V27TER` (1), `V29` (2), `V17` (4). */
  readonly modems?: number;
  /** Bit set of `T30_SUPPORT_T4_1D_COMPRESSION` (2), `T4_2D` (4), `T6` (8). */
  readonly compressions?: number;
}

/** Transfer statistics of a native session. */
export interface NativeStats {
  readonly bitRate: number;
  readonly ecm: boolean;
  readonly pagesTx: number;
  readonly pagesRx: number;
  readonly pagesInFile: number;
  readonly xResolution: number;
  readonly yResolution: number;
  readonly width: number;
  readonly length: number;
  readonly imageSize: number;
  readonly encoding: number;
  readonly badRows: number;
  readonly ecmRetries: number;
  readonly status: number;
  readonly remoteId: string;
  readonly ended: boolean;
  readonly completion: number;
  readonly completionText: string;
}

/** One native fax session (an object of the addon). */
export interface NativeSession {
  process(rx: Int16Array, tx: Int16Array): number;
  rxIfp(packet: Uint8Array, seq: number): number;
  tick(samples: number): number;
  takeEvents(): Int32Array;
  takePackets(): { readonly data: Uint8Array; readonly count: number }[];
  stats(): NativeStats;
  terminate(): void;
  close(): void;
}

/** The addon's exports. */
export interface NativeBinding {
  readonly FaxSession: new (options: NativeSessionOptions) => NativeSession;
  /** spandsp's release stamp (e.g. `20110122 075024` for Debian's 0.0.6). */
  readonly spandspRelease: string;
  /** `t30_completion_code_to_str` for every completion code. */
  readonly completionTexts: readonly string[];
}

/** Native event kinds (see `EventKind` in the addon). */
export const NativeEvent = { PhaseB: 1, PhaseD: 2, PhaseE: 3, FrameRx: 4, FrameTx: 5, Document: 6 } as const;

/** The result of loading the addon. */
export type BindingState =
  | { readonly available: true; readonly binding: NativeBinding; readonly path: string }
  | { readonly available: false; readonly reason: string };

const INSTALL =
  'install libspandsp-dev and libtiff-dev (Debian/Ubuntu: apt-get install libspandsp-dev libtiff-dev) and run `npm rebuild @hotline/fax-spandsp`';

let cached: BindingState | undefined;

function packageRoot(): string {
  // src/native.ts and dist/index.js both sit one level below the package root.
  return join(dirname(fileURLToPath(import.meta.url)), '..');
}

/** Loads the addon (once). Never throws: failure is a state with a reason. */
export function loadBinding(): BindingState {
  if (cached) return cached;
  const root = packageRoot();
  const candidates = [
    join(root, 'build', 'Release', 'hotline_fax.node'),
    join(root, 'build', 'Debug', 'hotline_fax.node'),
  ];
  const path = candidates.find((p) => existsSync(p));
  if (!path) {
    let why = 'the native fax binding was not built';
    try {
      const status = JSON.parse(readFileSync(join(root, 'build', 'hotline-fax-build.json'), 'utf8')) as {
        reason?: unknown;
      };
      if (typeof status.reason === 'string') why = `the native fax binding was not built: ${status.reason}`;
    } catch {
      // No record: the install step never ran (e.g. --ignore-scripts).
    }
    cached = { available: false, reason: `${why}; searched ${candidates.join(', ')}. To enable fax, ${INSTALL}` };
    return cached;
  }
  try {
    const require = createRequire(import.meta.url);
    cached = { available: true, binding: require(path) as NativeBinding, path };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    cached = {
      available: false,
      reason: `cannot load ${path}: ${message}. If libspandsp was removed or upgraded, ${INSTALL}`,
    };
  }
  return cached;
}
