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
import type { GasServices, IvrBillSummary, IvrPriceTier, IvrTicketStatus } from '../flows/services.js';

/** Options of {@link createGasServices}. */
export interface GasServicesOptions {
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

/** Builds the IVR services over the store. */
export function createGasServices(o: GasServicesOptions): GasServices {
  const io = o.io ?? (<T>(p: Promise<T>) => p);
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

    verifyQueryPassword: (accountNo, password) => io(o.auth.checkAccountPassword(accountNo, password).then((r) => r.ok)),

    changeQueryPassword: (accountNo, oldPassword, newPassword) =>
      io(
        o.auth.changeAccountPassword(accountNo, oldPassword, newPassword).then((r) =>
          r.ok ? ('changed' as const) : r.reason === 'unknown-account' ? ('unknown-account' as const) : ('wrong-password' as const),
        ),
      ),

    billSummary: (accountNo) =>
      io(
        (async (): Promise<IvrBillSummary | undefined> => {
          const account = await o.store.customers.getAccount(accountNo);
          if (!account) return undefined;
          const [arrears, bills] = await Promise.all([o.store.billing.arrears(accountNo), o.store.billing.bills(accountNo, { limit: 1 })]);
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
          const table = (await o.store.billing.priceTable('residential', year)) ?? (await o.store.billing.priceTable('residential', year - 1));
          return (table?.tiers ?? []).map((t) => ({ tier: t.tier, ...(t.upperM3 === null ? {} : { upToM3: t.upperM3 }), priceFen: t.priceFen }));
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
                : 'general';
          let customerId: number | null = null;
          if (input.customerNo) customerId = (await o.store.customers.getAccount(input.customerNo))?.customerId ?? null;
          let stored: Voicemail | undefined;
          const open = async () => {
            const ticket = await o.tickets.open(SYSTEM, {
              type,
              subtype,
              description: input.description,
              channel: input.voicemail ? 'voicemail' : 'phone',
              customerId,
              callerPhone: input.callerId ?? null,
            });
            if (input.voicemail) {
              const vm = input.voicemail;
              stored = await o.store.voicemails.create(
                {
                  callId: input.callId,
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
