/**
 * Helpers for tests of the storage and domain layers: a throw-away data directory with a migrated
 * store on a virtual clock.
 * @internal
 * @module
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VirtualScheduler } from '@hotline/cti-core';
import { openSqliteStore, type OpenSqliteStoreOptions, type SqliteStore } from './sqlite/sqlite-store.js';

/** A temporary data directory, a virtual clock and a store opened on them. */
export interface TestStore {
  readonly dir: string;
  readonly clock: VirtualScheduler;
  store: SqliteStore;
  /** Closes and reopens the store on the same directory (a restart). */
  reopen(options?: Partial<OpenSqliteStoreOptions>): Promise<SqliteStore>;
  /** Closes the store and deletes the directory. */
  dispose(): Promise<void>;
}

/** Opens a fresh store in a new temporary directory. */
export async function openTestStore(options: Partial<OpenSqliteStoreOptions> = {}): Promise<TestStore> {
  const dir = mkdtempSync(join(tmpdir(), 'hotline-store-'));
  const clock = new VirtualScheduler();
  const open = (o: Partial<OpenSqliteStoreOptions>): Promise<SqliteStore> =>
    openSqliteStore({ dataDir: dir, clock, synchronous: 'normal', ...o });
  const t: TestStore = {
    dir,
    clock,
    store: await open(options),
    async reopen(o = {}) {
      await t.store.close();
      t.store = await open(o);
      return t.store;
    },
    async dispose() {
      await t.store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return t;
}

/** Cheap scrypt parameters so tests that hash many passwords stay fast. */
export const TEST_SCRYPT = { N: 1024, r: 8, p: 1 } as const;
