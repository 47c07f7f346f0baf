import type { FieldOption } from './form-model.js';
import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import type { Translator } from '../i18n/i18n.js';
import type { FormState } from '../state/ui-state.js';
import { formatDuration } from '../text/format.js';

/** Props of {@link WrapUpPanel}. */
export interface WrapUpPanelProps {
  readonly t: Translator;
  readonly dispositions: readonly FieldOption[];
  readonly form: FormState;
  /** Time left, ms (negative when over). */
  readonly remainingMs: number | undefined;
  readonly endedText: string;
  readonly height: number;
}

/** After-call work: why the call ended, the disposition list, a note, the countdown. */
export function WrapUpPanel(props: WrapUpPanelProps): ReactNode {
  const { t, form } = props;
  const selected = form.values.disposition ?? props.dispositions[0]?.value;
  const onList = form.focus === 0;
  const left = props.remainingMs;
  return (
    <Box flexDirection="column" borderStyle="round" borderColor="magenta" paddingX={1}>
      <Box justifyContent="space-between">
        <Text bold color="magenta">{`${t.t('wrap.title')} · ${props.endedText}`}</Text>
        {left !== undefined ? (
          <Text bold color={left <= 10_000 ? 'red' : 'magenta'}>
            {left > 0 ? t.t('wrap.remaining', { t: formatDuration(left) }) : t.t('wrap.overdue')}
          </Text>
        ) : null}
      </Box>
      <Text dimColor>{t.t('wrap.disposition')}</Text>
      {props.dispositions.slice(0, Math.max(3, props.height - 6)).map((d) => {
        const isSel = d.value === selected;
        return (
          <Text key={d.value} inverse={isSel && onList} color={isSel ? 'yellow' : undefined}>
            {`${isSel ? '◉' : '○'} ${d.label}`}
          </Text>
        );
      })}
      <Text>
        <Text
          color={form.focus === 1 ? 'yellow' : undefined}
        >{`${form.focus === 1 ? '›' : ' '}${t.t('wrap.note')}  `}</Text>
        {form.values.note ?? ''}
        {form.focus === 1 ? <Text inverse> </Text> : null}
      </Text>
      {form.error ? <Text color="red">{form.error}</Text> : null}
      <Text dimColor>{t.t('wrap.hint')}</Text>
    </Box>
  );
}
