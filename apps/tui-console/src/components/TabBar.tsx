import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import type { Translator } from '../i18n/i18n.js';
import type { Screen } from '../state/ui-state.js';

/** The screens a role has, with their keys. */
export function screensFor(role: string | undefined): ReadonlyArray<{ readonly screen: Screen; readonly key: string }> {
  if (role === 'department') return [{ screen: 'inbox', key: '1' }];
  const list: Array<{ screen: Screen; key: string }> = [
    { screen: 'call', key: '1' },
    { screen: 'customer', key: '2' },
    { screen: 'tickets', key: '3' },
    { screen: 'voicemail', key: '4' },
  ];
  if (role === 'supervisor') list.push({ screen: 'wallboard', key: '5' });
  return list;
}

/** The second line: the screens (current one highlighted) and where help is. */
export function TabBar(props: {
  readonly t: Translator;
  readonly role: string | undefined;
  readonly screen: Screen;
  readonly badges: Partial<Record<Screen, number>>;
}): ReactNode {
  const { t } = props;
  return (
    <Box width="100%" justifyContent="space-between">
      <Box>
        {screensFor(props.role).map(({ screen, key }) => {
          const badge = props.badges[screen];
          const label = ` ${key} ${t.t(`tab.${screen}`)}${badge ? `(${badge})` : ''} `;
          return screen === props.screen ? (
            <Text key={screen} inverse bold>
              {label}
            </Text>
          ) : (
            <Text key={screen}>{label}</Text>
          );
        })}
      </Box>
      <Text dimColor>{t.t('tab.helpHint')}</Text>
    </Box>
  );
}
