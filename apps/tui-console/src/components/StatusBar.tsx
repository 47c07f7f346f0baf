import type { AgentStatus, ConnectionState, QueueStats, UserInfo } from '@hotline/agent-protocol';
import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import type { MessageKey, Translator } from '../i18n/i18n.js';
import { queueSummary } from '../state/server-state.js';
import { formatClock, formatDuration, formatPercent } from '../text/format.js';

/** Props of {@link StatusBar}. */
export interface StatusBarProps {
  readonly t: Translator;
  readonly user: UserInfo | undefined;
  readonly agent: AgentStatus | undefined;
  readonly queues: readonly QueueStats[];
  readonly connection: ConnectionState;
  readonly now: number;
  /** Wrap-up time, ms (the bar counts down in wrap-up). */
  readonly wrapUpMs: number | undefined;
  readonly reasonLabel: string | undefined;
}

/**
 * The top line: who, agent state and time in it (a countdown in wrap-up), calls waiting in my
 * queues, the longest wait, today's service level, the connection, the clock.
 */
export function StatusBar(props: StatusBarProps): ReactNode {
  const { t, agent, now } = props;
  const sum = queueSummary(props.queues);
  let state = '';
  let stateColor: string | undefined;
  if (agent) {
    const presence = t.t(`presence.${agent.presence}` as MessageKey);
    const elapsed = now - agent.since;
    if (agent.activity === 'wrap-up' && props.wrapUpMs !== undefined) {
      state = `${t.t('activity.wrap-up')} ${t.t('wrap.remaining', { t: formatDuration(Math.max(0, agent.since + props.wrapUpMs - now)) })}`;
      stateColor = 'magenta';
    } else if (agent.activity !== 'idle') {
      state = `${t.t(`activity.${agent.activity}` as MessageKey)} ${formatDuration(elapsed)}`;
      stateColor = agent.activity === 'offered' ? 'red' : 'cyan';
    } else {
      state = `${presence}${agent.presence === 'not-ready' && props.reasonLabel ? `·${props.reasonLabel}` : ''} ${formatDuration(elapsed)}`;
      stateColor = agent.presence === 'ready' ? 'green' : 'yellow';
    }
  }
  const c = props.connection;
  const conn =
    c.status === 'online'
      ? { text: t.t('status.online'), color: 'green' }
      : c.status === 'reconnecting'
        ? { text: t.t('status.reconnecting', { n: c.attempt }), color: 'yellow' }
        : c.status === 'connecting'
          ? { text: t.t('status.connecting'), color: 'yellow' }
          : { text: t.t('status.offline'), color: 'red' };
  const hasQueues = props.queues.length > 0;
  return (
    <Box width="100%" justifyContent="space-between">
      <Box flexShrink={1} overflow="hidden">
        <Text wrap="truncate">
          <Text bold>{props.user ? `${props.user.displayName}(${props.user.userId})` : t.t('app.title')}</Text>
          {state ? <Text color={stateColor}>{` │ ${state}`}</Text> : null}
          {hasQueues ? (
            <>
              <Text
                color={sum.waiting > 0 ? 'yellow' : undefined}
              >{` │ ${t.t('status.waiting', { n: sum.waiting })}`}</Text>
              <Text
                color={sum.longestWaitMs > 60_000 ? 'red' : undefined}
              >{` ${t.t('status.longest', { t: formatDuration(sum.longestWaitMs) })}`}</Text>
              <Text>{` │ ${t.t('status.sl', { p: formatPercent(sum.serviceLevel) })}`}</Text>
            </>
          ) : null}
        </Text>
      </Box>
      <Box flexShrink={0}>
        <Text color={conn.color}>{` ${conn.text}`}</Text>
        <Text dimColor>{` ${formatClock(now)}`}</Text>
      </Box>
    </Box>
  );
}
