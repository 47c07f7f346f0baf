import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AppErrorCode } from '../domain/errors.js';
import { DATABASE_FILE } from './backup.js';
import { openDatabase } from './database.js';
import { KNOWN_SCHEMA_VERSION, schemaVersion } from './migrations.js';
import { openSqliteStore } from './sqlite/sqlite-store.js';
import { openTestStore, type TestStore } from './test-support.js';

let t: TestStore | undefined;
afterEach(async () => {
  await t?.dispose();
  t = undefined;
});

describe('backup', () => {
  it('writes an openable, consistent copy while writes continue', async () => {
    t = await openTestStore();
    const dep = await t.store.departments.create({ code: 'cs', name: '客服中心', parentId: null, phone: null });
    const vm = await t.store.voicemails.create(
      { callId: null, caller: null, callbackNumber: null, wantsReply: true, topic: 'x', durationMs: 1 },
      new Uint8Array([9, 8, 7]),
    );
    // Writers keep going during the backup; the copy must hold a prefix of them, all or nothing each.
    let written = 0;
    let stop = false;
    const writer = (async () => {
      while (!stop) {
        await t.store.db.transaction(async () => {
          await t!.store.audit.append({ at: written, actor: 'w', action: 'a', target: null, outcome: 'ok' });
          await t!.store.audit.append({ at: written, actor: 'w', action: 'b', target: null, outcome: 'ok' });
        });
        written++;
      }
    })();
    await new Promise((r) => setTimeout(r, 20));
    const target = join(t.dir, '..', `${t.dir.split('/').pop()}-backup`);
    const report = await t.store.backup(target);
    stop = true;
    await writer;
    expect(report).toMatchObject({ schemaVersion: KNOWN_SCHEMA_VERSION, files: 1, fileBytes: 3, missingFiles: [] });
    expect(readFileSync(join(target, vm.relPath))).toEqual(Buffer.from([9, 8, 7]));
    expect(JSON.parse(readFileSync(join(target, 'manifest.json'), 'utf8'))).toMatchObject({ files: 1 });

    const copy = await openDatabase(join(target, DATABASE_FILE), { readOnly: true });
    expect(await schemaVersion(copy)).toBe(KNOWN_SCHEMA_VERSION);
    const pairs = await copy.all<{ action: string; n: number }>(
      "SELECT action, count(*) AS n FROM audit_log WHERE actor = 'w' GROUP BY action",
    );
    expect(pairs.length === 0 || (pairs.length === 2 && pairs[0]!.n === pairs[1]!.n)).toBe(true);
    await copy.close();

    // The backup directory is a data directory: the program opens it as is.
    const restored = await openSqliteStore({ dataDir: target, clock: t.clock });
    expect((await restored.departments.get(dep.id))?.name).toBe('客服中心');
    expect(restored.startup.files).toMatchObject({ orphans: [], missing: [] });
    expect(existsSync(join(target, restored.files.absolutePath(vm.relPath).slice(target.length)))).toBe(true);
    await restored.close();
    rmSync(target, { recursive: true, force: true });
  });

  it('refuses a target that is not empty', async () => {
    t = await openTestStore();
    await expect(t.store.backup(t.dir)).rejects.toMatchObject({
      code: AppErrorCode.Invalid,
      details: { reason: 'not-empty' },
    });
  });
});
