import { describe, expect, it } from 'vitest';
import { parseFaxTiff, writeFaxTiff, mergeFaxTiffs, pagesOf, type FaxTiffPageData } from './tiff.js';
import { testPages } from './test-documents.js';
import { decodeFaxTiff, sameBitmap } from './fax-image.js';

/** A hand-made little-endian TIFF with the given tags (all SHORT/LONG inline) and a data blob. */
function tiff(tags: Record<number, number | [type: number, value: number]>, data = new Uint8Array(32)): Uint8Array {
  const entries = Object.entries(tags).map(
    ([t, v]) => [Number(t), ...(Array.isArray(v) ? v : [4, v])] as [number, number, number],
  );
  entries.sort((a, b) => a[0] - b[0]);
  const dirAt = 8 + data.length + 16;
  const out = new Uint8Array(dirAt + 2 + entries.length * 12 + 4);
  const v = new DataView(out.buffer);
  out.set([0x49, 0x49]);
  v.setUint16(2, 42, true);
  v.setUint32(4, dirAt, true);
  out.set(data, 8);
  // Rationals 204/1 and 196/1 at 8 + data.length.
  const r = 8 + data.length;
  v.setUint32(r, 204, true);
  v.setUint32(r + 4, 1, true);
  v.setUint32(r + 8, 196, true);
  v.setUint32(r + 12, 1, true);
  v.setUint16(dirAt, entries.length, true);
  entries.forEach(([tag, type, value], i) => {
    const e = dirAt + 2 + i * 12;
    v.setUint16(e, tag, true);
    v.setUint16(e + 2, tag === 282 || tag === 283 ? 5 : type, true);
    v.setUint32(e + 4, 1, true);
    if (tag === 282) v.setUint32(e + 8, r, true);
    else if (tag === 283) v.setUint32(e + 8, r + 8, true);
    else if (type === 3) v.setUint16(e + 8, value, true);
    else v.setUint32(e + 8, value, true);
  });
  return out;
}

const good = {
  256: 1728,
  257: 1,
  258: [3, 1],
  259: [3, 4],
  262: [3, 0],
  273: 8,
  277: [3, 1],
  278: 1,
  279: 32,
  282: 0,
  283: 0,
  296: [3, 2],
} as Record<number, number | [number, number]>;

describe('parseFaxTiff', () => {
  it('reads a minimal valid page', () => {
    const t = parseFaxTiff(tiff(good));
    expect(t.pages).toHaveLength(1);
    expect(t.pages[0]).toMatchObject({
      width: 1728,
      length: 1,
      compression: 'g4',
      minIsWhite: true,
      xDpi: 204,
      yDpi: 196,
    });
  });

  it.each([
    ['not a TIFF', new TextEncoder().encode('%PDF-1.4 hello world'), 'malformed', /byte-order/],
    ['truncated', new Uint8Array([0x49, 0x49, 42, 0]), 'malformed', /too short/],
    [
      'first directory outside the file',
      (() => {
        const b = tiff(good);
        new DataView(b.buffer).setUint32(4, 1_000_000, true);
        return b;
      })(),
      'malformed',
      /outside the file/,
    ],
    [
      'a directory loop',
      (() => {
        const b = tiff(good);
        const v = new DataView(b.buffer);
        const d = v.getUint32(4, true);
        v.setUint32(d + 2 + v.getUint16(d, true) * 12, d, true);
        return b;
      })(),
      'malformed',
      /loop/,
    ],
    ['strips outside the file', tiff({ ...good, 273: 100_000 }), 'malformed', /strip data lies outside/],
    [
      'BigTIFF',
      (() => {
        const b = tiff(good);
        new DataView(b.buffer).setUint16(2, 43, true);
        return b;
      })(),
      'unsupported',
      /BigTIFF/,
    ],
    ['colour (3 samples)', tiff({ ...good, 277: [3, 3] }), 'unsupported', /not bilevel/],
    ['8-bit grey', tiff({ ...good, 258: [3, 8] }), 'unsupported', /not bilevel/],
    ['a width fax cannot send', tiff({ ...good, 256: 1700 }), 'unsupported', /pixels wide/],
    ['an oversized width', tiff({ ...good, 256: 10_000 }), 'oversized', /pixels wide/],
    ['an oversized length', tiff({ ...good, 257: 50_000, 278: 50_000 }), 'oversized', /rows/],
    ['JPEG compression', tiff({ ...good, 259: [3, 7] }), 'unsupported', /compression 7/],
    [
      'no resolution',
      (() => {
        const { 282: _x, 283: _y, ...rest } = good;
        return tiff(rest);
      })(),
      'unsupported',
      /resolution/,
    ],
    [
      '72 dpi',
      (() => {
        const b = tiff(good);
        const v = new DataView(b.buffer);
        v.setUint32(8 + 32, 72, true);
        return b;
      })(),
      'unsupported',
      /not a fax resolution/,
    ],
  ])('rejects %s', (_name, data, problem, message) => {
    expect(() => parseFaxTiff(data, {}, 'doc.tif')).toThrow(
      expect.objectContaining({ code: 'ERR_MEDIA_FORMAT', details: { problem, file: 'doc.tif' } }),
    );
    expect(() => parseFaxTiff(data)).toThrow(message);
  });

  it('rejects files and page counts over the limits', () => {
    expect(() => parseFaxTiff(tiff(good), { maxBytes: 10 })).toThrow(
      expect.objectContaining({ details: { problem: 'oversized' } }),
    );
    const two = writeFaxTiff([
      ...pagesOf(tiff(good), parseFaxTiff(tiff(good))),
      ...pagesOf(tiff(good), parseFaxTiff(tiff(good))),
    ]);
    expect(parseFaxTiff(two).pages).toHaveLength(2);
    expect(() => parseFaxTiff(two, { maxPages: 1 })).toThrow(/more than 1 pages/);
  });
});

describe('writeFaxTiff / mergeFaxTiffs', () => {
  it('writes TIFF-F that reads back page for page, pixel for pixel, and merges documents', async () => {
    const pages: FaxTiffPageData[] = await testPages(2, { seed: 4, rows: 600 });
    const doc = writeFaxTiff(pages);
    const parsed = parseFaxTiff(doc);
    expect(parsed.pages.map((p) => [p.width, p.length, p.compression, p.minIsWhite, p.xDpi, p.yDpi])).toEqual([
      [1728, 600, 'g4', true, 204, 196],
      [1728, 600, 'g4', true, 204, 196],
    ]);
    const one = writeFaxTiff(await testPages(1, { seed: 9, rows: 300, resolution: 'standard' }));
    const merged = mergeFaxTiffs([
      { data: doc, tiff: parsed },
      { data: one, tiff: parseFaxTiff(one) },
    ]);
    const m = await decodeFaxTiff(merged);
    const expected = [...(await decodeFaxTiff(doc)), ...(await decodeFaxTiff(one))];
    expect(m.map((p, i) => sameBitmap(p, expected[i]!))).toEqual([true, true, true]);
    expect(m[2]).toMatchObject({ yDpi: 98, height: 300 });
  });
});
