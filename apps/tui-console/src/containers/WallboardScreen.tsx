import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import { useT, type MessageKey } from '../i18n/i18n.js';
import { keyId } from '../keys/keypress.js';
import { useKeys } from '../keys/KeyRouter.js';
import { useActions, useNow, useServer, useUi } from '../state/contexts.js';
import { formatDuration, formatPercent } from '../text/format.js';
import { padEnd, padStart } from '../text/width.js';

/** Supervisor wallboard: queues and agents live, force state, listen/whisper/barge. */
export function WallboardScreen(props: { readonly height: number }): ReactNode {
  const t = useT();
  const ui = useUi();
  const { server } = useServer();
  const actions = useActions();
  const now = useNow();
  const wb = server.wallboard;
  const agents = [...(wb?.agents ?? [])].sort((a, b) => a.agentId.localeCompare(b.agentId));
  const cursor = Math.min(ui.cursor.agents ?? 0, Math.max(0, agents.length - 1));
  const selected = agents[cursor];

  useKeys('screen:wallboard', (key) => {
    const id = keyId(key);
    if (id === 'up' || id === 'down') return (actions.moveCursor('agents', id === 'up' ? -1 : 1, agents.length), true);
    if (id === 'g') return (void actions.loadWallboard(), true);
    if (id === 's') return (void actions.stopMonitor(), true);
    const act: Record<string, () => void> = {
      r: () => void actions.forceState(selected?.agentId ?? '', 'ready'),
      n: () => actions.openForceNotReady(selected?.agentId ?? ''),
      o: () => void actions.forceState(selected?.agentId ?? '', 'logged-out'),
      l: () => void actions.monitor(selected?.agentId ?? '', 'listen'),
      w: () => void actions.monitor(selected?.agentId ?? '', 'whisper'),
      b: () => void actions.monitor(selected?.agentId ?? '', 'barge'),
    };
    const run = act[id];
    if (!run) return false;
    if (!selected) actions.say(t.t('wb.noAgent'), 'warning');
    else run();
    return true;
  });

  if (!wb) return <Text dimColor>{t.t('wb.loading')}</Text>;
  const queueRows = wb.queues.length;
  const agentRows = Math.max(1, props.height - queueRows - 5);
  const start = Math.max(0, Math.min(cursor - agentRows + 1, agents.length - agentRows));
  return (
    <Box flexDirection="column" paddingX={1}>
      <Text bold color="cyan">
        {`${padEnd(t.t('wb.q.name'), 12)}${padStart(t.t('wb.q.waiting'), 6)}${padStart(t.t('wb.q.longest'), 10)}${padStart(t.t('wb.q.sl'), 10)}${padStart(t.t('wb.q.abandoned'), 6)}${padStart(t.t('wb.q.answered'), 6)}${padStart(t.t('wb.q.staffed'), 11)}`}
      </Text>
      {wb.queues.map((q) => (
        <Text key={q.queueId} wrap="truncate">
          {padEnd(q.name, 12)}
          <Text color={q.waiting > 0 ? 'yellow' : undefined}>
            {padStart(String(q.waiting + q.callbacksWaiting), 6)}
          </Text>
          <Text color={q.longestWaitMs > 60_000 ? 'red' : undefined}>
            {padStart(formatDuration(q.longestWaitMs), 10)}
          </Text>
          <Text color={q.serviceLevel !== null && q.serviceLevel < 0.8 ? 'red' : 'green'}>
            {padStart(formatPercent(q.serviceLevel), 10)}
          </Text>
          {`${padStart(String(q.abandonedToday), 6)}${padStart(String(q.answeredToday), 6)}${padStart(`${q.staffed}/${q.busy}`, 11)}`}
        </Text>
      ))}
      <Text bold color="cyan">
        {`  ${padEnd(t.t('wb.a.name'), 14)}${padEnd(t.t('wb.a.state'), 16)}${padStart(t.t('wb.a.time'), 8)}  ${padEnd(t.t('wb.a.call'), 14)}${padStart(t.t('wb.a.answered'), 6)}`}
      </Text>
      {agents.slice(start, start + agentRows).map((a, i) => {
        const sel = start + i === cursor;
        const reason = a.reason ? server.catalog?.notReadyReasons.find((r) => r.code === a.reason) : undefined;
        const state = !a.online
          ? t.t('wb.offline')
          : a.activity !== 'idle'
            ? t.t(`activity.${a.activity}` as MessageKey)
            : `${t.t(`presence.${a.presence}` as MessageKey)}${reason ? `·${t.label(reason, a.reason ?? '')}` : ''}`;
        const color = !a.online
          ? 'gray'
          : a.activity === 'connected'
            ? 'cyan'
            : a.presence === 'ready'
              ? 'green'
              : a.presence === 'not-ready'
                ? 'yellow'
                : 'gray';
        const queue = a.callQueueId
          ? (server.catalog?.queues.find((q) => q.queueId === a.callQueueId)?.name ?? a.callQueueId)
          : '';
        return (
          <Text key={a.agentId} inverse={sel} wrap="truncate">
            {`${sel ? '›' : ' '} ${padEnd(`${a.name} ${a.agentId}`, 14)}`}
            <Text color={color}>{padEnd(state, 16)}</Text>
            {`${padStart(formatDuration(now - a.since), 8)}  ${padEnd(a.callId ? queue : '', 14)}${padStart(String(a.answeredToday), 6)}`}
            {a.monitored ? <Text color="magenta">{` ${t.t('wb.monitored')}`}</Text> : null}
          </Text>
        );
      })}
      <Text dimColor wrap="truncate">
        {t.t('wb.hint')}
      </Text>
    </Box>
  );
}
