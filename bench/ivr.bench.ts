/**
 * B-IVR: how many concurrent IVR sessions one core holds on board-sim, and the cost per session.
 *
 * Every session is a real call on a simulated analog trunk: the IVR answers, plays a menu
 * (the committed Mandarin prompt set, 8 kHz), the simulated caller barges in with real DTMF
 * tones every 2–5 s that the board's soft detector must hear, and the IVR speaks a money amount,
 * a date or a prompt before the menu again. Media is 20 ms frames both ways on every line.
 *
 * 1. Virtual time (deterministic): N sessions for 30 s of call time; the process CPU time it
 *    takes (user + system) is the cost (wall time is shown too; it is larger on a shared
 *    machine). Real-time factor = CPU time / call time; < 1 means one core keeps up.
 * 2. Real time: 500 sessions for 5 s with the rxjs asyncScheduler; frames delivered vs expected
 *    and CPU use.
 * Both count the caller's key presses the IVR recognised (must be all of them).
 *
 * Baseline in the same run: the same N lines with media flowing but no IVR (callers connected to
 * a channel that only plays the prompt in a loop), to separate board-sim's DSP from the IVR.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { asyncScheduler, firstValueFrom, timer, type SchedulerLike } from 'rxjs';
import { openBoard, VirtualScheduler, type Board } from '@hotline/cti-core';
import { SimBoard, seededRandom, type SimParty } from '@hotline/board-sim';
import { defineFlow, IvrRuntime, PromptCatalog } from '@hotline/ivr';

const here = dirname(fileURLToPath(import.meta.url));
const catalog = new PromptCatalog({ root: join(here, '..', 'packages', 'ivr', 'prompts') });

const flow = defineFlow({
  name: 'bench',
  prompts: [],
  async run(ctx) {
    for (;;) {
      const k = await ctx.menu({
        id: 'main',
        prompt: 'vm.review',
        choices: ['1', '2', '3'],
        timeoutMs: 8000,
        maxFailures: 100,
      });
      if (k === '1') await ctx.say({ type: 'money', value: '1234.56' }, { id: 'money' });
      else if (k === '2') await ctx.say({ type: 'date', value: '2026-01-31', weekday: true }, { id: 'date' });
      else await ctx.play('ivr.please-wait', { id: 'wait' });
    }
  },
});

interface Setup {
  readonly sim: SimBoard;
  readonly board: Board;
  readonly runtime: IvrRuntime | undefined;
  readonly callers: SimParty[];
  pressed: number;
  recognised: number;
  stop: boolean;
}

async function setup(
  n: number,
  scheduler: SchedulerLike,
  withIvr: boolean,
  drive: (p: Promise<unknown>) => Promise<unknown>,
): Promise<Setup> {
  const sim = new SimBoard({ scheduler, analogTrunks: n, keepAudio: false });
  const board = (await drive(openBoard(sim.driver, { scheduler }))) as Board;
  const runtime = withIvr ? new IvrRuntime({ catalog, scheduler }) : undefined;
  if (runtime) await runtime.start([flow]);
  const s: Setup = { sim, board, runtime, callers: [], pressed: 0, recognised: 0, stop: false };
  runtime?.events$.subscribe((e) => {
    if (e.type === 'input' && e.valid) s.recognised++;
  });
  board.incoming$.subscribe(({ channel }) => {
    if (runtime) void runtime.run(channel, flow);
    else
      void channel.answer().then(async () => {
        while (channel.state.state === 'connected')
          await channel.play(catalog.path('vm.review')).catch(() => undefined);
      });
  });
  for (let i = 0; i < n; i++) s.callers.push(sim.call({ from: `1380000${String(i).padStart(4, '0')}` }));
  await drive(Promise.all(s.callers.map((c) => c.whenConnected())));
  s.callers.forEach((caller, i) => {
    const rnd = seededRandom(i + 1);
    void (async () => {
      while (!s.stop && caller.connected) {
        await firstValueFrom(timer(2000 + Math.floor(rnd() * 3000), scheduler));
        if (s.stop || !caller.connected) break;
        s.pressed++;
        await caller.press(String(1 + Math.floor(rnd() * 3)));
      }
    })();
  });
  return s;
}

async function teardown(s: Setup, drive: (p: Promise<unknown>) => Promise<unknown>): Promise<void> {
  s.stop = true;
  for (const c of s.callers) c.hangup();
  await drive(firstValueFrom(timer(500)));
  s.runtime?.close();
  await drive(s.board.close());
}

async function virtualRun(
  n: number,
  withIvr: boolean,
): Promise<{
  wallMs: number;
  cpuMs: number;
  rtf: number;
  usPerSessionSecond: number;
  pressed: number;
  recognised: number;
}> {
  const scheduler = new VirtualScheduler();
  const drive = (p: Promise<unknown>): Promise<unknown> => scheduler.run(p, 120_000, 20);
  const s = await setup(n, scheduler, withIvr, drive);
  await scheduler.advanceBy(1000); // settle
  const pressed0 = s.pressed;
  const recognised0 = s.recognised;
  const callMs = 30_000;
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  for (let t = 0; t < callMs; t += 1000) await scheduler.advanceBy(1000);
  const cpu = process.cpuUsage(c0);
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const cpuMs = (cpu.user + cpu.system) / 1000;
  s.stop = true;
  await scheduler.advanceBy(3000); // let the last key presses be recognised
  const pressed = s.pressed - pressed0;
  const recognised = s.recognised - recognised0;
  for (const c of s.callers) c.hangup();
  await scheduler.advanceBy(2000);
  s.runtime?.close();
  await scheduler.run(s.board.close());
  return {
    wallMs,
    cpuMs,
    rtf: cpuMs / callMs,
    usPerSessionSecond: (cpuMs * 1000) / (n * (callMs / 1000)),
    pressed,
    recognised,
  };
}

async function realRun(
  n: number,
  seconds: number,
): Promise<{ frameRatio: number; cpuPercent: number; pressed: number; recognised: number }> {
  const drive = (p: Promise<unknown>): Promise<unknown> => p;
  const s = await setup(n, asyncScheduler, true, drive);
  await firstValueFrom(timer(1000));
  const f0 = s.sim.frames;
  const p0 = s.pressed;
  const r0 = s.recognised;
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  await firstValueFrom(timer(seconds * 1000));
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(c0);
  const frames = s.sim.frames - f0;
  s.stop = true;
  await firstValueFrom(timer(3000));
  const out = {
    frameRatio: frames / (n * (wall / 20)),
    cpuPercent: ((cpu.user + cpu.system) / 1000 / wall) * 100,
    pressed: s.pressed - p0,
    recognised: s.recognised - r0,
  };
  await teardown(s, drive);
  return out;
}

/** Entry point for `npm run bench`. */
export async function run(): Promise<void> {
  console.log('virtual time, 30 s of calls (CPU cost; real-time factor < 1 = one core keeps up)');
  console.log('sessions  mode          CPU (wall)       RTF    µs CPU per session-second  keys pressed/recognised');
  let ivrCost = 0;
  let baseCost = 0;
  for (const n of [100, 500, 1000]) {
    for (const withIvr of [false, true]) {
      const r = await virtualRun(n, withIvr);
      if (n === 500 && withIvr) ivrCost = r.usPerSessionSecond;
      if (n === 500 && !withIvr) baseCost = r.usPerSessionSecond;
      console.log(
        `${String(n).padStart(8)}  ${(withIvr ? 'IVR' : 'media only').padEnd(12)}  ${(r.cpuMs / 1000).toFixed(2).padStart(6)} s (${(r.wallMs / 1000).toFixed(1).padStart(5)} s)  ${r.rtf
          .toFixed(3)
          .padStart(
            5,
          )}  ${r.usPerSessionSecond.toFixed(1).padStart(25)}  ${withIvr ? `${r.pressed}/${r.recognised}` : '-'}`,
      );
    }
  }
  const capacity = Math.floor(1e6 / ivrCost);
  console.log(
    `=> one core holds about ${capacity} IVR sessions (${ivrCost.toFixed(1)} µs CPU per session-second at 500; ` +
      `the IVR itself adds ${(ivrCost - baseCost).toFixed(1)} µs over board-sim's media and DSP)`,
  );
  console.log('\nreal time (rxjs asyncScheduler), 500 sessions for 5 s');
  const rt = await realRun(500, 5);
  console.log(
    `frames delivered/expected ${(rt.frameRatio * 100).toFixed(1)}% (board-sim's 20 ms clock drifts by its own processing time), ` +
      `CPU ${rt.cpuPercent.toFixed(0)}% of one core, keys pressed/recognised ${rt.pressed}/${rt.recognised}`,
  );
}
