/**
 * Demo traffic: simulated callers with a realistic mix of what people call a gas hotline for.
 * Each caller listens to the IVR (it follows the call's path as the IVR reports it, the way a
 * person waits for the menu), keys real DTMF tones and hangs up when done, or talks to an agent.
 *
 * @module
 */
import { filter, firstValueFrom, timer, type Observable, type SchedulerLike, type Subscription } from 'rxjs';
import type { Board, Logger } from '@hotline/cti-core';
import { seededRandom, synthesizeSpeech, type SimBoard, type SimParty } from '@hotline/board-sim';
import type { IvrEvent } from '@hotline/ivr';

/** A known account the generator can use for bill queries. */
export interface DemoAccount {
  readonly customerNo: string;
  readonly password: string;
  readonly phone?: string;
}

/** Options of {@link TrafficGenerator}. */
export interface TrafficOptions {
  readonly sim: SimBoard;
  readonly board: Board;
  readonly ivrEvents$: Observable<IvrEvent>;
  readonly scheduler: SchedulerLike;
  readonly logger: Logger;
  /** Mean arrivals per hour (Poisson). */
  readonly callsPerHour: number;
  /** Accounts callers know the password of. */
  readonly accounts: readonly DemoAccount[];
  /** Tracking numbers callers may ask about (grows as tickets are opened). */
  readonly trackingNumbers: () => readonly string[];
  readonly seed?: number;
}

/** What the callers came for, with their share of calls. */
export const CALL_MIX: readonly (readonly [kind: CallerIntent, share: number])[] = [
  ['leak', 0.04],
  ['repair', 0.14],
  ['bill', 0.34],
  ['info', 0.1],
  ['status', 0.1],
  ['complaint-agent', 0.05],
  ['complaint-voicemail', 0.05],
  ['agent', 0.18],
];

/** A caller's intent. */
export type CallerIntent =
  'leak' | 'repair' | 'bill' | 'info' | 'status' | 'complaint-agent' | 'complaint-voicemail' | 'agent';

/** Counters of the generated traffic. */
export interface TrafficCounters {
  started: number;
  finished: number;
  blocked: number;
  byIntent: Record<CallerIntent, number>;
}

/** Generates calls until stopped. */
export class TrafficGenerator {
  readonly counters: TrafficCounters = {
    started: 0,
    finished: 0,
    blocked: 0,
    byIntent: {
      leak: 0,
      repair: 0,
      bill: 0,
      info: 0,
      status: 0,
      'complaint-agent': 0,
      'complaint-voicemail': 0,
      agent: 0,
    },
  };
  private readonly options: TrafficOptions;
  private readonly rnd: () => number;
  private next: Subscription | undefined;
  private stopped = false;
  private readonly nodes = new Map<string, Set<string>>();
  private readonly eventsSub: Subscription;

  constructor(options: TrafficOptions) {
    this.options = options;
    this.rnd = seededRandom(options.seed ?? 96777);
    this.eventsSub = options.ivrEvents$.subscribe((e) => {
      if (e.type === 'node-entered') {
        let open = this.nodes.get(e.callId);
        if (!open) this.nodes.set(e.callId, (open = new Set()));
        open.add(e.node);
      } else if (e.type === 'node-left') {
        this.nodes.get(e.callId)?.delete(e.node);
      } else if (e.type === 'call-ended') {
        this.nodes.delete(e.callId);
      }
    });
  }

  /** Starts generating calls. */
  start(): void {
    this.stopped = false;
    this.schedule();
  }

  /** Stops generating new calls (calls in progress go on). */
  stop(): void {
    this.stopped = true;
    this.next?.unsubscribe();
    this.eventsSub.unsubscribe();
  }

  /** Places one call with a given intent now; resolves when the caller hangs up. */
  async call(intent: CallerIntent): Promise<void> {
    const { sim } = this.options;
    const account = this.pick(this.options.accounts);
    const from =
      account?.phone ?? `1${3 + Math.floor(this.rnd() * 6)}${String(Math.floor(this.rnd() * 1e9)).padStart(9, '0')}`;
    this.counters.started++;
    this.counters.byIntent[intent]++;
    const party = sim.call({ from, to: '96777', trunk: 'e1', giveUpAfterMs: 60_000 });
    try {
      await party.whenConnected();
    } catch {
      this.counters.blocked++;
      return;
    }
    try {
      await this.script(party, intent, account);
    } catch (error) {
      this.options.logger.debug('simulated caller stopped', { error: String(error) });
    } finally {
      if (!party.release) party.hangup();
      this.counters.finished++;
    }
  }

  private schedule(): void {
    if (this.stopped) return;
    const meanMs = 3_600_000 / Math.max(1, this.options.callsPerHour);
    const gap = -Math.log(Math.max(1e-9, this.rnd())) * meanMs;
    this.next = timer(gap, this.options.scheduler).subscribe(() => {
      void this.call(this.intent());
      this.schedule();
    });
  }

  private intent(): CallerIntent {
    let r = this.rnd();
    for (const [kind, share] of CALL_MIX) {
      if ((r -= share) <= 0) return kind;
    }
    return 'agent';
  }

  private pick<T>(list: readonly T[]): T | undefined {
    return list.length === 0 ? undefined : list[Math.floor(this.rnd() * list.length)];
  }

  private wait(ms: number): Promise<void> {
    return firstValueFrom(timer(ms, this.options.scheduler)).then(() => undefined);
  }

  /** Waits until the call is in IVR node `node` (as a caller waits for the right prompt). */
  private async at(party: SimParty, node: string, maxMs = 120_000): Promise<boolean> {
    const callId = party.channel ? this.options.board.channel(party.channel).call?.id : undefined;
    if (!callId) return false;
    const reached = firstValueFrom(
      this.options.ivrEvents$.pipe(filter((e) => e.type === 'node-entered' && e.callId === callId && e.node === node)),
    ).then(() => true);
    if (this.nodes.get(callId)?.has(node)) return true;
    return Promise.race([reached, this.wait(maxMs).then(() => false), party.whenReleased().then(() => false)]);
  }

  private async key(party: SimParty, node: string, digits: string): Promise<boolean> {
    if (!(await this.at(party, node))) return false;
    await this.wait(800 + this.rnd() * 2500); // listens to part of the prompt, then keys
    if (party.release) return false;
    await party.press(digits);
    return true;
  }

  /** Talks to an agent until someone hangs up. */
  private async talk(party: SimParty, maxMs: number): Promise<void> {
    const end = this.wait(maxMs);
    while (!party.release) {
      const burst = synthesizeSpeech({ durationMs: 1500 + this.rnd() * 3000, seed: Math.floor(this.rnd() * 1e6) });
      const r = await Promise.race([party.say(burst).then(() => 'said' as const), end.then(() => 'timeout' as const)]);
      if (r === 'timeout') return;
      await Promise.race([this.wait(1000 + this.rnd() * 4000), end]);
    }
  }

  private async script(party: SimParty, intent: CallerIntent, account: DemoAccount | undefined): Promise<void> {
    const patience = 240_000 + this.rnd() * 300_000;
    switch (intent) {
      case 'leak':
        if (await this.key(party, 'main-menu', '1')) await this.talk(party, patience);
        return;
      case 'repair':
        if (!(await this.key(party, 'main-menu', '2'))) return;
        if (await this.key(party, 'repair-menu', String(1 + Math.floor(this.rnd() * 3))))
          await this.at(party, 'anything-else');
        return;
      case 'bill':
        if (!account || !(await this.key(party, 'main-menu', '3'))) return;
        if (!(await this.key(party, 'account', `${account.customerNo}#`))) return;
        if (await this.key(party, 'password', account.password)) await this.at(party, 'anything-else');
        return;
      case 'info':
        if (!(await this.key(party, 'main-menu', '4'))) return;
        if (await this.key(party, 'info-menu', this.rnd() < 0.7 ? '1' : '2')) await this.at(party, 'anything-else');
        return;
      case 'status': {
        const tracking = this.pick(this.options.trackingNumbers());
        if (!tracking || !(await this.key(party, 'main-menu', '5'))) return;
        if (await this.key(party, 'tracking-number', `${tracking}#`)) await this.at(party, 'anything-else');
        return;
      }
      case 'complaint-agent':
        if (!(await this.key(party, 'main-menu', '6'))) return;
        if (await this.key(party, 'complaint-menu', '1')) await this.talk(party, patience);
        return;
      case 'complaint-voicemail':
        if (!(await this.key(party, 'main-menu', '6'))) return;
        if (!(await this.key(party, 'complaint-menu', '2'))) return;
        if (!(await this.at(party, 'complaint-voicemail.record'))) return;
        await this.wait(7000);
        await party.say(
          synthesizeSpeech({ durationMs: 5000 + this.rnd() * 15_000, seed: Math.floor(this.rnd() * 1e6) }),
        );
        await party.press('#');
        await this.key(party, 'complaint-voicemail.review', '3');
        await this.key(party, 'complaint-voicemail.callback', '1');
        if (await this.key(party, 'complaint-voicemail.reply', '1')) await this.at(party, 'anything-else');
        return;
      case 'agent':
        if (await this.key(party, 'main-menu', '0')) await this.talk(party, patience);
        return;
    }
  }
}
