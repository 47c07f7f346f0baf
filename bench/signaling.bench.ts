/**
 * B-R2 — China No.1 signalling: how many concurrent R2 call set-ups one core sustains in real
 * time, and the MF detector's cost per channel against the DTMF detector in the same run.
 *
 * Set-ups: N pairs of `ChinaNo1Line` engines back to back (R2Link, real MF audio both ways),
 * each pair placing calls continuously (8-digit called number, 11-digit calling number with KA,
 * KD, KB1, answer, clear-back, clear-forward), driven by a synchronous virtual clock; the
 * figure is simulated seconds per wall second (≥ 1 = the core keeps up in real time).
 */
import { Subscription, type SchedulerAction, type SchedulerLike } from 'rxjs';
import { DtmfDetector, MfDetector, addNoise, concatFrames, generateDtmf, generateMf } from '@hotline/cti-core/media';
import { ChinaNo1Line, R2Link, chinaNo1Config } from '@hotline/cti-core/signaling';

/**
 * A minimal synchronous virtual clock with a binary heap (rxjs's VirtualTimeScheduler keeps a
 * sorted array, O(n) per timer, which would dominate with thousands of engine timers).
 */
class HeapClock implements SchedulerLike {
  private t = 0;
  private seq = 0;
  private heap: { due: number; seq: number; run: () => void; sub: Subscription }[] = [];
  now(): number {
    return this.t;
  }
  schedule<T>(work: (this: SchedulerAction<T>, state?: T) => void, delay = 0, state?: T): Subscription {
    const sub = new Subscription() as Subscription & SchedulerAction<T>;
    const clock = this;
    let current = { due: 0, seq: 0, run: () => undefined as void, sub: sub as Subscription };
    (sub as unknown as { schedule: (s?: T, d?: number) => Subscription }).schedule = (s?: T, d = 0) => {
      current = { due: clock.t + d, seq: clock.seq++, run: () => work.call(sub, s), sub };
      clock.push(current);
      return sub;
    };
    (sub as unknown as { schedule: (s?: T, d?: number) => Subscription }).schedule(state, delay);
    sub.add(() => {
      current.run = () => undefined;
    });
    return sub;
  }
  runUntil(end: number): void {
    const h = this.heap;
    while (h.length > 0 && h[0]!.due <= end) {
      const e = this.pop()!;
      if (e.sub.closed) continue;
      this.t = e.due;
      e.run();
    }
    this.t = end;
  }
  private push(e: { due: number; seq: number; run: () => void; sub: Subscription }): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const a = h[i]!,
        b = h[p]!;
      if (b.due < a.due || (b.due === a.due && b.seq < a.seq)) break;
      h[i] = b;
      h[p] = a;
      i = p;
    }
  }
  private pop(): { due: number; seq: number; run: () => void; sub: Subscription } | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1,
          r = l + 1;
        let m = i;
        const less = (x: number, y: number): boolean =>
          h[x]!.due < h[y]!.due || (h[x]!.due === h[y]!.due && h[x]!.seq < h[y]!.seq);
        if (l < h.length && less(l, m)) m = l;
        if (r < h.length && less(r, m)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}

function setups(pairs: number, simulatedMs: number): { realtimeFactor: number; calls: number; wallMs: number } {
  const scheduler = new HeapClock();
  const outgoing = chinaNo1Config({ timers: { answerDelayMs: 150 } });
  const incoming = chinaNo1Config({ calledDigits: { min: 8, max: 8 } });
  const links: R2Link[] = [];
  let calls = 0;
  for (let i = 0; i < pairs; i++) {
    const a = new ChinaNo1Line({ channel: `a${i}`, scheduler, config: outgoing });
    const b = new ChinaNo1Line({ channel: `b${i}`, scheduler, config: incoming });
    const place = (): void => a.seize({ called: '88886666', caller: '13800138000' });
    b.events$.subscribe((e) => {
      if (e.type === 'offered') b.answer();
      if (e.type === 'answered') scheduler.schedule(() => b.release(), 200);
    });
    a.events$.subscribe((e) => {
      if (e.type === 'clear-back') a.release();
      if (e.type === 'idle') {
        calls++;
        scheduler.schedule(place, 20 + (i % 7) * 20);
      }
    });
    scheduler.schedule(place, (i % 50) * 20);
    links.push(new R2Link(a, b));
  }
  scheduler.schedule(function (this: { schedule(s?: unknown, d?: number): unknown }) {
    for (const l of links) l.tick();
    this.schedule(undefined, 20);
  }, 20);
  const t0 = performance.now();
  scheduler.runUntil(simulatedMs);
  const wallMs = performance.now() - t0;
  return { realtimeFactor: simulatedMs / wallMs, calls, wallMs };
}

function detectorCost(): { mfNsPerFrame: number; dtmfNsPerFrame: number } {
  const mfSignal = addNoise(
    concatFrames(
      Array.from({ length: 200 }, (_, i) =>
        concatFrames([generateMf('forward', (i % 15) + 1, 80), new Int16Array(320)]),
      ),
    ),
    { levelDbm0: -45 },
    1,
  );
  const dtmfSignal = addNoise(
    generateDtmf('0123456789*#ABCD'.repeat(12), { onMs: 80, offMs: 40 }),
    { levelDbm0: -45 },
    2,
  );
  const frames = (x: Int16Array): Int16Array[] =>
    Array.from({ length: Math.floor(x.length / 160) }, (_, i) => x.subarray(i * 160, i * 160 + 160));
  const mfFrames = frames(mfSignal);
  const dtmfFrames = frames(dtmfSignal);
  const time = (fn: () => void, n: number): number => {
    for (let i = 0; i < 3; i++) fn();
    let best = Infinity;
    for (let r = 0; r < 5; r++) {
      const t0 = process.hrtime.bigint();
      fn();
      best = Math.min(best, Number(process.hrtime.bigint() - t0) / n);
    }
    return best;
  };
  const mfNsPerFrame = time(() => {
    const d = new MfDetector('forward');
    for (const f of mfFrames) d.push(f);
  }, mfFrames.length);
  const dtmfNsPerFrame = time(() => {
    const d = new DtmfDetector();
    for (const f of dtmfFrames) d.push(f);
  }, dtmfFrames.length);
  return { mfNsPerFrame, dtmfNsPerFrame };
}

export async function run(): Promise<void> {
  const cost = detectorCost();
  const perChannel = (ns: number): string =>
    `${((ns / 20_000_000) * 100).toFixed(4)} % of a core per channel, ${Math.floor(20_000_000 / ns)} channels per core`;
  console.log(`MF detector:   ${cost.mfNsPerFrame.toFixed(0)} ns per 20 ms frame (${perChannel(cost.mfNsPerFrame)})`);
  console.log(
    `DTMF detector: ${cost.dtmfNsPerFrame.toFixed(0)} ns per 20 ms frame (${perChannel(cost.dtmfNsPerFrame)})`,
  );
  console.log(`MF / DTMF cost ratio: ${(cost.mfNsPerFrame / cost.dtmfNsPerFrame).toFixed(2)}`);
  for (const pairs of [250, 1000, 2000]) {
    const r = setups(pairs, 10_000);
    console.log(
      `${pairs} call pairs (${pairs * 2} engines, ${pairs} channels signalling): ${r.calls} complete calls in 10 s of line time, ` +
        `wall ${r.wallMs.toFixed(0)} ms → ${r.realtimeFactor.toFixed(2)}× real time ${r.realtimeFactor >= 1 ? '(sustained)' : '(NOT sustained)'}`,
    );
  }
}
