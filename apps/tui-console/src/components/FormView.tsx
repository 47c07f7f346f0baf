import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import type { FormState } from '../state/ui-state.js';
import { displayWidth, padEnd } from '../text/width.js';
import { fieldValue, type FieldSpec } from './form-model.js';

/** Props of {@link FormView}. */
export interface FormViewProps {
  readonly title?: string;
  readonly fields: readonly FieldSpec[];
  readonly form: FormState;
  /** Width of the label column (default: the widest label + 2). */
  readonly labelWidth?: number;
  /** Whether the form has the keyboard (shows the cursor). */
  readonly active?: boolean;
  readonly hint?: string;
  readonly busyText?: string;
}

/**
 * A form: one line per field, labels in a column aligned by display width (CJK labels take two
 * columns per character), the focused field marked `›` with a cursor, choices shown as
 * `‹ 报修 ›`, errors in red beside their field, the server's error below.
 */
export function FormView(props: FormViewProps): ReactNode {
  const { fields, form, active = true } = props;
  const labelWidth = props.labelWidth ?? Math.max(...fields.map((f) => displayWidth(f.label))) + 2;
  return (
    <Box flexDirection="column">
      {props.title ? (
        <Text bold color="cyan">
          {props.title}
        </Text>
      ) : null}
      {fields.map((field, i) => {
        const focused = active && i === form.focus;
        const value = fieldValue(form, field);
        const error = form.errors[field.name];
        let shown: ReactNode;
        if (field.kind === 'choice') {
          const label = field.options?.find((o) => o.value === value)?.label ?? value;
          shown = focused ? <Text inverse>{`‹${label}›`}</Text> : <Text>{` ${label} `}</Text>;
        } else {
          const text = field.kind === 'password' ? '•'.repeat(Array.from(value).length) : value;
          shown = (
            <Text wrap="truncate-start">
              {' '}
              {text.length === 0 && field.placeholder && !focused ? <Text dimColor>{field.placeholder}</Text> : text}
              {focused ? <Text inverse> </Text> : null}
            </Text>
          );
        }
        return (
          <Box key={field.name}>
            <Text color={focused ? 'yellow' : undefined}>{focused ? '›' : ' '}</Text>
            <Text color={error ? 'red' : focused ? 'yellow' : undefined}>{padEnd(field.label, labelWidth)}</Text>
            <Box flexShrink={1} flexGrow={1}>
              {shown}
            </Box>
            {error ? (
              <Box flexShrink={0} marginLeft={1}>
                <Text color="red">{`✗ ${error}`}</Text>
              </Box>
            ) : null}
          </Box>
        );
      })}
      {form.busy && props.busyText ? <Text color="yellow">{props.busyText}</Text> : null}
      {form.error ? <Text color="red">{form.error}</Text> : null}
      {props.hint ? <Text dimColor>{props.hint}</Text> : null}
    </Box>
  );
}
