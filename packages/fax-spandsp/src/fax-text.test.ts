import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { A4_ROWS, findCjkFont, layoutText, renderTextFax, wrapText } from './fax-text.js';
import { blackPixels, decodeFaxTiff, faxPreviewPng } from './fax-image.js';
import { parseFaxTiff, writeFaxTiff } from './tiff.js';
import { testPages } from './test-documents.js';

const cjkFont = findCjkFont();
if (!cjkFont) {
  // Printed on purpose: a skipped rendering test must say why.
  process.stdout.write(
    'fax-spandsp: skipping Chinese text rendering tests: no CJK font (install fonts-wqy-zenhei or fonts-noto-cjk)\n',
  );
}

const width = (s: string): number => [...s].reduce((a, c) => a + (/[\u3000-\u9fff\uff00-\uff60]/.test(c) ? 2 : 1), 0);

describe('wrapText', () => {
  it('wraps Chinese anywhere within the width and English at spaces', () => {
    const lines = wrapText('燃气表读数异常问题已处理完毕请放心使用', 10);
    expect(lines).toEqual(['燃气表读数', '异常问题已', '处理完毕请', '放心使用']);
    expect(wrapText('the meter was tested and is within tolerance', 16)).toEqual([
      'the meter was',
      'tested and is',
      'within tolerance',
    ]);
    for (const l of wrapText('Dear customer 尊敬的用户，您的工单 GS-0031 已完成。Thank you for your patience.', 20))
      expect(width(l)).toBeLessThanOrEqual(22);
  });

  it('never starts a line with closing punctuation, keeps blank lines, and breaks pages at form feeds', () => {
    const lines = wrapText('一二三四五，六七', 10);
    expect(lines[0]).toBe('一二三四五，');
    expect(lines[1]).toBe('六七');
    expect(wrapText('a\n\nb', 10)).toEqual(['a', '', 'b']);
    expect(wrapText('a\fb', 10)).toEqual(['a', '\f', 'b']);
  });
});

describe('layoutText', () => {
  it('paginates long text into A4 pages with a fixed number of lines', () => {
    const text = Array.from({ length: 200 }, (_, i) => `第 ${i + 1} 行 line ${i + 1}`).join('\n');
    const layout = layoutText(text);
    expect(layout.linesPerPage).toBeGreaterThan(30);
    expect(layout.pages.length).toBe(Math.ceil(200 / layout.linesPerPage));
    expect(layout.pages.flat().length).toBe(200);
    expect(layoutText('a\fb').pages).toEqual([['a'], ['b']]);
  });
});

describe.skipIf(!cjkFont)('renderTextFax (Chinese and English, needs a CJK font)', () => {
  it('renders 1728-pixel-wide 1-bit A4 TIFF-F pages with a header line on every page', async () => {
    const text =
      '尊敬的用户：\n您反映的燃气表读数异常问题（工单号 GS20240518-0031）已处理完毕。\nDear customer, your complaint has been resolved.\n'.repeat(
        30,
      );
    const tiff = await renderTextFax(text, {
      company: '城市燃气集团 City Gas',
      date: '2024-05-18 10:30',
      headerNote: '96777',
    });
    const parsed = parseFaxTiff(tiff);
    const layout = layoutText(text);
    expect(parsed.pages.length).toBe(layout.pages.length);
    expect(parsed.pages.length).toBeGreaterThan(1);
    for (const p of parsed.pages)
      expect(p).toMatchObject({
        width: 1728,
        length: A4_ROWS.fine,
        compression: 'g4',
        minIsWhite: true,
        xDpi: 204,
        yDpi: 196,
      });
    const pages = await decodeFaxTiff(tiff);
    for (const page of pages) {
      // Header band (rows 0–70) has ink: company, date, n/m and the rule under them.
      const header = { ...page, height: 70, bits: page.bits.subarray(0, 70 * page.rowBytes) };
      expect(blackPixels(header)).toBeGreaterThan(2000);
      // Text is ink on paper, not the other way round.
      expect(blackPixels(page) / (page.width * page.height)).toBeLessThan(0.15);
    }
    // Page numbers differ: the headers of page 1 and 2 are not identical.
    const h = (i: number): Uint8Array => pages[i]!.bits.subarray(0, 70 * pages[i]!.rowBytes);
    expect(Buffer.from(h(0)).equals(Buffer.from(h(1)))).toBe(false);
  });

  it('renders standard resolution (98 lpi) pages', async () => {
    const tiff = await renderTextFax('标准分辨率 standard resolution', { resolution: 'standard', date: '2024-05-18' });
    expect(parseFaxTiff(tiff).pages[0]).toMatchObject({ length: A4_ROWS.standard, yDpi: 98 });
  });
});

describe('faxPreviewPng', () => {
  it('renders a received page as a PNG with the page’s proportions', async () => {
    const fine = writeFaxTiff(await testPages(2, { rows: 1000 }));
    const png = await faxPreviewPng(fine, { page: 2, width: 432 });
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    const meta = await sharp(png).metadata();
    expect(meta).toMatchObject({ width: 432, height: Math.round(((1000 * 204) / 196) * 0.25) });
    const std = writeFaxTiff(await testPages(1, { rows: 500, resolution: 'standard' }));
    expect((await sharp(await faxPreviewPng(std, { width: 432 })).metadata()).height).toBe(
      Math.round(((500 * 204) / 98) * 0.25),
    );
    await expect(faxPreviewPng(fine, { page: 3 })).rejects.toMatchObject({ code: 'ERR_MEDIA_FORMAT' });
  });
});
