import type { Ticket, TicketHistoryEntry } from '@hotline/agent-protocol';
import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import { useT, type MessageKey, type Translator } from '../i18n/i18n.js';
import { keyId } from '../keys/keypress.js';
import { useKeys } from '../keys/KeyRouter.js';
import { useActions, useNow, useSize, useUi } from '../state/contexts.js';
import { formatDateTime, formatDuration, groupDigits } from '../text/format.js';
import { padEnd } from '../text/width.js';

/** `剩 3:20:00` or `已超时 1:00:00` for a deadline. */
export function deadlineText(
  t: Translator,
  deadline: number | undefined,
  now: number,
): { text: string; overdue: boolean } {
  if (deadline === undefined) return { text: '—', overdue: false };
  const left = deadline - now;
  return left >= 0
    ? { text: t.t('ticket.dueIn', { t: formatDuration(left) }), overdue: false }
    : { text: t.t('ticket.overdue', { t: formatDuration(-left) }), overdue: true };
}

/** A ticket list: tracking number, kind, status, deadline, subject; the cursor row inverse. */
export function TicketList(props: {
  readonly t: Translator;
  readonly tickets: readonly Ticket[];
  readonly cursor: number;
  readonly height: number;
  readonly now: number;
  readonly columns: number;
}): ReactNode {
  const { t, tickets, cursor, now } = props;
  const rows = Math.max(1, props.height - 1);
  const start = Math.max(0, Math.min(cursor - rows + 1, tickets.length - rows));
  const subjectWidth = Math.max(10, props.columns - 15 - 6 - 8 - 16 - 4);
  return (
    <Box flexDirection="column">
      <Text
        bold
      >{`  ${padEnd(t.t('ticket.columns.no'), 15)}${padEnd(t.t('ticket.columns.kind'), 6)}${padEnd(t.t('ticket.columns.status'), 8)}${padEnd(t.t('ticket.columns.deadline'), 16)}${t.t('ticket.columns.subject')}`}</Text>
      {tickets.slice(start, start + rows).map((tk, i) => {
        const sel = start + i === cursor;
        const due = deadlineText(t, tk.deadline, now);
        return (
          <Text key={tk.ticketId} inverse={sel} wrap="truncate">
            {`${sel ? '›' : ' '} ${padEnd(tk.trackingNo, 15)}`}
            <Text color={tk.kind === 'emergency' ? 'red' : undefined}>
              {padEnd(t.t(`ticket.kind.${tk.kind}` as MessageKey), 6)}
            </Text>
            {padEnd(t.t(`ticket.status.${tk.status}` as MessageKey), 8)}
            <Text color={due.overdue ? 'red' : undefined}>{padEnd(due.text, 16)}</Text>
            {padEnd(tk.subject, subjectWidth)}
          </Text>
        );
      })}
    </Box>
  );
}

/** A ticket with its history. */
export function TicketDetail(props: {
  readonly t: Translator;
  readonly ticket: Ticket;
  readonly history: readonly TicketHistoryEntry[];
  readonly now: number;
  readonly height: number;
  readonly hint: string;
}): ReactNode {
  const { t, ticket } = props;
  const label = (k: MessageKey): string => padEnd(t.t(k), 10);
  const due = deadlineText(t, ticket.deadline, props.now);
  const historyRows = Math.max(1, props.height - 10);
  return (
    <Box flexDirection="column" paddingX={1}>
      <Text bold color="cyan" wrap="truncate">
        {`${t.t('ticket.detailTitle', { no: groupDigits(ticket.trackingNo) })}  ${t.t(`ticket.kind.${ticket.kind}` as MessageKey)} · ${t.t(`ticket.status.${ticket.status}` as MessageKey)} · ${t.t(`ticket.priority.${ticket.priority}` as MessageKey)}`}
      </Text>
      <Text wrap="truncate">
        <Text dimColor>{label('ticket.subject')}</Text>
        {ticket.subject}
      </Text>
      <Text wrap="truncate">
        <Text dimColor>{label('ticket.description')}</Text>
        {ticket.description}
      </Text>
      <Text wrap="truncate">
        <Text dimColor>{label('ticket.contactName')}</Text>
        {`${ticket.contactName ?? '—'}  ${ticket.contactPhone ?? ''}  ${ticket.address ?? ''}`}
      </Text>
      <Text wrap="truncate">
        <Text dimColor>{label('ticket.department')}</Text>
        {`${ticket.departmentName ?? ticket.departmentId ?? '—'}${ticket.escalationLevel > 0 ? ` (${t.t('ticket.escalationLevel', { n: ticket.escalationLevel })})` : ''}   `}
        <Text
          color={due.overdue ? 'red' : undefined}
        >{`${t.t('ticket.deadline')} ${ticket.deadline ? formatDateTime(ticket.deadline) : '—'} ${due.text}`}</Text>
      </Text>
      {ticket.result ? (
        <Text wrap="truncate" color="green">
          <Text dimColor>{label('ticket.result')}</Text>
          {ticket.result}
        </Text>
      ) : null}
      <Text bold>{t.t('ticket.history')}</Text>
      {props.history.slice(-historyRows).map((h, i) => (
        <Text key={i} wrap="truncate">
          {`  ${formatDateTime(h.at)}  ${padEnd(h.byName ?? h.by, 8)}${padEnd(t.t(`ticket.action.${h.action}` as MessageKey), 10)}${h.toStatus ? t.t(`ticket.status.${h.toStatus}` as MessageKey) : ''} ${h.note ?? ''}`}
        </Text>
      ))}
      <Text dimColor>{props.hint}</Text>
    </Box>
  );
}

/** Tickets: the list (the current customer's, else the latest), a ticket, the one just created. */
export function TicketsScreen(props: { readonly height: number }): ReactNode {
  const t = useT();
  const ui = useUi();
  const actions = useActions();
  const now = useNow(10_000);
  const { columns } = useSize();
  const tickets = ui.data.tickets ?? [];
  const cursor = ui.cursor.tickets ?? 0;

  useKeys('screen:tickets', (key) => {
    const id = keyId(key);
    if (ui.ticketView === 'list') {
      if (id === 'up' || id === 'down')
        return (actions.moveCursor('tickets', id === 'up' ? -1 : 1, tickets.length), true);
      if (id === 'return') {
        const tk = tickets[cursor];
        if (tk) void actions.openTicket(tk.ticketId);
        return true;
      }
      if (id === 'r') return (void actions.loadTickets(), true);
      return false;
    }
    if (ui.ticketView === 'detail' && id === 'u') return (actions.openTicketUpdate(), true);
    if (id === 'escape' || (ui.ticketView === 'created' && id === 'return'))
      return (actions.setTicketView('list'), true);
    return false;
  });

  if (ui.ticketView === 'created' && ui.data.createdTicket) {
    const tk = ui.data.createdTicket;
    return (
      <Box flexDirection="column" paddingX={1}>
        <Box borderStyle="double" borderColor="green" paddingX={2} flexDirection="column" alignSelf="flex-start">
          <Text
            bold
            color="green"
          >{`✓ ${t.t('ticket.created')} · ${t.t(`ticket.kind.${tk.kind}` as MessageKey)} · ${tk.departmentName ?? ''}`}</Text>
          <Text>{t.t('ticket.readOut')}</Text>
          <Text bold color="yellow">{`${t.t('ticket.trackingNo')}  ${groupDigits(tk.trackingNo)}`}</Text>
          <Text
            dimColor
          >{`(${tk.trackingNo})  ${t.t('ticket.deadline')} ${tk.deadline ? formatDateTime(tk.deadline) : '—'}`}</Text>
        </Box>
        <Text wrap="truncate">{`${t.t('ticket.subject')}: ${tk.subject}`}</Text>
        <Text dimColor>{t.t('ticket.listHint')}</Text>
      </Box>
    );
  }
  if (ui.ticketView === 'detail' && ui.data.ticket) {
    return (
      <TicketDetail
        t={t}
        ticket={ui.data.ticket.ticket}
        history={ui.data.ticket.history}
        now={now}
        height={props.height}
        hint={t.t('ticket.detailHint')}
      />
    );
  }
  return (
    <Box flexDirection="column" paddingX={1}>
      <Text
        bold
        color="cyan"
      >{`${t.t('ticket.listTitle')}${ui.data.customer ? ` · ${ui.data.customer.customer.name}` : ''}`}</Text>
      {tickets.length === 0 ? (
        <Text dimColor>{t.t('ticket.listEmpty')}</Text>
      ) : (
        <TicketList t={t} tickets={tickets} cursor={cursor} height={props.height - 2} now={now} columns={columns - 2} />
      )}
      <Text dimColor>{t.t('ticket.listHint')}</Text>
    </Box>
  );
}
