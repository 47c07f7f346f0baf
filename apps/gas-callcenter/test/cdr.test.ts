import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { firstValueFrom, timer } from 'rxjs';
import { VirtualScheduler, silentLogger } from '@hotline/cti-core';
import { SimBoard, synthesizeSpeech, type SimParty } from '@hotline/board-sim';
import { DtmfDetector, FRAME_SAMPLES, readWav } from '@hotline/cti-core/media';
import type { IvrEvent } from '@hotline/ivr';
import { AuthService } from '../src/domain/auth-service.js';
import { TicketService } from '../src/domain/ticket-service.js';
import { DEMO_QUERY_PASSWORD, seedDemoData } from '../src/seed/seed.js';
import { openSqliteStore, type SqliteStore } from '../src/storage/sqlite/sqlite-store.js';
import { CallCenter } from '../src/server/call-center.js';
import { CallDetailRecorder } from '../src/server/cdr.js';
import { createGasServices } from '../src/server/gas-services.js';
import { SimulatedAgents } from '../src/server/demo/sim-agents.js';

const promptsDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'prompts');
const CHEAP = { N: 1024, r: 8, p: 1 };

describe('call detail records on a real store (virtual time)', () => {
  let scheduler: VirtualScheduler;
  let dir: string;
  let store: SqliteStore;
  let sim: SimBoard;
  let center: CallCenter;
  let cdr: CallDetailRecorder;
  let ivrEvents: IvrEvent[];
  let recorded: string[];
  const run = <T>(p: Promise<T>, ms = 1_800_000): Promise<T> => scheduler.run(p, ms);
  const wait = (ms: number): Promise<void> => run(firstValueFrom(timer(ms, scheduler)).then(() => undefined));
  const atNode = (node: string): Promise<void> =>
    run(
      new Promise<void>((resolve) => {
        const poll = (): void => {
          const open = ivrEvents.reduce(
            (n, e) =>
              n +
              (e.type === 'node-entered' && e.node === node ? 1 : e.type === 'node-left' && e.node === node ? -1 : 0),
            0,
          );
          if (open > 0) resolve();
          else setImmediate(poll);
        };
        poll();
      }),
      600_000,
    );
  const key = async (party: SimParty, node: string, digits: string): Promise<void> => {
    await atNode(node);
    await wait(500);
    await run(party.press(digits));
  };

  beforeEach(async () => {
    scheduler = new VirtualScheduler();
    dir = mkdtempSync(join(tmpdir(), 'hotline-cdr-'));
    const io = <T>(p: Promise<T>): Promise<T> => scheduler.track(p);
    store = await openSqliteStore({ dataDir: dir, clock: scheduler, synchronous: 'normal' });
    await seedDemoData(store, { customers: 20, seed: 11, clock: scheduler, scrypt: CHEAP });
    const auth = new AuthService({
      users: store.users,
      customers: store.customers,
      departments: store.departments,
      audit: store.audit,
      clock: scheduler,
      scrypt: CHEAP,
    });
    const tickets = new TicketService({
      tickets: store.tickets,
      departments: store.departments,
      audit: store.audit,
      clock: scheduler,
    });
    const services = createGasServices({ store, auth, tickets, clock: scheduler, timeZone: 'Asia/Shanghai', io });
    sim = new SimBoard({ scheduler, analogTrunks: 0, e1Spans: 1, stations: 2 });
    ivrEvents = [];
    recorded = [];
    center = await run(
      CallCenter.open({
        driver: sim.driver,
        scheduler,
        logger: silentLogger,
        services,
        promptsDir,
        recordingsDir: join(dir, 'recordings'),
        onIvrEvent: (e) => ivrEvents.push(e),
        onRecording: (callId, r) =>
          void io(store.interactions.attachRecording(callId, readFileSync(r.path))).then(() => recorded.push(callId)),
      }),
    );
    cdr = new CallDetailRecorder({ store, board: center.board, ivr: center.ivr, scheduler, logger: silentLogger, io });
  });

  afterEach(async () => {
    await run(center.close());
    await cdr.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function caller(from: string): Promise<SimParty> {
    const party = sim.call({ from, to: '96777', trunk: 'e1' });
    await run(party.whenConnected());
    return party;
  }

  it('a self-service bill query: the service chosen, the IVR path and the outcome are recorded', async () => {
    const customers = await store.customers.search({ limit: 1 });
    const account = (await store.customers.accountsOf(customers[0]!.id))[0]!;
    const party = await caller('13700000001');
    await key(party, 'main-menu', '3');
    await key(party, 'account', `${account.accountNo}#`);
    await key(party, 'password', DEMO_QUERY_PASSWORD);
    await atNode('anything-else');
    party.hangup();
    await wait(2000);
    await run(cdr.close());
    const rows = await run(store.interactions.get('gas-1'));
    expect(rows).toMatchObject({
      callId: 'gas-1',
      caller: '13700000001',
      called: '96777',
      service: 'bill',
      outcome: 'self_service',
      direction: 'inbound',
    });
    expect(rows!.endedAt).toBeGreaterThan(rows!.startedAt);
    const steps = await run(store.interactions.steps('gas-1'));
    const nodes = steps.map((s) => s.detail['node']);
    expect(nodes).toEqual(expect.arrayContaining(['main-menu', 'account', 'password', 'bill-summary']));
    // The password itself is nowhere in the record.
    expect(JSON.stringify(steps)).not.toContain(DEMO_QUERY_PASSWORD);
    // The call was recorded (the password keyed while the recording was paused) and stored with the record.
    expect(recorded).toEqual(['gas-1']);
    const withRecording = await run(store.interactions.get('gas-1'));
    expect(withRecording!.recordingFileId).toEqual(expect.any(Number));
    const audio = readWav(readFileSync(join(dir, 'recordings', 'calls', 'gas-1.wav'))).samples;
    const detector = new DtmfDetector();
    let keyed = '';
    for (let i = 0; i + FRAME_SAMPLES <= audio.length; i += FRAME_SAMPLES)
      keyed += detector.push(audio.subarray(i, i + FRAME_SAMPLES));
    expect(keyed).toContain('3'); // the menu choice is in the recording…
    expect(keyed).not.toContain(DEMO_QUERY_PASSWORD); // …the password is not
    expect(keyed.replace(/#/g, '')).toBe(`3${account.accountNo}`);
  });

  it('a gas leak: the emergency ticket is linked to the call, which ends with an agent', async () => {
    const agents = new SimulatedAgents({
      sim,
      board: center.board,
      acd: center.acd,
      scheduler,
      logger: silentLogger,
      meanTalkMs: 20_000,
      meanWrapMs: 2_000,
    });
    agents.start(center.seats[0]!);
    const party = await caller('13700000002');
    await key(party, 'main-menu', '1');
    await run(party.whenReleased());
    await wait(3000);
    agents.stopAll();
    await run(cdr.close());
    const row = await run(store.interactions.get('gas-1'));
    expect(row).toMatchObject({ service: 'leak', outcome: 'agent' });
    const ticketIds = await run(store.interactions.ticketIds('gas-1'));
    expect(ticketIds).toHaveLength(1);
    const ticket = await run(store.tickets.get(ticketIds[0]!));
    expect(ticket).toMatchObject({
      type: 'emergency',
      subtype: 'gas_leak',
      callerPhone: '13700000002',
      status: 'assigned',
      description: '电话报告燃气泄漏（自助语音受理）',
    });
    expect((await run(store.departments.getByCode('repair')))?.id).toBe(ticket!.departmentId);
  });

  it('a complaint by voice mail on the real store: ticket, voice mail and call record linked, committed before "saved"', async () => {
    const party = await caller('13700000004');
    await key(party, 'main-menu', '6');
    await key(party, 'complaint-menu', '2');
    await atNode('complaint-voicemail.record');
    await wait(8000);
    await run(party.say(synthesizeSpeech({ durationMs: 4000, seed: 5 })));
    await run(party.press('#'));
    await key(party, 'complaint-voicemail.review', '3');
    await key(party, 'complaint-voicemail.callback', '1');
    await key(party, 'complaint-voicemail.reply', '1');
    await atNode('anything-else');
    party.hangup();
    await wait(2000);
    await run(cdr.close());
    const row = await run(store.interactions.get('gas-1'));
    expect(row).toMatchObject({ service: 'complaint', outcome: 'self_service' });
    const ticketIds = await run(store.interactions.ticketIds('gas-1'));
    expect(ticketIds).toHaveLength(1);
    const ticket = await run(store.tickets.get(ticketIds[0]!));
    expect(ticket).toMatchObject({ type: 'complaint', channel: 'voicemail', status: 'assigned' });
    const callbacks = await run(store.voicemails.pendingCallbacks());
    expect(callbacks).toHaveLength(1);
    expect(callbacks[0]).toMatchObject({ callbackNumber: '13700000004', ticketId: ticketIds[0] });
  });

  it('a caller who hangs up in the menu is an IVR abandon', async () => {
    const party = await caller('13700000003');
    await atNode('main-menu');
    party.hangup();
    await wait(2000);
    await run(cdr.close());
    expect(await run(store.interactions.get('gas-1'))).toMatchObject({ outcome: 'abandoned_ivr', service: null });
  });
});
