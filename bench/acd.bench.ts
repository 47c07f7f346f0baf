/**
 * B6: ACD routing decision latency and memory, against a naive linear scan in the same run.
 *
 * Population: 10 skills, 2 skills per agent (levels 1–5), 10 queues (queue k needs skill k), 30% of
 * interactions add a second skill. Two decisions are timed one by one (`process.hrtime.bigint`):
 *
 * - next work: every agent busy, 1,000 interactions waiting; which interaction an agent gets when it
 *   becomes available (`Acd.nextWorkFor`, the selector dispatch uses) vs a scan of all waiting work;
 * - agent for a new arrival: 80% of agents busy; which agent the default strategy picks
 *   (`Acd.previewRoute`) vs a scan of all agents for the longest-idle eligible one.
 *
 * Both sides must agree on every sample (checked). Also: one full command (an agent hangs up and
 * is given the next call: state machine, routing, event log, statistics), memory per agent and per
 * waiting interaction, and a simulated day for 20 agents against Erlang C.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Acd, VirtualClock, erlangC, runSimulation, seededRandom, type Assignment, type Random } from '@hotline/acd';

const SKILLS = Array.from({ length: 10 }, (_, i) => `s${i}`);
const T0 = 1_796_090_400_000;

interface NaiveAgent {
  readonly id: string;
  readonly skills: Map<string, number>;
  busy: boolean;
  idleSince: number;
}

interface NaiveWork {
  readonly id: string;
  readonly skills: readonly { readonly skill: string; readonly minLevel: number }[];
  readonly rank: number;
  readonly enqueuedAt: number;
  readonly seq: number;
}

function agentSkills(random: Random): Record<string, number> {
  const a = Math.floor(random() * SKILLS.length);
  let b = Math.floor(random() * (SKILLS.length - 1));
  if (b >= a) b++;
  return { [SKILLS[a] as string]: 1 + Math.floor(random() * 5), [SKILLS[b] as string]: 1 + Math.floor(random() * 5) };
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] as number;
}

function summary(samples: Float64Array): { p50: number; p99: number; max: number } {
  const s = samples.slice().sort();
  return { p50: percentile(s, 0.5), p99: percentile(s, 0.99), max: s[s.length - 1] as number };
}

const us = (ns: number): string => (ns / 1000).toFixed(2).padStart(7);

/** Builds an ACD with `n` agents, then makes `busyFraction` of them busy; returns mirrors for the naive side. */
function build(n: number, busyFraction: number, seed: number) {
  const random = seededRandom(seed);
  const clock = new VirtualClock(T0);
  const acd = new Acd({ scheduler: clock, queues: SKILLS.map((s) => ({ id: `q-${s}`, skills: [{ skill: s }] })) });
  const naiveAgents: NaiveAgent[] = [];
  const byId = new Map<string, NaiveAgent>();
  const offers: Assignment[] = [];
  acd.assignments$.subscribe((a) => offers.push(a));
  for (let i = 0; i < n; i++) {
    const skills = agentSkills(random);
    const id = `a${i}`;
    acd.addAgent({ id, skills });
    acd.login(id, { ready: true });
    const na: NaiveAgent = { id, skills: new Map(Object.entries(skills)), busy: false, idleSince: clock.now() };
    naiveAgents.push(na);
    byId.set(id, na);
    clock.advanceBy(1);
  }
  // Busy agents: route one call into a queue of a still-free agent until the target is reached.
  const target = Math.round(n * busyFraction);
  const connected = new Map<string, string>(); // agent -> interaction in hand
  let busy = 0;
  for (const na of naiveAgents) {
    if (busy >= target) break;
    if (na.busy) continue;
    const skill = [...na.skills.keys()][0] as string;
    offers.length = 0;
    acd.enqueue({ queueId: `q-${skill}` });
    const offer = offers.find((o) => o.type === 'offer');
    if (offer?.type !== 'offer') throw new Error('expected an offer while agents are free');
    acd.answered(offer.interactionId, offer.agentId);
    connected.set(offer.agentId, offer.interactionId);
    (byId.get(offer.agentId) as NaiveAgent).busy = true;
    busy++;
  }
  offers.length = 0;
  return { acd, clock, random, naiveAgents, byId, offers, connected };
}

function randomWork(random: Random): { queueId: string; skills: { skill: string; minLevel: number }[]; rank: number } {
  const q = SKILLS[Math.floor(random() * SKILLS.length)] as string;
  const skills = [{ skill: q, minLevel: 1 }];
  if (random() < 0.3) {
    const extra = SKILLS[Math.floor(random() * SKILLS.length)] as string;
    if (extra !== q) skills.push({ skill: extra, minLevel: 1 });
  }
  const u = random();
  return { queueId: `q-${q}`, skills, rank: u < 0.02 ? 0 : u < 0.1 ? 1 : 2 };
}

const RANK_NAME = ['emergency', 'vip', 'normal'] as const;

function naiveNextWork(agent: NaiveAgent, waiting: readonly NaiveWork[]): string | undefined {
  let best: NaiveWork | undefined;
  for (let i = 0; i < waiting.length; i++) {
    const w = waiting[i] as NaiveWork;
    let ok = true;
    for (const r of w.skills) if ((agent.skills.get(r.skill) ?? 0) < r.minLevel) ok = false;
    if (!ok) continue;
    if (
      !best ||
      w.rank < best.rank ||
      (w.rank === best.rank &&
        (w.enqueuedAt < best.enqueuedAt || (w.enqueuedAt === best.enqueuedAt && w.seq < best.seq)))
    )
      best = w;
  }
  return best?.id;
}

function naiveAgentFor(
  agents: readonly NaiveAgent[],
  skills: readonly { skill: string; minLevel: number }[],
): string | undefined {
  let best: NaiveAgent | undefined;
  for (let i = 0; i < agents.length; i++) {
    const a = agents[i] as NaiveAgent;
    if (a.busy) continue;
    let ok = true;
    for (const r of skills) if ((a.skills.get(r.skill) ?? 0) < r.minLevel) ok = false;
    if (ok && (!best || a.idleSince < best.idleSince)) best = a;
  }
  return best?.id;
}

function timeIt(samples: number, fn: (i: number) => unknown): Float64Array {
  const out = new Float64Array(samples);
  for (let i = 0; i < samples; i++) {
    const t = process.hrtime.bigint();
    fn(i);
    out[i] = Number(process.hrtime.bigint() - t);
  }
  return out;
}

function nextWorkScenario(n: number, samples: number): void {
  const { acd, clock, random, naiveAgents } = build(n, 1, 1000 + n);
  const waiting: NaiveWork[] = [];
  for (let i = 0; i < 1_000; i++) {
    const w = randomWork(random);
    const id = `w${i}`;
    const r = acd.enqueue({ queueId: w.queueId, interactionId: id, skills: w.skills, priority: RANK_NAME[w.rank] });
    if (r.status !== 'queued') throw new Error('all agents should be busy');
    waiting.push({ id, skills: w.skills, rank: w.rank, enqueuedAt: clock.now(), seq: i });
    clock.advanceBy(1);
  }
  const pick = Array.from(
    { length: samples },
    () => naiveAgents[Math.floor(random() * naiveAgents.length)] as NaiveAgent,
  );
  let disagree = 0;
  for (let i = 0; i < Math.min(samples, 2_000); i++) {
    const a = pick[i] as NaiveAgent;
    if (acd.nextWorkFor(a.id) !== naiveNextWork(a, waiting)) disagree++;
  }
  // Warm both paths, then measure.
  timeIt(2_000, (i) => acd.nextWorkFor((pick[i] as NaiveAgent).id));
  timeIt(2_000, (i) => naiveNextWork(pick[i] as NaiveAgent, waiting));
  const indexed = summary(timeIt(samples, (i) => acd.nextWorkFor((pick[i] as NaiveAgent).id)));
  const naive = summary(timeIt(samples, (i) => naiveNextWork(pick[i] as NaiveAgent, waiting)));
  console.log(
    `next work   ${String(n).padStart(6)} agents, 1000 waiting | indexed p50 ${us(indexed.p50)} µs p99 ${us(indexed.p99)} µs | naive p50 ${us(naive.p50)} µs p99 ${us(naive.p99)} µs | naive/indexed p99 ${(naive.p99 / indexed.p99).toFixed(1).padStart(6)}× | disagreements ${disagree}`,
  );
}

function agentForScenario(n: number, samples: number): void {
  const { acd, random, naiveAgents } = build(n, 0.8, 2000 + n);
  const asks = Array.from({ length: samples }, () => randomWork(random));
  let disagree = 0;
  for (let i = 0; i < Math.min(samples, 2_000); i++) {
    const w = asks[i] as ReturnType<typeof randomWork>;
    const got = acd.previewRoute({ queueId: w.queueId, skills: w.skills })?.agentIds[0];
    if (got !== naiveAgentFor(naiveAgents, w.skills)) disagree++;
  }
  const route = (i: number): unknown => {
    const w = asks[i] as ReturnType<typeof randomWork>;
    return acd.previewRoute({ queueId: w.queueId, skills: w.skills });
  };
  const scan = (i: number): unknown => naiveAgentFor(naiveAgents, (asks[i] as ReturnType<typeof randomWork>).skills);
  timeIt(2_000, route);
  timeIt(2_000, scan);
  const indexed = summary(timeIt(samples, route));
  const naive = summary(timeIt(samples, scan));
  console.log(
    `agent for   ${String(n).padStart(6)} agents, 80% busy     | indexed p50 ${us(indexed.p50)} µs p99 ${us(indexed.p99)} µs | naive p50 ${us(naive.p50)} µs p99 ${us(naive.p99)} µs | naive/indexed p99 ${(naive.p99 / indexed.p99).toFixed(1).padStart(6)}× | disagreements ${disagree}`,
  );
}

/** End to end: an agent hangs up and is given the next waiting call, 1,000 kept waiting. */
function commandScenario(n: number, samples: number): void {
  const { acd, random, offers, connected } = build(n, 1, 3000 + n);
  for (let i = 0; i < 1_000; i++) {
    const w = randomWork(random);
    acd.enqueue({ queueId: w.queueId, skills: w.skills, priority: RANK_NAME[w.rank] });
  }
  const settle = (): void => {
    for (const o of offers) {
      if (o.type !== 'offer') continue;
      acd.answered(o.interactionId, o.agentId);
      connected.set(o.agentId, o.interactionId);
    }
    offers.length = 0;
  };
  settle();
  const agentIds = [...connected.keys()];
  const out = new Float64Array(samples);
  let taken = 0;
  while (taken < samples && connected.size > 0) {
    const agentId = agentIds[Math.floor(random() * agentIds.length)] as string;
    const ix = connected.get(agentId);
    if (ix === undefined) continue;
    offers.length = 0;
    const t = process.hrtime.bigint();
    acd.hangup(ix, 'agent');
    out[taken++] = Number(process.hrtime.bigint() - t);
    connected.delete(agentId);
    settle();
    const w = randomWork(random);
    acd.enqueue({ queueId: w.queueId, skills: w.skills, priority: RANK_NAME[w.rank] });
    settle();
  }
  const s = summary(out.subarray(0, taken));
  console.log(
    `full command ${String(n).padStart(5)} agents, 1000 waiting | hangup → wrap-up → next offer, incl. event log + statistics: p50 ${us(s.p50)} µs p99 ${us(s.p99)} µs`,
  );
}

function gcFunction(): { gc: (() => void) | undefined; how: string } {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) return { gc: g, how: 'global.gc (--expose-gc)' };
  try {
    setFlagsFromString('--expose-gc');
    const fn = runInNewContext('gc') as (() => void) | undefined;
    if (typeof fn === 'function') return { gc: fn, how: 'gc exposed at run time via v8.setFlagsFromString' };
  } catch {
    // fall through
  }
  return { gc: undefined, how: 'no gc available: figures include garbage and are upper bounds' };
}

function memory(): void {
  const { gc, how } = gcFunction();
  const heap = (): number => {
    gc?.();
    gc?.();
    return process.memoryUsage().heapUsed;
  };
  const random = seededRandom(5);
  const clock = new VirtualClock(T0);
  const before = heap();
  const acd = new Acd({
    scheduler: clock,
    queues: SKILLS.map((s) => ({ id: `q-${s}`, skills: [{ skill: s }], maxWaitMs: 600_000 })),
  });
  const N = 10_000;
  for (let i = 0; i < N; i++) {
    acd.addAgent({ id: `a${i}`, skills: agentSkills(random) });
    acd.login(`a${i}`);
  }
  const afterAgents = heap();
  const M = 10_000;
  for (let i = 0; i < M; i++) {
    const w = randomWork(random);
    acd.enqueue({
      queueId: w.queueId,
      skills: w.skills,
      customer: { ref: `acct-${i}`, phone: `1380013${String(i).padStart(4, '0')}` },
    });
  }
  const afterWork = heap();
  console.log(
    `memory: ${((afterAgents - before) / N).toFixed(0)} B per logged-in agent (10,000, not ready), ${((afterWork - afterAgents) / M).toFixed(0)} B per waiting interaction (10,000, with max-wait timer; the statistics log counters included) — ${how}`,
  );
  acd.dispose();
}

function simulated(days: number, callsPerHour: number, ahtMs: number, seeds: readonly number[] = [1]): void {
  const ec = erlangC(20, callsPerHour, ahtMs, 20_000);
  let answered = 0;
  let within = 0;
  let waitMs = 0;
  let calls = 0;
  let events = 0;
  const perSeed: string[] = [];
  const started = performance.now();
  const cpu = process.cpuUsage();
  for (const seed of seeds) {
    const r = runSimulation({
      seed,
      durationMs: days * 86_400_000,
      warmupMs: 3_600_000,
      agents: 20,
      arrivals: [{ queueId: 'main', callsPerHour }],
      handling: { kind: 'exponential', meanMs: ahtMs },
    });
    const q = r.report.queues['main'];
    answered += q?.answered ?? 0;
    within += q?.answeredWithinThreshold ?? 0;
    waitMs += q?.answeredWaitMs ?? 0;
    calls += r.arrivals;
    events += r.events.length;
    perSeed.push((100 * (q?.serviceLevel ?? 0)).toFixed(1));
  }
  const wall = performance.now() - started;
  const used = process.cpuUsage(cpu);
  console.log(
    `simulated ${seeds.length} × ${days} day(s), 20 agents, ${callsPerHour} calls/h, AHT ${ahtMs / 1000} s, no abandonment: ${calls} calls, ${events} events in ${((used.user + used.system) / 1000).toFixed(0)} ms CPU (${wall.toFixed(0)} ms wall) | SL(20 s) ${((100 * within) / answered).toFixed(1)}% (per seed ${perSeed.join(', ')}) vs Erlang C ${(100 * ec.serviceLevel).toFixed(1)}% | ASA ${(waitMs / answered / 1000).toFixed(1)} s vs ${(ec.asaMs / 1000).toFixed(1)} s`,
  );
}

export async function run(): Promise<void> {
  const overhead = summary(timeIt(20_000, () => undefined));
  console.log(
    `ACD routing decisions (timer overhead p50 ${us(overhead.p50)} µs, not subtracted; target p99 < 10 µs at 1,000 agents)`,
  );
  for (const n of [20, 1_000, 10_000]) nextWorkScenario(n, 20_000);
  for (const n of [20, 1_000, 10_000]) agentForScenario(n, 20_000);
  for (const n of [20, 1_000]) commandScenario(n, 5_000);
  memory();
  simulated(1, 300, 180_000);
  simulated(10, 300, 180_000);
  simulated(5, 327, 180_000, [1, 2, 3, 4]);
  simulated(5, 242, 240_000, [1, 2, 3, 4]);
}
