import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asyncScheduler, firstValueFrom, timer } from 'rxjs';
import type { ConformanceHarness, FarCall } from '@hotline/cti-core/conformance';
import { LIBRARY_ENV } from './native.js';
import { SanhuiDriver, sanhuiAvailability } from './sanhui-driver.js';

/**
 * The conformance harness for a real Synway board. Needs `HOTLINE_SANHUI_LIB` (a real
 * libshpa3.so), `HOTLINE_SANHUI_CONFIG`/`HOTLINE_SANHUI_INDEX`, and a loop cable between a
 * station port and an analog trunk port given as `HOTLINE_SANHUI_LOOP=<station>:<trunk>`: the
 * station port plays the caller (ring with caller ID, DTMF, release), the trunk is the board
 * under test. Skipped with the reason when any of that is missing. UNVERIFIED on hardware.
 */
export function realBoardHarness(env: NodeJS.ProcessEnv = process.env): ConformanceHarness {
  const lib = env[LIBRARY_ENV];
  const loop = /^(\d+):(\d+)$/.exec(env.HOTLINE_SANHUI_LOOP ?? '');
  let skip: string | false = false;
  if (!lib) skip = `set ${LIBRARY_ENV} to a real libshpa3.so to run against a Synway board`;
  else if (!loop) skip = 'set HOTLINE_SANHUI_LOOP=<station>:<trunk> (a station port cabled to a trunk port)';
  else {
    const a = sanhuiAvailability({ library: lib });
    if (!a.available) skip = a.reason ?? 'libshpa3.so did not load';
    else if (a.fake) skip = `${LIBRARY_ENV} points at the Hotline fake, which the fake suites already cover`;
  }
  const station = Number(loop?.[1] ?? -1);
  const trunk = Number(loop?.[2] ?? -1);
  return {
    name: `sanhui on a real board (${lib ?? 'no library'}; station port ${station} cabled to trunk port ${trunk})`,
    skip,
    async setup() {
      const driver = new SanhuiDriver({ library: lib, channelFilter: (ch) => ch !== station });
      const sleep = (ms: number): Promise<void> => firstValueFrom(timer(ms)).then(() => undefined);
      const raw = (name: string, args: (number | string)[]): Promise<unknown> => {
        const n = driver.native;
        if (!n) throw new Error('board not open');
        return n.call(name, args);
      };
      const hook = async (): Promise<number> => (await raw('SsmGetHookState', [station])) as number;
      const far = (): FarCall => ({
        whenConnected: async () => {
          while ((await hook()) !== 1) await sleep(50);
        },
        whenReleased: async () => {
          while ((await hook()) !== 0) await sleep(50);
          return { by: 'board', cause: 'normal' };
        },
        press: async (digits) => {
          await raw('SsmTxDtmf', [station, digits]);
          await sleep(digits.length * 200);
        },
        hangup: () => void raw('SsmStopRing', [station]).catch(() => undefined),
      });
      return {
        driver,
        scheduler: asyncScheduler,
        tempDir: mkdtempSync(join(tmpdir(), 'sanhui-real-')),
        run: (p) => p,
        wait: sleep,
        far: {
          supports: { audio: false, faults: false, outbound: [] },
          call: ({ from }) => {
            void raw('SsmStartRingWithCIDStr', [station, from ?? '', 0]);
            return far();
          },
          subscriber: () => undefined,
          answeredParty: () => undefined,
        },
      };
    },
  };
}
