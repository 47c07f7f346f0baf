/**
 * The fax desk of the gas call centre: everything fax the app does, over the soft fax engine
 * (`@hotline/fax-spandsp`) and the board.
 *
 * - **Documents on demand.** At start the price list, the regulations and the application form
 *   are rendered (or reused) under `<dataDir>/<fax.documentsDir>`; key 8 sends one on the call
 *   itself, or queues it to a number the caller keys (outbound job with retries).
 * - **Inbound fax line.** Calls to `fax.inboundNumbers` are answered as a fax machine; a received
 *   fax (complete, or the pages that arrived before the line dropped) becomes a complaint ticket
 *   (channel `fax`) with the fax stored durably (`store.faxes`) and the call recorded; then an
 *   acknowledgement fax carrying the tracking number is sent back to the sender's number.
 * - **Results by fax.** {@link FaxDesk.sendTicketResult} renders a ticket's result and delivers it
 *   with retries; every attempt and the outcome go into the ticket history, and a delivered
 *   result of a resolved ticket moves it to `informed`.
 *
 * @module
 */
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Subject, type Observable, type SchedulerLike } from 'rxjs';
import {
  isHotlineError,
  maskPhone,
  type Board,
  type Channel,
  type FaxProgress,
  type FaxResult,
  type Logger,
  type SoftFaxEngine,
} from '@hotline/cti-core';
import { SpandspFaxEngine, parseFaxTiff, renderTextFax } from '@hotline/fax-spandsp';
import { localDate } from '../domain/clock.js';
import { AppError, AppErrorCode, notFound } from '../domain/errors.js';
import type { Store } from '../domain/store.js';
import type { Actor, TicketService } from '../domain/ticket-service.js';
import type { Ticket } from '../domain/tickets.js';
import type { FaxFlowServices } from '../flows/main-flow.js';
import type { GasServices } from '../flows/services.js';
import type { Locale } from '../i18n/catalog.js';
import { prepareFaxDocuments, FAX_DOCUMENT_KINDS, type FaxDocumentKind, type FaxDocumentSet } from './fax-documents.js';
import { faxMessage, faxOutcomeText, type FaxMessage } from './fax-messages.js';
import { FaxOutbox, type FaxAttempt, type FaxDelivery } from './fax-outbox.js';

/** The `fax` section of the configuration (see `config/schema.ts`). */
export interface FaxSettings {
  readonly enabled: boolean;
  readonly inboundNumbers: readonly string[];
  readonly localId: string;
  readonly ecm: boolean;
  readonly acknowledge: boolean;
  readonly maxAttempts: number;
  readonly retryDelaysSeconds: readonly number[];
  readonly noAnswerSeconds: number;
  readonly allowedNumbers: string;
  readonly documentsDir: string;
  readonly resolution: 'fine' | 'standard';
}

/** Defaults of {@link FaxSettings} (the schema's). */
export const DEFAULT_FAX_SETTINGS: FaxSettings = {
  enabled: true,
  inboundNumbers: ['96778'],
  localId: '',
  ecm: true,
  acknowledge: true,
  maxAttempts: 3,
  retryDelaysSeconds: [120, 600],
  noAnswerSeconds: 60,
  allowedNumbers: '^(0[1-9]\\d{8,10}|[2-8]\\d{6,7})$',
  documentsDir: 'documents',
  resolution: 'fine',
};

/** Options of {@link FaxDesk.open}. */
export interface FaxDeskOptions {
  readonly store: Store;
  readonly tickets: TicketService;
  readonly scheduler: SchedulerLike;
  readonly logger: Logger;
  readonly dataDir: string;
  readonly locale: Locale;
  readonly timeZone: string;
  readonly centre: { readonly name: string; readonly hotline: string };
  readonly settings?: Partial<FaxSettings>;
  /** The soft fax engine; default a `SpandspFaxEngine` with the configured ECM setting. */
  readonly engine?: SoftFaxEngine;
  /** Wraps every storage promise (tests: `scheduler.track`). */
  readonly io?: <T>(promise: Promise<T>) => Promise<T>;
}

/** How a fax received on the fax line was filed. */
export interface InboundFaxOutcome {
  /** Pages received (kept, even when the transfer broke off). */
  readonly pages: number;
  /** The engine's result, or the error that ended the session (`ERR_HANGUP`). */
  readonly result: string;
  readonly trackingNumber?: string;
  readonly ticketId?: number;
  readonly faxId?: number;
  /** The acknowledgement job, when one was queued. */
  readonly acknowledgement?: Promise<FaxDelivery>;
}

/** A queued outbound fax. */
export interface QueuedFax {
  /** The stored outbound fax (`store.faxes`): `queued`, then `sent` or `failed`. */
  readonly faxId: number;
  readonly delivery: Promise<FaxDelivery>;
}

/** What the fax desk reports (the CTI link can push it to desktops; tests wait on it). */
export type FaxDeskEvent =
  | { readonly type: 'receiving'; readonly callId: string; readonly progress: FaxProgress }
  | { readonly type: 'received'; readonly callId: string; readonly outcome: InboundFaxOutcome }
  | { readonly type: 'attempt'; readonly faxId: number; readonly ticketId?: number; readonly attempt: FaxAttempt }
  | {
      readonly type: 'finished';
      readonly faxId: number;
      readonly ticketId?: number;
      readonly documentCode: string;
      readonly delivery: FaxDelivery;
    };

const FAX_ACTOR = { kind: 'system', name: 'fax' } as const satisfies Actor;

/** The fax side of the call centre. Create with {@link FaxDesk.open}; attach the board once open. */
export class FaxDesk {
  private readonly outbox: FaxOutbox;
  private readonly io: <T>(promise: Promise<T>) => Promise<T>;
  private readonly settings: FaxSettings;
  private readonly allowed: RegExp;
  private readonly inboxDir: string;
  private readonly work = new Set<Promise<unknown>>();
  private readonly events = new Subject<FaxDeskEvent>();
  /** Progress of received faxes, every outbound attempt, and how each job ended. */
  readonly events$: Observable<FaxDeskEvent> = this.events.asObservable();

  private constructor(
    private readonly o: FaxDeskOptions,
    /** The engine the board uses; undefined when fax is disabled or libspandsp is missing. */
    readonly engine: SoftFaxEngine | undefined,
    /** The documents on demand (empty lists when a document could not be made). */
    readonly documents: FaxDocumentSet,
    settings: FaxSettings,
  ) {
    this.settings = settings;
    this.io = o.io ?? (<T>(p: Promise<T>) => p);
    this.inboxDir = join(o.dataDir, 'fax-inbox');
    let allowed: RegExp;
    try {
      allowed = new RegExp(settings.allowedNumbers);
    } catch (error) {
      o.logger.error('fax.allowedNumbers is not a valid regular expression; using the default', {
        error: String(error),
      });
      allowed = new RegExp(DEFAULT_FAX_SETTINGS.allowedNumbers);
    }
    this.allowed = allowed;
    this.outbox = new FaxOutbox({
      scheduler: o.scheduler,
      logger: o.logger,
      maxAttempts: settings.maxAttempts,
      retryDelaysMs: settings.retryDelaysSeconds.map((s) => s * 1000),
      noAnswerTimeoutMs: settings.noAnswerSeconds * 1000,
      ...(settings.localId ? { localId: settings.localId } : {}),
    });
  }

  /**
   * Loads the engine and prepares the documents. Never fails for fax reasons: without
   * libspandsp (or with `fax.enabled: false`) the desk has no engine and callers are told fax is
   * unavailable; a document that cannot be rendered (no CJK font) is not offered.
   */
  static async open(o: FaxDeskOptions): Promise<FaxDesk> {
    const settings: FaxSettings = { ...DEFAULT_FAX_SETTINGS, ...o.settings };
    const empty: FaxDocumentSet = { prices: [], regulations: [], forms: [] };
    if (!settings.enabled) {
      o.logger.info('fax disabled by configuration');
      return new FaxDesk(o, undefined, empty, settings);
    }
    const engine = o.engine ?? new SpandspFaxEngine({ ecm: settings.ecm, logger: o.logger });
    if (!engine.available) {
      o.logger.warn('fax unavailable', { reason: engine.unavailableReason });
      return new FaxDesk(o, undefined, empty, settings);
    }
    // Faxes being received when the server stopped: their calls are gone, the partial files are not needed.
    await rm(join(o.dataDir, 'fax-inbox'), { recursive: true, force: true });
    const report = await prepareFaxDocuments({
      store: o.store,
      dir: join(o.dataDir, settings.documentsDir),
      clock: o.scheduler,
      timeZone: o.timeZone,
      locale: o.locale,
      company: o.centre.name,
      hotline: o.centre.hotline,
      faxLine: settings.inboundNumbers[0] ?? o.centre.hotline,
      resolution: settings.resolution,
      logger: o.logger,
    });
    return new FaxDesk(o, engine, report.documents, settings);
  }

  /** The board whose trunks send and receive (call once the call centre is open). */
  attach(board: Board): void {
    this.outbox.attach(board);
  }

  /** Outbound jobs and inbound faxes still being handled. */
  get pending(): number {
    return this.outbox.pending + this.work.size;
  }

  /** True when calls to `calledNumber` are the inbound fax line. */
  isFaxLine(calledNumber: string): boolean {
    return this.settings.inboundNumbers.includes(calledNumber);
  }

  /** True when the centre may fax to `digits` (a number a caller keyed). */
  isFaxNumber(digits: string): boolean {
    return /^\d{5,20}$/.test(digits) && this.allowed.test(digits);
  }

  /** The IVR's services with the fax desk's documents and fax operations added. */
  ivrServices<S extends GasServices>(services: S): S & FaxFlowServices {
    const fax: FaxFlowServices & Pick<GasServices, 'faxDocuments'> = {
      faxDocuments: async () => this.documents,
      isFaxLine: (n) => this.isFaxLine(n),
      isFaxNumber: (n) => this.isFaxNumber(n),
      receiveFax: (input) => this.receiveComplaintFax(input),
      queueDocumentFax: async (input) => {
        await this.sendDocument(input.document, input.number);
      },
      documentFaxed: (input) => this.recordDocumentFaxed(input),
    };
    // A view of `services` (methods bound to it, its state shared) with the fax operations on top.
    return new Proxy(services, {
      get: (target, prop) => {
        if (Object.hasOwn(fax, prop)) return Reflect.get(fax, prop) as unknown;
        const value: unknown = Reflect.get(target, prop, target);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
      has: (target, prop) => Object.hasOwn(fax, prop) || Reflect.has(target, prop),
    }) as S & FaxFlowServices;
  }

  // ------------------------------------------------------------------ inbound

  /**
   * Receives a fax on an answered call of the fax line and files it: the pages that arrived (even
   * when the sender hung up mid-page) are stored with a complaint ticket in one transaction, the
   * call is recorded (media `fax`), and an acknowledgement with the tracking number is queued to
   * the sender's number. Resolves once the ticket is committed; never rejects.
   */
  async receiveComplaintFax(input: {
    readonly channel: Channel;
    readonly callId: string;
    readonly callerId?: string;
    readonly calledNumber?: string;
  }): Promise<InboundFaxOutcome> {
    const done = this.receive(input).then((outcome) => {
      this.events.next({ type: 'received', callId: input.callId, outcome });
      return outcome;
    });
    this.work.add(done);
    void done.finally(() => this.work.delete(done));
    return done;
  }

  private async receive(input: {
    readonly channel: Channel;
    readonly callId: string;
    readonly callerId?: string;
    readonly calledNumber?: string;
  }): Promise<InboundFaxOutcome> {
    const { store, logger, scheduler } = this.o;
    const { channel, callId } = input;
    const caller = input.callerId ?? null;
    const startedAt = scheduler.now();
    const recorded = await this.io(
      this.startInteraction(callId, { channel: channel.id, caller, called: input.calledNumber ?? null, startedAt }),
    );
    const tmp = join(this.inboxDir, `rx-${callId.replace(/[^\w.-]/g, '_')}.tif`);
    await this.io(mkdir(this.inboxDir, { recursive: true }));
    let result: FaxResult | undefined;
    let ended: string;
    try {
      result = await new Promise<FaxResult>((resolve, reject) => {
        channel
          .fax$({
            direction: 'receive',
            files: [tmp],
            ...(this.settings.localId ? { localId: this.settings.localId } : {}),
          })
          .subscribe({
            next: (e) =>
              e.kind === 'progress'
                ? this.events.next({ type: 'receiving', callId, progress: e.progress })
                : resolve(e.result),
            error: reject,
          });
      });
      ended = result.result;
    } catch (error) {
      ended = isHotlineError(error) ? error.code : String(error);
    }
    // What arrived is what the file holds (spandsp closes it at the end of the session).
    let image: Uint8Array | undefined;
    let pages = 0;
    try {
      image = await this.io(readFile(tmp));
      pages = parseFaxTiff(image).pages.length;
    } catch {
      pages = 0;
    }
    const complete = result?.success === true;
    const remote = caller ?? digitsOf(result?.remoteId);
    logger.info('fax received on the fax line', {
      call: callId,
      caller: maskPhone(caller),
      pages,
      result: ended,
      complete,
    });
    try {
      if (!image || pages === 0) {
        if (recorded) await this.io(this.endInteraction(callId, 'failed', { result: ended, pages: 0 }));
        return { pages: 0, result: ended };
      }
      const m = (key: FaxMessage, params?: Readonly<Record<string, string | number>>): string =>
        faxMessage(this.o.locale, key, params);
      const sender = remote ?? m('unknownSender');
      const description = complete
        ? m('complaintByFax', { pages, sender })
        : m('complaintByFaxPartial', { pages, sender, reason: ended });
      const customerId = caller ? await this.io(this.customerOf(caller)) : null;
      const filed = await this.io(
        store.transaction(async () => {
          const ticket = await this.o.tickets.open(FAX_ACTOR, {
            type: 'complaint',
            subtype: 'other',
            description,
            channel: 'fax',
            customerId,
            callerPhone: remote,
          });
          const fax = await store.faxes.create(
            {
              direction: 'inbound',
              remoteNumber: remote,
              pages,
              callId: recorded ? callId : null,
              ticketId: ticket.id,
              documentCode: null,
              status: 'received',
            },
            image,
            { ext: 'tif', mime: 'image/tiff' },
          );
          if (recorded) await store.interactions.linkTicket(callId, ticket.id);
          return { ticket, fax };
        }),
      );
      if (recorded)
        await this.io(
          this.endInteraction(callId, complete ? 'self_service' : 'failed', {
            result: ended,
            pages,
            ticket: filed.ticket.trackingNo,
            fax: filed.fax.id,
          }),
        );
      logger.info('complaint fax filed', { call: callId, ticket: filed.ticket.trackingNo, fax: filed.fax.id, pages });
      let acknowledgement: Promise<FaxDelivery> | undefined;
      if (this.settings.acknowledge)
        acknowledgement = (await this.acknowledge(filed.ticket, remote, pages, startedAt))?.delivery;
      return {
        pages,
        result: ended,
        trackingNumber: filed.ticket.trackingNo,
        ticketId: filed.ticket.id,
        faxId: filed.fax.id,
        ...(acknowledgement ? { acknowledgement } : {}),
      };
    } catch (error) {
      logger.error('filing a received fax failed', { call: callId, pages, error: String(error) });
      return { pages, result: ended };
    } finally {
      await this.io(rm(tmp, { force: true }));
    }
  }

  /**
   * The acknowledgement: a one-page fax with the tracking number, to the sender's number. It is
   * sent by calling back: when T.30 ends the sender's machine releases the line (DCN), so the
   * call it came on cannot carry a fax the other way.
   */
  private async acknowledge(
    ticket: Ticket,
    number: string | null,
    pages: number,
    receivedAt: number,
  ): Promise<QueuedFax | undefined> {
    const m = (key: FaxMessage, params?: Readonly<Record<string, string | number>>): string =>
      faxMessage(this.o.locale, key, params);
    if (!number) {
      await this.io(this.o.tickets.note(FAX_ACTOR, ticket.id, m('noteNoNumber')));
      return undefined;
    }
    const text = [
      m('ackTitle'),
      '',
      m('ackBody', {
        received: this.dateTime(receivedAt),
        pages,
        tracking: ticket.trackingNo,
        hotline: this.o.centre.hotline,
      }),
    ].join('\n');
    return this.queue({
      purpose: 'purposeAck',
      number,
      text,
      headerNote: ticket.trackingNo,
      ticket,
      documentCode: 'ack',
    });
  }

  // ------------------------------------------------------------------ outbound

  /**
   * Sends a ticket's result to the customer by fax (the CTI link or the department workflow
   * calls this once the ticket is resolved): renders the result page, stores it, and delivers it
   * with retries. Every attempt is written into the ticket's history; when delivered, a resolved
   * ticket moves to `informed`. Resolves once queued; `delivery` resolves when it ends.
   *
   * @param number the fax number; default the ticket's caller phone.
   * @throws AppError `ERR_NOT_FOUND` for an unknown ticket, `ERR_INVALID` without a result or a number, or when fax is unavailable.
   */
  async sendTicketResult(
    ticket: { readonly ticketId: number } | { readonly trackingNo: string },
    options: { readonly number?: string; readonly actor?: Actor } = {},
  ): Promise<QueuedFax> {
    const t =
      'ticketId' in ticket
        ? await this.io(this.o.store.tickets.get(ticket.ticketId))
        : await this.io(this.o.tickets.getByTrackingNo(options.actor ?? FAX_ACTOR, ticket.trackingNo));
    if (!t) throw notFound('ticket', 'ticketId' in ticket ? ticket.ticketId : ticket.trackingNo);
    if (!this.engine) throw invalidFax('fax', 'unavailable');
    if (!t.result) throw invalidFax('result', 'required');
    const number = options.number ?? t.callerPhone;
    if (!number || !/^\d{3,20}$/.test(number)) throw invalidFax('number', number ? 'format' : 'required');
    const m = (key: FaxMessage, params?: Readonly<Record<string, string | number>>): string =>
      faxMessage(this.o.locale, key, params);
    const text = [
      m('resultTitle'),
      '',
      m('resultBody', {
        tracking: t.trackingNo,
        accepted: this.dateTime(t.createdAt),
        description: t.description,
        result: t.result,
        hotline: this.o.centre.hotline,
      }),
    ].join('\n');
    return this.queue({
      purpose: 'purposeResult',
      number,
      text,
      headerNote: t.trackingNo,
      ticket: t,
      documentCode: 'result',
      informWhenSent: options.actor ?? FAX_ACTOR,
    });
  }

  /** Queues a document on demand to a number a caller keyed (no ticket; the stored fax records the outcome). */
  async sendDocument(document: FaxDocumentKind, number: string): Promise<QueuedFax> {
    const files = this.documents[document];
    if (!this.engine || files.length === 0) throw invalidFax('fax', 'unavailable');
    if (!this.isFaxNumber(number)) throw invalidFax('number', 'not-allowed');
    const image = await this.io(readFile(files[0]!));
    return this.queueImage({
      purpose: 'purposeDocument',
      number,
      image,
      documentCode: document,
      label: `document ${document}`,
    });
  }

  /** Records a document faxed on the caller's own call. */
  async recordDocumentFaxed(input: {
    readonly document: FaxDocumentKind;
    readonly callId: string;
    readonly callerId?: string;
    readonly pages: number;
    readonly sent: boolean;
  }): Promise<void> {
    const file = this.documents[input.document][0];
    if (!file) return;
    const image = await this.io(readFile(file));
    await this.io(
      this.o.store.faxes.create(
        {
          direction: 'outbound',
          remoteNumber: input.callerId ?? null,
          pages: input.pages,
          callId: null,
          ticketId: null,
          documentCode: input.document,
          status: input.sent ? 'sent' : 'failed',
        },
        image,
        { ext: 'tif', mime: 'image/tiff' },
      ),
    );
  }

  private async queue(job: {
    readonly purpose: FaxMessage;
    readonly number: string;
    readonly text: string;
    readonly headerNote: string;
    readonly ticket: Ticket;
    readonly documentCode: string;
    readonly informWhenSent?: Actor;
  }): Promise<QueuedFax> {
    const image = await this.io(
      renderTextFax(job.text, {
        company: this.o.centre.name,
        date: this.dateTime(this.o.scheduler.now()),
        headerNote: job.headerNote,
        resolution: this.settings.resolution,
      }),
    );
    return this.queueImage({ ...job, image, label: `${job.documentCode} ${job.ticket.trackingNo}` });
  }

  private async queueImage(job: {
    readonly purpose: FaxMessage;
    readonly number: string;
    readonly image: Uint8Array;
    readonly documentCode: string;
    readonly label: string;
    readonly ticket?: Ticket;
    readonly informWhenSent?: Actor;
  }): Promise<QueuedFax> {
    const { store, dataDir } = this.o;
    const pages = parseFaxTiff(job.image).pages.length;
    // Stored first: the outbound fax is on record (queued) before the first attempt.
    const fax = await this.io(
      store.faxes.create(
        {
          direction: 'outbound',
          remoteNumber: job.number,
          pages,
          callId: null,
          ticketId: job.ticket?.id ?? null,
          documentCode: job.documentCode,
          status: 'queued',
        },
        job.image,
        { ext: 'tif', mime: 'image/tiff' },
      ),
    );
    const m = (key: FaxMessage, params?: Readonly<Record<string, string | number>>): string =>
      faxMessage(this.o.locale, key, params);
    const purpose = m(job.purpose);
    const ticket = job.ticket;
    const delivery = this.outbox
      .send({
        number: job.number,
        files: [join(dataDir, fax.relPath)],
        label: job.label,
        onAttempt: async (a: FaxAttempt) => {
          if (ticket) {
            let note = m('noteAttempt', {
              purpose,
              attempt: a.attempt,
              number: job.number,
              outcome: faxOutcomeText(this.o.locale, a.outcome),
            });
            if (a.outcome === 'sent')
              note += m('noteSent', { pages: a.result?.pages ?? pages, rate: a.result?.bitRate ?? '—' });
            else if (a.retryInMs !== undefined)
              note += m('noteRetry', { minutes: Math.max(1, Math.round(a.retryInMs / 60_000)) });
            else note += m('noteGaveUp');
            await this.io(this.recordOnTicket(ticket.id, note, a.outcome === 'sent' ? job.informWhenSent : undefined));
          }
          this.events.next({ type: 'attempt', faxId: fax.id, ...(ticket ? { ticketId: ticket.id } : {}), attempt: a });
        },
      })
      .then(async (d) => {
        await this.io(store.faxes.setStatus(fax.id, d.delivered ? 'sent' : 'failed')).catch((error: unknown) =>
          this.o.logger.error('recording a fax outcome failed', { fax: fax.id, error: String(error) }),
        );
        this.events.next({
          type: 'finished',
          faxId: fax.id,
          ...(ticket ? { ticketId: ticket.id } : {}),
          documentCode: job.documentCode,
          delivery: d,
        });
        return d;
      });
    this.work.add(delivery);
    void delivery.finally(() => this.work.delete(delivery));
    this.o.logger.info('fax queued', { fax: fax.id, label: job.label, number: maskPhone(job.number), pages });
    return { faxId: fax.id, delivery };
  }

  /** A history note; a delivered result moves a resolved ticket to `informed` with the note. */
  private async recordOnTicket(ticketId: number, note: string, inform: Actor | undefined): Promise<void> {
    if (inform) {
      const t = await this.o.store.tickets.get(ticketId);
      if (t?.status === 'resolved') {
        await this.o.tickets.inform(inform, ticketId, note);
        return;
      }
    }
    await this.o.tickets.note(FAX_ACTOR, ticketId, note);
  }

  // ------------------------------------------------------------------ helpers

  /**
   * Makes sure the call has its record (the call detail recorder may have made it at the offer,
   * as a voice call); marks it as the fax line's. False when it could not be made: the fax is then
   * filed without a link to the call rather than lost.
   */
  private async startInteraction(
    callId: string,
    c: { channel: string; caller: string | null; called: string | null; startedAt: number },
  ): Promise<boolean> {
    const { interactions } = this.o.store;
    try {
      if (!(await interactions.get(callId))) {
        await interactions
          .start({
            callId,
            direction: 'inbound',
            media: 'fax',
            channel: c.channel,
            caller: c.caller,
            called: c.called,
            startedAt: c.startedAt,
            service: 'fax',
          })
          .catch(async (error: unknown) => {
            if (!(await interactions.get(callId))) throw error; // not a race with the recorder
          });
      }
      await interactions.update(callId, { service: 'fax', answeredAt: c.startedAt });
      return true;
    } catch (error) {
      this.o.logger.warn('fax call record failed', { call: callId, error: String(error) });
      return false;
    }
  }

  private async endInteraction(
    callId: string,
    outcome: 'self_service' | 'failed',
    detail: Readonly<Record<string, unknown>>,
  ): Promise<void> {
    const { interactions } = this.o.store;
    const now = this.o.scheduler.now();
    try {
      await interactions.appendSteps(callId, [{ at: now, kind: 'fax', detail: { direction: 'receive', ...detail } }]);
      await interactions.update(callId, { endedAt: now, outcome });
    } catch (error) {
      this.o.logger.warn('fax call record failed', { call: callId, error: String(error) });
    }
  }

  private async customerOf(phone: string): Promise<number | null> {
    const found = await this.o.store.customers.findByPhone(phone);
    return found.length === 1 ? found[0]!.id : null;
  }

  private dateTime(ms: number): string {
    const d = localDate(ms, this.o.timeZone).iso;
    const t = new Intl.DateTimeFormat('en-GB', {
      timeZone: this.o.timeZone,
      hour: '2-digit',
      minute: '2-digit',
      hour12: false,
    }).format(new Date(ms));
    return `${d} ${t}`;
  }

  /** Stops retrying and waits for faxes in hand (server shutdown). */
  async close(): Promise<void> {
    await this.outbox.close();
    await Promise.allSettled([...this.work]);
    this.events.complete();
  }
}

/** Digits of a fax identity (TSI) when it looks like a phone number. */
function digitsOf(id: string | undefined): string | null {
  if (!id) return null;
  const d = id.replace(/[\s+\-()]/g, '');
  return /^\d{5,20}$/.test(d) ? d : null;
}

function invalidFax(field: string, reason: string): AppError {
  return new AppError(AppErrorCode.Invalid, `fax: ${field} ${reason}`, { details: { field, reason } });
}

export { FAX_DOCUMENT_KINDS, type FaxDocumentKind, type FaxDocumentSet, type FaxDelivery, type FaxAttempt };
