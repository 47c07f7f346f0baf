import { afterEach, beforeEach, describe, expect } from 'vitest';
import type { ConformanceNetwork, ConformanceWorld, ProtocolConformanceHarness } from './harness.js';
import { deskTests } from './tests-desk.js';
import { sessionTests } from './tests-session.js';
import { workTests } from './tests-work.js';
import { Desk, Wire, frameProblem } from './tools.js';

/** What each test of the suite gets: the world, and desks and raw links that are closed and checked after it. */
export interface SuiteContext {
  /** This test's world. */
  readonly world: ConformanceWorld;
  /** A desktop (`AgentClient`) on a new network path, or on `network`. */
  desk(network?: ConformanceNetwork): Desk;
  /** A raw link on a new network path, or on `network`. */
  wire(network?: ConformanceNetwork): Promise<Wire>;
}

/**
 * The agent-protocol conformance suite: one vitest suite that every server of the protocol runs —
 * the gas call centre in virtual time on the simulated board, the console's development fake, or
 * another implementation — so that what desktops rely on is checked the same way everywhere:
 * handshake and versions, login and lockout without user enumeration, idempotent requests,
 * sequence numbers, resume and resync, heartbeats, snapshots, agent states, the call life cycle,
 * tickets, voicemail call-backs, the supervisor's wallboard and forced states, role refusals, and
 * typed errors for bad frames. After every test, every frame a raw link received and every event a
 * desktop applied must have matched its schema.
 *
 * ```ts
 * describeProtocolConformance({ name: 'my-server', setup: async () => ({ scheduler, run, wait, network, users, ... }) });
 * ```
 */
export function describeProtocolConformance(harness: ProtocolConformanceHarness): void {
  const suite = harness.skip ? describe.skip : describe;
  suite(`agent-protocol conformance: ${harness.name}${harness.skip ? ` (skipped: ${harness.skip})` : ''}`, () => {
    let world: ConformanceWorld | undefined;
    let desks: Desk[] = [];
    let wires: Wire[] = [];
    const ctx: SuiteContext = {
      get world(): ConformanceWorld {
        if (!world) throw new Error('no world: setup failed');
        return world;
      },
      desk(network) {
        const d = new Desk(ctx.world, network);
        desks.push(d);
        return d;
      },
      async wire(network) {
        const w = await Wire.open(ctx.world, network);
        wires.push(w);
        return w;
      },
    };

    beforeEach(async () => {
      desks = [];
      wires = [];
      world = await harness.setup();
    });

    afterEach(async () => {
      const w = world;
      world = undefined;
      if (!w) return;
      const problems = [
        ...wires.flatMap((x) => x.frames.map(frameProblem).filter((p): p is string => p !== undefined)),
        ...desks.flatMap((d) => d.rejected),
      ];
      for (const d of desks) await d.close();
      for (const x of wires) if (!x.closed) x.close();
      await w.teardown();
      expect(problems, 'frames and events that did not match their schemas').toEqual([]);
    });

    describe('sessions', () => sessionTests(ctx));
    describe('desk', () => deskTests(ctx));
    describe('work', () => workTests(ctx));
  });
}
