import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { AppErrorCode } from '../domain/errors.js';
import { openTestStore, type TestStore } from './test-support.js';

let t: TestStore | undefined;
afterEach(async () => {
  await t?.dispose();
  t = undefined;
});

const audio = (n: number): Uint8Array => new Uint8Array(n).map((_, i) => i & 0xff);

describe('durable files', () => {
  it('write under a temp name, rename, then commit the row', async () => {
    t = await openTestStore();
    const vm = await t.store.voicemails.create(
      {
        callId: null,
        caller: '13800138000',
        callbackNumber: null,
        wantsReply: true,
        topic: 'complaint',
        durationMs: 2500,
      },
      audio(16000),
    );
    expect(vm.relPath).toMatch(/^voicemail\/\d{4}-\d{2}\/[0-9a-f-]{36}\.wav$/);
    expect(readFileSync(join(t.dir, vm.relPath))).toEqual(Buffer.from(audio(16000)));
    const files = await t.store.files.list();
    expect(files).toEqual([{ relPath: vm.relPath, temp: false }]);
  });

  it('leave no file and no row when the row cannot be committed', async () => {
    t = await openTestStore();
    const err = await t.store.voicemails
      .create(
        { callId: 'no-such-call', caller: null, callbackNumber: null, wantsReply: false, topic: 'x', durationMs: 1 },
        audio(10),
      )
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: AppErrorCode.NotFound });
    expect(await t.store.files.list()).toEqual([]);
    expect(await t.store.db.get<{ n: number }>('SELECT count(*) AS n FROM stored_files')).toEqual({ n: 0 });
  });

  it('at start: delete temp files, quarantine orphans, flag and unflag missing files', async () => {
    t = await openTestStore();
    const kept = await t.store.voicemails.create(
      { callId: null, caller: null, callbackNumber: null, wantsReply: true, topic: 'a', durationMs: 1 },
      audio(100),
    );
    const lost = await t.store.voicemails.create(
      { callId: null, caller: null, callbackNumber: null, wantsReply: true, topic: 'b', durationMs: 1 },
      audio(100),
    );
    // Crash after rename, before commit: a complete file with no row.
    const orphan = await t.store.files.write('recording', audio(50), { ext: 'wav', mime: 'audio/wav' });
    // Crash before rename: a temp file.
    mkdirSync(join(t.dir, 'faxes', '2026-01'), { recursive: true });
    writeFileSync(join(t.dir, 'faxes', '2026-01', '.tmp-123.tif'), 'partial');
    // Someone deleted a stored file.
    const lostBytes = readFileSync(join(t.dir, lost.relPath));
    rmSync(join(t.dir, lost.relPath));

    await t.reopen();
    const report = t.store.startup.files;
    expect(report.tempDeleted).toBe(1);
    expect(report.orphans).toEqual([orphan.relPath]);
    expect(report.missing).toEqual([lost.relPath]);
    expect(existsSync(join(t.dir, orphan.relPath))).toBe(false);
    expect(existsSync(join(t.dir, 'orphans', orphan.relPath))).toBe(true);
    expect(existsSync(join(t.dir, 'faxes', '2026-01', '.tmp-123.tif'))).toBe(false);
    const flags = await t.store.db.all<{ rel_path: string; missing_since: number | null }>(
      'SELECT rel_path, missing_since FROM stored_files ORDER BY id',
    );
    expect(flags).toEqual([
      { rel_path: kept.relPath, missing_since: null },
      { rel_path: lost.relPath, missing_since: t.clock.now() },
    ]);

    // The operator restores the file from a backup: the flag is cleared at the next start.
    writeFileSync(join(t.dir, lost.relPath), lostBytes);
    await t.reopen();
    expect(t.store.startup.files).toMatchObject({ restored: 1, missing: [], orphans: [], tempDeleted: 0 });
  });

  it('delete orphans instead when so configured', async () => {
    t = await openTestStore();
    const orphan = await t.store.files.write('fax', audio(5), { ext: 'tif', mime: 'image/tiff' });
    await t.reopen({ orphanPolicy: 'delete' });
    expect(t.store.startup.files.orphans).toEqual([orphan.relPath]);
    expect(existsSync(join(t.dir, orphan.relPath))).toBe(false);
    expect(existsSync(join(t.dir, 'orphans'))).toBe(false);
  });
});

describe('crash after acknowledgement', () => {
  it('keeps every acknowledged ticket and voicemail, and sweeps the unacknowledged file', async () => {
    t = await openTestStore();
    await t.store.close();
    const cwd = join(import.meta.dirname, '..', '..');
    const result = await promisify(execFile)(
      process.execPath,
      ['--conditions=source', '--import', 'tsx', 'test/fixtures/create-and-die.ts', t.dir],
      { cwd },
    ).catch((e: { stdout: string; signal: string }) => e);
    expect(result).toMatchObject({ signal: 'SIGKILL' });
    const told = JSON.parse(result.stdout.trim()) as { trackingNo: string; voicemailId: number; orphan: string };
    await t.reopen();
    const ticket = await t.store.tickets.getByTrackingNo(told.trackingNo);
    expect(ticket).toMatchObject({ type: 'emergency', subtype: 'gas_leak', callerPhone: '13800138000' });
    const vm = await t.store.voicemails.get(told.voicemailId);
    expect(vm?.status).toBe('new');
    expect(readFileSync(join(t.dir, vm!.relPath)).length).toBe(8000);
    expect(t.store.startup.files.orphans).toEqual([told.orphan]);
    expect(await t.store.db.get<{ n: number }>('SELECT count(*) AS n FROM stored_files')).toEqual({ n: 1 });
  }, 20_000);
});
