import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import { FormView } from '../components/FormView.js';
import { ticketRow } from '../components/ScreenPop.js';
import { searchFields } from '../components/form-fields.js';
import { useT, type MessageKey } from '../i18n/i18n.js';
import { keyId } from '../keys/keypress.js';
import { useKeys } from '../keys/KeyRouter.js';
import { useActions, useSize, useUi } from '../state/contexts.js';
import { formOf } from '../state/ui-state.js';
import { formatDateTime, formatPhone, formatYuan } from '../text/format.js';
import { padEnd, padStart, truncate } from '../text/width.js';

/** Customer work: search, results, the record with bills and open tickets. */
export function CustomerScreen(props: { readonly height: number }): ReactNode {
  const t = useT();
  const ui = useUi();
  const actions = useActions();
  const { columns } = useSize();
  const fields = searchFields(t);
  const search = formOf(ui, 'search');
  const results = ui.data.search?.customers ?? [];
  const cursor = ui.cursor.results ?? 0;

  useKeys('screen:customer', (key) => {
    const id = keyId(key);
    if (ui.customerView === 'search') {
      if (id === 'return') return (void actions.submitSearch(), true);
      if (id === 'escape' && ui.data.customer) return (setView('detail'), true);
      if (id === 'down' && formOf(actions.ui(), 'search').focus === fields.length - 1 && results.length > 0)
        return (setView('results'), true);
      return actions.keyToForm('search', fields, key) !== undefined;
    }
    if (ui.customerView === 'results') {
      if (id === 'up' && cursor === 0) return (setView('search'), true);
      if (id === 'up' || id === 'down')
        return (actions.moveCursor('results', id === 'up' ? -1 : 1, results.length), true);
      if (id === 'return') {
        const c = results[cursor];
        if (c) void actions.openCustomer(c.customerId);
        return true;
      }
      if (id === 'escape') return (setView('search'), true);
      return false;
    }
    // detail
    if (id === 'e') return (actions.editCustomer(), true);
    if (id === 'b' && ui.data.customer) return (void actions.loadBill(ui.data.customer.customer.customerId), true);
    if (id === 'escape') return (setView(results.length > 0 ? 'results' : 'search'), true);
    return false;
  });

  function setView(view: 'search' | 'results' | 'detail'): void {
    actions.setCustomerView(view);
  }

  if (ui.customerView === 'search' || ui.customerView === 'results') {
    const listRows = Math.max(1, props.height - fields.length - 5);
    const start = Math.max(0, Math.min(cursor - listRows + 1, results.length - listRows));
    return (
      <Box flexDirection="column" paddingX={1}>
        <FormView
          title={t.t('customer.searchTitle')}
          fields={fields}
          form={search}
          active={ui.customerView === 'search'}
          hint={t.t('customer.searchHint')}
          busyText={t.t('common.loading')}
        />
        {ui.data.search ? (
          <Box flexDirection="column">
            <Text bold>
              {ui.data.search.total === 0
                ? t.t('customer.noResults')
                : t.t('customer.results', { n: ui.data.search.total })}
            </Text>
            {results.slice(start, start + listRows).map((c, i) => {
              const sel = ui.customerView === 'results' && start + i === cursor;
              return (
                <Text key={c.customerId} inverse={sel} wrap="truncate">
                  {`${sel ? '›' : ' '} ${padEnd(c.customerNo, 11)} ${padEnd(c.name, 14)} ${padEnd(formatPhone(c.phones[0] ?? ''), 14)} ${truncate(c.address, Math.max(10, columns - 48))}`}
                </Text>
              );
            })}
            {ui.customerView === 'results' ? <Text dimColor>{t.t('customer.resultHint')}</Text> : null}
          </Box>
        ) : null}
      </Box>
    );
  }
  const data = ui.data.customer;
  if (!data)
    return <Text dimColor>{ui.data.loading === 'customer' ? t.t('common.loading') : t.t('customer.none')}</Text>;
  const c = data.customer;
  const bill = ui.data.bill?.customerId === c.customerId ? ui.data.bill : undefined;
  const label = (k: MessageKey): string => padEnd(t.t(k), 10);
  const wide = columns >= 100;
  const billRows = Math.max(1, Math.min(3, props.height - 14));
  const record = (
    <Box flexDirection="column" width={wide ? Math.floor(columns / 2) : undefined}>
      <Text wrap="truncate">
        <Text bold>{c.name}</Text>
        {`  ${c.customerNo}  `}
        <Text color={c.accountStatus === 'active' ? 'green' : 'red'}>
          {t.t(`customer.status.${c.accountStatus}` as MessageKey)}
        </Text>
      </Text>
      <Text wrap="truncate">
        <Text dimColor>{label('customer.phone')}</Text>
        {c.phones.map(formatPhone).join(', ')}
      </Text>
      <Text wrap="truncate">
        <Text dimColor>{label('customer.address')}</Text>
        {c.address}
      </Text>
      <Text wrap="truncate">
        <Text dimColor>{label('customer.district')}</Text>
        {`${c.district} ${c.districtCode}   ${t.t('customer.householdSize')} ${c.householdSize ?? '—'}   ${t.t('customer.floor')} ${c.floor ?? '—'}`}
      </Text>
      {c.notes ? (
        <Text wrap="truncate" color="yellow">
          <Text dimColor>{label('customer.notes')}</Text>
          {c.notes}
        </Text>
      ) : null}
    </Box>
  );
  const bills = (
    <Box flexDirection="column">
      <Text bold>{t.t('bill.title')}</Text>
      {!bill ? (
        <Text dimColor>{t.t('bill.loading')}</Text>
      ) : (
        <>
          <Text wrap="truncate">
            <Text
              color={bill.arrearsFen > 0 ? 'red' : 'green'}
              bold
            >{`${t.t('bill.arrears')} ${formatYuan(bill.arrearsFen)}`}</Text>
            {bill.balanceFen !== undefined ? `   ${t.t('bill.balance')} ${formatYuan(bill.balanceFen)}` : ''}
            {bill.tier
              ? `   ${t.t('bill.tier', { tier: bill.tier.tier, usage: bill.tier.yearUsageM3.toFixed(1), price: formatYuan(bill.tier.priceFenPerM3) })}`
              : ''}
          </Text>
          {bill.lastPayment ? (
            <Text dimColor wrap="truncate">
              {t.t('bill.lastPayment', {
                date: formatDateTime(bill.lastPayment.at),
                amount: formatYuan(bill.lastPayment.amountFen),
                channel: bill.lastPayment.channel,
              })}
            </Text>
          ) : null}
          <Text
            dimColor
          >{`${padEnd(t.t('bill.period'), 9)}${padStart(t.t('bill.usage'), 8)}${padStart(t.t('bill.amount'), 11)}${padStart(t.t('bill.paid'), 11)}  ${t.t('bill.status')}`}</Text>
          {bill.bills.slice(0, billRows).map((b) => (
            <Text key={b.period} color={b.status === 'overdue' ? 'red' : b.status === 'paid' ? undefined : 'yellow'}>
              {`${padEnd(b.period, 9)}${padStart(b.usageM3.toFixed(1), 8)}${padStart(formatYuan(b.amountFen), 11)}${padStart(formatYuan(b.paidFen), 11)}  ${t.t(`bill.status.${b.status}` as MessageKey)}`}
            </Text>
          ))}
        </>
      )}
    </Box>
  );
  return (
    <Box flexDirection="column" paddingX={1}>
      {wide ? (
        <Box>
          {record}
          {bills}
        </Box>
      ) : (
        <>
          {record}
          {bills}
        </>
      )}
      <Text bold>{`${t.t('call.openTickets')} (${data.openTickets.length})`}</Text>
      {data.openTickets.slice(0, 3).map((tk) => (
        <Text key={tk.ticketId} wrap="truncate">{`  ${ticketRow(t, tk, columns - 6)}`}</Text>
      ))}
      <Text bold>{`${t.t('call.recent')} (${data.recentInteractions.length})`}</Text>
      {data.recentInteractions.slice(0, 2).map((i) => (
        <Text
          key={i.interactionId}
          wrap="truncate"
        >{`  ${formatDateTime(i.startedAt)}  ${padEnd(t.t(i.direction === 'inbound' ? 'call.inbound' : 'call.outbound'), 6)}${padEnd(i.agentName ?? '', 8)}${i.disposition ?? i.outcome}`}</Text>
      ))}
      <Text dimColor>{t.t('customer.detailHint')}</Text>
    </Box>
  );
}
