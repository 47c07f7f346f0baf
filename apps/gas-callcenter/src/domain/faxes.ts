/**
 * Faxes received (complaints by fax) and sent (fax on demand, results), with their image files.
 * @module
 */

/** A fax. */
export interface Fax {
  readonly id: number;
  readonly direction: 'inbound' | 'outbound';
  readonly remoteNumber: string | null;
  readonly pages: number;
  readonly fileId: number;
  readonly relPath: string;
  readonly callId: string | null;
  readonly ticketId: number | null;
  /** For fax on demand: the information article sent. */
  readonly documentCode: string | null;
  readonly status: 'received' | 'queued' | 'sent' | 'failed';
  readonly createdAt: number;
}

/** Storage of faxes. */
export interface FaxRepository {
  /** Stores the image durably, then commits the row. */
  create(
    meta: Omit<Fax, 'id' | 'fileId' | 'relPath' | 'createdAt'>,
    image: Uint8Array | AsyncIterable<Uint8Array>,
    format?: { readonly ext: string; readonly mime: string },
  ): Promise<Fax>;
  get(id: number): Promise<Fax | undefined>;
  setStatus(id: number, status: Fax['status']): Promise<void>;
}
