/**
 * Regulations and service information read out by the IVR, shown to agents and faxed on demand.
 * @module
 */

/** Category of an information article. */
export type InfoCategory = 'regulation' | 'service' | 'price' | 'safety';

/** An information article. */
export interface InfoArticle {
  readonly id: number;
  /** Digits, so a caller can choose it by keypad (fax on demand). */
  readonly code: string;
  readonly category: InfoCategory;
  readonly title: string;
  readonly body: string;
  readonly updatedAt: number;
}

/** Storage of information articles. */
export interface InfoRepository {
  /** Creates or replaces the article with this code. */
  upsert(article: Omit<InfoArticle, 'id'>): Promise<InfoArticle>;
  getByCode(code: string): Promise<InfoArticle | undefined>;
  list(category?: InfoCategory): Promise<InfoArticle[]>;
}
