import { timer } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { IndexedHeap } from './indexed-heap.js';
import { VirtualClock } from './virtual-clock.js';
import { seededRandom } from './random.js';

describe('VirtualClock', () => {
  it('runs actions in time order, FIFO within a time, and skips cancelled ones', () => {
    const clock = new VirtualClock(1_000);
    const log: string[] = [];
    clock.schedule(() => log.push('b'), 20);
    clock.schedule(() => log.push('a'), 10);
    clock.schedule(() => log.push('a2'), 10);
    const c = clock.schedule(() => log.push('cancelled'), 15);
    c.unsubscribe();
    clock.advanceBy(15);
    expect(log).toEqual(['a', 'a2']);
    expect(clock.now()).toBe(1_015);
    clock.runAll();
    expect(log).toEqual(['a', 'a2', 'b']);
    expect(clock.pending).toBe(0);
  });

  it('drives RxJS operators, including actions that reschedule themselves', () => {
    const clock = new VirtualClock();
    const seen: [number, number][] = [];
    const sub = timer(100, 50, clock).subscribe((i) => seen.push([i, clock.now()]));
    clock.advanceTo(210);
    sub.unsubscribe();
    clock.runAll();
    expect(seen).toEqual([
      [0, 100],
      [1, 150],
      [2, 200],
    ]);
  });
});

describe('IndexedHeap', () => {
  it('pops in order and removes arbitrary items', () => {
    const rnd = seededRandom(7);
    type Item = { v: number; heapIndex: number };
    const heap = new IndexedHeap<Item>((a, b) => a.v < b.v);
    const items: Item[] = Array.from({ length: 500 }, () => ({ v: rnd(), heapIndex: -1 }));
    for (const i of items) heap.push(i);
    const removed = new Set(items.filter((_, k) => k % 3 === 0));
    for (const i of removed) expect(heap.remove(i)).toBe(true);
    expect(heap.remove(items[0] as Item)).toBe(false);
    const out: number[] = [];
    while (heap.size) out.push((heap.pop() as Item).v);
    expect(out).toEqual(
      items
        .filter((i) => !removed.has(i))
        .map((i) => i.v)
        .sort((a, b) => a - b),
    );
  });
});
