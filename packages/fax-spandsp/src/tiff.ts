/**
 * TIFF-F for fax: a strict reader that validates a file before any call is made, a writer of
 * multi-page TIFF-F, and page merging (several files become one document for the T.30 engine).
 *
 * Only what fax needs is read: baseline TIFF 6.0 (classic, not BigTIFF), bilevel pages, CCITT
 * T.4 (G3) or T.6 (G4) or uncompressed strips, the widths and resolutions ITU-T T.30 allows.
 * Pixel data is not decoded here (see `fax-image.ts`); this module checks structure and bounds so
 * that libtiff and spandsp never see a file they would choke on in the middle of a call.
 */
import { HotlineError, ErrorCode } from '@hotline/cti-core';

/** What is wrong with a fax document; `details.problem` of the `ERR_MEDIA_FORMAT` error. */
export type FaxDocumentProblem =
  /** Not a TIFF, truncated, or an offset points outside the file. */
  | 'malformed'
  /** Bigger than the limits (file size, pages, page length). */
  | 'oversized'
  /** A valid TIFF a fax machine cannot send (colour, width, resolution, compression). */
  | 'unsupported'
  /** The file cannot be read. */
  | 'unreadable';

/** Compression of a fax page, as TIFF tag 259 names it. */
export type FaxCompression = 'none' | 'g3' | 'g4';

/** One page of a fax TIFF, as read from its directory (no pixels). */
export interface FaxTiffPage {
  readonly width: number;
  readonly length: number;
  readonly compression: FaxCompression;
  /** T.4 options (tag 292); bit 0 = 2-D coding, bit 2 = byte-aligned EOLs. */
  readonly t4Options: number;
  /** True when 0 is white (TIFF Photometric 0, the fax convention). */
  readonly minIsWhite: boolean;
  /** 1 = most significant bit first, 2 = least significant first (tag 266). */
  readonly fillOrder: 1 | 2;
  /** Horizontal and vertical resolution in dots per inch. */
  readonly xDpi: number;
  readonly yDpi: number;
  readonly strips: readonly { readonly offset: number; readonly length: number }[];
  readonly rowsPerStrip: number;
}

/** A parsed fax TIFF. */
export interface FaxTiff {
  readonly pages: readonly FaxTiffPage[];
  readonly bytes: number;
}

/** Limits applied when reading a fax TIFF. */
export interface FaxTiffLimits {
  /** Largest file accepted (default 20 MiB). */
  readonly maxBytes?: number;
  /** Most pages in one file or job (default 200). */
  readonly maxPages?: number;
  /** Longest page in rows (default 8000: an A4 page at 391 lines per inch is 4574). */
  readonly maxRows?: number;
}

/** Page widths ITU-T T.4 allows (A4, B4, A3 at R8, 300 dpi and R16). */
export const FAX_WIDTHS: readonly number[] = [1728, 2048, 2432, 2592, 3072, 3648, 3456, 4096, 4864];
const X_DPI = [204, 200, 300, 408, 400];
const Y_DPI = [98, 100, 196, 200, 300, 391, 400];

const DEFAULT_LIMITS: Required<FaxTiffLimits> = { maxBytes: 20 * 1024 * 1024, maxPages: 200, maxRows: 8000 };

/** The typed error every document check raises. */
export function faxDocumentError(
  problem: FaxDocumentProblem,
  message: string,
  file?: string,
  cause?: unknown,
): HotlineError {
  return new HotlineError(ErrorCode.MediaFormat, file ? `${file}: ${message}` : message, {
    details: { problem, ...(file ? { file } : {}) },
    ...(cause === undefined ? {} : { cause }),
  });
}

interface Entry {
  readonly type: number;
  readonly count: number;
  readonly valueOffset: number;
}

const TYPE_SIZE: Readonly<Record<number, number>> = {
  1: 1,
  2: 1,
  3: 2,
  4: 4,
  5: 8,
  6: 1,
  7: 1,
  8: 2,
  9: 4,
  10: 8,
  11: 4,
  12: 8,
};

/**
 * Parses and validates a fax TIFF held in memory. Throws `ERR_MEDIA_FORMAT` with
 * `details.problem` naming what is wrong; never reads outside `data`.
 */
export function parseFaxTiff(data: Uint8Array, limits: FaxTiffLimits = {}, file?: string): FaxTiff {
  const lim = { ...DEFAULT_LIMITS, ...limits };
  const fail = (problem: FaxDocumentProblem, message: string): never => {
    throw faxDocumentError(problem, message, file);
  };
  if (data.length > lim.maxBytes)
    fail('oversized', `file is ${data.length} bytes, more than the ${lim.maxBytes} allowed`);
  if (data.length < 8) fail('malformed', 'too short to be a TIFF file');
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const order = String.fromCharCode(data[0] ?? 0, data[1] ?? 0);
  if (order !== 'II' && order !== 'MM') fail('malformed', 'not a TIFF file (no II/MM byte-order mark)');
  const le = order === 'II';
  const u16 = (o: number): number => {
    if (o < 0 || o + 2 > data.length) fail('malformed', `offset ${o} is outside the file`);
    return view.getUint16(o, le);
  };
  const u32 = (o: number): number => {
    if (o < 0 || o + 4 > data.length) fail('malformed', `offset ${o} is outside the file`);
    return view.getUint32(o, le);
  };
  const magic = u16(2);
  if (magic === 43) fail('unsupported', 'BigTIFF is not a fax format');
  if (magic !== 42) fail('malformed', `bad TIFF magic number ${magic}`);

  const pages: FaxTiffPage[] = [];
  const seen = new Set<number>();
  let ifd = u32(4);
  while (ifd !== 0) {
    if (seen.has(ifd)) fail('malformed', `directory loop at offset ${ifd}`);
    seen.add(ifd);
    if (pages.length >= lim.maxPages) fail('oversized', `more than ${lim.maxPages} pages`);
    const n = u16(ifd);
    if (n === 0 || n > 500) fail('malformed', `directory at ${ifd} has ${n} entries`);
    if (ifd + 2 + n * 12 + 4 > data.length) fail('malformed', `directory at ${ifd} runs past the end of the file`);
    const tags = new Map<number, Entry>();
    for (let i = 0; i < n; i++) {
      const e = ifd + 2 + i * 12;
      tags.set(u16(e), { type: u16(e + 2), count: u32(e + 4), valueOffset: e + 8 });
    }
    const values = (tag: number): number[] | undefined => {
      const entry = tags.get(tag);
      if (!entry) return undefined;
      const size = TYPE_SIZE[entry.type];
      if (size === undefined) fail('malformed', `tag ${tag} has unknown type ${entry.type}`);
      const total = (size as number) * entry.count;
      if (entry.count > 100_000) fail('malformed', `tag ${tag} has ${entry.count} values`);
      const base = total <= 4 ? entry.valueOffset : u32(entry.valueOffset);
      if (base + total > data.length) fail('malformed', `tag ${tag} values lie outside the file`);
      const out: number[] = [];
      for (let k = 0; k < entry.count; k++) {
        switch (entry.type) {
          case 1:
          case 7:
            out.push(data[base + k] ?? 0);
            break;
          case 3:
            out.push(u16(base + k * 2));
            break;
          case 4:
            out.push(u32(base + k * 4));
            break;
          case 5: {
            const den = u32(base + k * 8 + 4);
            out.push(den === 0 ? 0 : u32(base + k * 8) / den);
            break;
          }
          default:
            out.push(0);
        }
      }
      return out;
    };
    const one = (tag: number, fallback?: number): number => {
      const v = values(tag)?.[0] ?? fallback;
      if (v === undefined) fail('malformed', `page ${pages.length + 1}: required tag ${tag} is missing`);
      return v as number;
    };
    const p = pages.length + 1;
    const width = one(256);
    const length = one(257);
    const bits = one(258, 1);
    const spp = one(277, 1);
    const comp = one(259, 1);
    const photometric = one(262, 0);
    const fill = one(266, 1);
    if (bits !== 1 || spp !== 1)
      fail('unsupported', `page ${p} is not bilevel (${spp} × ${bits}-bit samples); fax pages are 1-bit`);
    if (!FAX_WIDTHS.includes(width)) {
      fail(
        width > 4864 ? 'oversized' : 'unsupported',
        `page ${p} is ${width} pixels wide; fax widths are ${FAX_WIDTHS.join(', ')}`,
      );
    }
    if (length < 1) fail('malformed', `page ${p} has no rows`);
    if (length > lim.maxRows) fail('oversized', `page ${p} has ${length} rows, more than the ${lim.maxRows} allowed`);
    const compression: FaxCompression | undefined =
      comp === 1 ? 'none' : comp === 3 ? 'g3' : comp === 4 ? 'g4' : undefined;
    if (!compression)
      fail('unsupported', `page ${p} uses TIFF compression ${comp}; fax pages use none (1), T.4 (3) or T.6 (4)`);
    if (photometric !== 0 && photometric !== 1)
      fail('unsupported', `page ${p} has photometric interpretation ${photometric}`);
    if (fill !== 1 && fill !== 2) fail('malformed', `page ${p} has fill order ${fill}`);
    const unit = one(296, 2);
    const toDpi = (v: number): number => (unit === 3 ? v * 2.54 : v);
    const xRes = values(282)?.[0];
    const yRes = values(283)?.[0];
    if (xRes === undefined || yRes === undefined || unit === 1) {
      fail('unsupported', `page ${p} has no resolution in inches or centimetres; fax needs one (e.g. 204 × 196 dpi)`);
    }
    const xDpi = toDpi(xRes as number);
    const yDpi = toDpi(yRes as number);
    const near = (v: number, list: readonly number[]): number | undefined =>
      list.find((c) => Math.abs(v - c) / c < 0.03);
    const xStd = near(xDpi, X_DPI);
    const yStd = near(yDpi, Y_DPI);
    if (xStd === undefined || yStd === undefined) {
      fail('unsupported', `page ${p} resolution ${xDpi.toFixed(1)} × ${yDpi.toFixed(1)} dpi is not a fax resolution`);
    }
    const offsets = values(273);
    const counts = values(279);
    if (!offsets || !counts || offsets.length !== counts.length || offsets.length === 0) {
      fail('malformed', `page ${p} has missing or inconsistent strip offsets and byte counts`);
    }
    const strips = (offsets as number[]).map((offset, i) => ({ offset, length: (counts as number[])[i] ?? 0 }));
    for (const s of strips) {
      if (s.length === 0 || s.offset + s.length > data.length)
        fail('malformed', `page ${p} strip data lies outside the file`);
    }
    const rowsPerStrip = Math.min(one(278, length), length);
    if (Math.ceil(length / Math.max(1, rowsPerStrip)) !== strips.length)
      fail('malformed', `page ${p} has ${strips.length} strips for ${length} rows`);
    if (compression === 'none' && strips.reduce((a, s) => a + s.length, 0) < (width / 8) * length) {
      fail('malformed', `page ${p} uncompressed data is shorter than its ${width} × ${length} pixels`);
    }
    pages.push({
      width,
      length,
      compression: compression as FaxCompression,
      t4Options: compression === 'g3' ? one(292, 0) : 0,
      minIsWhite: photometric === 0,
      fillOrder: fill as 1 | 2,
      xDpi: xStd as number,
      yDpi: yStd as number,
      strips,
      rowsPerStrip,
    });
    ifd = u32(ifd + 2 + n * 12);
  }
  if (pages.length === 0) fail('malformed', 'no pages');
  return { pages, bytes: data.length };
}

/** A page to write: its strips (already compressed, as read or as encoded) and geometry. */
export interface FaxTiffPageData extends Omit<FaxTiffPage, 'strips'> {
  /** The page's compressed strips, each `rowsPerStrip` rows (the last may have fewer). */
  readonly data: readonly Uint8Array[];
}

/** Extracts the pages of a parsed TIFF with their strip data (copied). */
export function pagesOf(data: Uint8Array, tiff: FaxTiff): FaxTiffPageData[] {
  return tiff.pages.map((p) => {
    const { strips, ...geometry } = p;
    return { ...geometry, data: strips.map((s) => data.slice(s.offset, s.offset + s.length)) };
  });
}

/**
 * Writes a multi-page TIFF-F (little-endian, `PageNumber` n/m, `NewSubfileType` page,
 * resolution in inches) from already-compressed pages.
 */
export function writeFaxTiff(pages: readonly FaxTiffPageData[], software = '@hotline/fax-spandsp'): Uint8Array {
  const chunks: Uint8Array[] = [];
  let size = 8;
  const header = new Uint8Array(8);
  new DataView(header.buffer).setUint16(0, 0x4949, true);
  new DataView(header.buffer).setUint16(2, 42, true);
  chunks.push(header);
  const soft = new TextEncoder().encode(`${software}\0`);
  const push = (c: Uint8Array): number => {
    const at = size;
    chunks.push(c);
    size += c.length;
    if (size % 2) {
      chunks.push(new Uint8Array(1));
      size += 1;
    }
    return at;
  };
  const ifdOffsets: number[] = [];
  const patches: { chunk: DataView; at: number }[] = [];
  pages.forEach((page, index) => {
    // Layout per page: strips, then the out-of-line values, then the directory.
    const stripOffsets = page.data.map((strip) => push(strip));
    const n = page.data.length;
    const extra = new Uint8Array(16 + 8 * n + soft.length);
    const ev = new DataView(extra.buffer);
    ev.setUint32(0, Math.round(page.xDpi * 100), true);
    ev.setUint32(4, 100, true);
    ev.setUint32(8, Math.round(page.yDpi * 100), true);
    ev.setUint32(12, 100, true);
    stripOffsets.forEach((o, i) => {
      ev.setUint32(16 + 4 * i, o, true);
      ev.setUint32(16 + 4 * n + 4 * i, page.data[i]?.length ?? 0, true);
    });
    extra.set(soft, 16 + 8 * n);
    const extraAt = push(extra);
    const comp = page.compression === 'none' ? 1 : page.compression === 'g3' ? 3 : 4;
    type E = [tag: number, type: number, count: number, value: number];
    const entries: E[] = [
      [254, 4, 1, 2],
      [256, 3, 1, page.width],
      [257, 3, 1, page.length],
      [258, 3, 1, 1],
      [259, 3, 1, comp],
      [262, 3, 1, page.minIsWhite ? 0 : 1],
      [266, 3, 1, page.fillOrder],
      [273, 4, n, n === 1 ? (stripOffsets[0] ?? 0) : extraAt + 16],
      [277, 3, 1, 1],
      [278, 4, 1, page.rowsPerStrip],
      [279, 4, n, n === 1 ? (page.data[0]?.length ?? 0) : extraAt + 16 + 4 * n],
      [282, 5, 1, extraAt],
      [283, 5, 1, extraAt + 8],
      ...(comp === 3 ? ([[292, 4, 1, page.t4Options]] as E[]) : comp === 4 ? ([[293, 4, 1, 0]] as E[]) : []),
      [296, 3, 1, 2],
      [297, 3, 2, index | (pages.length << 16)],
      [305, 2, soft.length, extraAt + 16 + 8 * n],
    ];
    entries.sort((x, y) => x[0] - y[0]);
    const dir = new Uint8Array(2 + entries.length * 12 + 4);
    const dv = new DataView(dir.buffer);
    dv.setUint16(0, entries.length, true);
    entries.forEach(([tag, type, count, value], i) => {
      const e = 2 + i * 12;
      dv.setUint16(e, tag, true);
      dv.setUint16(e + 2, type, true);
      dv.setUint32(e + 4, count, true);
      if (type === 3 && count === 1) dv.setUint16(e + 8, value, true);
      else if (type === 3 && count === 2) {
        dv.setUint16(e + 8, value & 0xffff, true);
        dv.setUint16(e + 10, value >>> 16, true);
      } else dv.setUint32(e + 8, value, true);
    });
    ifdOffsets.push(push(dir));
    patches.push({ chunk: dv, at: 2 + entries.length * 12 });
  });
  new DataView(header.buffer).setUint32(4, ifdOffsets[0] ?? 0, true);
  patches.forEach((p, i) => p.chunk.setUint32(p.at, ifdOffsets[i + 1] ?? 0, true));
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** Joins the pages of several validated fax TIFFs into one TIFF-F document. */
export function mergeFaxTiffs(files: readonly { readonly data: Uint8Array; readonly tiff: FaxTiff }[]): Uint8Array {
  return writeFaxTiff(files.flatMap((f) => pagesOf(f.data, f.tiff)));
}
