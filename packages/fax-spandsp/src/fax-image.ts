import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import UTIF, { type IFD } from 'utif2';
import { faxDocumentError, parseFaxTiff, type FaxTiffLimits } from './tiff.js';

/** A decoded fax page: 1 bit per pixel, 1 = black, most significant bit first, rows padded to bytes. */
export interface FaxBitmap {
  readonly width: number;
  readonly height: number;
  readonly xDpi: number;
  readonly yDpi: number;
  /** `ceil(width / 8)` bytes per row. */
  readonly rowBytes: number;
  readonly bits: Uint8Array;
}

/**
 * Decodes every page of a fax TIFF (T.4 1-D/2-D, T.6 or uncompressed) into bitmaps. The file is
 * validated first (`ERR_MEDIA_FORMAT` with `details.problem` when it is not a fax document).
 */
export async function decodeFaxTiff(source: string | Uint8Array, limits?: FaxTiffLimits): Promise<FaxBitmap[]> {
  const file = typeof source === 'string' ? source : undefined;
  let data: Uint8Array;
  try {
    data = typeof source === 'string' ? await readFile(source) : source;
  } catch (error) {
    throw faxDocumentError(
      'unreadable',
      `cannot read (${error instanceof Error ? error.message : String(error)})`,
      file,
      error,
    );
  }
  const tiff = parseFaxTiff(data, limits, file);
  const buffer = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer;
  let ifds: IFD[];
  try {
    ifds = UTIF.decode(buffer);
  } catch (error) {
    throw faxDocumentError('malformed', 'cannot decode the TIFF directories', file, error);
  }
  return tiff.pages.map((page, index) => {
    const ifd = ifds[index];
    if (!ifd) throw faxDocumentError('malformed', `page ${index + 1} is missing`, file);
    try {
      UTIF.decodeImage(buffer, ifd);
    } catch (error) {
      throw faxDocumentError('malformed', `page ${index + 1} image data cannot be decoded`, file, error);
    }
    const rowBytes = Math.ceil(page.width / 8);
    const raw = ifd.data;
    if (!(raw instanceof Uint8Array) || raw.length < rowBytes * page.length) {
      throw faxDocumentError('malformed', `page ${index + 1} image data is short`, file);
    }
    const bits = new Uint8Array(rowBytes * page.length);
    const tailMask = page.width % 8 === 0 ? 0xff : (0xff << (8 - (page.width % 8))) & 0xff;
    for (let i = 0; i < bits.length; i++) {
      // Normalise to 1 = black whatever the file's photometric interpretation.
      let b = page.minIsWhite ? (raw[i] as number) : ~(raw[i] as number) & 0xff;
      if (i % rowBytes === rowBytes - 1) b &= tailMask;
      bits[i] = b;
    }
    return { width: page.width, height: page.length, xDpi: page.xDpi, yDpi: page.yDpi, rowBytes, bits };
  });
}

/** Options of {@link faxPreviewPng}. */
export interface FaxPreviewOptions {
  /** Page number, from 1 (default 1). */
  readonly page?: number;
  /** Width of the preview in pixels (default 864, half the fax width). */
  readonly width?: number;
}

/**
 * Renders one page of a received fax as a PNG for the console and reports. The page is scaled to
 * `width` and stretched vertically by the resolution ratio, so standard-resolution pages (98 lpi)
 * keep their proportions.
 */
export async function faxPreviewPng(source: string | Uint8Array, options: FaxPreviewOptions = {}): Promise<Buffer> {
  const pages = await decodeFaxTiff(source);
  const n = options.page ?? 1;
  const page = pages[n - 1];
  if (!page)
    throw faxDocumentError(
      'malformed',
      `page ${n} does not exist (the fax has ${pages.length})`,
      typeof source === 'string' ? source : undefined,
    );
  return bitmapToPng(page, options.width ?? 864);
}

/** Encodes a bitmap as a PNG of `width` pixels, corrected for the page's aspect ratio. */
export async function bitmapToPng(page: FaxBitmap, width: number): Promise<Buffer> {
  const grey = new Uint8Array(page.width * page.height);
  for (let y = 0; y < page.height; y++) {
    for (let x = 0; x < page.width; x++) {
      const bit = ((page.bits[y * page.rowBytes + (x >> 3)] as number) >> (7 - (x & 7))) & 1;
      grey[y * page.width + x] = bit ? 0 : 255;
    }
  }
  const height = Math.max(1, Math.round((page.height * (page.xDpi / page.yDpi) * width) / page.width));
  return sharp(grey, { raw: { width: page.width, height: page.height, channels: 1 } })
    .resize(width, height, { fit: 'fill', kernel: 'lanczos3' })
    .png({ compressionLevel: 9, palette: true, colours: 16 })
    .toBuffer();
}

/** Counts black pixels (for tests and quality checks). */
export function blackPixels(page: FaxBitmap): number {
  let n = 0;
  for (const b of page.bits) {
    let x = b;
    while (x) {
      x &= x - 1;
      n++;
    }
  }
  return n;
}

/** True when two pages have the same size and the same pixels. */
export function sameBitmap(a: FaxBitmap, b: FaxBitmap): boolean {
  if (a.width !== b.width || a.height !== b.height) return false;
  for (let i = 0; i < a.bits.length; i++) if (a.bits[i] !== b.bits[i]) return false;
  return true;
}
