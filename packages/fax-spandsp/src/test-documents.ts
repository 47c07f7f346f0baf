/**
 * Test documents drawn from shapes only (no fonts), so fax tests do not depend on what fonts a
 * machine has. Deterministic: the same seed gives the same pages, byte for byte.
 */
import { writeFileSync } from 'node:fs';
import { A4_ROWS, FAX_PAGE_WIDTH, svgToFaxPage, type FaxResolution } from './fax-text.js';
import { writeFaxTiff, type FaxTiffPageData } from './tiff.js';

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** An SVG page of random boxes, lines and a page-number bar code; `rows` tall. */
export function testPageSvg(seed: number, rows: number): string {
  const rnd = lcg(seed);
  const parts: string[] = [];
  for (let i = 0; i < 60; i++) {
    const x = Math.floor(rnd() * (FAX_PAGE_WIDTH - 200));
    const y = Math.floor(rnd() * (rows - 200));
    const w = 10 + Math.floor(rnd() * 180);
    const h = 4 + Math.floor(rnd() * 120);
    parts.push(
      rnd() < 0.5
        ? `<rect x="${x}" y="${y}" width="${w}" height="${h}"/>`
        : `<rect x="${x}" y="${y}" width="${w}" height="${h}" fill="none" stroke="black" stroke-width="3"/>`,
    );
  }
  for (let i = 0; i < 20; i++) {
    parts.push(
      `<line x1="${Math.floor(rnd() * FAX_PAGE_WIDTH)}" y1="${Math.floor(rnd() * rows)}" x2="${Math.floor(rnd() * FAX_PAGE_WIDTH)}" y2="${Math.floor(rnd() * rows)}" stroke="black" stroke-width="2"/>`,
    );
  }
  // Page identity: `seed` as a row of bars near the top.
  for (let b = 0; b < 16; b++)
    if ((seed >> b) & 1) parts.push(`<rect x="${100 + b * 24}" y="40" width="12" height="60"/>`);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${FAX_PAGE_WIDTH}" height="${rows}"><rect width="100%" height="100%" fill="white"/><g fill="black">${parts.join('')}</g></svg>`;
}

/** Pages for a test document: `pages` pages, each `rows` tall (default A4 for the resolution). */
export async function testPages(
  pages: number,
  options: { seed?: number; resolution?: FaxResolution; rows?: number } = {},
): Promise<FaxTiffPageData[]> {
  const resolution = options.resolution ?? 'fine';
  const rows = options.rows ?? A4_ROWS[resolution];
  const out: FaxTiffPageData[] = [];
  for (let i = 0; i < pages; i++) out.push(await svgToFaxPage(testPageSvg((options.seed ?? 1) + i, rows), resolution));
  return out;
}

/** Writes a test document (multi-page TIFF-F, T.6) to `path`. */
export async function writeTestDocument(
  path: string,
  pages: number,
  options: { seed?: number; resolution?: FaxResolution; rows?: number } = {},
): Promise<void> {
  writeFileSync(path, writeFaxTiff(await testPages(pages, options)));
}
