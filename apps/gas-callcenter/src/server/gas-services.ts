/**
 * The IVR's view of the business domain ({@link GasServices}) implemented over the store and the
 * domain services. Every write resolves only after it is committed; `io` lets tests in virtual
 * time wait for the database (`VirtualScheduler.track`), and is the identity in production.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { localDate, type Clock } from '../domain/clock.js';
import type { AuthService } from '../domain/auth-service.js';
import type { Store } from '../domain/store.js';
import type { TicketService } from '../domain/ticket-service.js';
import type { TicketStatus, TicketType } from '../domain/tickets.js';
import type { Voicemail } from '../domain/voicemail.js';
import { normalizeTrackingNumber, validateTrackingNumber } from '../domain/tracking-number.js';
import type { GasServices, IvrBillSummary, IvrPriceTier, IvrTicketKind, IvrTicketStatus } from '../flows/services.js';
import { createTranslator, type Locale } from '../i18n/catalog.js';

/** Options of {@link createGasServices}. */
export interface GasServicesOptions {
  /** Language of the texts written into tickets (default zh-CN). */
  readonly locale?: Locale;
  /**
   * The department a new ticket goes to, by type (and repair kind): default emergency → `repair`
   * (抢修中心), no gas / other repairs → `network` (管网所), meter faults → `meters` (表务所),
   * complaints and suggestions → `cs` (客服中心). A code the database does not have leaves the
   * ticket unassigned (accepted) for an agent to route.
   */
  readonly departments?: Readonly<Record<string, string>>;
  readonly store: Store;
  readonly auth: AuthService;
  readonly tickets: TicketService;
  readonly clock: Clock;
  readonly timeZone: string;
  /** Wraps every storage promise (tests: `scheduler.track`). */
  readonly io?: <T>(promise: Promise<T>) => Promise<T>;
  /** Told of every voicemail stored with its ticket (the CTI link pushes it to desktops). */
  readonly onVoicemail?: (voicemail: Voicemail) => void;
  /** Fax documents on demand, by kind (TIFF files). */
  readonly faxDocuments?: Readonly<Record<'prices' | 'regulations' | 'forms', readonly string[]>>;
}

const STATUS: Readonly<Record<TicketStatus, IvrTicketStatus>> = {
  accepted: 'accepted',
  assigned: 'assigned',
  in_progress: 'in-progress',
  resolved: 'resolved',
  informed: 'informed',
  closed: 'closed',
};

const SYSTEM = { kind: 'system', name: 'ivr' } as const;

/** Where IVR tickets go by default (see {@link GasServicesOptions.departments}). */
export const DEFAULT_TICKET_DEPARTMENTS: Readonly<Record<string, string>> = {
  emergency: 'repair',
  'repair:no-gas': 'network',
  'repair:other': 'network',
  'repair:meter-fault': 'meters',
  complaint: 'cs',
  suggestion: 'cs',
};

/** Builds the IVR services over the store. */
export function createGasServices(o: GasServicesOptions): GasServices {
  const io = o.io ?? (<T>(p: Promise<T>) => p);
  const t = createTranslator(o.locale ?? 'zh-CN');
  const departments = o.departments ?? DEFAULT_TICKET_DEPARTMENTS;
  const describe = (kind: IvrTicketKind, voicemail: boolean): string => {
    if (kind.type === 'emergency') return t('ticket.ivr.gasLeak');
    if (kind.type === 'repair') return t(`ticket.ivr.repair.${kind.subtype}`);
    if (kind.type === 'complaint' && voicemail) return t('ticket.ivr.complaintVoicemail');
    return t('ticket.ivr.suggestion');
  };
  const departmentFor = async (kind: IvrTicketKind): Promise<string | null> => {
    const code = (kind.type === 'repair' ? departments[`repair:${kind.subtype}`] : undefined) ?? departments[kind.type];
    if (!code) return null;
    return (await o.store.departments.getByCode(code)) ? code : null;
  };
  return {
    identifyCaller: (phone) =>
      io(
        (async () => {
          const found = await o.store.customers.findByPhone(phone);
          if (found.length !== 1) return undefined;
          const accounts = await o.store.customers.accountsOf(found[0]!.id);
          const account = accounts.find((a) => a.status === 'active') ?? accounts[0];
          return account ? { customerNo: account.accountNo } : undefined;
        })(),
      ),

    verifyQueryPassword: (accountNo, password) =>
      io(o.auth.checkAccountPassword(accountNo, password).then((r) => r.ok)),

    changeQueryPassword: (accountNo, oldPassword, newPassword) =>
      io(
        o.auth
          .changeAccountPassword(accountNo, oldPassword, newPassword)
          .then((r) =>
            r.ok
              ? ('changed' as const)
              : r.reason === 'unknown-account'
                ? ('unknown-account' as const)
                : ('wrong-password' as const),
          ),
      ),

    billSummary: (accountNo) =>
      io(
        (async (): Promise<IvrBillSummary | undefined> => {
          const account = await o.store.customers.getAccount(accountNo);
          if (!account) return undefined;
          const [arrears, bills] = await Promise.all([
            o.store.billing.arrears(accountNo),
            o.store.billing.bills(accountNo, { limit: 1 }),
          ]);
          const last = bills[0];
          return {
            arrearsFen: arrears.totalFen,
            ...(last
              ? {
                  lastBill: {
                    period: last.period,
                    usageM3: last.usageM3,
                    amountFen: last.amountFen,
                    dueDate: localDate(last.dueAt, o.timeZone).iso,
                    paid: last.status === 'paid',
                  },
                }
              : {}),
          };
        })(),
      ),

    priceTiers: () =>
      io(
        (async (): Promise<readonly IvrPriceTier[]> => {
          const year = localDate(o.clock.now(), o.timeZone).year;
          const table =
            (await o.store.billing.priceTable('residential', year)) ??
            (await o.store.billing.priceTable('residential', year - 1));
          return (table?.tiers ?? []).map((t) => ({
            tier: t.tier,
            ...(t.upperM3 === null ? {} : { upToM3: t.upperM3 }),
            priceFen: t.priceFen,
          }));
        })(),
      ),

    openTicket: (input) =>
      io(
        (async () => {
          const type: TicketType = input.kind.type;
          const subtype =
            input.kind.type === 'emergency'
              ? 'gas_leak'
              : input.kind.type === 'repair'
                ? { 'no-gas': 'no_gas', 'meter-fault': 'meter_fault', other: 'other' }[input.kind.subtype]
                : input.kind.type === 'complaint'
                  ? 'other' // a caller's complaint is classified by the department that reads it
                  : 'general';
          let customerId: number | null = null;
          if (input.customerNo) customerId = (await o.store.customers.getAccount(input.customerNo))?.customerId ?? null;
          let stored: Voicemail | undefined;
          const open = async () => {
            const ticket = await o.tickets.open(SYSTEM, {
              type,
              subtype,
              description: input.description ?? describe(input.kind, input.voicemail !== undefined),
              channel: input.voicemail ? 'voicemail' : 'phone',
              customerId,
              callerPhone: input.callerId ?? null,
              departmentCode: await departmentFor(input.kind),
            });
            if (input.voicemail) {
              const vm = input.voicemail;
              stored = await o.store.voicemails.create(
                {
                  callId: (await o.store.interactions.get(input.callId)) ? input.callId : null,
                  caller: input.callerId ?? null,
                  callbackNumber: vm.callbackNumber ?? input.callerId ?? null,
                  wantsReply: true,
                  topic: vm.mailbox,
                  durationMs: vm.durationMs,
                  ticketId: ticket.id,
                },
                readFileSync(vm.path),
                { ext: 'wav', mime: 'audio/wav' },
              );
            }
            return ticket;
          };
          const ticket = input.voicemail ? await o.store.transaction(open) : await open();
          if (stored) o.onVoicemail?.(stored);
          // The call's record links the ticket (a call without a record, e.g. in tests, is fine).
          await o.store.interactions.linkTicket(input.callId, ticket.id).catch(() => undefined);
          return { trackingNumber: ticket.trackingNo };
        })(),
      ),

    ticketStatus: (trackingNumber) =>
      io(
        (async () => {
          const ticket = await o.tickets.getByTrackingNo(SYSTEM, trackingNumber);
          return ticket ? STATUS[ticket.status] : undefined;
        })(),
      ),

    isTrackingNumber: (digits) => validateTrackingNumber(normalizeTrackingNumber(digits)).valid,

    faxDocuments: async () => o.faxDocuments ?? { prices: [], regulations: [], forms: [] },
  };
}
