import { describe, expect, it } from 'vitest';
import { firstValueFrom, interval, take, timer, toArray } from 'rxjs';
import { VirtualScheduler } from './virtual-scheduler.js';

describe('VirtualScheduler', () => {
  it('runs timers in time order, same-instant ones in scheduling order', async () => {
    const s = new VirtualScheduler(0);
    const log: string[] = [];
    s.schedule(() => log.push('b@20'), 20);
    s.schedule(() => log.push('a@10'), 10);
    s.schedule(() => log.push('c@20'), 20);
    await s.advanceBy(15);
    expect(log).toEqual(['a@10']);
    expect(s.now()).toBe(15);
    await s.advanceBy(5);
    expect(log).toEqual(['a@10', 'b@20', 'c@20']);
  });

  it('drives rxjs operators (periodic rescheduling, unsubscribe)', async () => {
    const s = new VirtualScheduler(0);
    const ticks = firstValueFrom(interval(1000, s).pipe(take(3), toArray()));
    await s.advanceBy(3000);
    expect(await ticks).toEqual([0, 1, 2]);
    const log: number[] = [];
    const sub = interval(100, s).subscribe((n) => log.push(n));
    await s.advanceBy(250);
    sub.unsubscribe();
    await s.advanceBy(1000);
    expect(log).toEqual([0, 1]);
    expect(s.pending).toBe(0);
  });

  it('lets async code run between timers at the same virtual instant', async () => {
    const s = new VirtualScheduler(0);
    const seen: number[] = [];
    const flow = (async () => {
      await firstValueFrom(timer(1000, s));
      seen.push(s.now());
      await Promise.resolve();
      await firstValueFrom(timer(500, s));
      seen.push(s.now());
      return 'done';
    })();
    expect(await s.run(flow)).toBe('done');
    expect(seen).toEqual([1000, 1500]);
  });

  it('run() fails when the promise never settles within maxMs', async () => {
    const s = new VirtualScheduler(0);
    await expect(s.run(new Promise(() => undefined), 5000)).rejects.toThrow(/still pending after 5000 ms/);
    expect(s.now()).toBe(5000);
  });

  it('run() passes a rejection through', async () => {
    const s = new VirtualScheduler(0);
    const failing = firstValueFrom(timer(100, s)).then(() => {
      throw new Error('boom');
    });
    await expect(s.run(failing)).rejects.toThrow('boom');
  });

  it('refuses a nested advance', async () => {
    const s = new VirtualScheduler(0);
    const a = s.advanceBy(10);
    await expect(s.advanceBy(10)).rejects.toThrow(/already in progress/);
    await a;
  });
});
