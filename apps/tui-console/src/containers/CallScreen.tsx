import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import { WrapUpPanel } from '../components/WrapUpPanel.js';
import { ScreenPop } from '../components/ScreenPop.js';
import { wrapUpFields } from '../components/form-fields.js';
import { fieldValue } from '../components/form-model.js';
import { useT, type MessageKey } from '../i18n/i18n.js';
import { keyId } from '../keys/keypress.js';
import { useKeys } from '../keys/KeyRouter.js';
import { useActions, useNow, useServer, useSize, useUi } from '../state/contexts.js';
import { currentCall, queueSummary } from '../state/server-state.js';
import { formOf } from '../state/ui-state.js';
import { formatDuration, formatPercent } from '../text/format.js';
import { padEnd, padStart } from '../text/width.js';

/** The call screen: idle summary, ringing/connected screen pop, or wrap-up. */
export function CallScreen(props: { readonly height: number }): ReactNode {
  const t = useT();
  const { server } = useServer();
  const ui = useUi();
  const actions = useActions();
  const { columns } = useSize();
  const now = useNow();
  const call = currentCall(server);
  const wrapping = server.agent?.activity === 'wrap-up' && server.lastEnded ? server.lastEnded : undefined;
  const wrapForm = formOf(ui, 'wrapUp');
  const fields = wrapUpFields(t, server.catalog);
  const wrapUpMs = server.catalog?.wrapUpMs;
  const remaining =
    wrapping && wrapUpMs !== undefined && server.agent ? server.agent.since + wrapUpMs - now : undefined;
  const pop = call ? server.pops[call.callId] : undefined;
  const dispositionLabel = (code: string): string => {
    const d = server.catalog?.dispositions.find((x) => x.code === code);
    return d ? t.label(d, code) : code;
  };

  useKeys('screen:call', (key) => {
    const id = keyId(key);
    if (wrapping && !call) {
      const wrapForm = formOf(actions.ui(), 'wrapUp');
      if (wrapForm.focus === 0 && (id === 'up' || id === 'down')) {
        const options = fields[0]?.options ?? [];
        const at = Math.max(
          0,
          options.findIndex((o) => o.value === fieldValue(wrapForm, fields[0] as never)),
        );
        const next = options[Math.max(0, Math.min(options.length - 1, at + (id === 'up' ? -1 : 1)))];
        if (next) actions.editForm('wrapUp', { values: { ...wrapForm.values, disposition: next.value } });
        return true;
      }
      if (id === 'return') {
        void actions.submitWrapUp(false);
        return true;
      }
      actions.keyToForm('wrapUp', fields, key);
      return true;
    }
    if (pop && !pop.customer) {
      const n = pop.candidates?.length ?? 0;
      if (id === 'up' || id === 'down') return (actions.moveCursor('candidates', id === 'up' ? -1 : 1, n), true);
      if (id === 'return' && n > 0) {
        const cand = pop.candidates?.[ui.cursor.candidates ?? 0];
        if (cand) void actions.openCustomer(cand.customerId);
        return true;
      }
      if (id === 'n') return (actions.createCustomer(), true);
    }
    if (pop?.customer && id === 'return') {
      void actions.openCustomer(pop.customer.customerId);
      return true;
    }
    return false;
  });

  if (wrapping && !call) {
    const ended = server.pops[wrapping.callId];
    const endedText = `${ended?.customer?.name ?? wrapping.remoteNumber} · ${t.t(`call.ended.${wrapping.cause ?? 'agent-hangup'}` as MessageKey)}`;
    return (
      <WrapUpPanel
        t={t}
        dispositions={fields[0]?.options ?? []}
        form={wrapForm}
        remainingMs={remaining}
        endedText={endedText}
        height={props.height}
      />
    );
  }
  if (call && pop) {
    return (
      <ScreenPop
        t={t}
        pop={pop}
        call={call}
        bill={ui.data.bill?.customerId === pop.customer?.customerId ? ui.data.bill : undefined}
        now={now}
        width={columns}
        height={props.height}
        cursor={ui.cursor.candidates ?? 0}
        dispositionLabel={dispositionLabel}
      />
    );
  }
  if (call) {
    // A call without a pop (outbound, or picked up again after a restart): number and state.
    return (
      <Box borderStyle="round" borderColor="green" paddingX={1} flexDirection="column">
        <Text bold color="green">
          {`${t.t(`call.state.${call.state}` as MessageKey)} ${formatDuration(now - call.since)}  ${t.t(call.direction === 'outbound' ? 'call.outbound' : 'call.inbound')} ${call.remoteNumber}`}
        </Text>
        {ui.data.customer && call.customerId === ui.data.customer.customer.customerId ? (
          <Text>{`${ui.data.customer.customer.name} · ${ui.data.customer.customer.address}`}</Text>
        ) : null}
      </Box>
    );
  }
  const presence = server.agent?.presence;
  const sum = queueSummary(server.queues);
  return (
    <Box flexDirection="column" paddingX={1}>
      <Text bold color={presence === 'ready' ? 'green' : 'yellow'}>
        {presence === 'ready'
          ? t.t('call.idle')
          : presence === 'not-ready'
            ? t.t('call.idleNotReady')
            : t.t('call.idleLoggedOut')}
      </Text>
      {server.voicemailsWaiting > 0 ? (
        <Text color="cyan">{t.t('call.voicemailsWaiting', { n: server.voicemailsWaiting })}</Text>
      ) : null}
      <Text> </Text>
      <Text
        bold
      >{`${padEnd(t.t('wb.q.name'), 14)}${padStart(t.t('wb.q.waiting'), 6)}${padStart(t.t('wb.q.longest'), 10)}${padStart(t.t('wb.q.sl'), 10)}${padStart(t.t('wb.q.answered'), 6)}`}</Text>
      {server.queues.slice(0, Math.max(1, props.height - 6)).map((q) => (
        <Text key={q.queueId} color={q.waiting > 0 ? 'yellow' : undefined}>
          {`${padEnd(q.name, 14)}${padStart(String(q.waiting + q.callbacksWaiting), 6)}${padStart(formatDuration(q.longestWaitMs), 10)}${padStart(formatPercent(q.serviceLevel), 10)}${padStart(String(q.answeredToday), 6)}`}
        </Text>
      ))}
      {server.queues.length > 1 ? (
        <Text
          dimColor
        >{`${padEnd('∑', 14)}${padStart(String(sum.waiting), 6)}${padStart(formatDuration(sum.longestWaitMs), 10)}${padStart(formatPercent(sum.serviceLevel), 10)}`}</Text>
      ) : null}
    </Box>
  );
}
