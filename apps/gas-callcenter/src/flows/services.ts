/**
 * What the gas company's IVR flows need from the business domain. The composition root
 * implements it over the store (customers, billing, tickets, voicemail); tests can give a fake.
 * Every write resolves only once it is durable, so the caller is never told of something that
 * could still be lost.
 *
 * @module
 */

/** A ticket type the IVR can open. */
export type IvrTicketKind =
  | { readonly type: 'emergency'; readonly subtype: 'gas-leak' }
  | { readonly type: 'repair'; readonly subtype: 'no-gas' | 'meter-fault' | 'other' }
  | { readonly type: 'complaint' | 'suggestion'; readonly subtype?: undefined };

/** Where a ticket is in its workflow, as the IVR reads it out. */
export type IvrTicketStatus =
  'accepted' | 'assigned' | 'in-progress' | 'resolved' | 'informed' | 'closed' | 'reopened' | 'escalated';

/** The last bill and the arrears of an account, amounts in fen. */
export interface IvrBillSummary {
  readonly arrearsFen: number;
  readonly lastBill?: {
    /** Billing period as `YYYY-MM`. */
    readonly period: string;
    readonly usageM3: number;
    readonly amountFen: number;
    /** Due date `YYYY-MM-DD`. */
    readonly dueDate: string;
    readonly paid: boolean;
  };
}

/** One tier of the gas price, as spoken. */
export interface IvrPriceTier {
  readonly tier: number;
  /** Upper bound of the tier in m³ per year (undefined for the last tier). */
  readonly upToM3?: number;
  /** Price per m³ in fen. */
  readonly priceFen: number;
}

/** The gas company's services the flows call (each call is time-bounded by the IVR). */
export interface GasServices {
  /** The customer whose phone number this is, if exactly one. */
  identifyCaller(phone: string): Promise<{ readonly customerNo: string } | undefined>;
  /** True when the account exists and the query password matches (counts failed attempts). */
  verifyQueryPassword(customerNo: string, password: string): Promise<boolean>;
  /** Changes the query password after checking the old one. */
  changeQueryPassword(
    customerNo: string,
    oldPassword: string,
    newPassword: string,
  ): Promise<'changed' | 'wrong-password' | 'unknown-account'>;
  billSummary(customerNo: string): Promise<IvrBillSummary | undefined>;
  priceTiers(): Promise<readonly IvrPriceTier[]>;
  /** Opens a ticket (durably) and returns its tracking number. */
  openTicket(input: {
    readonly kind: IvrTicketKind;
    readonly callId: string;
    readonly callerId?: string;
    readonly customerNo?: string;
    /** Free text (e.g. a fax's subject); without it the service writes the standard text of `kind`. */
    readonly description?: string;
    /** A voicemail the ticket is about (complaints by voice mail). */
    readonly voicemail?: {
      readonly path: string;
      readonly durationMs: number;
      readonly callbackNumber?: string;
      readonly mailbox: string;
    };
  }): Promise<{ readonly trackingNumber: string }>;
  /** The workflow state of a ticket, or undefined for an unknown tracking number. */
  ticketStatus(trackingNumber: string): Promise<IvrTicketStatus | undefined>;
  /** True when a keyed tracking number has a valid check digit. */
  isTrackingNumber(digits: string): boolean;
  /** Fax documents on demand: id → TIFF files, only those that exist. */
  faxDocuments(): Promise<Readonly<Record<'prices' | 'regulations' | 'forms', readonly string[]>>>;
}
