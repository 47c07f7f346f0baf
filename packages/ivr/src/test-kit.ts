/**
 * Test helpers (not exported from the package): a prompt catalog of small generated WAVs, and a
 * harness that runs whole calls on board-sim in virtual time.
 *
 * @internal
 * @module
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { firstValueFrom, timer } from 'rxjs';
import { openBoard, VirtualScheduler, type Board, type Channel, type Logger } from '@hotline/cti-core';
import { generateTone, writeWav } from '@hotline/cti-core/media';
import { SimBoard, type SimParty } from '@hotline/board-sim';
import type { CallOutcome, IvrEvent } from './analytics.js';
import type { FlowDefinition } from './flow.js';
import { LOCALES, type Locale } from './locale.js';
import { PromptCatalog } from './prompt-catalog.js';
import { IvrRuntime, type IvrResult, type IvrRuntimeOptions, type RunOptions } from './runtime.js';
import { fragmentIds } from './say/fragments.js';
import { STANDARD_PROMPT_IDS } from './standard-prompts.js';

/** Writes a catalog folder: every standard prompt and fragment plus `extra` (id → ms), as quiet tones. */
export function writeFixtureCatalog(
  extra: Readonly<Record<string, number>> = {},
  locales: readonly Locale[] = LOCALES,
): string {
  const root = mkdtempSync(join(tmpdir(), 'ivr-prompts-'));
  for (const locale of locales) {
    mkdirSync(join(root, locale), { recursive: true });
    const ids: Record<string, number> = {};
    for (const id of [...STANDARD_PROMPT_IDS, ...fragmentIds(locale)]) ids[id] = 200;
    Object.assign(ids, extra);
    for (const [id, ms] of Object.entries(ids)) {
      writeFileSync(join(root, locale, `${id}.wav`), writeWav(generateTone([400], ms, -30)));
    }
  }
  return root;
}

/** A logger that keeps every line (to check that secrets never reach logs). */
export function memoryLogger(): Logger & { readonly lines: string[] } {
  const lines: string[] = [];
  const log = (level: string) => (message: string, fields?: Readonly<Record<string, unknown>>) => {
    lines.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`);
  };
  return { lines, debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

/** One call driven by a simulated caller. */
export interface SimCall {
  readonly caller: SimParty;
  readonly channel: Channel;
  readonly outcome: Promise<CallOutcome>;
}

/** Whole calls on board-sim in virtual time. */
export class IvrHarness {
  readonly scheduler = new VirtualScheduler();
  readonly sim: SimBoard;
  readonly root: string;
  readonly catalog: PromptCatalog;
  readonly events: IvrEvent[] = [];
  readonly results: IvrResult[] = [];
  readonly logger = memoryLogger();
  readonly recordings: string;
  board!: Board;
  runtime!: IvrRuntime;

  constructor(extraPrompts: Readonly<Record<string, number>> = {}, options: { readonly analogTrunks?: number } = {}) {
    this.sim = new SimBoard({ scheduler: this.scheduler, analogTrunks: options.analogTrunks ?? 4 });
    this.root = writeFixtureCatalog(extraPrompts);
    this.catalog = new PromptCatalog({ root: this.root });
    this.recordings = mkdtempSync(join(tmpdir(), 'ivr-rec-'));
  }

  async open(
    options: Omit<IvrRuntimeOptions, 'catalog' | 'scheduler'> = {},
    flows: readonly FlowDefinition<never, unknown>[] = [],
  ): Promise<this> {
    this.board = await this.scheduler.run(openBoard(this.sim.driver, { scheduler: this.scheduler }));
    this.runtime = new IvrRuntime({
      catalog: this.catalog,
      scheduler: this.scheduler,
      logger: this.logger,
      recordingsDir: this.recordings,
      ...options,
    });
    this.runtime.events$.subscribe((e) => this.events.push(e));
    this.runtime.results$.subscribe((r) => this.results.push(r));
    await this.runtime.start(flows);
    return this;
  }

  /** A caller dials in; the IVR answers and runs `flow`. */
  async call<A>(
    flow: FlowDefinition<A, unknown>,
    options: RunOptions<A> & { readonly from?: string } = {},
  ): Promise<SimCall> {
    const offered = firstValueFrom(this.board.incoming$);
    const caller = this.sim.call({ from: options.from ?? '13800138000', to: '96777' });
    const { channel } = await this.scheduler.run(offered, 30_000);
    const outcome = this.runtime.run(channel, flow, options);
    outcome.catch(() => undefined);
    await this.scheduler.run(caller.whenConnected(), 30_000);
    return { caller, channel, outcome };
  }

  /** Lets `ms` of virtual time pass. */
  wait(ms: number): Promise<void> {
    return this.scheduler.run(firstValueFrom(timer(ms, this.scheduler)).then(() => undefined));
  }

  /** The caller keys digits (real DTMF tones), then `afterMs` passes. */
  async press(caller: SimParty, digits: string, afterMs = 300): Promise<void> {
    await this.scheduler.run(caller.press(digits));
    if (afterMs > 0) await this.wait(afterMs);
  }

  /** Runs until the call's outcome is known. */
  finish(call: SimCall, maxMs = 600_000): Promise<CallOutcome> {
    return this.scheduler.run(call.outcome, maxMs);
  }

  /** Events of one type. */
  eventsOf<T extends IvrEvent['type']>(type: T): Extract<IvrEvent, { type: T }>[] {
    return this.events.filter((e): e is Extract<IvrEvent, { type: T }> => e.type === type);
  }

  /** `node:result` of every node-left event, in order. */
  nodesLeft(): string[] {
    return this.eventsOf('node-left').map((e) => `${e.node}:${e.result}`);
  }

  async close(): Promise<void> {
    this.runtime.close();
    await this.scheduler.run(this.board.close());
    rmSync(this.root, { recursive: true, force: true });
    rmSync(this.recordings, { recursive: true, force: true });
  }
}
