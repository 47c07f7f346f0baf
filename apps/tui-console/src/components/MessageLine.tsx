import { Text } from 'ink';
import type { ReactNode } from 'react';
import type { Message } from '../state/ui-state.js';

const COLORS: Readonly<Record<Message['level'], string>> = {
  info: 'white',
  success: 'green',
  error: 'red',
  warning: 'yellow',
};

/** The message line: the last result, error or notice. */
export function MessageLine(props: { readonly message: Message | undefined }): ReactNode {
  if (!props.message) return <Text> </Text>;
  return (
    <Text color={COLORS[props.message.level]} wrap="truncate">
      {props.message.level === 'error' ? '✗ ' : props.message.level === 'success' ? '✓ ' : '• '}
      {props.message.text}
    </Text>
  );
}

/** The bottom line: the keys that matter now. */
export function HintLine(props: { readonly text: string }): ReactNode {
  return (
    <Text dimColor wrap="truncate">
      {props.text}
    </Text>
  );
}
