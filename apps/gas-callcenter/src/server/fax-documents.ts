/**
 * The documents of fax on demand: the price list (from the billing price tables), the
 * regulations and service information (the information articles) and the application form,
 * rendered into TIFF-F files under `<dataDir>/documents/` when the server starts.
 *
 * A document is rendered again only when its content changed: next to each `<kind>.tif` a
 * `<kind>.json` manifest keeps the hash of the text and layout it was made from; an unchanged,
 * still valid file is reused (its header keeps the date it was issued). Files are replaced
 * durably (temporary name, fsync, rename, fsync of the folder), so a crash never leaves a torn
 * document that a caller could be sent.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { maskPhone, type Logger } from '@hotline/cti-core';
import { checkFaxDocument, renderTextFax, type FaxResolution } from '@hotline/fax-spandsp';
import { localDate, type Clock } from '../domain/clock.js';
import type { Store } from '../domain/store.js';
import type { Locale } from '../i18n/catalog.js';
import { faxMessage } from './fax-messages.js';

/** The documents a caller can ask for. */
export const FAX_DOCUMENT_KINDS = ['prices', 'regulations', 'forms'] as const;
/** One of {@link FAX_DOCUMENT_KINDS}. */
export type FaxDocumentKind = (typeof FAX_DOCUMENT_KINDS)[number];
/** TIFF files per document kind (an empty list: the document is not available). */
export type FaxDocumentSet = Readonly<Record<FaxDocumentKind, readonly string[]>>;

/** Bumped when the layout of the documents changes, so every file is made again. */
const LAYOUT_VERSION = 1;

/** Options of {@link prepareFaxDocuments}. */
export interface FaxDocumentsOptions {
  readonly store: Store;
  /** The documents folder (created when missing). */
  readonly dir: string;
  readonly clock: Clock;
  readonly timeZone: string;
  readonly locale: Locale;
  readonly company: string;
  readonly hotline: string;
  /** The number of the inbound fax line, printed on the documents. */
  readonly faxLine: string;
  readonly resolution?: FaxResolution;
  readonly logger: Logger;
}

/** What {@link prepareFaxDocuments} did. */
export interface FaxDocumentsReport {
  readonly documents: FaxDocumentSet;
  readonly rendered: readonly FaxDocumentKind[];
  readonly reused: readonly FaxDocumentKind[];
  /** Documents that could not be made (e.g. no CJK font): not offered to callers. */
  readonly failed: readonly { readonly kind: FaxDocumentKind; readonly reason: string }[];
}

interface Manifest {
  readonly hash: string;
  readonly pages: number;
  readonly issued: string;
}

/** Renders (or reuses) every document of fax on demand. Never throws for one bad document. */
export async function prepareFaxDocuments(o: FaxDocumentsOptions): Promise<FaxDocumentsReport> {
  await mkdir(o.dir, { recursive: true });
  const documents: Record<FaxDocumentKind, string[]> = { prices: [], regulations: [], forms: [] };
  const rendered: FaxDocumentKind[] = [];
  const reused: FaxDocumentKind[] = [];
  const failed: { kind: FaxDocumentKind; reason: string }[] = [];
  for (const kind of FAX_DOCUMENT_KINDS) {
    try {
      const text = await documentText(kind, o);
      const r = await ensureDocument(kind, text, o);
      documents[kind].push(r.path);
      (r.rendered ? rendered : reused).push(kind);
    } catch (error) {
      const reason =
        error instanceof Error ? `${(error as { code?: string }).code ?? error.name}: ${error.message}` : String(error);
      o.logger.warn('fax document not available', { document: kind, reason });
      failed.push({ kind, reason });
    }
  }
  o.logger.info('fax documents ready', {
    rendered,
    reused,
    failed: failed.map((f) => f.kind),
    faxLine: maskPhone(o.faxLine),
  });
  return { documents, rendered, reused, failed };
}

/** The text of a document, from the store and the catalog. */
export async function documentText(
  kind: FaxDocumentKind,
  o: Pick<FaxDocumentsOptions, 'store' | 'clock' | 'timeZone' | 'locale' | 'company' | 'hotline' | 'faxLine'>,
): Promise<string> {
  const m = (key: Parameters<typeof faxMessage>[1], params?: Parameters<typeof faxMessage>[2]): string =>
    faxMessage(o.locale, key, params);
  const footer = m('footer', { company: o.company, hotline: o.hotline, faxLine: o.faxLine });
  const lines: string[] = [];
  if (kind === 'prices') {
    const year = localDate(o.clock.now(), o.timeZone).year;
    lines.push(m('pricesTitle'), '');
    let any = false;
    for (const category of ['residential', 'commercial'] as const) {
      const table =
        (await o.store.billing.priceTable(category, year)) ?? (await o.store.billing.priceTable(category, year - 1));
      if (!table || table.tiers.length === 0) continue;
      if (!any) lines.push(m('pricesIntro', { year: table.year }), '');
      any = true;
      lines.push(m(category === 'residential' ? 'pricesCategoryResidential' : 'pricesCategoryCommercial'));
      const tiers = [...table.tiers].sort((a, b) => a.tier - b.tier);
      let from = 0;
      for (const t of tiers) {
        const price = yuan(t.priceFen);
        if (tiers.length === 1 && t.upperM3 === null) lines.push(`  ${m('pricesFlat', { price })}`);
        else if (t.upperM3 === null) lines.push(`  ${m('pricesTierOpen', { tier: t.tier, from, price })}`);
        else lines.push(`  ${m('pricesTierBounded', { tier: t.tier, from, to: t.upperM3, price })}`);
        if (t.upperM3 !== null) from = t.upperM3;
      }
      lines.push('');
    }
    if (!any) lines.push(m('pricesNone', { hotline: o.hotline }), '');
    // The price articles explain the rules around the numbers (household size and so on).
    for (const a of await o.store.info.list('price')) lines.push(a.title, a.body, '');
  } else if (kind === 'regulations') {
    lines.push(m('regulationsTitle'), '');
    let any = false;
    for (const category of ['regulation', 'service', 'safety'] as const) {
      for (const a of await o.store.info.list(category)) {
        any = true;
        lines.push(`${a.code}  ${a.title}`, a.body, '');
      }
    }
    if (!any) lines.push(m('regulationsNone', { hotline: o.hotline }), '');
  } else {
    lines.push(m('formsTitle'), '', m('formsBody', { faxLine: o.faxLine }), '');
  }
  lines.push(footer);
  return lines.join('\n');
}

function yuan(fen: number): string {
  return (fen / 100).toFixed(2);
}

async function ensureDocument(
  kind: FaxDocumentKind,
  text: string,
  o: FaxDocumentsOptions,
): Promise<{ path: string; rendered: boolean }> {
  const path = join(o.dir, `${kind}.tif`);
  const manifestPath = join(o.dir, `${kind}.json`);
  const resolution = o.resolution ?? 'fine';
  const hash = createHash('sha256')
    .update(JSON.stringify({ v: LAYOUT_VERSION, text, company: o.company, resolution, locale: o.locale }))
    .digest('hex');
  const old = await readManifest(manifestPath);
  if (old?.hash === hash) {
    try {
      const info = await checkFaxDocument([path]);
      if (info.pages === old.pages) return { path, rendered: false };
    } catch {
      // Missing or damaged: made again below.
    }
  }
  const issued = localDate(o.clock.now(), o.timeZone).iso;
  const tiff = await renderTextFax(text, { company: o.company, date: issued, headerNote: o.faxLine, resolution });
  await writeDurably(path, tiff);
  const info = await checkFaxDocument([path]);
  const manifest: Manifest = { hash, pages: info.pages, issued };
  await writeDurably(manifestPath, new TextEncoder().encode(`${JSON.stringify(manifest, null, 2)}\n`));
  o.logger.info('fax document rendered', { document: kind, pages: info.pages });
  return { path, rendered: true };
}

async function readManifest(path: string): Promise<Manifest | undefined> {
  try {
    const m = JSON.parse(await readFile(path, 'utf8')) as Partial<Manifest>;
    return typeof m.hash === 'string' && typeof m.pages === 'number' && typeof m.issued === 'string'
      ? (m as Manifest)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Writes a file under a temporary name, fsyncs it, renames it into place and fsyncs the folder. */
export async function writeDurably(path: string, data: Uint8Array): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await rename(tmp, path);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
  const dir = await open(join(path, '..'), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}
