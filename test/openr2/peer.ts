/**
 * Test helper: builds `r2peer.c` against the system libopenr2 and runs one OpenR2 channel
 * against a Hotline `ChinaNo1Line` over a socketpair (fd 3 of the child) in lockstep 20 ms
 * records, in virtual time.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Duplex } from 'node:stream';
import { VirtualScheduler } from '@hotline/cti-core';
import { alawDecode, alawEncode, FRAME_SAMPLES } from '@hotline/cti-core/media';
import {
  ChinaNo1Line,
  type ChinaNo1ConfigInput,
  type ChinaNo1Event,
  type ChinaNo1Signal,
} from '@hotline/cti-core/signaling';

const here = dirname(fileURLToPath(import.meta.url));

/** Builds the harness; returns the binary path, or the reason it cannot be built. */
export function buildPeer(): { binary: string } | { skip: string } {
  if (!existsSync('/usr/include/openr2.h'))
    return { skip: 'libopenr2-dev is not installed (/usr/include/openr2.h missing; apt-get install libopenr2-dev)' };
  const out = join(mkdtempSync(join(tmpdir(), 'r2peer-')), 'r2peer');
  try {
    execFileSync('cc', ['-O1', '-Wall', '-o', out, join(here, 'r2peer.c'), '-lopenr2', '-ldl'], { stdio: 'pipe' });
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { stderr?: Buffer };
    if (e.code === 'ENOENT') return { skip: 'no C compiler (cc) on this machine' };
    return { skip: `cannot build the OpenR2 harness: ${String(e.stderr ?? e.message).slice(0, 300)}` };
  }
  return { binary: out };
}

/** One OpenR2 channel on one end of the timeslot, our engine on the other. */
export class OpenR2Session {
  readonly scheduler = new VirtualScheduler();
  readonly line: ChinaNo1Line;
  /** Lines OpenR2's harness printed (its call events), with the tick they arrived after. */
  readonly peerEvents: string[] = [];
  readonly events: ChinaNo1Event[] = [];
  readonly trace: ChinaNo1Signal[] = [];
  peerLog = '';
  private readonly child: ChildProcess;
  private readonly wire: Duplex;
  private buffer = Buffer.alloc(0);
  private waiting: ((b: Buffer) => void) | undefined;
  private readonly tx = new Int16Array(FRAME_SAMPLES);
  private readonly rx = new Int16Array(FRAME_SAMPLES);
  private readonly record = Buffer.alloc(FRAME_SAMPLES + 1);
  private ended = false;

  constructor(binary: string, args: readonly string[], config: ChinaNo1ConfigInput = {}) {
    this.line = new ChinaNo1Line({ channel: 'hotline', scheduler: this.scheduler, config });
    this.line.events$.subscribe((e) => this.events.push(e));
    this.line.signaling$.subscribe((t) => this.trace.push(t));
    this.child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
    this.wire = this.child.stdio[3] as Duplex;
    let out = '';
    this.child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      let nl: number;
      while ((nl = out.indexOf('\n')) >= 0) {
        this.peerEvents.push(out.slice(0, nl));
        out = out.slice(nl + 1);
      }
    });
    this.child.stderr!.on('data', (d: Buffer) => {
      this.peerLog += d.toString();
    });
    this.wire.on('data', (d: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, d]);
      this.deliver();
    });
    this.wire.on('close', () => {
      this.ended = true;
    });
  }

  private deliver(): void {
    if (this.waiting && this.buffer.length >= FRAME_SAMPLES + 1) {
      const rec = this.buffer.subarray(0, FRAME_SAMPLES + 1);
      this.buffer = this.buffer.subarray(FRAME_SAMPLES + 1);
      const w = this.waiting;
      this.waiting = undefined;
      w(Buffer.from(rec));
    }
  }

  /** Lets OpenR2 see the idle circuit first (it learns the far end's initial bits from the first record). */
  async start(): Promise<void> {
    for (let i = 0; i < 3; i++) await this.tick();
  }

  /** Runs one 20 ms frame: our record out, OpenR2's record in, our engine, timers. */
  async tick(): Promise<void> {
    if (this.ended) throw new Error(`OpenR2 harness ended\n${this.peerLog.slice(-3000)}`);
    this.record[0] = this.line.txAbcd;
    alawEncode(this.tx, this.record.subarray(1));
    const reply = new Promise<Buffer>((resolve) => {
      this.waiting = resolve;
    });
    this.wire.write(this.record);
    this.deliver();
    const rec = await reply;
    alawDecode(rec.subarray(1), this.rx);
    if (!this.line.process(rec[0]! & 0xf, this.rx, this.tx)) this.tx.fill(0);
    await this.scheduler.advanceBy(20);
  }

  /** Ticks until `pred` holds; fails after `maxMs` of line time. */
  async until(pred: () => boolean, maxMs = 30_000): Promise<number> {
    const t0 = this.scheduler.now();
    while (!pred()) {
      if (this.scheduler.now() - t0 > maxMs) {
        throw new Error(
          `not reached within ${maxMs} ms; OpenR2 said: ${this.peerEvents.join(' | ')}\n${this.peerLog.slice(-4000)}`,
        );
      }
      await this.tick();
    }
    return this.scheduler.now() - t0;
  }

  /** True once OpenR2 printed a line starting with `prefix`. */
  peerSaid(prefix: string): boolean {
    return this.peerEvents.some((e) => e.startsWith(prefix));
  }

  async close(): Promise<void> {
    this.wire.end();
    await new Promise<void>((resolve) => {
      if (this.child.exitCode !== null) resolve();
      else this.child.once('exit', () => resolve());
    });
    this.line.dispose();
  }
}
