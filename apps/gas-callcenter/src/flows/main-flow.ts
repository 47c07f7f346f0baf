/**
 * The gas company's hotline: the main menu and every self-service branch (M5–M8, M13–M16).
 *
 * ```text
 * welcome → main menu
 *   1 gas leak      → emergency ticket (durable) → safety advice + tracking number → emergency queue first
 *   2 repair        → kind of fault → repair ticket → tracking number → (0 agent)
 *   3 bill/arrears  → customer number (caller ID pre-fills) → query password (secret) → amounts spoken
 *   4 information   → tiered prices spoken from the tariff / regulations
 *   5 case status   → tracking number (check digit) → status spoken
 *   6 complaint     → agent, or voice mail → complaint ticket (durable) → tracking number
 *   7 password      → old, new, new again → changed
 *   8 fax           → document → fax on the same call, or to a keyed number (outbound, retried)
 * fax line (DNIS)   → receive → complaint ticket with the fax attached → acknowledgement fax
 *   0 agent         → general queue
 * ```
 *
 * @module
 */
import {
  accountNumber,
  defineFlow,
  pinEntry,
  type CallContext,
  type EntryValidator,
  type FlowDefinition,
  type PromptRef,
} from '@hotline/ivr';
import { GAS_PROMPT_IDS, GasPrompt as P, STATUS_PROMPTS } from './prompts.js';
import type { GasServices, IvrTicketKind } from './services.js';

/** Skills of the queues the flows send callers to (the app maps them to ACD queues). */
export const Skill = {
  Emergency: 'emergency',
  Repair: 'repair',
  Billing: 'billing',
  Complaint: 'complaint',
  General: 'general',
} as const;

/** Priority of a gas-leak caller: above everything else. */
export const EMERGENCY_PRIORITY = 100;

function trackingValidator(services: GasServices): EntryValidator<string> {
  return {
    name: 'tracking-number',
    minDigits: 8,
    maxDigits: 20,
    validate: (entry) => {
      if (!/^\d+$/.test(entry)) return { ok: false, reason: 'format' };
      if (entry.length < 8) return { ok: false, reason: 'too-short' };
      if (!services.isTrackingNumber(entry)) return { ok: false, reason: 'checksum' };
      return { ok: true, value: entry };
    },
  };
}

const digits = (value: string): PromptRef => ({ say: { type: 'digits', value } });
const money = (fen: number): PromptRef => ({ say: { type: 'money', fen } });

/** Opens a ticket through the service node; returns its tracking number or undefined when the service failed. */
async function openTicket(
  ctx: CallContext,
  services: GasServices,
  kind: IvrTicketKind,
  extra: Partial<Parameters<GasServices['openTicket']>[0]> = {},
): Promise<string | undefined> {
  const r = await ctx.service(
    'open-ticket',
    () =>
      services.openTicket({
        kind,
        callId: ctx.callId,
        ...(ctx.call.callerId ? { callerId: ctx.call.callerId } : {}),
        ...(typeof ctx.data['customerNo'] === 'string' ? { customerNo: ctx.data['customerNo'] } : {}),
        ...extra,
      }),
    { id: `ticket-${kind.type}`, timeoutMs: 5000, retries: 1 },
  );
  if (!r.ok) return undefined;
  ctx.data['trackingNumber'] = r.value.trackingNumber;
  return r.value.trackingNumber;
}

/** The customer number, keyed by the caller (caller ID only pre-fills the agent's screen pop). */
function customerNumber(ctx: CallContext): Promise<string> {
  return ctx.collect({
    id: 'account',
    prompt: P.EnterAccount,
    validator: accountNumber({ minDigits: 8, maxDigits: 10 }),
  });
}

/** Asks for the customer number and query password; returns the verified number or undefined. */
async function authenticate(ctx: CallContext, services: GasServices): Promise<string | undefined> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const customerNo = await customerNumber(ctx);
    const password = await ctx.collect({ id: 'password', prompt: P.EnterPassword, validator: pinEntry({ length: 6 }) });
    const ok = await ctx.service('verify-password', () => services.verifyQueryPassword(customerNo, password), {
      id: 'verify-password',
    });
    if (!ok.ok) return undefined;
    if (ok.value) {
      ctx.data['customerNo'] = customerNo;
      return customerNo;
    }
    await ctx.play(P.WrongPassword);
  }
  return ctx.toAgent();
}

function leakFlow(services: GasServices): FlowDefinition<void, void> {
  return defineFlow({
    name: 'gas-leak',
    async run(ctx) {
      ctx.data['reason'] = 'gas-leak';
      // The ticket first: if the caller hangs up during the advice, the leak is still on record.
      const tracking = await openTicket(ctx, services, { type: 'emergency', subtype: 'gas-leak' });
      await ctx.play([P.LeakAdvice, ...(tracking ? [P.TicketNumberIs, digits(tracking)] : []), P.LeakQueue], {
        bargeIn: false,
      });
      await ctx.queue({
        id: 'emergency-queue',
        skills: [Skill.Emergency],
        priority: EMERGENCY_PRIORITY,
        holdPrompt: P.LeakAdvice,
      });
      // Not reached an agent (no emergency desk staffed): the general queue is the fallback.
      await ctx.queue({
        id: 'emergency-fallback',
        skills: [Skill.General],
        priority: EMERGENCY_PRIORITY,
        holdPrompt: P.LeakAdvice,
      });
      await ctx.hangup();
    },
  });
}

function repairFlow(services: GasServices): FlowDefinition<void, void> {
  return defineFlow({
    name: 'repair',
    async run(ctx) {
      const choice = await ctx.menu({
        id: 'repair-menu',
        prompt: P.RepairMenu,
        choices: ['1', '2', '3'] as const,
        back: true,
      });
      const subtype = choice === '1' ? 'no-gas' : choice === '2' ? 'meter-fault' : 'other';
      const tracking = await openTicket(ctx, services, { type: 'repair', subtype });
      if (!tracking) return ctx.toAgent();
      await ctx.play([P.RepairAccepted, P.TicketNumberIs, digits(tracking), P.TicketNumberIs, digits(tracking)]);
    },
  });
}

function billFlow(services: GasServices): FlowDefinition<void, void> {
  return defineFlow({
    name: 'bill',
    async run(ctx) {
      const customerNo = await authenticate(ctx, services);
      if (!customerNo) return;
      const r = await ctx.service('bill-summary', () => services.billSummary(customerNo), { id: 'bill-summary' });
      if (!r.ok) return;
      const bill = r.value;
      if (!bill) {
        await ctx.play(P.UnknownAccount);
        return;
      }
      const parts: PromptRef[] = bill.arrearsFen > 0 ? [P.ArrearsAre, money(bill.arrearsFen)] : [P.NoArrears];
      const last = bill.lastBill;
      if (last) {
        const [y, m] = last.period.split('-');
        parts.push(
          P.LastBill,
          { say: { type: 'date', value: `${y}-${m}-01`, withYear: true } },
          P.Usage,
          { say: { type: 'number', value: last.usageM3 } },
          P.CubicMeters,
          P.AmountIs,
          money(last.amountFen),
        );
        if (last.paid) parts.push(P.Paid);
        else parts.push(P.Unpaid, P.DueBy, { say: { type: 'date', value: last.dueDate } });
      }
      await ctx.play(parts);
    },
  });
}

function infoFlow(services: GasServices): FlowDefinition<void, void> {
  return defineFlow({
    name: 'information',
    async run(ctx) {
      const choice = await ctx.menu({ id: 'info-menu', prompt: P.InfoMenu, choices: ['1', '2'] as const, back: true });
      if (choice === '2') {
        await ctx.play(P.Regulations);
        return;
      }
      const r = await ctx.service('price-tiers', () => services.priceTiers(), { id: 'price-tiers' });
      if (!r.ok) return;
      const parts: PromptRef[] = [P.PricesIntro];
      for (const t of r.value) {
        parts.push(P.Tier, { say: { type: 'number', value: t.tier } });
        if (t.upToM3 !== undefined) parts.push(P.UpTo, { say: { type: 'number', value: t.upToM3 } }, P.CubicMeters);
        else parts.push(P.Above);
        parts.push(P.PerCubicMeter, money(t.priceFen));
      }
      await ctx.play(parts);
    },
  });
}

function statusFlow(services: GasServices): FlowDefinition<void, void> {
  return defineFlow({
    name: 'ticket-status',
    async run(ctx) {
      const tracking = await ctx.collect({
        id: 'tracking-number',
        prompt: P.EnterTracking,
        validator: trackingValidator(services),
        back: true,
      });
      const r = await ctx.service('ticket-status', () => services.ticketStatus(tracking), { id: 'ticket-status' });
      if (!r.ok) return;
      if (!r.value) {
        await ctx.play(P.UnknownTicket);
        return;
      }
      ctx.data['trackingNumber'] = tracking;
      await ctx.play([P.TicketNumberIs, digits(tracking), P.StatusPrefix, STATUS_PROMPTS[r.value]]);
    },
  });
}

function complaintFlow(services: GasServices): FlowDefinition<void, void> {
  return defineFlow({
    name: 'complaint',
    async run(ctx) {
      const choice = await ctx.menu({
        id: 'complaint-menu',
        prompt: P.ComplaintMenu,
        choices: ['1', '2'] as const,
        back: true,
      });
      if (choice === '1') return ctx.toAgent();
      // The ticket and its voice mail are committed together before the caller hears "saved".
      let tracking: string | undefined;
      const message = await ctx.voicemail({
        id: 'complaint-voicemail',
        mailbox: 'complaint',
        persist: async (m) => {
          const ticket = await services.openTicket({
            kind: { type: 'complaint' },
            callId: ctx.callId,
            ...(ctx.call.callerId ? { callerId: ctx.call.callerId } : {}),
            ...(typeof ctx.data['customerNo'] === 'string' ? { customerNo: ctx.data['customerNo'] } : {}),
            voicemail: {
              path: m.path,
              durationMs: m.durationMs,
              mailbox: m.mailbox,
              ...(m.callbackNumber ? { callbackNumber: m.callbackNumber } : {}),
            },
          });
          tracking = ticket.trackingNumber;
          ctx.data['trackingNumber'] = tracking;
        },
      });
      if (!message || !tracking) return;
      await ctx.play([P.ComplaintSaved, P.TicketNumberIs, digits(tracking), P.TicketNumberIs, digits(tracking)]);
    },
  });
}

function passwordFlow(services: GasServices): FlowDefinition<void, void> {
  return defineFlow({
    name: 'change-password',
    async run(ctx) {
      const customerNo = await customerNumber(ctx);
      const old = await ctx.collect({ id: 'old-password', prompt: P.OldPassword, validator: pinEntry({ length: 6 }) });
      for (let attempt = 0; attempt < 3; attempt++) {
        const fresh = await ctx.collect({
          id: 'new-password',
          prompt: P.NewPassword,
          validator: pinEntry({ length: 6, rejectTrivial: true }),
        });
        const again = await ctx.collect({
          id: 'new-password-again',
          prompt: P.NewPasswordAgain,
          validator: pinEntry({ length: 6 }),
        });
        if (fresh !== again) {
          await ctx.play(P.PasswordsDiffer);
          continue;
        }
        const r = await ctx.service('change-password', () => services.changeQueryPassword(customerNo, old, fresh), {
          id: 'change-password',
        });
        if (!r.ok) return;
        if (r.value === 'changed') {
          await ctx.play(P.PasswordChanged);
        } else {
          await ctx.play(r.value === 'unknown-account' ? P.UnknownAccount : P.WrongPassword);
        }
        return;
      }
    },
  });
}

/**
 * What the fax branches need beyond {@link GasServices}; the server's fax desk provides it (see
 * `server/fax-desk.ts`). Absent (tests with fake services, no fax desk): fax on demand sends on
 * the same call only, and no number is a fax line.
 */
export interface FaxFlowServices {
  /** True when calls to this called number (DNIS) are the inbound fax line. */
  isFaxLine(calledNumber: string): boolean;
  /** Receives a fax on the answered call and files it (complaint ticket, acknowledgement). */
  receiveFax(input: {
    readonly channel: CallContext['channel'];
    readonly callId: string;
    readonly callerId?: string;
    readonly calledNumber?: string;
  }): Promise<{ readonly trackingNumber?: string }>;
  /** True when keyed digits are a number the centre may send a fax to. */
  isFaxNumber(digits: string): boolean;
  /** Queues a document for an outbound fax (with retries) to a number the caller keyed. */
  queueDocumentFax(input: {
    readonly document: FaxDocument;
    readonly number: string;
    readonly callId: string;
    readonly callerId?: string;
  }): Promise<void>;
  /** Records a document faxed on the call itself (sent or not). */
  documentFaxed(input: {
    readonly document: FaxDocument;
    readonly callId: string;
    readonly callerId?: string;
    readonly pages: number;
    readonly sent: boolean;
  }): Promise<void>;
}

/** A document of fax on demand. */
export type FaxDocument = 'prices' | 'regulations' | 'forms';

function faxServicesOf(services: GasServices): Partial<FaxFlowServices> {
  return services as GasServices & Partial<FaxFlowServices>;
}

function faxNumberValidator(fx: Partial<FaxFlowServices>): EntryValidator<string> {
  return {
    name: 'fax-number',
    minDigits: 5,
    maxDigits: 20,
    validate: (entry) => {
      if (!/^\d+$/.test(entry)) return { ok: false, reason: 'format' };
      if (entry.length < 5) return { ok: false, reason: 'too-short' };
      if (fx.isFaxNumber && !fx.isFaxNumber(entry)) return { ok: false, reason: 'not-allowed' };
      return { ok: true, value: entry };
    },
  };
}

function faxFlow(services: GasServices): FlowDefinition<void, void> {
  return defineFlow({
    name: 'fax-on-demand',
    async run(ctx) {
      if (!ctx.channel.capabilities.fax) {
        await ctx.play(P.FaxUnavailable);
        return;
      }
      const fx = faxServicesOf(services);
      const choice = await ctx.menu({
        id: 'fax-menu',
        prompt: P.FaxMenu,
        choices: ['1', '2', '3'] as const,
        back: true,
      });
      const document: FaxDocument = choice === '1' ? 'prices' : choice === '2' ? 'regulations' : 'forms';
      const docs = await ctx.service('fax-documents', () => services.faxDocuments(), { id: 'fax-documents' });
      if (!docs.ok) return;
      const files = docs.value[document];
      if (files.length === 0) {
        await ctx.play(P.FaxUnavailable);
        return;
      }
      ctx.data['faxDocument'] = document;
      const callerId = ctx.call.callerId ? { callerId: ctx.call.callerId } : {};
      // With the fax desk: on this call, or sent later to a number the caller keys.
      if (fx.queueDocumentFax) {
        const how = await ctx.menu({ id: 'fax-how', prompt: P.FaxHow, choices: ['1', '2'] as const, back: true });
        if (how === '2') {
          const number = await ctx.collect({
            id: 'fax-number',
            prompt: P.FaxEnterNumber,
            validator: faxNumberValidator(fx),
          });
          const queued = await ctx.service(
            'fax-queue',
            () => fx.queueDocumentFax!({ document, number, callId: ctx.callId, ...callerId }),
            { id: 'fax-queue', timeoutMs: 10_000 },
          );
          if (!queued.ok) return;
          await ctx.play([P.FaxQueued, digits(number)]);
          return;
        }
      }
      const outcome = await ctx.fax({ id: 'fax-send', documents: files });
      const pages = outcome.status === 'sent' ? outcome.pages : 0;
      if (fx.documentFaxed) {
        await ctx.service(
          'fax-record',
          () =>
            fx.documentFaxed!({ document, callId: ctx.callId, ...callerId, pages, sent: outcome.status === 'sent' }),
          {
            id: 'fax-record',
            waitPrompt: false,
            fallbackPrompt: false,
          },
        );
      }
      if (outcome.status !== 'sent') await ctx.play(P.FaxUnavailable);
    },
  });
}

/** The inbound fax line: no prompts, the board answers as a fax machine and receives. */
function faxLineFlow(services: GasServices): FlowDefinition<void, void> {
  return defineFlow({
    name: 'fax-line',
    async run(ctx) {
      const fx = faxServicesOf(services);
      ctx.data['reason'] = 'fax';
      if (!ctx.channel.capabilities.fax || !fx.receiveFax) {
        await ctx.play(P.FaxUnavailable);
        await ctx.hangup();
        return;
      }
      const r = await fx.receiveFax({
        channel: ctx.channel,
        callId: ctx.callId,
        ...(ctx.call.callerId ? { callerId: ctx.call.callerId } : {}),
        ...(ctx.call.calledNumber ? { calledNumber: ctx.call.calledNumber } : {}),
      });
      if (r.trackingNumber) ctx.data['trackingNumber'] = r.trackingNumber;
      await ctx.hangup({ goodbye: false });
    },
  });
}

/** The main hotline flow. */
export function gasMainFlow(services: GasServices): FlowDefinition<void, void> {
  const branches = {
    '1': leakFlow(services),
    '2': repairFlow(services),
    '3': billFlow(services),
    '4': infoFlow(services),
    '5': statusFlow(services),
    '6': complaintFlow(services),
    '7': passwordFlow(services),
    '8': faxFlow(services),
  } as const;
  return defineFlow({
    name: 'gas-main',
    prompts: GAS_PROMPT_IDS,
    async run(ctx) {
      // Calls to the fax line's number never hear the menu (see faxLineFlow).
      if (ctx.call.calledNumber && faxServicesOf(services).isFaxLine?.(ctx.call.calledNumber))
        return ctx.sub(faxLineFlow(services), undefined).then(() => undefined);
      if (ctx.call.callerId) {
        const who = await ctx.service('identify-caller', () => services.identifyCaller(ctx.call.callerId!), {
          id: 'identify-caller',
          waitPrompt: false,
          fallbackPrompt: false,
          timeoutMs: 1500,
        });
        if (who.ok && who.value) ctx.data['customerNo'] = who.value.customerNo;
      }
      await ctx.play(P.Welcome);
      for (;;) {
        const key = await ctx.menu({
          id: 'main-menu',
          prompt: P.MainMenu,
          choices: ['1', '2', '3', '4', '5', '6', '7', '8'] as const,
          back: false,
        });
        const branch = branches[key];
        const result = await ctx.sub(branch, undefined);
        if (result.status === 'back') continue;
        if (key === '1') return;
        // After a self-service branch: back to the main menu with *, or hang up.
        const next = await ctx.menu({
          id: 'anything-else',
          prompt: P.AnythingElse,
          choices: ['*'] as const,
          back: false,
          maxFailures: 1,
          onMaxFailures: 'goodbye',
        });
        if (next !== '*') return;
      }
    },
  });
}
