/**
 * End to end in virtual time: the board's soft fax engine and a simulated fax machine (its own
 * spandsp instance) exchange real V.21/V.17/V.29 modem audio over board-sim lines.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { firstValueFrom, timer } from 'rxjs';
import {
  VirtualScheduler,
  openBoard,
  isHotlineError,
  type Board,
  type FaxProgress,
  type FaxResult,
} from '@hotline/cti-core';
import { SimBoard } from '@hotline/board-sim';
import { SpandspFaxEngine, FAX_UNAVAILABLE, type SpandspFaxEngineOptions } from './spandsp-fax-engine.js';
import { decodeFaxTiff, sameBitmap } from './fax-image.js';
import { writeTestDocument } from './test-documents.js';
import { findCjkFont, renderTextFax } from './fax-text.js';

const probe = new SpandspFaxEngine();
if (!probe.available) {
  // Printed on purpose: a skipped fax suite must say why.
  process.stdout.write(`fax-spandsp: skipping the spandsp fax tests: ${probe.unavailableReason ?? 'unknown reason'}\n`);
}

async function expectSamePages(sent: string, received: string, pages: number): Promise<void> {
  const a = await decodeFaxTiff(sent);
  const b = await decodeFaxTiff(received);
  expect(b).toHaveLength(pages);
  expect(a).toHaveLength(pages);
  for (let i = 0; i < pages; i++) {
    expect({ page: i + 1, width: b[i]?.width, height: b[i]?.height }).toEqual({
      page: i + 1,
      width: a[i]?.width,
      height: a[i]?.height,
    });
    expect(sameBitmap(a[i]!, b[i]!), `page ${i + 1} decoded identical`).toBe(true);
  }
}

describe.skipIf(!probe.available)('SpandspFaxEngine over board-sim lines', () => {
  let scheduler: VirtualScheduler;
  let sim: SimBoard;
  let board: Board;
  let dir: string;
  const run = <T>(p: Promise<T>, ms = 900_000): Promise<T> => scheduler.run(p, ms);
  const wait = (ms: number): Promise<void> => run(firstValueFrom(timer(ms, scheduler)).then(() => undefined));

  async function setup(options: SpandspFaxEngineOptions = {}): Promise<SpandspFaxEngine> {
    const engine = new SpandspFaxEngine(options);
    sim = new SimBoard({ scheduler, analogTrunks: 2, e1Spans: 1, faxEngine: engine, keepAudio: false });
    board = await run(openBoard(sim.driver, { scheduler }));
    return engine;
  }

  beforeEach(() => {
    scheduler = new VirtualScheduler();
    dir = mkdtempSync(join(tmpdir(), 'fax-'));
  });
  afterEach(async () => {
    if (board) await run(board.close());
    rmSync(dir, { recursive: true, force: true });
  });

  for (const ecm of [true, false]) {
    it(`board sends a 3-page A4 fax to a simulated fax machine, ECM ${ecm ? 'on' : 'off'}: pages arrive identical`, async () => {
      const engine = await setup({ ecm });
      const doc = join(dir, 'out.tif');
      const got = join(dir, 'machine.tif');
      await writeTestDocument(doc, 3, { seed: 10 });
      let machineResult: FaxResult | undefined;
      sim.subscriber('88880001', {
        type: 'fax',
        machine: {
          engine,
          direction: 'receive',
          files: [got],
          localId: 'FAR MACHINE',
          ecm,
          onResult: (r) => (machineResult = r),
        },
      });
      const ch = board.channel('a0');
      const dial = await run(ch.dial('88880001'));
      expect(dial.connected).toBe(true);
      const progress: FaxProgress[] = [];
      const result = await run(
        new Promise<FaxResult>((resolve, reject) => {
          ch.fax$({ direction: 'send', files: [doc], localId: 'HOTLINE' }).subscribe({
            next: (e) => {
              if (e.kind === 'progress') progress.push(e.progress);
              else resolve(e.result);
            },
            error: reject,
          });
        }),
      );
      expect(result).toMatchObject({
        success: true,
        pages: 3,
        result: 'OK',
        remoteId: 'FAR MACHINE',
        bitRate: 14400,
        ecm,
      });
      expect(result.resolution).toMatch(/204 × 196 dpi \(fine\)/);
      expect(result.failurePhase).toBeUndefined();
      expect(progress.filter((p) => p.phase === 'page').map((p) => p.page)).toEqual([1, 2, 3]);
      expect(progress.filter((p) => p.phase === 'page-done').map((p) => p.page)).toEqual([1, 2, 3]);
      expect(progress[0]).toMatchObject({ phase: 'negotiating', bitRate: 14400 });
      await wait(3000);
      expect(machineResult).toMatchObject({ success: true, pages: 3, remoteId: 'HOTLINE', ecm });
      await expectSamePages(doc, got, 3);
    });
  }

  it('a simulated fax machine calls in and sends 2 pages (ECM off at the machine); the board receives them identical', async () => {
    const engine = await setup();
    const doc = join(dir, 'complaint.tif');
    const got = join(dir, 'received.tif');
    await writeTestDocument(doc, 2, { seed: 40, rows: 1400 });
    let machineResult: FaxResult | undefined;
    const offered = firstValueFrom(board.incoming$);
    sim.call({
      from: '057188880000',
      fax: {
        engine,
        direction: 'send',
        files: [doc],
        localId: '0571 8888 0000',
        ecm: false,
        onResult: (r) => (machineResult = r),
      },
    });
    const { channel } = await run(offered);
    await run(channel.answer());
    const result = await run(channel.fax({ direction: 'receive', files: [got] }));
    expect(result).toMatchObject({ success: true, pages: 2, remoteId: '0571 8888 0000', ecm: false, bitRate: 14400 });
    await wait(3000);
    expect(machineResult).toMatchObject({ success: true, pages: 2 });
    await expectSamePages(doc, got, 2);
  });

  it('several files make one fax; progress says page n of m at the engine', async () => {
    const engine = new SpandspFaxEngine();
    const a = join(dir, 'a.tif');
    const b = join(dir, 'b.tif');
    const got = join(dir, 'got.tif');
    await writeTestDocument(a, 1, { seed: 3, rows: 800 });
    await writeTestDocument(b, 2, { seed: 7, rows: 800 });
    const progress: FaxProgress[] = [];
    const results: FaxResult[] = [];
    const tx = engine.start({
      direction: 'send',
      files: [a, b],
      calling: true,
      onProgress: (p) => progress.push(p),
      onEnd: (r) => results.push(r),
    });
    const rx = engine.start({
      direction: 'receive',
      files: [got],
      calling: false,
      onProgress: () => undefined,
      onEnd: (r) => results.push(r),
    });
    loop(tx, rx, () => results.length === 2);
    expect(results.map((r) => r.success)).toEqual([true, true]);
    expect(progress.filter((p) => p.phase === 'page').map((p) => `${p.page}/${p.pageCount}`)).toEqual([
      '1/3',
      '2/3',
      '3/3',
    ]);
    expect(tx.status).toMatchObject({ ended: true, pagesDone: 3, pageCount: 3 });
    const sent = [...(await decodeFaxTiff(a)), ...(await decodeFaxTiff(b))];
    const received = await decodeFaxTiff(got);
    expect(received.map((p, i) => sameBitmap(p, sent[i]!))).toEqual([true, true, true]);
  });

  it.skipIf(!findCjkFont())(
    'a Chinese/English text fax (rendered, 2 pages, standard resolution) goes over the line unchanged',
    async () => {
      const engine = new SpandspFaxEngine({ modems: ['v29', 'v27ter'] });
      const doc = join(dir, 'notice.tif');
      const got = join(dir, 'notice-got.tif');
      writeFileSync(
        doc,
        await renderTextFax(
          '停气通知：因管道检修，5 月 20 日 9:00–17:00 停止供气。\nGas supply notice: maintenance on 20 May.\n'.repeat(
            40,
          ),
          { company: '城市燃气', date: '2024-05-18', resolution: 'standard' },
        ),
      );
      const results: FaxResult[] = [];
      const tx = engine.start({
        direction: 'send',
        files: [doc],
        calling: true,
        onProgress: () => undefined,
        onEnd: (r) => results.push(r),
      });
      const rx = engine.start({
        direction: 'receive',
        files: [got],
        calling: false,
        onProgress: () => undefined,
        onEnd: (r) => results.push(r),
      });
      loop(tx, rx, () => results.length === 2);
      expect(results[0]).toMatchObject({
        success: true,
        pages: 2,
        bitRate: 9600,
        resolution: '204 × 98 dpi (standard)',
      });
      await expectSamePages(doc, got, 2);
    },
  );

  it('no fax tone: a person answers the board’s fax call; the send fails in phase A with T30_ERR_T0_EXPIRED', async () => {
    await setup();
    const doc = join(dir, 'out.tif');
    await writeTestDocument(doc, 1, { rows: 600 });
    sim.subscriber('66660001', { type: 'answer', script: async (p) => p.waitHeard(120_000) });
    const ch = board.channel('a0');
    const dial = await run(ch.dial('66660001'));
    expect(dial.outcome).toBe('answered');
    const result = await run(ch.fax({ direction: 'send', files: [doc] }));
    expect(result.success).toBe(false);
    expect(result.pages).toBe(0);
    // The sender heard no V.21 DIS within T0 (60 s): still in phase A.
    expect(result).toMatchObject({ result: 'T30_ERR_T0_EXPIRED', failurePhase: 'A' });
    expect(result.bitRate).toBeUndefined();
  });

  it('remote refuses: the far machine has nothing to receive with; the board gets a typed refusal', async () => {
    const engine = await setup();
    const doc = join(dir, 'out.tif');
    const theirs = join(dir, 'theirs.tif');
    await writeTestDocument(doc, 1, { rows: 600 });
    await writeTestDocument(theirs, 1, { seed: 99, rows: 600 });
    sim.subscriber('88880002', { type: 'fax', machine: { engine, direction: 'send', files: [theirs] } });
    const ch = board.channel('a0');
    await run(ch.dial('88880002'));
    const result = await run(ch.fax({ direction: 'send', files: [doc] }));
    expect(result.success).toBe(false);
    expect(result.pages).toBe(0);
    // Its DIS does not offer reception: spandsp stops in phase B and says so.
    expect(result).toMatchObject({ result: 'T30_ERR_RX_INCAPABLE', failurePhase: 'B' });
  });

  it('hang-up mid-page: the caller’s machine drops during page 2; the job ends with a typed hang-up and the machine reports CALLDROPPED in phase C', async () => {
    const engine = await setup();
    const doc = join(dir, 'long.tif');
    const got = join(dir, 'partial.tif');
    await writeTestDocument(doc, 3, { seed: 5 });
    let machineResult: FaxResult | undefined;
    const offered = firstValueFrom(board.incoming$);
    const party = sim.call({
      from: '057188880001',
      fax: { engine, direction: 'send', files: [doc], onResult: (r) => (machineResult = r) },
    });
    const { channel } = await run(offered);
    await run(channel.answer());
    const outcome = await run(
      new Promise<FaxResult | Error>((resolve) => {
        channel.fax$({ direction: 'receive', files: [got] }).subscribe({
          next: (e) => {
            if (e.kind === 'progress' && e.progress.phase === 'page' && e.progress.page === 2) {
              // A second and a half into page 2.
              scheduler.schedule(() => party.hangup(), 1500);
            } else if (e.kind === 'done') resolve(e.result);
          },
          error: (err: Error) => resolve(err),
        });
      }),
    );
    // cti-core ends every operation on a dead channel with a typed hang-up error.
    expect(isHotlineError(outcome, 'ERR_HANGUP')).toBe(true);
    expect(outcome).toMatchObject({ hangup: true, details: { remote: true } });
    expect(machineResult).toMatchObject({ success: false, pages: 1, result: 'T30_ERR_CALLDROPPED', failurePhase: 'C' });
  });

  it('a malformed TIFF is rejected before any audio, with ERR_MEDIA_FORMAT naming the problem', async () => {
    const engine = await setup();
    const bad = join(dir, 'bad.tif');
    writeFileSync(bad, Buffer.from('II*\0\x08\0\0\0\xff\xff', 'latin1'));
    expect(() =>
      engine.start({
        direction: 'send',
        files: [bad],
        calling: true,
        onProgress: () => undefined,
        onEnd: () => undefined,
      }),
    ).toThrow(
      expect.objectContaining({
        code: 'ERR_MEDIA_FORMAT',
        details: expect.objectContaining({ problem: 'malformed', file: bad }),
      }),
    );
    sim.subscriber('88880003', { type: 'fax' });
    const ch = board.channel('a1');
    await run(ch.dial('88880003'));
    const err = await run(ch.fax({ direction: 'send', files: [bad] })).catch((e: unknown) => e);
    expect(isHotlineError(err, 'ERR_MEDIA_FORMAT')).toBe(true);
    expect(err).toMatchObject({ details: { problem: 'malformed' } });
  });

  it('T.38 terminal mode: two sessions exchanging IFP packets send 2 pages identical', async () => {
    const engine = new SpandspFaxEngine();
    const doc = join(dir, 't38.tif');
    const got = join(dir, 't38-got.tif');
    await writeTestDocument(doc, 2, { seed: 21, rows: 900 });
    const results: FaxResult[] = [];
    const toRx: { data: Uint8Array; seq: number }[] = [];
    const toTx: { data: Uint8Array; seq: number }[] = [];
    const tx = engine.startT38({
      direction: 'send',
      files: [doc],
      calling: true,
      onPacket: (p) => toRx.push(p),
      onProgress: () => undefined,
      onEnd: (r) => results.push(r),
    });
    const rx = engine.startT38({
      direction: 'receive',
      files: [got],
      calling: false,
      onPacket: (p) => toTx.push(p),
      onProgress: () => undefined,
      onEnd: (r) => results.push(r),
    });
    for (let i = 0; i < 30_000 && results.length < 2; i++) {
      tx.tick();
      rx.tick();
      for (const p of toRx.splice(0)) rx.receive(p.data, p.seq);
      for (const p of toTx.splice(0)) tx.receive(p.data, p.seq);
    }
    expect(results.map((r) => [r.success, r.pages])).toEqual([
      [true, 2],
      [true, 2],
    ]);
    await expectSamePages(doc, got, 2);
  });
});

describe('SpandspFaxEngine without libspandsp', () => {
  it('loads, reports available: false with what to install, and fails fax operations with a typed error', async () => {
    const engine = new SpandspFaxEngine({
      loadBinding: () => ({ available: false, reason: 'libspandsp not found; install libspandsp-dev' }),
    });
    expect(engine.available).toBe(false);
    expect(engine.unavailableReason).toMatch(/libspandsp-dev/);
    expect(() =>
      engine.start({
        direction: 'send',
        files: ['x.tif'],
        calling: true,
        onProgress: () => undefined,
        onEnd: () => undefined,
      }),
    ).toThrow(expect.objectContaining({ code: FAX_UNAVAILABLE }));
    const scheduler = new VirtualScheduler();
    const sim = new SimBoard({ scheduler, analogTrunks: 1, faxEngine: engine });
    const board = await scheduler.run(openBoard(sim.driver, { scheduler }));
    expect(board.channel('a0').capabilities.fax).toBe(false);
    await scheduler.run(board.close());
  });
});

/** Runs two audio sessions against each other, 20 ms at a time, until `done`. */
function loop(
  a: { process(rx: Int16Array, tx: Int16Array): void },
  b: { process(rx: Int16Array, tx: Int16Array): void },
  done: () => boolean,
): void {
  let aOut = new Int16Array(160);
  let bOut = new Int16Array(160);
  for (let i = 0; i < 60_000 && !done(); i++) {
    const aNext = new Int16Array(160);
    const bNext = new Int16Array(160);
    a.process(bOut, aNext);
    b.process(aOut, bNext);
    aOut = aNext;
    bOut = bNext;
  }
}
