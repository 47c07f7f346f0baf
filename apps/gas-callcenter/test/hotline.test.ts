import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { firstValueFrom, timer } from 'rxjs';
import { VirtualScheduler, silentLogger } from '@hotline/cti-core';
import { readWav } from '@hotline/cti-core/media';
import { SimBoard, type SimParty } from '@hotline/board-sim';
import { planSay, type IvrEvent } from '@hotline/ivr';
import { CallCenter } from '../src/server/call-center.js';
import { SimulatedAgents } from '../src/server/demo/sim-agents.js';
import type { ConnectedCall } from '../src/server/telephony.js';
import { FakeGasServices } from './fake-services.js';

const promptsDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'prompts');

function audioOf(ids: readonly string[], locale = 'zh-CN'): Int16Array {
  const parts = ids.map((id) => readWav(readFileSync(join(promptsDir, locale, `${id}.wav`))).samples);
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** True when `needle` occurs in `haystack` (exact sample match at a frame-independent offset). */
function contains(haystack: Int16Array, needle: Int16Array): boolean {
  const probe = needle.subarray(0, Math.min(needle.length, 400));
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < probe.length; j++) if (haystack[i + j] !== probe[j]) continue outer;
    for (let j = probe.length; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

describe('the gas hotline on the simulated board (virtual time)', () => {
  let scheduler: VirtualScheduler;
  let sim: SimBoard;
  let center: CallCenter;
  let agents: SimulatedAgents;
  let services: FakeGasServices;
  let dir: string;
  let ivrEvents: IvrEvent[];
  let offers: { agentId: string; data: Readonly<Record<string, string | number | boolean>> }[];
  let connected: ConnectedCall[];
  const run = <T>(p: Promise<T>, ms = 1_800_000): Promise<T> =>
    scheduler.run(p, ms).catch((e: unknown) => {
      if (String(e).includes('still pending')) {
        const last = ivrEvents
          .slice(-25)
          .map(
            (x) =>
              `${x.type}:${'node' in x ? x.node : ''}${x.type === 'input' ? `=${x.digits}/${String(x.valid)}/${x.reason ?? ''}` : ''}`,
          );
        throw new Error(
          `${String(e)}\n  at ${new Error().stack?.split('\n').slice(2, 5).join(' | ')}\n  last IVR events: ${last.join(', ')}`,
        );
      }
      throw e;
    });
  const wait = (ms: number): Promise<void> => run(firstValueFrom(timer(ms, scheduler)).then(() => undefined));

  beforeEach(async () => {
    scheduler = new VirtualScheduler();
    dir = mkdtempSync(join(tmpdir(), 'hotline-'));
    sim = new SimBoard({ scheduler, analogTrunks: 0, e1Spans: 1, stations: 4 });
    services = new FakeGasServices();
    ivrEvents = [];
    offers = [];
    connected = [];
    center = await run(
      CallCenter.open({
        driver: sim.driver,
        scheduler,
        logger: silentLogger,
        services,
        promptsDir,
        recordingsDir: dir,
        onIvrEvent: (e) => ivrEvents.push(e),
        onOffer: (o) => offers.push(o),
        onConnected: (c) => connected.push(c),
      }),
    );
    agents = new SimulatedAgents({
      sim,
      board: center.board,
      acd: center.acd,
      scheduler,
      logger: silentLogger,
      meanTalkMs: 60_000,
      meanWrapMs: 5_000,
    });
  });

  afterEach(async () => {
    agents.stopAll();
    await run(center.close());
    rmSync(dir, { recursive: true, force: true });
  });

  /** Resolves when IVR node `node` is the node a call is in now (a menu or entry waiting for keys). */
  function atNode(node: string): Promise<void> {
    return new Promise<void>((resolve) => {
      const check = (): void => {
        const open = new Map<string, number>();
        for (const e of ivrEvents) {
          if (e.type === 'node-entered') open.set(e.node, (open.get(e.node) ?? 0) + 1);
          else if (e.type === 'node-left') open.set(e.node, (open.get(e.node) ?? 0) - 1);
        }
        if ((open.get(node) ?? 0) > 0) resolve();
        else setImmediate(check);
      };
      check();
    });
  }

  /** Waits for node `node`, then keys `digits`. */
  async function answer(party: SimParty, node: string, digits: string): Promise<void> {
    await run(atNode(node), 600_000);
    await wait(500);
    await run(party.press(digits));
  }

  /** A caller dials the hotline and keys `keys` once the main menu has started. */
  async function caller(from: string): Promise<SimParty> {
    const party = sim.call({ from, to: '96777', trunk: 'e1' });
    await run(party.whenConnected());
    await run(party.waitHeard(3000)); // the welcome prompt
    return party;
  }

  it('bill query: account and password keyed as tones, the arrears and the last bill spoken with the right amounts', async () => {
    const party = await caller('13912345678');
    await answer(party, 'main-menu', '3');
    await answer(party, 'account', '12345678#');
    await answer(party, 'password', '135790');
    await wait(40_000);
    const heard = party.heard();
    // 120.30 yuan of arrears: 一百二十元三角; the bill: 108.50 yuan, 35 m³.
    expect(planSay({ type: 'money', fen: 12030 })).toEqual(expect.arrayContaining(['say.yuan']));
    expect(contains(heard, audioOf(['gas.arrears-are', ...planSay({ type: 'money', fen: 12030 })]))).toBe(true);
    expect(contains(heard, audioOf([...planSay({ type: 'money', fen: 10850 })]))).toBe(true);
    expect(contains(heard, audioOf(['gas.usage', ...planSay({ type: 'number', value: 35 }), 'gas.cubic-meters']))).toBe(
      true,
    );
    // The password was never exposed in analytics.
    expect(JSON.stringify(ivrEvents)).not.toContain('135790');
    party.hangup();
  });

  it('a wrong password is refused and not spoken; the caller can retry', async () => {
    const party = await caller('13800000001');
    await answer(party, 'main-menu', '3');
    await answer(party, 'account', '12345678#');
    await answer(party, 'password', '000000');
    await wait(8000);
    expect(services.failedLogins).toBe(1);
    expect(contains(party.heard(), audioOf(['gas.wrong-password']))).toBe(true);
    party.hangup();
  });

  it('gas leak: an emergency ticket first, safety advice with the tracking number, then an emergency agent with a screen pop', async () => {
    agents.start(center.seats[0]!); // a001: emergency skill
    const party = await caller('13912345678');
    await answer(party, 'main-menu', '1');
    await wait(1000);
    expect(services.tickets.size).toBe(1);
    const [tracking, ticket] = [...services.tickets.entries()][0]!;
    expect(ticket.kind).toEqual({ type: 'emergency', subtype: 'gas-leak' });
    await wait(60_000);
    expect(
      contains(party.heard(), audioOf(['gas.ticket-number-is', ...planSay({ type: 'digits', value: tracking })])),
    ).toBe(true);
    expect(connected.map((c) => c.agentId)).toEqual(['a001']);
    expect(offers[0]).toMatchObject({
      agentId: 'a001',
      data: { reason: 'gas-leak', trackingNumber: tracking, customerNo: '12345678' },
    });
    party.hangup();
    await wait(1000);
    expect(center.telephony.calls).toHaveLength(0);
  });

  it('an emergency jumps the queue ahead of callers who were waiting first', async () => {
    // Nobody is logged in yet: three billing callers wait, then a leak is reported.
    const waiting: SimParty[] = [];
    for (const n of ['13800000011', '13800000012']) {
      const p = await caller(n);
      await run(p.press('0'));
      waiting.push(p);
    }
    await wait(5000);
    const leak = await caller('13800000013');
    await run(leak.press('1'));
    await wait(45_000);
    agents.start(center.seats[0]!);
    await wait(30_000);
    expect(connected[0]?.callerId).toBe('13800000013');
    for (const p of [...waiting, leak]) p.hangup();
  });

  it('complaint by voice mail: a durable ticket with the recording, the tracking number read out, then its status by phone', async () => {
    const party = await caller('13800000002');
    await answer(party, 'main-menu', '6');
    await answer(party, 'complaint-menu', '2');
    await run(atNode('complaint-voicemail.record'));
    await wait(8000); // greeting and beep
    const { synthesizeSpeech } = await import('@hotline/board-sim');
    await run(party.say(synthesizeSpeech({ durationMs: 6000, seed: 77 })));
    await run(party.press('#'));
    await answer(party, 'complaint-voicemail.review', '3'); // keep
    await answer(party, 'complaint-voicemail.callback', '1'); // call me back on this number
    await answer(party, 'complaint-voicemail.reply', '1'); // a reply is wanted
    await wait(40_000);
    const complaints = [...services.tickets.entries()].filter(([, t]) => t.kind.type === 'complaint');
    expect(complaints).toHaveLength(1);
    const [tracking, ticket] = complaints[0]!;
    expect(ticket.voicemail).toMatch(/\.wav$/);
    expect(
      contains(party.heard(), audioOf(['gas.ticket-number-is', ...planSay({ type: 'digits', value: tracking })])),
    ).toBe(true);
    party.hangup();

    // The department records a result; the caller calls back and hears the status.
    ticket.status = 'resolved';
    const again = await caller('13800000002');
    await answer(again, 'main-menu', '5');
    await answer(again, 'tracking-number', `${tracking}#`);
    await wait(30_000);
    expect(contains(again.heard(), audioOf(['gas.status-prefix', 'gas.status-resolved']))).toBe(true);
    again.hangup();
  });

  it('password change: old password checked, a trivial new one refused, the new one works afterwards', async () => {
    const party = await caller('13800000005');
    await answer(party, 'main-menu', '7');
    await answer(party, 'account', '12345678#');
    await answer(party, 'old-password', '135790');
    await answer(party, 'new-password', '111111'); // trivial: refused, asked again
    await answer(party, 'new-password', '246813');
    await answer(party, 'new-password-again', '246813');
    await wait(10_000);
    expect(services.passwords.get('12345678')).toBe('246813');
    expect(contains(party.heard(), audioOf(['gas.password-changed']))).toBe(true);
    expect(JSON.stringify(ivrEvents)).not.toMatch(/135790|246813|111111/);
    party.hangup();
    // The old password no longer opens the bill; the new one does.
    const again = await caller('13800000005');
    await answer(again, 'main-menu', '3');
    await answer(again, 'account', '12345678#');
    await answer(again, 'password', '246813');
    await wait(30_000);
    expect(contains(again.heard(), audioOf(['gas.arrears-are']))).toBe(true);
    again.hangup();
  });

  it('a tracking number with a wrong check digit is refused as invalid input', async () => {
    const party = await caller('13800000003');
    await answer(party, 'main-menu', '5');
    await answer(party, 'tracking-number', '20261126000#');
    await wait(5000);
    const invalid = ivrEvents.filter((e) => e.type === 'input' && !e.valid);
    expect(invalid.length).toBeGreaterThan(0);
    party.hangup();
  });

  it('the billing system being down gives a spoken fallback, not a dead line', async () => {
    services.down = true;
    const party = await caller('13800000004');
    await answer(party, 'main-menu', '3');
    await answer(party, 'account', '12345678#');
    await answer(party, 'password', '135790');
    await wait(15_000);
    expect(contains(party.heard(), audioOf(['ivr.service-unavailable']))).toBe(true);
    expect(party.release).toBeUndefined();
    party.hangup();
  });
});
