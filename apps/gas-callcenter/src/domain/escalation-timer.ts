/**
 * The timer that escalates tickets whose deadline has passed. It sleeps until the earliest running
 * deadline (at most `maxIntervalMs`, so deadlines written by another process are noticed too), runs
 * {@link TicketService.escalateOverdue}, and reschedules; a change with an earlier deadline wakes it
 * sooner. Time comes from an injected RxJS scheduler, so tests run it in virtual time.
 * @module
 */
import type { SchedulerLike, Subscription } from 'rxjs';
import type { Logger } from '@hotline/cti-core';
import { silentLogger } from '@hotline/cti-core';
import type { TicketService } from './ticket-service.js';

/** Settings of {@link EscalationTimer}. */
export interface EscalationTimerOptions {
  readonly service: TicketService;
  readonly scheduler: SchedulerLike;
  /** Longest sleep between checks (default 60 s). */
  readonly maxIntervalMs?: number;
  readonly logger?: Logger;
}

/** Escalates overdue tickets on time. Call {@link EscalationTimer.start}, later {@link EscalationTimer.stop}. */
export class EscalationTimer {
  private timer: Subscription | undefined;
  private dueAt: number | undefined;
  private running = false;
  private rerun = false;
  private stopped = true;
  private changes: Subscription | undefined;
  private readonly maxIntervalMs: number;
  private readonly logger: Logger;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly o: EscalationTimerOptions) {
    this.maxIntervalMs = o.maxIntervalMs ?? 60_000;
    this.logger = o.logger ?? silentLogger;
  }

  /** Starts checking (an immediate first check, then as deadlines fall due). Idempotent. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.changes = this.o.service.changes$.subscribe(({ ticket }) => {
      if (ticket.deadlineAt !== null) this.wakeAt(ticket.deadlineAt);
    });
    this.wakeAt(this.o.scheduler.now());
  }

  /** Stops; a check already running finishes but schedules nothing more. */
  stop(): void {
    this.stopped = true;
    this.changes?.unsubscribe();
    this.timer?.unsubscribe();
    this.timer = undefined;
    this.dueAt = undefined;
  }

  /**
   * Resolves when no check is running. Under a virtual clock, database work started by a timer
   * finishes in real time after the clock has moved on; tests await this after each advance.
   */
  idle(): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private wakeAt(at: number): void {
    if (this.stopped) return;
    if (this.running) {
      this.rerun ||= at <= this.o.scheduler.now();
      if (!this.rerun && (this.dueAt === undefined || at < this.dueAt)) this.dueAt = at;
      return;
    }
    if (this.timer && this.dueAt !== undefined && this.dueAt <= at) return;
    this.timer?.unsubscribe();
    this.dueAt = at;
    this.timer = this.o.scheduler.schedule(() => void this.tick(), Math.max(0, at - this.o.scheduler.now()));
  }

  private async tick(): Promise<void> {
    this.timer = undefined;
    this.dueAt = undefined;
    this.running = true;
    let next: number;
    try {
      const changed = await this.o.service.escalateOverdue();
      if (changed.length > 0)
        this.logger.info('tickets escalated on deadline', {
          count: changed.length,
          tickets: changed.map((t) => t.trackingNo),
        });
      const deadline = await this.o.service.nextDeadline();
      const now = this.o.scheduler.now();
      next = Math.min(deadline ?? Infinity, now + this.maxIntervalMs);
    } catch (err) {
      this.logger.error('escalation check failed', { error: err instanceof Error ? err.message : String(err) });
      next = this.o.scheduler.now() + this.maxIntervalMs;
    } finally {
      this.running = false;
    }
    const wanted = this.rerun ? this.o.scheduler.now() : Math.min(next, this.dueAt ?? Infinity);
    this.rerun = false;
    this.dueAt = undefined;
    this.wakeAt(wanted);
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}
