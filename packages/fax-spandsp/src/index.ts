/**
 * `@hotline/fax-spandsp`: the soft fax engine for Hotline software boards (T.30 over 8 kHz audio
 * through libspandsp, and T.38 terminal mode), and fax documents (text to TIFF-F pages, strict
 * TIFF validation, PNG previews).
 */
export {
  SpandspFaxEngine,
  SpandspFaxSession,
  FAX_UNAVAILABLE,
  type SpandspFaxEngineOptions,
  type SpandspFaxStatus,
  type FaxModem,
  type FaxCoding,
} from './spandsp-fax-engine.js';
export { T38FaxSession, type T38FaxSessionOptions, type T38Packet } from './spandsp-fax-engine.js';
export { loadBinding, type BindingState } from './native.js';
export {
  T30_COMPLETION_CODES,
  T30_FRAMES,
  completionName,
  frameName,
  resolutionText,
  T30PhaseTracker,
  type T30Phase,
} from './t30.js';
export {
  parseFaxTiff,
  writeFaxTiff,
  mergeFaxTiffs,
  pagesOf,
  faxDocumentError,
  FAX_WIDTHS,
  type FaxTiff,
  type FaxTiffPage,
  type FaxTiffPageData,
  type FaxTiffLimits,
  type FaxCompression,
  type FaxDocumentProblem,
} from './tiff.js';
export { checkFaxDocument, type FaxDocumentInfo } from './fax-document.js';
export {
  decodeFaxTiff,
  faxPreviewPng,
  bitmapToPng,
  blackPixels,
  sameBitmap,
  type FaxBitmap,
  type FaxPreviewOptions,
} from './fax-image.js';
export {
  renderTextFax,
  writeTextFax,
  svgToFaxPage,
  layoutText,
  wrapText,
  findCjkFont,
  isWide,
  FAX_NO_CJK_FONT,
  FAX_PAGE_WIDTH,
  A4_ROWS,
  type TextFaxOptions,
  type TextFaxLayout,
  type FaxResolution,
} from './fax-text.js';
