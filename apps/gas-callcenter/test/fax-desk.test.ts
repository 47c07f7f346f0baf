/**
 * Fax in the gas call centre, end to end in virtual time: the call centre (board-sim, IVR, real
 * SQLite store) with the fax desk, and simulated fax machines — each its own spandsp instance
 * exchanging real modem audio with the board's.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { filter, firstValueFrom, timer } from 'rxjs';
import { VirtualScheduler, silentLogger, type FaxResult, type SoftFaxEngine } from '@hotline/cti-core';
import { SimBoard, type SimParty } from '@hotline/board-sim';
import { SpandspFaxEngine, decodeFaxTiff, findCjkFont, renderTextFax, sameBitmap } from '@hotline/fax-spandsp';
import type { IvrEvent } from '@hotline/ivr';
import { TicketService } from '../src/domain/ticket-service.js';
import { DEMO_COMMERCIAL_TIERS, DEMO_RESIDENTIAL_TIERS } from '../src/seed/seed.js';
import { CallCenter } from '../src/server/call-center.js';
import { FaxDesk, type FaxDeskEvent } from '../src/server/fax-desk.js';
import { faxMessage } from '../src/server/fax-messages.js';
import { openSqliteStore, type SqliteStore } from '../src/storage/sqlite/sqlite-store.js';
import { FakeGasServices } from './fake-services.js';

const promptsDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'prompts');

const probe = new SpandspFaxEngine();
const font = findCjkFont();
const skipReason = !probe.available
  ? `libspandsp is missing (${probe.unavailableReason ?? 'unknown'})`
  : !font
    ? 'no CJK font installed (apt-get install fonts-wqy-zenhei)'
    : undefined;
// Printed on purpose: a skipped fax suite must say why.
if (skipReason) process.stdout.write(`gas-callcenter: skipping the fax desk tests: ${skipReason}\n`);

const SYSTEM = { kind: 'system', name: 'test' } as const;

async function expectSamePages(sent: string, received: string): Promise<number> {
  const a = await decodeFaxTiff(sent);
  const b = await decodeFaxTiff(received);
  expect(b.length).toBe(a.length);
  for (let i = 0; i < a.length; i++) expect(sameBitmap(a[i]!, b[i]!), `page ${i + 1} decoded identical`).toBe(true);
  return a.length;
}

describe.skipIf(skipReason !== undefined)(
  'fax in the gas call centre (board-sim, real spandsp sessions, virtual time)',
  () => {
    let scheduler: VirtualScheduler;
    let dir: string;
    let store: SqliteStore;
    let tickets: TicketService;
    let engine: SpandspFaxEngine;
    let desk: FaxDesk;
    let sim: SimBoard;
    let center: CallCenter;
    let ivrEvents: IvrEvent[];
    let deskEvents: FaxDeskEvent[];
    const run = <T>(p: Promise<T>, ms = 3_600_000): Promise<T> => scheduler.run(p, ms);
    const wait = (ms: number): Promise<void> => run(firstValueFrom(timer(ms, scheduler)).then(() => undefined));
    const io = <T>(p: Promise<T>): Promise<T> => scheduler.track(p);
    const next = <T extends FaxDeskEvent['type']>(
      type: T,
      match: (e: Extract<FaxDeskEvent, { type: T }>) => boolean = () => true,
    ) =>
      firstValueFrom(
        desk.events$.pipe(
          filter(
            (e): e is Extract<FaxDeskEvent, { type: T }> =>
              e.type === type && match(e as Extract<FaxDeskEvent, { type: T }>),
          ),
        ),
      );

    beforeEach(async () => {
      scheduler = new VirtualScheduler();
      dir = mkdtempSync(join(tmpdir(), 'hotline-fax-'));
      store = await openSqliteStore({ dataDir: dir, clock: scheduler, synchronous: 'normal' });
      const year = new Date(scheduler.now()).getUTCFullYear() + 1; // 2026 in Beijing
      await store.billing.setPriceTable({
        category: 'residential',
        year,
        tiers: DEMO_RESIDENTIAL_TIERS,
      });
      await store.info.upsert({
        code: '401',
        category: 'regulation',
        title: '城镇燃气管理条例要点',
        body: '用户应当遵守安全用气规则，不得擅自安装、改装、拆除户内燃气设施。',
        updatedAt: scheduler.now(),
      });
      await store.info.upsert({
        code: '301',
        category: 'service',
        title: '开户办理',
        body: '新用户开户请携带房产证明、身份证原件到营业厅办理。',
        updatedAt: scheduler.now(),
      });
      tickets = new TicketService({
        tickets: store.tickets,
        departments: store.departments,
        audit: store.audit,
        clock: scheduler,
        timeZone: 'Asia/Shanghai',
      });
      engine = new SpandspFaxEngine();
      desk = await FaxDesk.open({
        store,
        tickets,
        scheduler,
        logger: silentLogger,
        dataDir: dir,
        locale: 'zh-CN',
        timeZone: 'Asia/Shanghai',
        centre: { name: '示例燃气集团', hotline: '96777' },
        engine,
        io,
        settings: { inboundNumbers: ['96778'], localId: '0571 96778', maxAttempts: 3, retryDelaysSeconds: [60] },
      });
      deskEvents = [];
      desk.events$.subscribe((e) => deskEvents.push(e));
      sim = new SimBoard({ scheduler, analogTrunks: 0, e1Spans: 1, stations: 2, faxEngine: engine });
      ivrEvents = [];
      center = await run(
        CallCenter.open({
          driver: sim.driver,
          scheduler,
          logger: silentLogger,
          services: desk.ivrServices(new FakeGasServices()),
          promptsDir,
          recordingsDir: join(dir, 'recordings'),
          onIvrEvent: (e) => ivrEvents.push(e),
        }),
      );
      desk.attach(center.board);
    });

    afterEach(async () => {
      if (desk) await run(desk.close());
      if (center) await run(center.close());
      if (store) await store.close();
      rmSync(dir, { recursive: true, force: true });
    });

    function atNode(node: string): Promise<void> {
      return new Promise<void>((resolve) => {
        const check = (): void => {
          let open = 0;
          for (const e of ivrEvents) {
            if (e.type === 'node-entered' && e.node === node) open++;
            else if (e.type === 'node-left' && e.node === node) open--;
          }
          if (open > 0) resolve();
          else setImmediate(check);
        };
        check();
      });
    }

    async function answer(party: SimParty, node: string, digits: string): Promise<void> {
      await run(atNode(node), 600_000);
      await wait(500);
      await run(party.press(digits));
    }

    async function hotlineCaller(from: string): Promise<SimParty> {
      const party = sim.call({ from, to: '96777', trunk: 'e1' });
      await run(party.whenConnected());
      await run(party.waitHeard(3000));
      return party;
    }

    /** A resolved ticket with a result, as a department leaves it. */
    async function resolvedTicket(phone: string): Promise<number> {
      const t = await io(
        tickets.open(SYSTEM, {
          type: 'complaint',
          subtype: 'service',
          description: '抄表员态度不好',
          channel: 'phone',
          callerPhone: phone,
        }),
      );
      if (!(await io(store.departments.getByCode('service'))))
        await io(store.departments.create({ code: 'service', name: '客户服务部', parentId: null, phone: null }));
      await io(tickets.assign(SYSTEM, t.id, 'service'));
      await io(tickets.start(SYSTEM, t.id));
      await io(tickets.resolve(SYSTEM, t.id, '已约谈当事抄表员并批评教育，向您致歉。'));
      return t.id;
    }

    const faxNotes = async (ticketId: number): Promise<string[]> =>
      (await io(tickets.history(SYSTEM, ticketId)))
        .filter((h) => h.actor === 'fax' && h.note?.includes('传真'))
        .map((h) => h.note ?? '');

    it('renders the documents at start and reuses them when unchanged', async () => {
      for (const kind of ['prices', 'regulations', 'forms'] as const) expect(desk.documents[kind]).toHaveLength(1);
      const again = await FaxDesk.open({
        store,
        tickets,
        scheduler,
        logger: silentLogger,
        dataDir: dir,
        locale: 'zh-CN',
        timeZone: 'Asia/Shanghai',
        centre: { name: '示例燃气集团', hotline: '96777' },
        engine,
        io,
      });
      const { prepareFaxDocuments } = await import('../src/server/fax-documents.js');
      const report = await prepareFaxDocuments({
        store,
        dir: join(dir, 'documents'),
        clock: scheduler,
        timeZone: 'Asia/Shanghai',
        locale: 'zh-CN',
        company: '示例燃气集团',
        hotline: '96777',
        faxLine: '96778',
        logger: silentLogger,
      });
      expect(report.reused).toEqual(['prices', 'regulations', 'forms']);
      expect(again.documents).toEqual(desk.documents);
      // A changed price table makes the price list again, and only it.
      await store.billing.setPriceTable({ category: 'commercial', year: 2026, tiers: DEMO_COMMERCIAL_TIERS });
      const changed = await prepareFaxDocuments({
        store,
        dir: join(dir, 'documents'),
        clock: scheduler,
        timeZone: 'Asia/Shanghai',
        locale: 'zh-CN',
        company: '示例燃气集团',
        hotline: '96777',
        faxLine: '96778',
        logger: silentLogger,
      });
      expect(changed.rendered).toEqual(['prices']);
      await again.close();
    });

    it('fax on demand on the same call: key 8, the price list, press Start; the caller’s machine gets the pages the server rendered', async () => {
      const party = await hotlineCaller('057187650000');
      await answer(party, 'main-menu', '8');
      await answer(party, 'fax-menu', '1');
      await answer(party, 'fax-how', '1');
      await run(atNode('fax-send'));
      // The caller presses Start: their machine (the calling side) receives.
      const got = join(dir, 'caller-got.tif');
      const result = await run(party.fax(engine, { direction: 'receive', files: [got], calling: true }));
      expect(result).toMatchObject({ success: true }); // no TSI: the IVR's fax node takes no local id
      const pages = await expectSamePages(desk.documents.prices[0]!, got);
      expect(result.pages).toBe(pages);
      await wait(5000);
      party.hangup();
      await wait(2000);
      const left = ivrEvents.find((e) => e.type === 'node-left' && e.node === 'fax-send');
      expect(left && 'result' in left ? left.result : undefined).toBe('ok');
    });

    it('fax on demand to a keyed number: queued, then delivered by an outbound fax call', async () => {
      const got = join(dir, 'office-got.tif');
      let machine: FaxResult | undefined;
      sim.subscriber('057155550000', {
        type: 'fax',
        machine: { engine, direction: 'receive', files: [got], onResult: (r) => (machine = r) },
      });
      const party = await hotlineCaller('13800000002');
      await answer(party, 'main-menu', '8');
      await answer(party, 'fax-menu', '2');
      await answer(party, 'fax-how', '2');
      const finished = next('finished');
      await answer(party, 'fax-number', '057155550000#');
      await wait(15_000);
      party.hangup();
      const done = await run(finished);
      expect(done.delivery.delivered).toBe(true);
      expect(done.documentCode).toBe('regulations');
      expect(machine).toMatchObject({ success: true });
      await expectSamePages(desk.documents.regulations[0]!, got);
      expect((await io(store.faxes.get(done.faxId)))?.status).toBe('sent');
    });

    it('a complaint fax on the fax line becomes a complaint ticket with the fax attached; the sender gets an acknowledgement with the tracking number', async () => {
      const complaint = join(dir, 'complaint.tif');
      await writeFile(
        complaint,
        await renderTextFax('投诉：11月20日上门抄表员态度恶劣，要求处理。\nComplaint about the meter reader.', {
          company: '王先生',
          date: '2026-01-01',
        }),
      );
      const ackGot = join(dir, 'ack-got.tif');
      let senderResult: FaxResult | undefined;
      let ackResult: FaxResult | undefined;
      // The sender's fax machine: it calls in and sends, and answers the call-back with the acknowledgement.
      sim.subscriber('057188880000', {
        type: 'fax',
        machine: { engine, direction: 'receive', files: [ackGot], onResult: (r) => (ackResult = r) },
      });
      const received = next('received');
      const ackDone = next('finished', (e) => e.documentCode === 'ack');
      sim.call({
        from: '057188880000',
        to: '96778',
        trunk: 'e1',
        fax: {
          engine,
          direction: 'send',
          files: [complaint],
          localId: '0571 8888 0000',
          onResult: (r) => (senderResult = r),
        },
      });
      const { outcome } = await run(received);
      expect(outcome).toMatchObject({ pages: 1, result: 'OK' });
      expect(senderResult).toMatchObject({ success: true, pages: 1 });
      // The ticket and its fax are committed.
      const ticket = (await io(tickets.getByTrackingNo(SYSTEM, outcome.trackingNumber!)))!;
      expect(ticket).toMatchObject({
        type: 'complaint',
        channel: 'fax',
        callerPhone: '057188880000',
        status: 'accepted',
      });
      const stored = (await io(store.faxes.get(outcome.faxId!)))!;
      expect(stored).toMatchObject({
        direction: 'inbound',
        ticketId: ticket.id,
        pages: 1,
        status: 'received',
        remoteNumber: '057188880000',
      });
      expect(stored.callId).not.toBeNull();
      await expectSamePages(complaint, join(dir, stored.relPath));
      const call = await io(store.interactions.get(stored.callId!));
      expect(call).toMatchObject({ media: 'fax', outcome: 'self_service', service: 'fax' });
      expect(await io(store.interactions.ticketIds(stored.callId!))).toEqual([ticket.id]);
      // The acknowledgement: rendered with the tracking number, delivered by calling back.
      const ack = await run(ackDone);
      expect(ack.delivery.delivered).toBe(true);
      expect(ackResult).toMatchObject({ success: true, remoteId: '0571 96778' });
      const ackStored = (await io(store.faxes.get(ack.faxId)))!;
      expect(ackStored).toMatchObject({
        direction: 'outbound',
        ticketId: ticket.id,
        documentCode: 'ack',
        status: 'sent',
        remoteNumber: '057188880000',
      });
      await expectSamePages(join(dir, ackStored.relPath), ackGot);
      expect(faxMessage('zh-CN', 'ackBody', { tracking: ticket.trackingNo })).toContain(ticket.trackingNo);
      expect(await faxNotes(ticket.id)).toEqual([expect.stringContaining('受理回执')]);
    });

    it('a sender hanging up mid-page: the pages that arrived are filed as an incomplete complaint fax, the call recorded as failed', async () => {
      const complaint = join(dir, 'long.tif');
      const long = Array.from(
        { length: 160 },
        (_, i) => `第${i + 1}行：燃气管道施工后路面未恢复，影响出行，请尽快处理。`,
      ).join('\n');
      await writeFile(complaint, await renderTextFax(long, { company: '李女士', date: '2026-01-01' }));
      const sent = await decodeFaxTiff(complaint);
      expect(sent.length).toBeGreaterThanOrEqual(3);
      sim.subscriber('057177770000', { type: 'no-answer' });
      const party = sim.call({
        from: '057177770000',
        to: '96778',
        trunk: 'e1',
        fax: { engine, direction: 'send', files: [complaint] },
      });
      // Hang up a few seconds into page 2.
      await run(next('receiving', (e) => e.progress.phase === 'page' && e.progress.page === 2));
      await wait(3000);
      party.hangup();
      const { outcome } = await run(next('received'));
      expect(outcome).toMatchObject({ pages: 1, result: 'ERR_HANGUP' });
      const ticket = (await io(store.tickets.get(outcome.ticketId!)))!;
      expect(ticket.channel).toBe('fax');
      expect(ticket.description).toContain('传输中断');
      const stored = (await io(store.faxes.get(outcome.faxId!)))!;
      const got = await decodeFaxTiff(join(dir, stored.relPath));
      expect(got).toHaveLength(1);
      expect(sameBitmap(got[0]!, sent[0]!)).toBe(true);
      expect(await io(store.interactions.get(stored.callId!))).toMatchObject({ outcome: 'failed', media: 'fax' });
      const steps = await io(store.interactions.steps(stored.callId!));
      expect(steps.find((s) => s.kind === 'fax')?.detail).toMatchObject({ result: 'ERR_HANGUP', pages: 1 });
      // The acknowledgement is still attempted (the number does not answer): retried, then given up, all in the history.
      const ack = await run(next('finished', (e) => e.documentCode === 'ack'));
      expect(ack.delivery.attempts.map((a) => a.outcome)).toEqual(['no-answer', 'no-answer', 'no-answer']);
      const notes = await faxNotes(ticket.id);
      expect(notes).toHaveLength(3);
      expect(notes[2]).toContain('停止重试');
    });

    it('a ticket result by fax: the number is busy, the retry a minute later delivers; each attempt is in the history and the ticket is informed', async () => {
      const ticketId = await resolvedTicket('057166660000');
      sim.subscriber('057166660000', { type: 'busy' });
      const got = join(dir, 'result-got.tif');
      const firstAttempt = next('attempt');
      const queued = await run(desk.sendTicketResult({ ticketId }));
      expect((await io(store.faxes.get(queued.faxId)))?.status).toBe('queued');
      const a1 = await run(firstAttempt);
      expect(a1.attempt).toMatchObject({ attempt: 1, outcome: 'busy', retryInMs: 60_000 });
      // The line is free by the time of the retry.
      sim.subscriber('057166660000', { type: 'fax', machine: { engine, direction: 'receive', files: [got] } });
      const d = await run(queued.delivery);
      expect(d.delivered).toBe(true);
      expect(d.attempts.map((a) => a.outcome)).toEqual(['busy', 'sent']);
      const stored = (await io(store.faxes.get(queued.faxId)))!;
      expect(stored).toMatchObject({ status: 'sent', ticketId, documentCode: 'result' });
      await expectSamePages(join(dir, stored.relPath), got);
      const t = (await io(store.tickets.get(ticketId)))!;
      expect(t.status).toBe('informed');
      const history = await io(tickets.history(SYSTEM, ticketId));
      const fax = history.filter((h) => h.actor === 'fax');
      expect(fax.map((h) => h.action)).toEqual(['note', 'inform']);
      expect(fax[0]!.note).toContain('占线');
      expect(fax[1]!.note).toContain('传真已送达');
    });

    it('a ticket result by fax where a person answers (no fax tone): every attempt fails, recorded, the ticket stays resolved', async () => {
      const ticketId = await resolvedTicket('057122220000');
      sim.subscriber('057122220000', { type: 'answer', afterRings: 1 });
      const queued = await run(desk.sendTicketResult({ ticketId }));
      const d = await run(queued.delivery);
      expect(d.delivered).toBe(false);
      expect(d.attempts.map((a) => a.outcome)).toEqual(['no-fax', 'no-fax', 'no-fax']);
      expect(d.attempts[0]!.result?.result).toMatch(/T0_EXPIRED|T1_EXPIRED/);
      expect((await io(store.faxes.get(queued.faxId)))?.status).toBe('failed');
      expect((await io(store.tickets.get(ticketId)))?.status).toBe('resolved');
      const notes = await faxNotes(ticketId);
      expect(notes).toHaveLength(3);
      expect(notes[0]).toContain('无传真信号');
      expect(notes[2]).toContain('停止重试');
    });

    it('a ticket result by fax where the far machine hangs up mid-page: recorded and retried, then delivered', async () => {
      const ticketId = await resolvedTicket('057133330000');
      const got = join(dir, 'retry-got.tif');
      // First a machine whose line drops half a second into page 1 (its own engine tells when the page starts), then a good one.
      sim.subscriber('057133330000', {
        type: 'answer',
        afterRings: 1,
        silent: true,
        script: async (party) => {
          const dropping: SoftFaxEngine = {
            available: true,
            start: (options) =>
              engine.start({
                ...options,
                onProgress: (p) => {
                  options.onProgress(p);
                  if (p.phase === 'page') timer(500, scheduler).subscribe(() => party.hangup());
                },
              }),
          };
          await party
            .fax(dropping, { direction: 'receive', files: [join(dir, 'dropped.tif')], calling: false })
            .catch(() => undefined);
        },
      });
      const firstAttempt = next('attempt');
      const queued = await run(desk.sendTicketResult({ ticketId }));
      const a1 = await run(firstAttempt);
      expect(a1.attempt).toMatchObject({ outcome: 'hung-up', detail: 'ERR_HANGUP' });
      sim.subscriber('057133330000', { type: 'fax', machine: { engine, direction: 'receive', files: [got] } });
      const d = await run(queued.delivery);
      expect(d.attempts.map((a) => a.outcome)).toEqual(['hung-up', 'sent']);
      const notes = await faxNotes(ticketId);
      expect(notes[0]).toContain('中途挂机');
      expect((await io(store.tickets.get(ticketId)))?.status).toBe('informed');
    });

    it('refuses a result fax without a result or a number, before any call', async () => {
      const t = await io(
        tickets.open(SYSTEM, { type: 'complaint', subtype: 'service', description: 'x', channel: 'phone' }),
      );
      await expect(run(desk.sendTicketResult({ ticketId: t.id }))).rejects.toMatchObject({
        code: 'ERR_INVALID',
        details: { field: 'result' },
      });
      expect(desk.isFaxNumber('057155550000')).toBe(true);
      expect(desk.isFaxNumber('0085212345678')).toBe(false);
      expect(desk.isFaxNumber('13800000000')).toBe(false);
    });
  },
);

describe('fax desk without a fax engine', () => {
  it('has no engine and no documents; callers are told fax is unavailable, results by fax are refused', async () => {
    const scheduler = new VirtualScheduler();
    const dir = mkdtempSync(join(tmpdir(), 'hotline-nofax-'));
    const store = await openSqliteStore({ dataDir: dir, clock: scheduler, synchronous: 'normal' });
    try {
      const tickets = new TicketService({
        tickets: store.tickets,
        departments: store.departments,
        audit: store.audit,
        clock: scheduler,
      });
      const missing = {
        available: false,
        unavailableReason: 'libspandsp not installed (apt-get install libspandsp-dev)',
        start: () => {
          throw new Error('unavailable');
        },
      };
      const desk = await FaxDesk.open({
        store,
        tickets,
        scheduler,
        logger: silentLogger,
        dataDir: dir,
        locale: 'en',
        timeZone: 'Asia/Shanghai',
        centre: { name: 'Gas', hotline: '96777' },
        engine: missing,
      });
      expect(desk.engine).toBeUndefined();
      const fake = new FakeGasServices();
      const services = desk.ivrServices(fake);
      expect(await services.faxDocuments()).toEqual({ prices: [], regulations: [], forms: [] });
      // The view shares the wrapped services' state.
      expect(await services.verifyQueryPassword('12345678', '000000')).toBe(false);
      expect(fake.failedLogins).toBe(1);
      const t = await tickets.open(SYSTEM, {
        type: 'complaint',
        subtype: 'service',
        description: 'x',
        channel: 'phone',
        callerPhone: '057155550000',
      });
      await expect(desk.sendTicketResult({ ticketId: t.id })).rejects.toMatchObject({
        code: 'ERR_INVALID',
        details: { field: 'fax', reason: 'unavailable' },
      });
      await desk.close();
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
