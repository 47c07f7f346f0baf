import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import { useT, type MessageKey } from '../i18n/i18n.js';
import { keyId } from '../keys/keypress.js';
import { useKeys } from '../keys/KeyRouter.js';
import { useActions, useServer, useUi } from '../state/contexts.js';
import { formatDateTime, formatDuration, formatPhone } from '../text/format.js';
import { padEnd } from '../text/width.js';

/** The voicemail call-back list: oldest first, play-back status, one-key call-back. */
export function VoicemailScreen(props: { readonly height: number }): ReactNode {
  const t = useT();
  const ui = useUi();
  const { server } = useServer();
  const actions = useActions();
  // Fetched list, updated by `voicemail.added` events that arrived since.
  const list = (ui.data.voicemails ?? []).map(
    (v) => server.voicemails.find((x) => x.voicemailId === v.voicemailId) ?? v,
  );
  for (const v of server.voicemails)
    if (!list.some((x) => x.voicemailId === v.voicemailId) && v.status === 'new') list.push(v);
  const cursor = Math.min(ui.cursor.voicemail ?? 0, Math.max(0, list.length - 1));
  const selected = list[cursor];

  useKeys('screen:voicemail', (key) => {
    const id = keyId(key);
    if (id === 'up' || id === 'down') return (actions.moveCursor('voicemail', id === 'up' ? -1 : 1, list.length), true);
    if (id === 'r') return (void actions.loadVoicemails(), true);
    if (!selected) return false;
    if (id === 'c' || id === 'return') return (void actions.callBack(selected.voicemailId), true);
    if (id === 'p') return (void actions.markVoicemail(selected.voicemailId, { played: true }), true);
    if (id === 'd') return (void actions.markVoicemail(selected.voicemailId, { status: 'called-back' }), true);
    if (id === 'x') return (void actions.markVoicemail(selected.voicemailId, { status: 'unreachable' }), true);
    return false;
  });

  const rows = Math.max(1, props.height - 3);
  const start = Math.max(0, Math.min(cursor - rows + 1, list.length - rows));
  return (
    <Box flexDirection="column" paddingX={1}>
      <Text bold color="cyan">
        {t.t('vm.title')}
      </Text>
      {list.length === 0 ? (
        <Text dimColor>{ui.data.voicemails ? t.t('vm.empty') : t.t('common.loading')}</Text>
      ) : (
        <>
          <Text
            bold
          >{`  ${padEnd(t.t('vm.received'), 13)}${padEnd(t.t('vm.callback'), 15)}${padEnd(t.t('vm.topic'), 8)}${padEnd(t.t('vm.duration'), 7)}${padEnd(t.t('vm.played'), 6)}${t.t('vm.status')}`}</Text>
          {list.slice(start, start + rows).map((v, i) => {
            const sel = start + i === cursor;
            return (
              <Text key={v.voicemailId} inverse={sel} wrap="truncate">
                {`${sel ? '›' : ' '} ${padEnd(formatDateTime(v.receivedAt), 13)}${padEnd(formatPhone(v.callbackNumber ?? v.callerId), 15)}${padEnd(v.topic ?? '', 8)}${padEnd(formatDuration(v.durationMs), 7)}`}
                <Text color={v.played ? undefined : 'yellow'}>
                  {padEnd(v.played ? t.t('vm.played') : t.t('vm.unplayed'), 6)}
                </Text>
                {`${t.t(`vm.status.${v.status}` as MessageKey)}${v.attempts > 0 ? ` · ${t.t('vm.attempts', { n: v.attempts })}` : ''}`}
              </Text>
            );
          })}
        </>
      )}
      <Text dimColor>{t.t('vm.hint')}</Text>
    </Box>
  );
}
