/**
 * `@hotline/board-sanhui/testing`: the fake libshpa3.so and a conformance harness that runs the
 * real driver and addon against it in deterministic virtual time. For tests and benchmarks only.
 * @packageDocumentation
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { firstValueFrom, timer } from 'rxjs';
import { VirtualScheduler, type HangupCause } from '@hotline/cti-core';
import type { ConformanceContext, FarCall, OutboundBehaviour } from '@hotline/cti-core/conformance';
import { nativeClock, type NativeClock } from '@hotline/native-common/testing';
import { fakeLibraryPath, type SanhuiBinding } from './native.js';
import { SanhuiDriver, type SanhuiDriverOptions } from './sanhui-driver.js';

export { fakeLibraryPath };

/** Outbound behaviours of the fake (FAKE_* in fake/fake-control.h). */
export const FakeBehaviour = {
  answer: 0,
  busy: 1,
  'no-answer': 2,
  unallocated: 3,
  congestion: 4,
  'no-dial-tone': 5,
} as const;

/** Far-party states of the fake (FAKE_CALL_* in fake/fake-control.h). */
export const FakeCallState = {
  setup: 0,
  connected: 1,
  farReleased: 2,
  boardReleased: 3,
  fault: 4,
  rejected: 5,
} as const;

/** Writes a ShConfig.ini for the fake: `channels` like `analog*4,user*2,ss1*30`. */
export function writeFakeConfig(
  dir: string,
  channels: string,
  extra: Readonly<Record<string, string | number>> = {},
): string {
  const path = join(dir, 'ShConfig.ini');
  const lines = [`FakeChannels=${channels}`, ...Object.entries(extra).map(([k, v]) => `${k}=${v}`)];
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

/** Typed access to the fake's test-control entry points through an open driver. */
export class FakeShpa3 {
  constructor(private readonly binding: SanhuiBinding) {}

  private n(name: string, args: readonly (number | string)[] = []): number {
    return this.binding.control(name, args) as number;
  }

  /** Injects an incoming call on `ch` (-1: the first idle trunk); returns the call id. */
  injectCall(options: { ch?: number; from?: string; to?: string; ka?: number; kd?: number } = {}): number {
    return this.n('FakeShp_InjectCall', [
      options.ch ?? -1,
      options.from ?? '',
      options.to ?? '',
      options.ka ?? 1,
      options.kd ?? 3,
    ]);
  }
  pressDigits(call: number, digits: string): void {
    this.n('FakeShp_PressDigits', [call, digits]);
  }
  farHangup(call: number): void {
    this.n('FakeShp_FarHangup', [call]);
  }
  callState(call: number): number {
    return this.n('FakeShp_CallState', [call]);
  }
  callChannel(call: number): number {
    return this.n('FakeShp_CallChannel', [call]);
  }
  channelCall(ch: number): number {
    return this.n('FakeShp_ChannelCall', [ch]);
  }
  subscriber(number: string, behaviour: keyof typeof FakeBehaviour, rings = 1): void {
    this.n('FakeShp_SetSubscriber', [number, FakeBehaviour[behaviour], rings]);
  }
  failChannel(ch: number): void {
    this.n('FakeShp_FailChannel', [ch]);
  }
  recoverChannel(ch: number): void {
    this.n('FakeShp_RecoverChannel', [ch]);
  }
  stationOffHook(ch: number): number {
    return this.n('FakeShp_StationOffHook', [ch]);
  }
  stationOnHook(ch: number): void {
    this.n('FakeShp_StationOnHook', [ch]);
  }
  talkPeer(ch: number): number {
    return this.n('FakeShp_TalkPeer', [ch]);
  }
  confGroup(ch: number): number {
    return this.n('FakeShp_ConfGroup', [ch]);
  }
  /** Makes the next call of the SHP_A3 function `fn` fail with `errorCode`. */
  failNext(fn: string, errorCode: number): void {
    this.n('FakeShp_FailNext', [fn, errorCode]);
  }
  sentDigits(ch: number): string {
    return this.binding.control('FakeShp_SentDigits', [ch]) as string;
  }
  ringCallerId(ch: number): string {
    return this.binding.control('FakeShp_RingCallerId', [ch]) as string;
  }
  queuedEvents(): number {
    return this.n('FakeShp_QueuedEvents');
  }
  advance(ms: number): void {
    this.n('FakeShp_Advance', [Math.round(ms)]);
  }
  nextDueIn(): number | undefined {
    const r = this.n('FakeShp_NextDueIn');
    return r < 0 ? undefined : r;
  }
  reset(): void {
    this.n('FakeShp_Reset');
  }
}

/** A board on the fake library, its driver, the fake's controls and the virtual clock. */
export interface FakeBoard {
  readonly driver: SanhuiDriver;
  readonly scheduler: VirtualScheduler;
  readonly clock: NativeClock;
  readonly tempDir: string;
  /** Available once the driver is open. */
  fake(): FakeShpa3;
  /** Registers a predicate checked after every settle; resolves when it returns a value. */
  watch<T>(check: () => T | undefined): Promise<T>;
  dispose(): void;
}

/** Creates a driver on the fake library with a manual clock tied to a VirtualScheduler. */
export function createFakeBoard(
  channels: string,
  options: Omit<SanhuiDriverOptions, 'library' | 'config' | 'index'> & {
    readonly config?: Readonly<Record<string, string | number>>;
  } = {},
): FakeBoard {
  const tempDir = mkdtempSync(join(tmpdir(), 'sanhui-fake-'));
  const config = writeFakeConfig(tempDir, channels, options.config);
  const { config: _extra, ...driverOptions } = options;
  const driver = new SanhuiDriver({
    ...driverOptions,
    library: fakeLibraryPath,
    config,
    index: join(tempDir, 'ShIndex.ini'),
  });
  const scheduler = new VirtualScheduler();
  let controls: FakeShpa3 | undefined;
  const fake = (): FakeShpa3 => {
    if (!controls) {
      const native = driver.native;
      if (!native) throw new Error('the fake board is not open yet');
      controls = new FakeShpa3(native);
    }
    return controls;
  };
  const watchers = new Set<() => boolean>();
  const checkWatchers = (): void => {
    for (const w of [...watchers]) if (w()) watchers.delete(w);
  };
  const clock = nativeClock({
    scheduler,
    settle: () => driver.settle(),
    fakeNextDueIn: () => (driver.native ? fake().nextDueIn() : undefined),
    fakeAdvance: (ms) => {
      if (driver.native) fake().advance(ms);
    },
    afterSettle: checkWatchers,
  });
  const watch = <T>(check: () => T | undefined): Promise<T> =>
    new Promise<T>((resolve) => {
      const w = (): boolean => {
        const v = check();
        if (v === undefined) return false;
        resolve(v);
        return true;
      };
      if (!w()) watchers.add(w);
    });
  return {
    driver,
    scheduler,
    clock,
    tempDir,
    fake,
    watch,
    dispose: () => rmSync(tempDir, { recursive: true, force: true }),
  };
}

/** The far end of one fake call, for the conformance kit. */
export function fakeFarCall(board: FakeBoard, id: number): FarCall {
  const f = board.fake();
  return {
    whenConnected: () =>
      board.watch(() => (f.callState(id) === FakeCallState.connected ? true : undefined)).then(() => undefined),
    whenReleased: () =>
      board.watch(() => {
        const s = f.callState(id);
        if (s === FakeCallState.farReleased) return { by: 'far' as const, cause: 'normal' as HangupCause };
        if (s === FakeCallState.boardReleased || s === FakeCallState.rejected)
          return { by: 'board' as const, cause: 'normal' as HangupCause };
        if (s === FakeCallState.fault) return { by: 'board' as const, cause: 'channel-fault' as HangupCause };
        return undefined;
      }),
    press: async (digits) => f.pressDigits(id, digits),
    hangup: () => f.farHangup(id),
  };
}

/**
 * A conformance context on the fake library: `channels` is the fake's channel plan; analog
 * trunks produce answer/busy/no-answer, China No.1 trunks also unallocated and congestion.
 */
export function fakeConformanceContext(channels: string, outbound: readonly OutboundBehaviour[]): ConformanceContext {
  const board = createFakeBoard(channels);
  return {
    driver: board.driver,
    scheduler: board.scheduler,
    tempDir: board.tempDir,
    run: (promise, maxMs) => board.clock.run(promise, maxMs ?? 600_000),
    wait: (ms) => board.clock.wait(ms),
    far: {
      supports: { audio: false, faults: true, outbound },
      call: ({ from, to }) =>
        fakeFarCall(board, board.fake().injectCall({ ...(from ? { from } : {}), ...(to ? { to } : {}) })),
      subscriber: (number, behaviour, o) => {
        if (behaviour === 'answering-machine' || behaviour === 'fax')
          throw new Error(`the fake cannot produce ${behaviour}`);
        board.fake().subscriber(number, behaviour, o?.afterRings ?? 1);
      },
      answeredParty: (channel) => {
        const id = board.fake().channelCall(Number(channel));
        return id > 0 && board.fake().callState(id) === FakeCallState.connected ? fakeFarCall(board, id) : undefined;
      },
      fault: (channel) => board.fake().failChannel(Number(channel)),
      recover: (channel) => board.fake().recoverChannel(Number(channel)),
    },
    teardown: async () => {
      await board.driver.close();
      board.dispose();
    },
  };
}

/** Lets `ms` of virtual time pass on a plain scheduler (helper for tests without a fake). */
export function virtualWait(scheduler: VirtualScheduler, ms: number): Promise<void> {
  return scheduler.run(firstValueFrom(timer(ms, scheduler)).then(() => undefined));
}
