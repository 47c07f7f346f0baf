/**
 * Client-side checks of what a person typed, with messages they can act on. The server checks
 * again (the protocol schemas are the contract); these exist so mistakes show at the field.
 */
import { CustomerPatch, PhoneNumber, type TicketKind } from '@hotline/agent-protocol';
import type { Translator } from '../i18n/i18n.js';

/** Field name → translated error. */
export type FieldErrors = Record<string, string>;

/** Splits a typed phone list (`,`, `，`, `、`, `;` or spaces). */
export function splitPhones(text: string): string[] {
  return text
    .split(/[,，、;；\s]+/)
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
}

function intInRange(t: Translator, text: string, min: number, max: number): { value?: number; error?: string } {
  if (text === '') return {};
  if (!/^-?\d+$/.test(text)) return { error: t.t('customer.v.intRange', { min, max }) };
  const n = Number(text);
  if (n < min || n > max) return { error: t.t('customer.v.intRange', { min, max }) };
  return { value: n };
}

/** Validates the customer form; returns the patch when valid. */
export function validateCustomer(
  t: Translator,
  v: Record<string, string>,
): { errors: FieldErrors; patch?: CustomerPatch } {
  const errors: FieldErrors = {};
  const name = v.name ?? '';
  const address = v.address ?? '';
  if (name === '') errors.name = t.t('customer.v.nameRequired');
  else if (Array.from(name).length > 64) errors.name = t.t('customer.v.tooLong', { max: 64 });
  const phones = splitPhones(v.phones ?? '');
  if (phones.length === 0) errors.phones = t.t('customer.v.phonesRequired');
  const badPhone = phones.find((p) => !PhoneNumber.safeParse(p).success);
  if (badPhone) errors.phones = t.t('customer.v.phoneInvalid', { value: badPhone });
  if (address === '') errors.address = t.t('customer.v.addressRequired');
  else if (Array.from(address).length > 200) errors.address = t.t('customer.v.tooLong', { max: 200 });
  const household = intInRange(t, v.householdSize ?? '', 0, 99);
  if (household.error) errors.householdSize = household.error;
  const floor = intInRange(t, v.floor ?? '', -10, 200);
  if (floor.error) errors.floor = floor.error;
  if (Object.keys(errors).length > 0) return { errors };
  const patch: CustomerPatch = {
    name,
    phones,
    address,
    district: v.district ?? '',
    districtCode: v.districtCode ?? '',
    ...(household.value !== undefined ? { householdSize: household.value } : {}),
    ...(floor.value !== undefined ? { floor: floor.value } : {}),
    notes: v.notes ?? '',
  };
  const parsed = CustomerPatch.safeParse(patch);
  if (!parsed.success) return { errors: { name: parsed.error.issues[0]?.message ?? 'invalid' } };
  return { errors, patch: parsed.data };
}

/** Validates the ticket form. */
export function validateTicket(t: Translator, v: Record<string, string>): FieldErrors {
  const errors: FieldErrors = {};
  const kind = v.kind as TicketKind;
  if (!v.subject) errors.subject = t.t('ticket.v.subjectRequired');
  if (!v.description) errors.description = t.t('ticket.v.descriptionRequired');
  if ((kind === 'emergency' || kind === 'repair') && !v.address) errors.address = t.t('ticket.v.addressRequired');
  if (v.contactPhone && !PhoneNumber.safeParse(v.contactPhone).success)
    errors.contactPhone = t.t('ticket.v.phoneInvalid');
  return errors;
}

/** True for a dialable number. */
export function isDialable(number: string): boolean {
  return PhoneNumber.safeParse(number).success;
}
