/**
 * Interoperation of Hotline's China No.1 engine with Debian's libopenr2 (variant CN), a real
 * R2 implementation nobody here wrote. Each test runs one OpenR2 channel in a child process
 * (r2peer.c, libc interposition instead of DAHDI) against our engine over a socketpair carrying
 * ABCD bits and A-law audio in 20 ms records. Skipped, with the reason in the title, when
 * libopenr2-dev or a C compiler is missing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { buildPeer, OpenR2Session } from './peer.js';

const built = buildPeer();
const suite = 'binary' in built ? describe : describe.skip;
const title = `OpenR2 (libopenr2, CN) interoperation${'skip' in built ? ` — skipped: ${built.skip}` : ''}`;

suite(title, () => {
  const binary = 'binary' in built ? built.binary : '';
  let session: OpenR2Session | undefined;
  afterEach(async () => {
    await session?.close();
    session = undefined;
  });
  const failed = (s: OpenR2Session) => s.events.find((e) => e.type === 'failed');

  describe('our engine calls, OpenR2 is the incoming side', () => {
    it('sends the called and calling numbers and KA; OpenR2 accepts (KB1) and answers; we clear forward', async () => {
      const s = (session = new OpenR2Session(binary, ['backward', 'accept', '500', '-1', '12', '8']));
      await s.start();
      s.line.seize({ called: '88886666', caller: '075512345', ka: 1, kd: 3 });
      await s.until(() => s.line.state === 'out-answered');
      expect(s.peerEvents.find((e) => e.startsWith('offered'))).toBe(
        'offered ani=075512345 dnis=88886666 category=National Subscriber',
      );
      expect(s.events.map((e) => e.type)).toEqual(['seize-acknowledged', 'accepted', 'answered']);
      s.line.release();
      await s.until(() => s.line.idle && s.peerSaid('end'));
      expect(s.peerEvents).toContain('disconnect cause=Normal Clearing');
    });

    it('OpenR2 hangs up first: clear-back reaches us, we clear forward', async () => {
      const s = (session = new OpenR2Session(binary, ['backward', 'accept', '200', '1000', '12', '8']));
      await s.start();
      s.line.seize({ called: '88886666', caller: '075512345' });
      await s.until(() => s.line.state === 'out-clear-back');
      expect(s.events.map((e) => e.type)).toEqual(['seize-acknowledged', 'accepted', 'answered', 'clear-back']);
      s.line.release();
      await s.until(() => s.line.idle && s.peerSaid('end'));
    });

    for (const [mode, outcome] of [
      ['busy', 'busy'],
      ['vacant', 'unallocated'],
      ['congestion', 'congestion'],
    ] as const) {
      it(`OpenR2 refuses the call as ${mode}: our dial result is ${outcome}`, async () => {
        const s = (session = new OpenR2Session(binary, ['backward', mode, '0', '-1', '12', '8']));
        await s.start();
        s.line.seize({ called: '88886666', caller: '075512345' });
        await s.until(() => failed(s) !== undefined);
        expect(failed(s)).toMatchObject({ outcome });
        await s.until(() => s.line.idle && s.peerSaid('end'));
      });
    }
  });

  describe('OpenR2 calls, our engine is the incoming side', () => {
    // OpenR2 CN as the calling side answers A1 after KA with called digits (its ANI defect,
    // signaling-dsp.md §1.3), so our incoming side asks for KA only.
    const config = {
      requestCallerNumber: false,
      calledDigits: { min: 4, max: 20 },
      timers: { endOfNumberMs: 1000 },
    } as const;

    it('receives the called number and KA, ends the number by time-out (pulsed A3), accepts, answers; OpenR2 clears forward', async () => {
      const s = (session = new OpenR2Session(binary, ['forward', '88886666', '075512345', '1000'], config));
      await s.start();
      await s.until(() => s.line.state === 'in-offered');
      expect(s.line.incoming).toMatchObject({ called: '88886666', ka: 1 });
      expect(s.trace.find((t) => t.code === 'A3')).toMatchObject({ pulsed: true });
      s.line.answer();
      await s.until(() => s.peerSaid('answered'));
      expect(s.peerSaid('accepted')).toBe(true);
      await s.until(() => s.line.idle);
      expect(s.events.map((e) => e.type)).toEqual([
        'seized',
        'offered',
        'accepted',
        'answered',
        'clear-forward',
        'idle',
      ]);
      await s.until(() => s.peerSaid('end'));
    });

    it('we hang up first: clear-back, OpenR2 clears forward', async () => {
      const s = (session = new OpenR2Session(binary, ['forward', '96777', '13800138000'], {
        ...config,
        numberComplete: (n: string) => n === '96777',
      }));
      await s.start();
      await s.until(() => s.line.state === 'in-offered');
      expect(s.line.incoming.called).toBe('96777');
      expect(s.trace.some((t) => t.pulsed)).toBe(false);
      s.line.answer();
      await s.until(() => s.line.state === 'in-answered');
      await s.until(() => s.peerSaid('answered'));
      s.line.release();
      await s.until(() => s.line.idle && s.peerSaid('end'));
      expect(s.peerEvents).toContain('disconnect cause=Normal Clearing');
    });

    for (const [outcome, cause] of [
      ['busy', 'Busy Number'],
      ['unallocated', 'Unallocated Number'],
    ] as const) {
      it(`we refuse the call as ${outcome}: OpenR2 reports ${cause}`, async () => {
        const s = (session = new OpenR2Session(binary, ['forward', '88886666', '075512345'], config));
        await s.start();
        await s.until(() => s.line.state === 'in-offered');
        s.line.reject(outcome);
        await s.until(() => s.line.idle && s.peerSaid('end'));
        expect(s.peerEvents).toContain(`disconnect cause=${cause}`);
      });
    }
  });
});
