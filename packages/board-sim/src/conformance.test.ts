import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { firstValueFrom, timer } from 'rxjs';
import { VirtualScheduler } from '@hotline/cti-core';
import { describeDriverConformance, type FarCall, type OutboundBehaviour } from '@hotline/cti-core/conformance';
import { SimBoard } from './sim-board.js';
import type { SimParty } from './party.js';

function farCall(party: SimParty): FarCall {
  return {
    whenConnected: () => party.whenConnected(),
    whenReleased: () => party.whenReleased(),
    press: (digits) => party.press(digits),
    hangup: () => party.hangup(),
    say: (samples) => party.say(samples),
    heard: () => party.heard(),
  };
}

for (const [name, options] of [
  ['board-sim (analog trunks)', { analogTrunks: 4 }],
  ['board-sim (E1, China No.1)', { analogTrunks: 0, e1Spans: 1 }],
] as const) {
  describeDriverConformance({
    name,
    async setup() {
      const scheduler = new VirtualScheduler();
      const sim = new SimBoard({ scheduler, ...options });
      const tempDir = mkdtempSync(join(tmpdir(), 'board-sim-conf-'));
      const answered = new Map<string, SimParty>();
      return {
        driver: sim.driver,
        scheduler,
        tempDir,
        run: (promise, maxMs) => scheduler.run(promise, maxMs ?? 600_000),
        wait: (ms) => scheduler.run(firstValueFrom(timer(ms, scheduler)).then(() => undefined)),
        far: {
          supports: {
            audio: true,
            faults: true,
            outbound: [
              'answer',
              'busy',
              'no-answer',
              'unallocated',
              'congestion',
              'answering-machine',
              'fax',
            ] as OutboundBehaviour[],
          },
          call: (o) => farCall(sim.call(o)),
          subscriber: (number, behaviour, o) => {
            if (behaviour === 'answer') {
              sim.subscriber(number, { type: 'answer', afterRings: o?.afterRings ?? 1 });
            } else if (behaviour === 'answering-machine' || behaviour === 'fax') {
              sim.subscriber(number, { type: behaviour, afterRings: o?.afterRings ?? 1 });
            } else {
              sim.subscriber(number, { type: behaviour });
            }
          },
          answeredParty: (channel) => {
            const p = sim.partyOn(channel) ?? answered.get(channel);
            return p ? farCall(p) : undefined;
          },
          fault: (channel) => sim.fault(channel),
          recover: (channel) => sim.recover(channel),
        },
        teardown: async () => rmSync(tempDir, { recursive: true, force: true }),
      };
    },
  });
}
