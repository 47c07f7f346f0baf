/**
 * `@hotline/native-common`: the parts every Hotline vendor board addon shares.
 *
 * - C++ (header-only, `include/hotline/native/`, added to a binding.gyp through
 *   `require('@hotline/native-common/gyp').include_dir`): `DynLib` + symbol tables, `EventPump`
 *   (addon-owned thread → TypedThreadSafeFunction whose finalizer joins it), `CallbackQueue`
 *   (events pushed by a vendor callback thread, taken by the pump in batches), `VendorCall`
 *   (AsyncWorker per blocking call, serialised, typed failures).
 * - TypeScript: the library search order, the addon loader that never throws, typed errors for
 *   a missing library / symbol / failed vendor call, a tracker of calls in flight, and WAVE
 *   header facts for boards that play and record files themselves.
 * - `@hotline/native-common/testing`: a deterministic virtual-time runner for fakes.
 * @packageDocumentation
 */
export { libraryCandidates, type LibraryCandidate, type LibrarySearch, type LibrarySource } from './library-search.js';
export {
  NativeErrorCode,
  isNativeVendorFailure,
  libraryUnavailableError,
  symbolMissingError,
  vendorError,
  type LibraryUnavailableFacts,
  type LoadAttempt,
  type NativeVendorFailure,
  type VendorCodeNames,
  type VendorErrorClass,
} from './errors.js';
export { loadAddon, type AddonLoad } from './addon-loader.js';
export { PendingCalls } from './pending.js';
export { WavFormat, readWavLayout, wavHeader, wavLayout, type WavLayout } from './wav-file.js';
