import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import { useT } from '../i18n/i18n.js';
import { keyId } from '../keys/keypress.js';
import { useKeys } from '../keys/KeyRouter.js';
import { useActions, useNow, useServer, useSize, useUi } from '../state/contexts.js';
import { TicketDetail, TicketList } from './TicketsScreen.js';

/** Department staff: the inbox by deadline, a ticket, record a result, escalate. */
export function InboxScreen(props: { readonly height: number }): ReactNode {
  const t = useT();
  const ui = useUi();
  const { server } = useServer();
  const actions = useActions();
  const now = useNow(10_000);
  const { columns } = useSize();
  const inbox = ui.data.inbox ?? [];
  const cursor = Math.min(ui.cursor.inbox ?? 0, Math.max(0, inbox.length - 1));
  const dept =
    server.catalog?.departments?.find((d) => d.departmentId === server.user?.departmentId)?.name ??
    server.user?.departmentId ??
    '';

  useKeys('screen:inbox', (key) => {
    const id = keyId(key);
    if (ui.inboxView === 'detail') {
      if (id === 'escape') return (actions.setInboxView('list'), true);
      if (id === 'f') return (actions.openDeptResult(), true);
      if (id === 'e') return (actions.openEscalate(), true);
      return false;
    }
    if (id === 'up' || id === 'down') return (actions.moveCursor('inbox', id === 'up' ? -1 : 1, inbox.length), true);
    if (id === 'r') return (void actions.loadInbox(), true);
    const selected = inbox[cursor];
    if (!selected) return false;
    if (id === 'return') return (void actions.openTicket(selected.ticketId), true);
    if (id === 'f' || id === 'e') {
      void actions
        .openTicket(selected.ticketId)
        .then(() => (id === 'f' ? actions.openDeptResult() : actions.openEscalate()));
      return true;
    }
    return false;
  });

  if (ui.inboxView === 'detail' && ui.data.ticket) {
    return (
      <TicketDetail
        t={t}
        ticket={ui.data.ticket.ticket}
        history={ui.data.ticket.history}
        now={now}
        height={props.height}
        hint={t.t('dept.hint')}
      />
    );
  }
  return (
    <Box flexDirection="column" paddingX={1}>
      <Text bold color="cyan">
        {t.t('dept.title', { dept })}
      </Text>
      {inbox.length === 0 ? (
        <Text dimColor>{ui.data.inbox ? t.t('dept.empty') : t.t('common.loading')}</Text>
      ) : (
        <TicketList t={t} tickets={inbox} cursor={cursor} height={props.height - 2} now={now} columns={columns - 2} />
      )}
      <Text dimColor wrap="truncate">
        {t.t('dept.hint')}
      </Text>
    </Box>
  );
}
