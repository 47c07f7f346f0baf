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

  it('run() fails when the promise never settles within maxMs of virtual time', async () => {
    const s = new VirtualScheduler(0);
    const sub = interval(100, s).subscribe();
    await expect(s.run(new Promise(() => undefined), 5000)).rejects.toThrow(/still pending after 5000 ms/);
    expect(s.now()).toBe(5000);
    sub.unsubscribe();
  });

  it('run() does not move time while nothing is scheduled: it waits for real I/O', async () => {
    const s = new VirtualScheduler(0);
    const io = new Promise<string>((resolve) => setTimeout(() => resolve('read'), 30));
    expect(await s.run(io)).toBe('read');
    expect(s.now()).toBe(0);
    await expect(s.run(new Promise(() => undefined), 5000, 1000, 50)).rejects.toThrow(
      /50 ms of real time with no timer/,
    );
  });

  it('tracked real work holds every timer until it is done', async () => {
    const s = new VirtualScheduler(0);
    const fired: number[] = [];
    const sub = interval(20, s).subscribe(() => fired.push(s.now()));
    const write = s.track(new Promise<void>((resolve) => setTimeout(resolve, 40)));
    let doneAt = -1;
    void write.then(() => (doneAt = s.now()));
    await s.advanceBy(100);
    expect(doneAt).toBe(0); // the write completed before any timer ran
    expect(fired).toEqual([20, 40, 60, 80, 100]);
    expect(s.trackedPending).toBe(0);
    sub.unsubscribe();
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
