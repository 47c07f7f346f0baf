/**
 * Online backup of a data directory: a consistent copy of the database (`VACUUM INTO`, which reads
 * one snapshot while the server keeps running and writes a compact file) plus the stored files it
 * refers to. Stored files are written once and never modified, so copying those listed in the
 * snapshot after it was taken is consistent with it.
 * @module
 */
import { constants } from 'node:fs';
import { copyFile, mkdir, open, readdir, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { AppError, AppErrorCode } from '../domain/errors.js';
import type { BackupReport } from '../domain/store.js';
import { openDatabase, type SqliteDatabase } from './database.js';
import type { DurableFileStore } from './file-store.js';
import { schemaVersion } from './migrations.js';

/** Name of the database file inside a data directory (and a backup). */
export const DATABASE_FILE = 'hotline.db';

/**
 * Writes a backup of `db` and its files into `targetDir` (created; must not exist or be empty),
 * checks the copy (`PRAGMA integrity_check`) and writes `manifest.json`.
 */
export async function backupDataDirectory(
  db: SqliteDatabase,
  files: DurableFileStore,
  targetDir: string,
  now: number,
): Promise<BackupReport> {
  const target = resolve(targetDir);
  await mkdir(target, { recursive: true });
  if ((await readdir(target)).length > 0) {
    throw new AppError(AppErrorCode.Invalid, `backup target ${target} is not empty`, {
      details: { field: 'target', reason: 'not-empty', target },
    });
  }
  const dbCopy = join(target, DATABASE_FILE);
  await db.run('VACUUM INTO ?', [dbCopy]);
  const copy = await openDatabase(dbCopy, { readOnly: true });
  let version: number;
  let relPaths: string[];
  try {
    const check = await copy.all<{ integrity_check: string }>('PRAGMA integrity_check');
    if (check.length !== 1 || check[0]?.integrity_check !== 'ok') {
      throw new AppError(
        AppErrorCode.Storage,
        `backup copy failed its integrity check: ${check.map((c) => c.integrity_check).join('; ')}`,
      );
    }
    version = await schemaVersion(copy);
    relPaths =
      version >= 3
        ? (await copy.all<{ rel_path: string }>('SELECT rel_path FROM stored_files ORDER BY id')).map((r) => r.rel_path)
        : [];
  } finally {
    await copy.close();
  }
  let fileBytes = 0;
  let copied = 0;
  const missingFiles: string[] = [];
  for (const rel of relPaths) {
    const from = files.absolutePath(rel);
    const to = join(target, ...rel.split('/'));
    try {
      await mkdir(dirname(to), { recursive: true });
      await copyFile(from, to, constants.COPYFILE_EXCL);
      fileBytes += (await stat(to)).size;
      copied++;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') missingFiles.push(rel);
      else throw err;
    }
  }
  const report: BackupReport = {
    target,
    schemaVersion: version,
    databaseBytes: (await stat(dbCopy)).size,
    files: copied,
    fileBytes,
    missingFiles,
  };
  const manifest = await open(join(target, 'manifest.json'), 'wx');
  try {
    await manifest.writeFile(JSON.stringify({ createdAt: new Date(now).toISOString(), ...report }, null, 2));
    await manifest.sync();
  } finally {
    await manifest.close();
  }
  return report;
}
