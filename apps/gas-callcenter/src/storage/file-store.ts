/**
 * Durable files (recordings, voicemail, faxes) in the data directory.
 *
 * A file is made durable in this order, so that a crash at any point leaves either nothing or a
 * complete file, never a row pointing at a half-written one:
 * 1. write to `<dir>/.tmp-<id>.<ext>` (created exclusively), `fsync` the file, close it;
 * 2. `rename` it to its final name and `fsync` the directory;
 * 3. the caller commits the row that references it ({@link commitWithFile}).
 *
 * A crash after 1 leaves a temp file; after 2 an orphan file without a row. {@link recoverFiles}
 * (run at start, before anything writes) deletes temp files, moves orphans to `orphans/` (or deletes
 * them, by configuration) and flags rows whose file has gone missing.
 * @module
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import type { Logger } from '@hotline/cti-core';
import { silentLogger } from '@hotline/cti-core';
import { AppError, AppErrorCode } from '../domain/errors.js';
import type { Clock } from '../domain/clock.js';
import type { SqliteDatabase } from './database.js';

/** The kinds of stored file, each in its own folder of the data directory. */
export type FileKind = 'recording' | 'voicemail' | 'fax';

/** Folder of each {@link FileKind}, relative to the data directory. */
export const FILE_KIND_DIRS: Readonly<Record<FileKind, string>> = {
  recording: 'recordings',
  voicemail: 'voicemail',
  fax: 'faxes',
};

const TEMP_PREFIX = '.tmp-';

/** A file that is on disk under its final name (but maybe not yet referenced by a row). */
export interface WrittenFile {
  readonly kind: FileKind;
  /** Path relative to the data directory, with `/` separators. */
  readonly relPath: string;
  readonly size: number;
  /** Hex SHA-256 of the content. */
  readonly sha256: string;
  readonly mime: string;
}

/** A stored file's row. */
export interface StoredFile extends WrittenFile {
  readonly id: number;
  readonly createdAt: number;
  /** Set when the file was found missing at a start (epoch ms). */
  readonly missingSince: number | null;
}

/** Writes and locates durable files under one data directory. */
export class DurableFileStore {
  constructor(
    /** Absolute path of the data directory. */
    readonly root: string,
    private readonly clock: Clock,
  ) {}

  /** Absolute path of a stored file. */
  absolutePath(relPath: string): string {
    return join(this.root, ...relPath.split('/'));
  }

  /**
   * Writes `content` durably (steps 1 and 2 above) and returns where it is. The file is not
   * referenced by anything yet: commit its row next, or {@link DurableFileStore.discard} it.
   */
  async write(
    kind: FileKind,
    content: Uint8Array | AsyncIterable<Uint8Array>,
    options: { readonly ext: string; readonly mime: string },
  ): Promise<WrittenFile> {
    if (!/^[a-z0-9]{1,8}$/.test(options.ext))
      throw new AppError(AppErrorCode.Invalid, `bad file extension ${options.ext}`, {
        details: { field: 'ext', reason: 'format' },
      });
    const month = new Date(this.clock.now()).toISOString().slice(0, 7);
    const dir = join(this.root, FILE_KIND_DIRS[kind], month);
    await mkdir(dir, { recursive: true });
    const id = randomUUID();
    const temp = join(dir, `${TEMP_PREFIX}${id}.${options.ext}`);
    const final = join(dir, `${id}.${options.ext}`);
    const hash = createHash('sha256');
    let size = 0;
    const handle = await open(temp, 'wx');
    try {
      const chunks = content instanceof Uint8Array ? [content] : content;
      for await (const chunk of chunks) {
        hash.update(chunk);
        size += chunk.byteLength;
        let offset = 0;
        while (offset < chunk.byteLength) {
          const { bytesWritten } = await handle.write(chunk, offset, chunk.byteLength - offset);
          offset += bytesWritten;
        }
      }
      await handle.sync();
    } catch (err) {
      await handle.close().catch(() => undefined);
      await rm(temp, { force: true });
      throw new AppError(AppErrorCode.Storage, `writing ${temp} failed`, { cause: err });
    }
    await handle.close();
    await rename(temp, final);
    await fsyncDir(dir);
    return {
      kind,
      relPath: relative(this.root, final).split(sep).join('/'),
      size,
      sha256: hash.digest('hex'),
      mime: options.mime,
    };
  }

  /** Deletes a written file whose row was never committed (best effort). */
  async discard(file: Pick<WrittenFile, 'relPath'>): Promise<void> {
    await rm(this.absolutePath(file.relPath), { force: true });
  }

  /** Every file under the kind folders, as `{ relPath, temp }`. */
  async list(): Promise<{ relPath: string; temp: boolean }[]> {
    const out: { relPath: string; temp: boolean }[] = [];
    for (const folder of Object.values(FILE_KIND_DIRS)) {
      const base = join(this.root, folder);
      for (const abs of await walk(base)) {
        const name = abs.slice(abs.lastIndexOf(sep) + 1);
        out.push({ relPath: relative(this.root, abs).split(sep).join('/'), temp: name.startsWith(TEMP_PREFIX) });
      }
    }
    return out;
  }
}

async function walk(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const out: string[] = [];
  for (const e of entries) {
    const abs = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(abs)));
    else if (e.isFile()) out.push(abs);
  }
  return out;
}

/** Makes a rename durable: the directory entry itself must reach the disk. */
async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } catch (err) {
    // Some file systems (and Windows) refuse fsync on directories; the rename is still atomic.
    if ((err as NodeJS.ErrnoException).code !== 'EINVAL' && (err as NodeJS.ErrnoException).code !== 'EPERM') throw err;
  } finally {
    await handle.close();
  }
}

/**
 * Step 3: inserts the `stored_files` row and whatever `commitRow` writes, in one transaction. If
 * the transaction fails, the file is discarded and the error rethrown, so nothing refers to it.
 */
export async function commitWithFile<T>(
  db: SqliteDatabase,
  files: DurableFileStore,
  file: WrittenFile,
  commitRow: (fileId: number) => Promise<T>,
  now: number,
): Promise<T> {
  try {
    return await db.transaction(async () => {
      const { lastId } = await db.run(
        'INSERT INTO stored_files (kind, rel_path, size, sha256, mime, created_at) VALUES (?, ?, ?, ?, ?, ?)',
        [file.kind, file.relPath, file.size, file.sha256, file.mime, now],
      );
      return commitRow(lastId);
    });
  } catch (err) {
    await files.discard(file).catch(() => undefined);
    throw err;
  }
}

/** What {@link recoverFiles} found and did. */
export interface FileRecoveryReport {
  /** Temp files deleted (writes interrupted before their rename). */
  readonly tempDeleted: number;
  /** Files without a row, moved to `orphans/` (or deleted); relative paths as they were. */
  readonly orphans: readonly string[];
  /** Rows whose file is missing (newly flagged or still missing). */
  readonly missing: readonly string[];
  /** Rows whose file, once missing, is back. */
  readonly restored: number;
}

/**
 * Start-up sweep; run before anything writes files. Deletes temp files; moves files with no
 * `stored_files` row to `<dataDir>/orphans/<original path>` (`orphanPolicy: 'delete'` deletes them
 * instead); sets `missing_since` on rows whose file is gone and clears it when the file is back.
 */
export async function recoverFiles(
  db: SqliteDatabase,
  files: DurableFileStore,
  options: { readonly clock: Clock; readonly logger?: Logger; readonly orphanPolicy?: 'quarantine' | 'delete' },
): Promise<FileRecoveryReport> {
  const logger = options.logger ?? silentLogger;
  const onDisk = await files.list();
  const rows = await db.all<{ id: number; rel_path: string; missing_since: number | null }>(
    'SELECT id, rel_path, missing_since FROM stored_files',
  );
  const known = new Map(rows.map((r) => [r.rel_path, r]));
  let tempDeleted = 0;
  const orphans: string[] = [];
  const present = new Set<string>();
  for (const f of onDisk) {
    if (f.temp) {
      await rm(files.absolutePath(f.relPath), { force: true });
      tempDeleted++;
      continue;
    }
    if (known.has(f.relPath)) {
      present.add(f.relPath);
      continue;
    }
    orphans.push(f.relPath);
    if (options.orphanPolicy === 'delete') {
      await rm(files.absolutePath(f.relPath), { force: true });
    } else {
      const target = join(files.root, 'orphans', ...f.relPath.split('/'));
      await mkdir(dirname(target), { recursive: true });
      await rename(files.absolutePath(f.relPath), target);
    }
  }
  const missing: string[] = [];
  let restored = 0;
  const now = options.clock.now();
  await db.transaction(async () => {
    for (const row of rows) {
      if (!present.has(row.rel_path)) {
        missing.push(row.rel_path);
        if (row.missing_since === null)
          await db.run('UPDATE stored_files SET missing_since = ? WHERE id = ?', [now, row.id]);
      } else if (row.missing_since !== null) {
        await db.run('UPDATE stored_files SET missing_since = NULL WHERE id = ?', [row.id]);
        restored++;
      }
    }
  });
  if (tempDeleted > 0) logger.info('deleted interrupted temp files', { count: tempDeleted });
  if (orphans.length > 0)
    logger.warn('files without a database row swept', {
      count: orphans.length,
      policy: options.orphanPolicy ?? 'quarantine',
    });
  if (missing.length > 0)
    logger.error('stored files missing from the data directory', { count: missing.length, first: missing.slice(0, 5) });
  return { tempDeleted, orphans, missing, restored };
}

/** Size of a file on disk, or undefined when it does not exist. */
export async function fileSize(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).size;
  } catch {
    return undefined;
  }
}
