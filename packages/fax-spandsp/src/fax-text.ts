import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { ErrorCode, HotlineError } from '@hotline/cti-core';
import sharp from 'sharp';
import { parseFaxTiff, pagesOf, writeFaxTiff, type FaxTiffPageData } from './tiff.js';

/** Error code when Chinese text must be rendered and no CJK font is installed. */
export const FAX_NO_CJK_FONT = 'ERR_FAX_NO_CJK_FONT';

/** Vertical resolution of generated pages: standard 98 lpi or fine 196 lpi (both 204 dpi across). */
export type FaxResolution = 'standard' | 'fine';

/** Options of {@link renderTextFax}. */
export interface TextFaxOptions {
  /** Left part of the header line on every page (e.g. the company name). */
  readonly company?: string;
  /**
   * Date text of the header line. The library never reads the clock: pass the date to print
   * (a `Date` is printed as local `YYYY-MM-DD HH:mm`).
   */
  readonly date?: string | Date;
  /** Text after the page number in the header, e.g. a fax number or a tracking number. */
  readonly headerNote?: string;
  /** Default `fine`. */
  readonly resolution?: FaxResolution;
  /** Body font size in pixels at fine resolution (default 34 ≈ 12.5 pt). */
  readonly fontSize?: number;
  /**
   * Font family for fontconfig. Default: the first installed of WenQuanYi Zen Hei, Noto Sans CJK
   * SC, Droid Sans Fallback, then DejaVu Sans for text without Chinese.
   */
  readonly fontFamily?: string;
  /** Most pages to produce (default 50); longer text throws `ERR_MEDIA_FORMAT` (oversized). */
  readonly maxPages?: number;
}

/** A page width of 1728 pixels at 204 dpi is the 215 mm ISO A4 scan line of ITU-T T.4. */
export const FAX_PAGE_WIDTH = 1728;
/** A4 (297 mm) in rows at fine (7.7 lines/mm) and standard (3.85 lines/mm) resolution. */
export const A4_ROWS: Readonly<Record<FaxResolution, number>> = { fine: 2287, standard: 1143 };

const CJK_FONTS: readonly { family: string; files: readonly string[] }[] = [
  { family: 'WenQuanYi Zen Hei Mono', files: ['/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc'] },
  {
    family: 'Noto Sans CJK SC',
    files: [
      '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc',
      '/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc',
    ],
  },
  { family: 'Droid Sans Fallback', files: ['/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf'] },
];

/** The CJK font family this machine has (Debian `fonts-wqy-zenhei` or `fonts-noto-cjk`), if any. */
export function findCjkFont(): string | undefined {
  return CJK_FONTS.find((f) => f.files.some((p) => existsSync(p)))?.family;
}

/** True for characters that take two cells (CJK ideographs, kana, Hangul, full-width forms). */
export function isWide(codePoint: number): boolean {
  return (
    (codePoint >= 0x1100 && codePoint <= 0x115f) ||
    (codePoint >= 0x2e80 && codePoint <= 0x303e) ||
    (codePoint >= 0x3041 && codePoint <= 0x33ff) ||
    (codePoint >= 0x3400 && codePoint <= 0x4dbf) ||
    (codePoint >= 0x4e00 && codePoint <= 0x9fff) ||
    (codePoint >= 0xa000 && codePoint <= 0xa4cf) ||
    (codePoint >= 0xac00 && codePoint <= 0xd7a3) ||
    (codePoint >= 0xf900 && codePoint <= 0xfaff) ||
    (codePoint >= 0xfe30 && codePoint <= 0xfe4f) ||
    (codePoint >= 0xff00 && codePoint <= 0xff60) ||
    (codePoint >= 0xffe0 && codePoint <= 0xffe6) ||
    (codePoint >= 0x20000 && codePoint <= 0x3fffd)
  );
}

function hasCjk(text: string): boolean {
  for (const ch of text) if (isWide(ch.codePointAt(0) ?? 0)) return true;
  return false;
}

/** Punctuation that must not begin a line (a small kinsoku set for Chinese and English). */
const NO_LINE_START = new Set([...'，。、；：！？）」』】〉》”’,.;:!?)]}%']);

/**
 * Wraps text into lines of at most `cells` half-width cells (a CJK character takes two). English
 * breaks at spaces when it can; Chinese breaks between any two characters, except before
 * closing punctuation. Explicit newlines are kept; form feed (`\f`) forces a new page.
 */
export function wrapText(text: string, cells: number): string[] {
  const out: string[] = [];
  for (const para of text.replace(/\r\n?/g, '\n').replace(/\t/g, '    ').split('\n')) {
    if (para.includes('\f')) {
      const parts = para.split('\f');
      parts.forEach((p, i) => {
        out.push(...wrapText(p, cells));
        if (i < parts.length - 1) out.push('\f');
      });
      continue;
    }
    let line: string[] = [];
    let width = 0;
    const chars = [...para];
    for (let i = 0; i < chars.length; i++) {
      const ch = chars[i] as string;
      const w = isWide(ch.codePointAt(0) ?? 0) ? 2 : 1;
      if (width + w > cells && !(NO_LINE_START.has(ch) && width + w <= cells + 2)) {
        // Break at the last space in a Latin word, if any.
        let cut = line.length;
        if (ch !== ' ' && w === 1) {
          const sp = line.lastIndexOf(' ');
          if (sp > 0 && line.length - sp < 24) cut = sp + 1;
        }
        out.push(line.slice(0, cut).join('').trimEnd());
        line = line.slice(cut);
        width = line.reduce((a, c) => a + (isWide(c.codePointAt(0) ?? 0) ? 2 : 1), 0);
        if (ch === ' ') continue;
      }
      line.push(ch);
      width += w;
    }
    out.push(line.join('').trimEnd());
  }
  return out;
}

function escapeXml(s: string): string {
  return s.replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] as string,
  );
}

function formatDate(d: string | Date | undefined): string {
  if (d === undefined) return '';
  if (typeof d === 'string') return d;
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** A laid-out page (before rasterising): the lines of its body. */
export interface TextFaxLayout {
  readonly pages: readonly (readonly string[])[];
  readonly cellsPerLine: number;
  readonly linesPerPage: number;
}

const MARGIN_X = 96;
const HEADER_TOP = 24;

/** Paginates text for fax pages (exported for tests and for previews of what will be sent). */
export function layoutText(text: string, options: TextFaxOptions = {}): TextFaxLayout {
  const size = options.fontSize ?? 34;
  const cell = size / 2;
  const cellsPerLine = Math.floor((FAX_PAGE_WIDTH - 2 * MARGIN_X) / cell);
  const lineHeight = Math.round(size * 1.5);
  const bodyTop = HEADER_TOP + Math.round(size * 0.9) + 40;
  const linesPerPage = Math.floor((A4_ROWS.fine - bodyTop - 100) / lineHeight);
  const lines = wrapText(text, cellsPerLine);
  const pages: string[][] = [];
  let page: string[] = [];
  for (const l of lines) {
    if (l === '\f' || page.length >= linesPerPage) {
      pages.push(page);
      page = [];
      if (l === '\f') continue;
    }
    page.push(l);
  }
  if (page.length > 0 || pages.length === 0) pages.push(page);
  while (pages.length > 1 && pages[pages.length - 1]?.every((l) => l === '')) pages.pop();
  return { pages, cellsPerLine, linesPerPage };
}

function pageSvg(
  lines: readonly string[],
  header: { left: string; centre: string; right: string },
  size: number,
  family: string,
  rows: number,
  scaleY: number,
): string {
  const cell = size / 2;
  const lineHeight = Math.round(size * 1.5);
  const headerSize = Math.round(size * 0.8);
  const headerBase = HEADER_TOP + headerSize;
  const bodyTop = HEADER_TOP + Math.round(size * 0.9) + 40;
  const parts: string[] = [];
  const font = `font-family="${escapeXml(family)}"`;
  // Every glyph is placed in its own cell, so the layout does not depend on the font's metrics.
  lines.forEach((line, i) => {
    const baseline = bodyTop + i * lineHeight + size;
    let x = MARGIN_X;
    for (const ch of line) {
      const w = isWide(ch.codePointAt(0) ?? 0) ? 2 : 1;
      if (ch !== ' ') parts.push(`<text x="${x + (w * cell) / 2}" y="${baseline}">${escapeXml(ch)}</text>`);
      x += w * cell;
    }
  });
  const h =
    `<text x="${MARGIN_X}" y="${headerBase}" font-size="${headerSize}">${escapeXml(header.left)}</text>` +
    `<text x="${FAX_PAGE_WIDTH / 2}" y="${headerBase}" font-size="${headerSize}">${escapeXml(header.centre)}</text>` +
    `<text x="${FAX_PAGE_WIDTH - MARGIN_X}" y="${headerBase}" font-size="${headerSize}" text-anchor="end">${escapeXml(header.right)}</text>` +
    `<rect x="${MARGIN_X}" y="${headerBase + 12}" width="${FAX_PAGE_WIDTH - 2 * MARGIN_X}" height="3" fill="black"/>`;
  const height = Math.round(rows / scaleY);
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${FAX_PAGE_WIDTH}" height="${rows}" viewBox="0 0 ${FAX_PAGE_WIDTH} ${height}" preserveAspectRatio="none">` +
    `<rect width="${FAX_PAGE_WIDTH}" height="${height}" fill="white"/>` +
    `<g ${font} fill="black" text-anchor="middle" font-size="${size}">${parts.join('')}</g>` +
    `<g ${font} fill="black">${h}</g></svg>`
  );
}

/**
 * Renders text (Chinese and English) into fax pages: 1728 pixels wide, 1-bit, A4 long, with a
 * header line (company, date, page n/m) on every page, written as a multi-page TIFF-F with T.6
 * (G4) coding, photometric min-is-white, 204 dpi across and 196 (fine) or 98 (standard) lpi.
 *
 * Rendering goes through sharp (libvips, librsvg, fontconfig), off the event loop. Text with
 * Chinese needs a CJK font (Debian `fonts-wqy-zenhei` or `fonts-noto-cjk`); without one this
 * rejects with `ERR_FAX_NO_CJK_FONT` rather than sending boxes.
 */
export async function renderTextFax(text: string, options: TextFaxOptions = {}): Promise<Uint8Array> {
  const cjk = findCjkFont();
  if (!options.fontFamily && hasCjk(`${text}${options.company ?? ''}${options.headerNote ?? ''}`) && !cjk) {
    throw new HotlineError(
      FAX_NO_CJK_FONT,
      'fax: the text has Chinese characters but no CJK font is installed (install fonts-wqy-zenhei or fonts-noto-cjk)',
    );
  }
  const family = options.fontFamily ?? (cjk ? `${cjk}, DejaVu Sans` : 'DejaVu Sans');
  const layout = layoutText(text, options);
  const maxPages = options.maxPages ?? 50;
  if (layout.pages.length > maxPages) {
    throw new HotlineError(
      ErrorCode.MediaFormat,
      `fax: the text needs ${layout.pages.length} pages, more than the ${maxPages} allowed`,
      {
        details: { problem: 'oversized' },
      },
    );
  }
  const resolution = options.resolution ?? 'fine';
  const rows = A4_ROWS[resolution];
  const scaleY = rows / A4_ROWS.fine;
  const size = options.fontSize ?? 34;
  const date = formatDate(options.date);
  const total = layout.pages.length;
  const pages: FaxTiffPageData[] = [];
  for (let i = 0; i < total; i++) {
    const right = `${i + 1}/${total}${options.headerNote ? `  ${options.headerNote}` : ''}`;
    const svg = pageSvg(
      layout.pages[i] ?? [],
      { left: options.company ?? '', centre: date, right },
      size,
      family,
      rows,
      scaleY,
    );
    const page = await svgToFaxPage(svg, resolution);
    pages.push(page);
  }
  return writeFaxTiff(pages);
}

/**
 * Rasterises an SVG (1728 wide, A4 rows for the resolution) into one 1-bit T.6 fax page, ready
 * for {@link writeFaxTiff}. Anything drawn darker than mid-grey becomes black.
 */
export async function svgToFaxPage(svg: string, resolution: FaxResolution = 'fine'): Promise<FaxTiffPageData> {
  // The image is negated so that ink is 1 bits in libvips' min-is-black output; the page is then
  // labelled min-is-white, the TIFF-F convention spandsp and fax machines expect.
  const g4 = await sharp(Buffer.from(svg), { density: 72 })
    .flatten({ background: '#fff' })
    .greyscale()
    .threshold(128)
    .negate({ alpha: false })
    .toColourspace('b-w')
    .tiff({ compression: 'ccittfax4', bitdepth: 1, xres: 204 / 25.4, yres: (resolution === 'fine' ? 196 : 98) / 25.4 })
    .toBuffer();
  const [page] = pagesOf(g4, parseFaxTiff(g4));
  if (!page || page.width !== FAX_PAGE_WIDTH) {
    throw new HotlineError(
      ErrorCode.MediaFormat,
      `fax: the rendered page is ${page?.width ?? 0} pixels wide, not ${FAX_PAGE_WIDTH}`,
      {
        details: { problem: 'unsupported' },
      },
    );
  }
  return { ...page, minIsWhite: true, xDpi: 204, yDpi: resolution === 'fine' ? 196 : 98 };
}

/** Renders text into a TIFF-F file (see {@link renderTextFax}); resolves with the page count. */
export async function writeTextFax(path: string, text: string, options: TextFaxOptions = {}): Promise<number> {
  const tiff = await renderTextFax(text, options);
  await writeFile(path, tiff);
  return parseFaxTiff(tiff).pages.length;
}
