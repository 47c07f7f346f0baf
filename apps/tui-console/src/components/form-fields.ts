/** The fields of each form, built from the translator and the server's catalogues. */
import type { Catalog, TicketKind, TicketStatus } from '@hotline/agent-protocol';
import type { MessageKey, Translator } from '../i18n/i18n.js';
import type { FieldSpec } from './form-model.js';

export const TICKET_KINDS: readonly TicketKind[] = ['repair', 'emergency', 'complaint', 'suggestion', 'service'];
export const TICKET_STATUSES: readonly TicketStatus[] = [
  'accepted',
  'assigned',
  'in-progress',
  'resolved',
  'informed',
  'closed',
];

export function loginFields(t: Translator): FieldSpec[] {
  return [
    { name: 'server', label: t.t('login.server'), kind: 'text', max: 200, placeholder: 'ws://127.0.0.1:7070' },
    { name: 'user', label: t.t('login.user'), kind: 'text', max: 64 },
    { name: 'password', label: t.t('login.password'), kind: 'password', max: 128 },
  ];
}

export function searchFields(t: Translator): FieldSpec[] {
  return [
    { name: 'name', label: t.t('customer.name'), kind: 'text', max: 64 },
    { name: 'phone', label: t.t('customer.phone'), kind: 'text', max: 32 },
    { name: 'customerNo', label: t.t('customer.customerNo'), kind: 'text', max: 32 },
    { name: 'address', label: t.t('customer.address'), kind: 'text', max: 200 },
  ];
}

export function customerFields(t: Translator): FieldSpec[] {
  return [
    { name: 'name', label: t.t('customer.name'), kind: 'text', max: 64 },
    { name: 'phones', label: t.t('customer.phones'), kind: 'text', max: 200 },
    { name: 'address', label: t.t('customer.address'), kind: 'text', max: 200 },
    { name: 'district', label: t.t('customer.district'), kind: 'text', max: 64 },
    { name: 'districtCode', label: t.t('customer.districtCode'), kind: 'text', max: 16 },
    { name: 'householdSize', label: t.t('customer.householdSize'), kind: 'text', max: 3 },
    { name: 'floor', label: t.t('customer.floor'), kind: 'text', max: 4 },
    { name: 'notes', label: t.t('customer.notes'), kind: 'text', max: 2000 },
  ];
}

export function ticketFields(t: Translator): FieldSpec[] {
  return [
    {
      name: 'kind',
      label: t.t('ticket.kind'),
      kind: 'choice',
      options: TICKET_KINDS.map((k) => ({ value: k, label: t.t(`ticket.kind.${k}` as MessageKey) })),
    },
    {
      name: 'priority',
      label: t.t('ticket.priority'),
      kind: 'choice',
      options: (['normal', 'high', 'urgent', 'low'] as const).map((p) => ({
        value: p,
        label: t.t(`ticket.priority.${p}` as MessageKey),
      })),
    },
    { name: 'subject', label: t.t('ticket.subject'), kind: 'text', max: 120 },
    { name: 'description', label: t.t('ticket.description'), kind: 'text', max: 4000 },
    { name: 'contactName', label: t.t('ticket.contactName'), kind: 'text', max: 64 },
    { name: 'contactPhone', label: t.t('ticket.contactPhone'), kind: 'text', max: 32 },
    { name: 'address', label: t.t('ticket.address'), kind: 'text', max: 200 },
  ];
}

export function ticketUpdateFields(t: Translator, current: TicketStatus | undefined): FieldSpec[] {
  const statuses = current ? [current, ...TICKET_STATUSES.filter((s) => s !== current)] : [...TICKET_STATUSES];
  return [
    {
      name: 'status',
      label: t.t('ticket.status'),
      kind: 'choice',
      options: statuses.map((s) => ({ value: s, label: t.t(`ticket.status.${s}` as MessageKey) })),
    },
    { name: 'note', label: t.t('ticket.note'), kind: 'text', max: 2000 },
  ];
}

export function transferFields(t: Translator, catalog: Catalog | undefined, kind: string): FieldSpec[] {
  const target: FieldSpec =
    kind === 'queue'
      ? {
          name: 'queue',
          label: t.t('transfer.target'),
          kind: 'choice',
          options: (catalog?.queues ?? []).map((q) => ({ value: q.queueId, label: q.name })),
        }
      : {
          name: 'target',
          label: t.t('transfer.target'),
          kind: 'text',
          max: 32,
          placeholder: kind === 'agent' ? '1002' : '0512…',
        };
  return [
    {
      name: 'mode',
      label: t.t('transfer.mode'),
      kind: 'choice',
      options: [
        { value: 'blind', label: t.t('transfer.mode.blind') },
        { value: 'consult', label: t.t('transfer.mode.consult') },
      ],
    },
    {
      name: 'kind',
      label: t.t('transfer.kind'),
      kind: 'choice',
      options: [
        { value: 'queue', label: t.t('transfer.kind.queue') },
        { value: 'agent', label: t.t('transfer.kind.agent') },
        { value: 'number', label: t.t('transfer.kind.number') },
      ],
    },
    target,
    { name: 'note', label: t.t('transfer.note'), kind: 'text', max: 500 },
  ];
}

export function dialFields(t: Translator, phones: readonly string[]): FieldSpec[] {
  return [
    {
      name: 'number',
      label: t.t('dial.number'),
      kind: 'text',
      max: 32,
      ...(phones[0] ? { placeholder: phones.join(' / ') } : {}),
    },
  ];
}

export function wrapUpFields(t: Translator, catalog: Catalog | undefined): FieldSpec[] {
  return [
    {
      name: 'disposition',
      label: t.t('wrap.disposition'),
      kind: 'choice',
      options: (catalog?.dispositions ?? [])
        .filter((d) => d.code !== 'no-answer')
        .map((d) => ({ value: d.code, label: t.label(d, d.code) })),
    },
    { name: 'note', label: t.t('wrap.note'), kind: 'text', max: 2000 },
  ];
}

export function deptResultFields(t: Translator): FieldSpec[] {
  return [
    { name: 'result', label: t.t('dept.result'), kind: 'text', max: 2000 },
    {
      name: 'resolve',
      label: t.t('dept.resolve'),
      kind: 'choice',
      options: [
        { value: 'yes', label: t.t('dept.yes') },
        { value: 'no', label: t.t('dept.no') },
      ],
    },
  ];
}

export function deptEscalateFields(t: Translator): FieldSpec[] {
  return [{ name: 'reason', label: t.t('dept.reason'), kind: 'text', max: 500 }];
}
