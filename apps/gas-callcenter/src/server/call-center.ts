/**
 * The composition root of the telephony side: a board, the ACD with the gas company's queues and
 * agents, the IVR running the hotline flow, and the telephony glue that connects callers to
 * agents' phones. The server (`run.ts`) adds storage, the CTI link and the demo around it; tests
 * build it directly with fake services in virtual time.
 *
 * @module
 */
import { join } from 'node:path';
import { Subscription, type SchedulerLike } from 'rxjs';
import {
  openBoard,
  isHotlineError,
  maskPhone,
  type Board,
  type BoardDriver,
  type Logger,
  type RecordResult,
} from '@hotline/cti-core';
import { Acd, type AgentConfig, type PriorityClass, type QueueConfig } from '@hotline/acd';
import { IvrRuntime, PromptCatalog, type IvrEvent, type IvrResult } from '@hotline/ivr';
import { gasMainFlow, Skill, EMERGENCY_PRIORITY } from '../flows/main-flow.js';
import type { GasServices } from '../flows/services.js';
import { Telephony, type ConnectedCall, type Seat } from './telephony.js';

/** The queues of the hotline, one per skill. */
export function gasQueues(): QueueConfig[] {
  const base = {
    wrapUpMs: 30_000,
    noAnswerTimeoutMs: 20_000,
    serviceLevelThresholdMs: 20_000,
    shortAbandonMs: 5_000,
  } as const;
  return [
    {
      id: Skill.Emergency,
      name: '燃气泄漏抢修',
      skills: [{ skill: Skill.Emergency }],
      ...base,
      expectedHandleMs: 180_000,
    },
    { id: Skill.Repair, name: '报修', skills: [{ skill: Skill.Repair }], ...base, expectedHandleMs: 180_000 },
    { id: Skill.Billing, name: '账单欠费', skills: [{ skill: Skill.Billing }], ...base, expectedHandleMs: 150_000 },
    { id: Skill.Complaint, name: '投诉建议', skills: [{ skill: Skill.Complaint }], ...base, expectedHandleMs: 240_000 },
    { id: Skill.General, name: '综合服务', skills: [{ skill: Skill.General }], ...base, expectedHandleMs: 150_000 },
  ];
}

/** Seats a001… with their skills: everyone takes general calls; groups add specialities. */
export function gasAgents(count: number): AgentConfig[] {
  const agents: AgentConfig[] = [];
  for (let i = 1; i <= count; i++) {
    const skills: Record<string, number> = { [Skill.General]: 2 };
    const group = (i - 1) % 4;
    if (group === 0) Object.assign(skills, { [Skill.Emergency]: 5, [Skill.Repair]: 4 });
    if (group === 1) Object.assign(skills, { [Skill.Billing]: 4, [Skill.Emergency]: 2 });
    if (group === 2) Object.assign(skills, { [Skill.Complaint]: 4, [Skill.Billing]: 2 });
    if (group === 3) Object.assign(skills, { [Skill.Repair]: 3, [Skill.Complaint]: 2, [Skill.Emergency]: 3 });
    const id = `a${String(i).padStart(3, '0')}`;
    // A personal skill: consultations to a named agent go through that agent's own queue.
    skills[personalSkill(id)] = 1;
    agents.push({ id, skills, teams: ['hotline'] });
  }
  return agents;
}

/** The personal skill (and personal consult queue) of an agent: `agent:a003`. */
export function personalSkill(agentId: string): string {
  return `agent:${agentId}`;
}

/** The ACD queue a consultation goes through: the agent's personal queue, or `consult:<queue>`. */
export function consultQueueId(
  target: { readonly kind: 'agent'; readonly agentId: string } | { readonly kind: 'queue'; readonly queueId: string },
): string {
  return target.kind === 'agent' ? personalSkill(target.agentId) : `consult:${target.queueId}`;
}

/** True for the internal consultation queues (not hotline queues: left out of the centre's figures). */
export function isConsultQueue(queueId: string): boolean {
  return queueId.startsWith('agent:') || queueId.startsWith('consult:');
}

/**
 * The internal queues consultations go through: one per agent (its personal skill) and one per
 * hotline queue (that queue's skills), so consult legs are offered, answered and counted by the
 * ACD like any work but stay out of the hotline queues' statistics.
 */
export function consultQueues(agentIds: readonly string[]): QueueConfig[] {
  const base = {
    wrapUpMs: 30_000,
    noAnswerTimeoutMs: 20_000,
    serviceLevelThresholdMs: 20_000,
    shortAbandonMs: 0,
    expectedHandleMs: 60_000,
  } as const;
  return [
    ...agentIds.map((id) => ({
      id: personalSkill(id),
      name: `consult ${id}`,
      skills: [{ skill: personalSkill(id) }],
      ...base,
    })),
    ...gasQueues().map((q) => ({
      id: consultQueueId({ kind: 'queue', queueId: q.id }),
      name: `consult ${q.id}`,
      ...(q.skills ? { skills: q.skills } : {}),
      ...base,
    })),
  ];
}

/** Options of {@link CallCenter.open}. */
export interface CallCenterOptions {
  readonly driver: BoardDriver;
  readonly scheduler: SchedulerLike;
  readonly logger: Logger;
  readonly services: GasServices;
  /** Prompt folder (`<dir>/<locale>/<id>.wav`). */
  readonly promptsDir: string;
  /** Where recordings and voice mail are written. */
  readonly recordingsDir: string;
  /** Agent seats: agent id and station channel. Default: one per station of the board, a001…. */
  readonly seats?: readonly Seat[];
  /**
   * How many of the board's stations are supervisors' phones when `seats` is not given (the last
   * ones; default 0). Stations no seat takes go to supervisors s001… either way.
   */
  readonly supervisorStations?: number;
  readonly onIvrEvent?: (event: IvrEvent) => void;
  /** Voice mail and survey results to persist (complete complaint voice mail is stored by its flow, with its ticket). */
  readonly onIvrResult?: (result: IvrResult) => void | Promise<void>;
  readonly onOffer?: (offer: {
    readonly agentId: string;
    readonly interactionId: string;
    readonly callerId?: string;
    readonly data: Readonly<Record<string, string | number | boolean>>;
  }) => void;
  readonly onConnected?: (call: ConnectedCall) => void;
  readonly onEnded?: (call: ConnectedCall, by: 'caller' | 'agent') => void;
  /**
   * Record every call, IVR and agent parts alike, into `<recordingsDir>/calls/` (default true).
   * Recording pauses while a caller keys a password.
   */
  readonly recordCalls?: boolean;
  /** A call's recording ended (the call is over); the app stores it with the call's record. */
  readonly onRecording?: (callId: string, recording: RecordResult) => void | Promise<void>;
}

/** A supervisor's phone: a station no agent seat takes. */
export interface SupervisorPhone {
  readonly supervisorId: string;
  readonly station: string;
  readonly extension: string;
}

/** The running telephony of the call centre. */
export class CallCenter {
  private readonly subscriptions = new Subscription();
  /** Calls being served by the IVR or waiting for an agent. */
  private readonly inFlow = new Set<Promise<unknown>>();

  private constructor(
    readonly board: Board,
    readonly acd: Acd,
    readonly ivr: IvrRuntime,
    readonly telephony: Telephony,
    readonly seats: readonly Seat[],
    /** Supervisors' phones (for listening, whispering and barging in): the stations no agent seat takes. */
    readonly supervisorPhones: readonly SupervisorPhone[],
    private readonly options: CallCenterOptions,
  ) {}

  /** Opens the board, checks every prompt, builds the ACD and starts answering calls. */
  static async open(options: CallCenterOptions): Promise<CallCenter> {
    const { scheduler, logger } = options;
    const board = await openBoard(options.driver, { scheduler, logger, name: 'gas' });
    const stations = board.channelsOf('station');
    const agentStations = stations.slice(
      0,
      Math.max(0, stations.length - Math.max(0, options.supervisorStations ?? 0)),
    );
    const seats: readonly Seat[] =
      options.seats ??
      agentStations.map((s, i) => ({
        agentId: `a${String(i + 1).padStart(3, '0')}`,
        station: s.id,
        extension: String(8001 + i),
      }));
    const taken = new Set(seats.map((s) => s.station));
    const supervisorPhones: SupervisorPhone[] = stations
      .filter((s) => !taken.has(s.id))
      .map((s, i) => ({
        supervisorId: `s${String(i + 1).padStart(3, '0')}`,
        station: s.id,
        extension: String(8901 + i),
      }));
    const agents = gasAgents(seats.length);
    const acd = new Acd({
      scheduler,
      logger,
      queues: [...gasQueues(), ...consultQueues(agents.map((a) => a.id))],
      agents,
    });
    const route = (skills: readonly string[], priority: number): { queueId: string; priority: PriorityClass } => {
      const skill =
        skills.find((s) => Object.values(Skill).includes(s as (typeof Skill)[keyof typeof Skill])) ?? Skill.General;
      return {
        queueId: skill,
        priority: priority >= EMERGENCY_PRIORITY ? 'emergency' : priority > 0 ? 'vip' : 'normal',
      };
    };
    const telephony = new Telephony({
      board,
      acd,
      seats,
      scheduler,
      logger,
      route,
      onOffer: (o) =>
        options.onOffer?.({
          agentId: o.agentId,
          interactionId: o.interactionId,
          ...(o.request.callerId ? { callerId: o.request.callerId } : {}),
          data: o.request.data,
        }),
      ...(options.onConnected ? { onConnected: options.onConnected } : {}),
      ...(options.onEnded ? { onEnded: options.onEnded } : {}),
    });
    const catalog = new PromptCatalog({ root: options.promptsDir, logger });
    const ivr = new IvrRuntime({
      catalog,
      scheduler,
      logger,
      acd: telephony,
      agent: { skills: [Skill.General] },
      recordingsDir: join(options.recordingsDir),
    });
    const flow = gasMainFlow(options.services);
    await ivr.start([flow]);
    const center = new CallCenter(board, acd, ivr, telephony, seats, supervisorPhones, options);
    if (options.onIvrEvent) center.subscriptions.add(ivr.events$.subscribe(options.onIvrEvent));
    if (options.onIvrResult) {
      const onResult = options.onIvrResult;
      center.subscriptions.add(
        ivr.results$.subscribe((r) => {
          void Promise.resolve(onResult(r)).catch((e: unknown) =>
            logger.error('persisting an IVR result failed', { error: String(e) }),
          );
        }),
      );
    }
    center.subscriptions.add(
      board.incoming$.subscribe(({ channel, call }) => {
        if (channel.info.kind === 'station') return; // agents' handsets are not hotline callers
        logger.info('incoming call', {
          channel: channel.id,
          caller: maskPhone(call.callerId),
          called: call.calledNumber,
        });
        const run = (async () => {
          try {
            await channel.answer();
            const recording =
              options.recordCalls !== false && channel.capabilities.callRecording
                ? channel.recordCall(join(options.recordingsDir, 'calls', `${call.id}.wav`))
                : undefined;
            if (recording) {
              void recording.result
                .then((r) => options.onRecording?.(call.id, r))
                .catch((e: unknown) => logger.warn('call recording failed', { call: call.id, error: String(e) }));
            }
            await ivr.run(
              channel,
              flow,
              recording ? { recording: { pause: () => recording.pause(), resume: () => recording.resume() } } : {},
            );
          } catch (error) {
            if (!isHotlineError(error) || !error.hangup)
              logger.warn('call flow ended with an error', { channel: channel.id, error: String(error) });
          }
        })();
        center.inFlow.add(run);
        void run.finally(() => center.inFlow.delete(run));
      }),
    );
    return center;
  }

  /** Calls in the IVR or queue now. */
  get callsInFlow(): number {
    return this.inFlow.size;
  }

  /** Stops accepting calls and closes the board. */
  async close(): Promise<void> {
    this.subscriptions.unsubscribe();
    this.telephony.dispose();
    this.acd.dispose();
    await this.board.close();
    void this.options;
  }
}
