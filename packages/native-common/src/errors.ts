import { ErrorCode, HotlineError } from '@hotline/cti-core';
import type { LibraryCandidate } from './library-search.js';

/** Error codes of the native layer (in addition to cti-core's). */
export const NativeErrorCode = {
  /** The compiled addon (`.node`) is missing or could not be loaded. */
  AddonUnavailable: 'ERR_ADDON_UNAVAILABLE',
  /** No candidate vendor library could be loaded. */
  LibraryUnavailable: 'ERR_LIBRARY_UNAVAILABLE',
  /** The vendor library loaded but lacks a function the driver cannot work without. */
  SymbolMissing: 'ERR_SYMBOL_MISSING',
} as const;

/** One failed (or the successful) attempt to load a candidate. */
export interface LoadAttempt {
  readonly candidate: string;
  readonly source: LibraryCandidate['source'];
  /** The OS's reason (dlerror); empty for the candidate that loaded. */
  readonly error: string;
}

/** Facts for the error raised when no vendor library loads. */
export interface LibraryUnavailableFacts {
  /** Vendor and product, e.g. `Synway SHP_A3`. */
  readonly vendor: string;
  /** The library file name, e.g. `libshpa3.so`. */
  readonly library: string;
  readonly envVar: string;
  readonly attempts: readonly LoadAttempt[];
  /** What to install or configure, in one sentence. */
  readonly install: string;
}

/** Builds the typed error for a vendor library that could not be loaded. */
export function libraryUnavailableError(facts: LibraryUnavailableFacts): HotlineError {
  const tried = facts.attempts.map((a) => `  ${a.candidate} (${a.source}): ${a.error || 'loaded'}`).join('\n');
  return new HotlineError(
    NativeErrorCode.LibraryUnavailable,
    `${facts.vendor}: cannot load ${facts.library}. Tried, in order:\n${tried}\n${facts.install} ` +
      `Point ${facts.envVar} (or the driver's \`library\` option) at the file to use another location.`,
    {
      details: {
        library: facts.library,
        envVar: facts.envVar,
        attempts: facts.attempts,
        osError: facts.attempts.at(-1)?.error ?? '',
        install: facts.install,
      },
    },
  );
}

/** Builds the typed error for required symbols missing from a loaded library. */
export function symbolMissingError(vendor: string, path: string, missing: readonly string[]): HotlineError {
  return new HotlineError(
    NativeErrorCode.SymbolMissing,
    `${vendor}: ${path} loaded but lacks ${missing.join(', ')}; it is not a compatible version of the library`,
    { details: { library: path, missing } },
  );
}

/** The shape of a rejected native vendor call (see `hotline/native/vendor-call.h`). */
export interface NativeVendorFailure {
  readonly op: string;
  readonly vendorCode: number;
  readonly vendorMessage: string;
}

/** True for an error object thrown by `VendorCall` (it carries `op` and a numeric `vendorCode`). */
export function isNativeVendorFailure(value: unknown): value is NativeVendorFailure & Error {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.op === 'string' && typeof v.vendorCode === 'number';
}

/** A vendor's table of error numbers to names (e.g. `9 → C_ERROR_FILEOP_FAILURE`). */
export type VendorCodeNames = Readonly<Record<number, string>>;

/** How one vendor error is classified for the SDK. */
export interface VendorErrorClass {
  /** cti-core code, default `ERR_DRIVER`. */
  readonly code?: string;
  readonly retryable?: boolean;
}

/**
 * Turns a native vendor failure into a `HotlineError` carrying `details.vendorCode` and
 * `details.vendorName` (the vendor's symbolic name, or `UNKNOWN_<n>`), the operation and the
 * vendor's own message. `classify` may pick a more precise cti-core code (e.g. a file error on
 * play is `ERR_MEDIA_FORMAT`).
 */
export function vendorError(
  vendor: string,
  failure: NativeVendorFailure,
  names: VendorCodeNames,
  context: Readonly<Record<string, unknown>> = {},
  classify: (code: number, op: string) => VendorErrorClass = () => ({}),
): HotlineError {
  const vendorName = names[failure.vendorCode] ?? `UNKNOWN_${failure.vendorCode}`;
  const cls = classify(failure.vendorCode, failure.op);
  const where = Object.entries(context)
    .map(([k, v]) => `${k} ${String(v)}`)
    .join(', ');
  return new HotlineError(
    cls.code ?? ErrorCode.Driver,
    `${vendor}: ${failure.op}${where ? ` (${where})` : ''} failed with ${vendorName} (${failure.vendorCode})` +
      (failure.vendorMessage ? `: ${failure.vendorMessage}` : ''),
    {
      cause: failure,
      retryable: cls.retryable ?? false,
      details: {
        ...context,
        op: failure.op,
        vendorCode: failure.vendorCode,
        vendorName,
        vendorMessage: failure.vendorMessage,
      },
    },
  );
}
