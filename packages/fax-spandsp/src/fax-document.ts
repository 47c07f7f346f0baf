import { readFile, stat } from 'node:fs/promises';
import { faxDocumentError, parseFaxTiff, type FaxTiffLimits, type FaxTiffPage } from './tiff.js';

/** What {@link checkFaxDocument} found. */
export interface FaxDocumentInfo {
  /** Pages of the whole job. */
  readonly pages: number;
  readonly bytes: number;
  readonly files: readonly { readonly file: string; readonly pages: readonly FaxTiffPage[] }[];
}

/**
 * Validates the files of a fax job before a call is made (asynchronous I/O): every file must be
 * a readable TIFF-F a fax machine can send, within the limits. Rejects with `ERR_MEDIA_FORMAT`
 * and `details.problem` (`malformed`, `oversized`, `unsupported`, `unreadable`) and the file name.
 * The engine checks again when the session starts; this is the check to run before dialling.
 */
export async function checkFaxDocument(files: readonly string[], limits: FaxTiffLimits = {}): Promise<FaxDocumentInfo> {
  if (files.length === 0) throw faxDocumentError('malformed', 'a fax job needs at least one file');
  const maxBytes = limits.maxBytes ?? 20 * 1024 * 1024;
  const maxPages = limits.maxPages ?? 200;
  const out: { file: string; pages: readonly FaxTiffPage[] }[] = [];
  let bytes = 0;
  for (const file of files) {
    let data: Uint8Array;
    try {
      const size = (await stat(file)).size;
      if (size > maxBytes)
        throw faxDocumentError('oversized', `file is ${size} bytes, more than the ${maxBytes} allowed`, file);
      data = await readFile(file);
    } catch (error) {
      if (typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'ERR_MEDIA_FORMAT')
        throw error;
      throw faxDocumentError(
        'unreadable',
        `cannot read (${error instanceof Error ? error.message : String(error)})`,
        file,
        error,
      );
    }
    const tiff = parseFaxTiff(data, limits, file);
    bytes += data.length;
    out.push({ file, pages: tiff.pages });
  }
  const pages = out.reduce((a, f) => a + f.pages.length, 0);
  if (pages > maxPages)
    throw faxDocumentError('oversized', `the job has ${pages} pages, more than the ${maxPages} allowed`);
  return { pages, bytes, files: out };
}
