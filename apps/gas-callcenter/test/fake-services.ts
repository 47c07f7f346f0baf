import type { GasServices, IvrBillSummary, IvrTicketKind, IvrTicketStatus } from '../src/flows/services.js';

/** An in-memory GasServices for flow tests: one customer, a ticket book, a check digit rule. */
export class FakeGasServices implements GasServices {
  readonly tickets = new Map<
    string,
    { kind: IvrTicketKind; status: IvrTicketStatus; description: string; voicemail?: string }
  >();
  passwords = new Map<string, string>([['12345678', '135790']]);
  bills = new Map<string, IvrBillSummary>([
    [
      '12345678',
      {
        arrearsFen: 12030,
        lastBill: { period: '2026-10', usageM3: 35, amountFen: 10850, dueDate: '2026-11-30', paid: false },
      },
    ],
  ]);
  failedLogins = 0;
  private seq = 0;
  down = false;

  async identifyCaller(phone: string): Promise<{ readonly customerNo: string } | undefined> {
    return phone === '13912345678' ? { customerNo: '12345678' } : undefined;
  }
  async verifyQueryPassword(customerNo: string, password: string): Promise<boolean> {
    this.check();
    const ok = this.passwords.get(customerNo) === password;
    if (!ok) this.failedLogins++;
    return ok;
  }
  async changeQueryPassword(
    customerNo: string,
    oldPassword: string,
    newPassword: string,
  ): Promise<'changed' | 'wrong-password' | 'unknown-account'> {
    this.check();
    const current = this.passwords.get(customerNo);
    if (current === undefined) return 'unknown-account';
    if (current !== oldPassword) return 'wrong-password';
    this.passwords.set(customerNo, newPassword);
    return 'changed';
  }
  async billSummary(customerNo: string): Promise<IvrBillSummary | undefined> {
    this.check();
    return this.bills.get(customerNo);
  }
  async priceTiers() {
    return [
      { tier: 1, upToM3: 310, priceFen: 300 },
      { tier: 2, upToM3: 520, priceFen: 360 },
      { tier: 3, priceFen: 450 },
    ];
  }
  async openTicket(input: Parameters<GasServices['openTicket']>[0]): Promise<{ readonly trackingNumber: string }> {
    this.check();
    const body = `2026112600${String(++this.seq).padStart(2, '0')}`;
    const trackingNumber = body + this.checkDigit(body);
    this.tickets.set(trackingNumber, {
      kind: input.kind,
      status: 'accepted',
      description: input.description ?? '',
      ...(input.voicemail ? { voicemail: input.voicemail.path } : {}),
    });
    return { trackingNumber };
  }
  async ticketStatus(trackingNumber: string): Promise<IvrTicketStatus | undefined> {
    this.check();
    return this.tickets.get(trackingNumber)?.status;
  }
  isTrackingNumber(digits: string): boolean {
    return digits.length >= 9 && this.checkDigit(digits.slice(0, -1)) === digits.slice(-1);
  }
  async faxDocuments() {
    return { prices: [], regulations: [], forms: [] };
  }
  private checkDigit(body: string): string {
    let sum = 0;
    for (let i = 0; i < body.length; i++) sum += Number(body[i]) * (i % 2 === 0 ? 3 : 1);
    return String((10 - (sum % 10)) % 10);
  }
  private check(): void {
    if (this.down) throw new Error('billing system down');
  }
}
