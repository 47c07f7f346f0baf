import type { BillSummary, CallInfo, ScreenPop as Pop, Ticket } from '@hotline/agent-protocol';
import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import type { MessageKey, Translator } from '../i18n/i18n.js';
import { formatDateTime, formatDuration, formatPhone, formatYuan } from '../text/format.js';
import { padEnd, truncate } from '../text/width.js';

/** Props of {@link ScreenPop}. */
export interface ScreenPopProps {
  readonly t: Translator;
  readonly pop: Pop;
  /** The call as it is now (state may have moved on since the pop). */
  readonly call: CallInfo;
  readonly bill: BillSummary | undefined;
  readonly now: number;
  readonly width: number;
  /** Rows available. */
  readonly height: number;
  /** Cursor in the candidates list (unknown or shared caller id). */
  readonly cursor: number;
  /** Display label of a disposition code (from the server's catalogue). */
  readonly dispositionLabel?: (code: string) => string;
}

/** A ticket as one table row (tracking number, kind, status, subject, department). */
export function ticketRow(t: Translator, ticket: Ticket, width: number): string {
  const fixed = 15 + 6 + 8 + 10;
  return (
    padEnd(ticket.trackingNo, 15) +
    padEnd(t.t(`ticket.kind.${ticket.kind}` as MessageKey), 6) +
    padEnd(t.t(`ticket.status.${ticket.status}` as MessageKey), 8) +
    padEnd(ticket.subject, Math.max(8, width - fixed - 1)) +
    ' ' +
    padEnd(ticket.departmentName ?? '', 9)
  );
}

/**
 * The screen pop: who is calling and what we know, shown from the moment the call rings. Ringing
 * calls get a red banner with the wait and the answer key; a known customer shows the record,
 * arrears, IVR path, open tickets and recent contacts; an unknown caller shows the candidates
 * (shared number) or how to search.
 */
export function ScreenPop(props: ScreenPopProps): ReactNode {
  const { t, pop, call, bill, width } = props;
  const ringing = call.state === 'offered';
  const c = pop.customer;
  const number = pop.callerId ? formatPhone(pop.callerId) : t.t('call.withheld');
  const label = (key: MessageKey): string => padEnd(t.t(key), 10);
  const stateText = ringing
    ? t.t('call.ringing')
    : `${t.t(`call.state.${call.state}` as MessageKey)} ${formatDuration(props.now - call.since)}${call.recording ? ` ● ${t.t('call.recording')}` : ''}`;
  const headerColor = ringing ? 'red' : call.state === 'held' ? 'yellow' : 'green';
  const priority = pop.priority !== 'normal' ? ` [${t.t(`call.priority.${pop.priority}` as MessageKey)}]` : '';
  const ivr = pop.ivrPath.length
    ? pop.ivrPath.map((s) => `${s.label ?? s.node}${s.input ? `[${s.input}]` : ''}`).join(' › ')
    : t.t('call.ivrNone');
  const inner = width - 2;
  const rowsLeft = Math.max(2, props.height - 9);
  const ticketRows = Math.min(pop.openTickets.length, Math.max(1, Math.floor(rowsLeft / 2)));
  const interactionRows = Math.max(1, rowsLeft - ticketRows - 2);
  return (
    <Box flexDirection="column" width={width}>
      <Box borderStyle={ringing ? 'double' : 'round'} borderColor={headerColor} paddingX={1} flexDirection="column">
        <Text wrap="truncate">
          <Text bold color={headerColor}>
            {stateText}
          </Text>
          <Text bold>{`  ${number}`}</Text>
          <Text>{`  ${pop.queueName ? t.t('call.queue', { name: pop.queueName }) : ''}  ${t.t('call.waited', { t: formatDuration(pop.waitedMs) })}`}</Text>
          <Text bold color={pop.priority === 'emergency' ? 'red' : 'yellow'}>
            {priority}
          </Text>
          {ringing ? <Text color="red">{`  ${t.t('call.answerHint')}`}</Text> : null}
        </Text>
        {pop.transferredBy ? (
          <Text color="cyan" wrap="truncate">
            {t.t('call.transferredBy', {
              name: pop.transferredBy.name ?? pop.transferredBy.agentId,
              note: pop.transferredBy.note ?? '',
            })}
          </Text>
        ) : null}
      </Box>
      {c ? (
        <Box flexDirection="column" paddingX={1}>
          <Text wrap="truncate">
            <Text dimColor>{label('customer.name')}</Text>
            <Text bold>{c.name}</Text>
            <Text>{`  ${t.t('customer.customerNo')} ${c.customerNo}  `}</Text>
            <Text color={c.accountStatus === 'active' ? 'green' : 'red'}>
              {t.t(`customer.status.${c.accountStatus}` as MessageKey)}
            </Text>
            {bill ? (
              <Text
                color={bill.arrearsFen > 0 ? 'red' : 'green'}
              >{`  ${bill.arrearsFen > 0 ? t.t('call.arrears', { amount: formatYuan(bill.arrearsFen) }) : t.t('call.noArrears')}`}</Text>
            ) : null}
          </Text>
          <Text wrap="truncate">
            <Text dimColor>{label('customer.address')}</Text>
            {`${c.address}（${c.district}）`}
          </Text>
          <Text wrap="truncate">
            <Text dimColor>{label('customer.phone')}</Text>
            {c.phones.map(formatPhone).join(', ')}
            {c.floor !== undefined ? `   ${t.t('customer.floor')} ${c.floor}` : ''}
            {c.householdSize !== undefined ? `   ${t.t('customer.householdSize')} ${c.householdSize}` : ''}
          </Text>
          {c.notes ? (
            <Text wrap="truncate" color="yellow">
              <Text dimColor>{label('customer.notes')}</Text>
              {c.notes}
            </Text>
          ) : null}
        </Box>
      ) : (
        <Box flexDirection="column" paddingX={1}>
          <Text bold color="yellow">
            {t.t('call.unknownCaller')}
          </Text>
          {pop.candidates && pop.candidates.length > 0 ? (
            <>
              <Text>{t.t('call.candidates')}</Text>
              {pop.candidates.slice(0, 4).map((cand, i) => (
                <Text key={cand.customerId} inverse={i === props.cursor} wrap="truncate">
                  {`${i === props.cursor ? '›' : ' '} ${padEnd(cand.name, 12)}${padEnd(cand.customerNo, 12)}${truncate(cand.address, inner - 26)}`}
                </Text>
              ))}
            </>
          ) : null}
          <Text dimColor>{t.t('call.unknownHint')}</Text>
        </Box>
      )}
      <Box paddingX={1}>
        <Text wrap="truncate">
          <Text dimColor>{label('call.ivrPath')}</Text>
          {ivr}
        </Text>
      </Box>
      <Box paddingX={1} flexDirection="column">
        <Text bold>{`${t.t('call.openTickets')} (${pop.openTickets.length})`}</Text>
        {pop.openTickets.length === 0 ? <Text dimColor>{`  ${t.t('call.noOpenTickets')}`}</Text> : null}
        {pop.openTickets.slice(0, ticketRows).map((ticket) => (
          <Text key={ticket.ticketId} wrap="truncate">{`  ${ticketRow(t, ticket, inner - 4)}`}</Text>
        ))}
        <Text bold>{`${t.t('call.recent')} (${pop.recentInteractions.length})`}</Text>
        {pop.recentInteractions.length === 0 ? <Text dimColor>{`  ${t.t('call.noRecent')}`}</Text> : null}
        {pop.recentInteractions.slice(0, interactionRows).map((i) => (
          <Text key={i.interactionId} wrap="truncate">
            {`  ${formatDateTime(i.startedAt)}  ${padEnd(t.t(i.direction === 'inbound' ? 'call.inbound' : 'call.outbound'), 6)}${padEnd(i.agentName ?? '', 8)}${i.disposition ? (props.dispositionLabel?.(i.disposition) ?? i.disposition) : i.outcome}`}
          </Text>
        ))}
      </Box>
    </Box>
  );
}
