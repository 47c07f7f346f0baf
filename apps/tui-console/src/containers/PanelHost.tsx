import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import { FormView } from '../components/FormView.js';
import {
  customerFields,
  deptEscalateFields,
  deptResultFields,
  dialFields,
  ticketFields,
  ticketUpdateFields,
  transferFields,
} from '../components/form-fields.js';
import type { FieldSpec } from '../components/form-model.js';
import { useT, type Translator } from '../i18n/i18n.js';
import { COMMAND_TABLE, hasCommand, showKey } from '../keys/command-table.js';
import { keyId } from '../keys/keypress.js';
import { useKeys } from '../keys/KeyRouter.js';
import type { ConsoleActions } from '../state/actions.js';
import { useActions, useServer, useUi } from '../state/contexts.js';
import type { ServerState } from '../state/server-state.js';
import { formOf, type FormId, type Panel, type UiState } from '../state/ui-state.js';
import { padEnd } from '../text/width.js';

interface FormPanelSpec {
  readonly form: FormId;
  readonly title: string;
  readonly fields: readonly FieldSpec[];
  readonly hint: string;
  readonly submit: () => void;
}

/** The form behind a panel, if it is a form panel. */
export function formPanel(
  panel: Panel | undefined,
  t: Translator,
  ui: UiState,
  server: ServerState,
  actions: ConsoleActions,
): FormPanelSpec | undefined {
  switch (panel) {
    case 'customerEdit':
      return {
        form: 'customerEdit',
        title:
          formOf(ui, 'customerEdit').subject === 'create' ? t.t('customer.createTitle') : t.t('customer.editTitle'),
        fields: customerFields(t),
        hint: t.t('ticket.formHint'),
        submit: () => void actions.saveCustomer(),
      };
    case 'ticketForm':
      return {
        form: 'ticket',
        title: t.t('ticket.formTitle'),
        fields: ticketFields(t),
        hint: t.t('ticket.formHint'),
        submit: () => void actions.submitTicket(),
      };
    case 'ticketUpdate':
      return {
        form: 'ticketUpdate',
        title: t.t('ticket.updateTitle'),
        fields: ticketUpdateFields(t, ui.data.ticket?.ticket.status),
        hint: t.t('ticket.formHint'),
        submit: () => void actions.submitTicketUpdate(),
      };
    case 'deptResult':
      return {
        form: 'deptResult',
        title: t.t('dept.resultTitle'),
        fields: deptResultFields(t),
        hint: t.t('ticket.formHint'),
        submit: () => void actions.submitDeptResult(),
      };
    case 'deptEscalate':
      return {
        form: 'deptEscalate',
        title: t.t('dept.escalateTitle'),
        fields: deptEscalateFields(t),
        hint: t.t('ticket.formHint'),
        submit: () => void actions.submitEscalate(),
      };
    case 'transfer':
      return {
        form: 'transfer',
        title: t.t('transfer.title'),
        fields: transferFields(t, server.catalog, formOf(ui, 'transfer').values.kind ?? 'queue'),
        hint: t.t('transfer.hint'),
        submit: () => void actions.submitTransfer(),
      };
    case 'dial': {
      const phones = ui.data.customer?.customer.phones ?? [];
      return {
        form: 'dial',
        title: t.t('dial.title'),
        fields: dialFields(t, phones),
        hint: t.t('dial.hint'),
        submit: () => void actions.submitDial(),
      };
    }
    default:
      return undefined;
  }
}

/** The help overlay: the command table for this role, unavailable ones dimmed. */
function HelpOverlay(props: {
  readonly t: Translator;
  readonly server: ServerState;
  readonly ui: UiState;
  readonly actions: ConsoleActions;
}): ReactNode {
  const { t } = props;
  const role = props.server.user?.role;
  const ctx = { server: props.server, ui: props.ui, actions: props.actions, typing: false };
  return (
    <Box flexDirection="column" borderStyle="round" borderColor="cyan" paddingX={1}>
      <Text bold color="cyan">{`${t.t('help.title')}  (${t.t('help.close')})`}</Text>
      {COMMAND_TABLE.filter((c) => hasCommand(c, role)).map((c) => {
        const available = c.when?.(ctx) ?? true;
        return (
          <Text key={c.id} dimColor={!available}>
            {`${padEnd(c.keys.map(showKey).join(' / '), 16)}${t.t(c.label)}${available ? '' : ` ${t.t('help.unavailable')}`}`}
          </Text>
        );
      })}
      <Text dimColor>{`${padEnd('Ctrl+S', 16)}${t.t('cmd.submit')}   ${padEnd('Esc', 5)}${t.t('cmd.close')}`}</Text>
    </Box>
  );
}

/** A vertical choice list (reasons, consult actions). */
function ChoicePanel(props: {
  readonly title: string;
  readonly hint: string;
  readonly options: readonly { value: string; label: string }[];
  readonly cursor: number;
}): ReactNode {
  return (
    <Box flexDirection="column" borderStyle="round" borderColor="yellow" paddingX={1}>
      <Text bold color="yellow">
        {props.title}
      </Text>
      {props.options.map((o, i) => (
        <Text key={o.value} inverse={i === props.cursor}>{`${i === props.cursor ? '›' : ' '} ${o.label}`}</Text>
      ))}
      <Text dimColor>{props.hint}</Text>
    </Box>
  );
}

/** Shows the open panel (form, dialog, help) and owns the keyboard while it is open. */
export function PanelHost(): ReactNode {
  const t = useT();
  const ui = useUi();
  const { server } = useServer();
  const actions = useActions();
  const panel = ui.panel;
  const spec = formPanel(panel, t, ui, server, actions);
  const reasons = (server.catalog?.notReadyReasons ?? [])
    .filter((r) => r.code !== 'no-answer')
    .map((r) => ({ value: r.code, label: t.label(r, r.code) }));
  const consultOptions = [
    { value: 'complete', label: t.t('consult.complete') },
    { value: 'conference', label: t.t('consult.conference') },
    { value: 'cancel', label: t.t('consult.cancel') },
  ];
  const listFor = panel === 'consult' ? consultOptions : reasons;
  const cursor = Math.min(ui.cursor[`panel:${panel}`] ?? 0, Math.max(0, listFor.length - 1));

  useKeys(`panel:${panel}`, (key) => {
    const id = keyId(key);
    if (id === 'escape') return (actions.closePanel(), true);
    if (panel === 'help') return id === '?' ? (actions.closePanel(), true) : true;
    if (spec) {
      // Fields from the current state: the transfer target field depends on the chosen type.
      const fresh = formPanel(panel, t, actions.ui(), server, actions) ?? spec;
      const edit = actions.keyToForm(fresh.form, fresh.fields, key);
      if (!edit) return false;
      if (edit.submit) fresh.submit();
      return true;
    }
    if (id === 'up' || id === 'down' || id === 'left' || id === 'right') {
      return (actions.moveCursor(`panel:${panel}`, id === 'up' || id === 'left' ? -1 : 1, listFor.length), true);
    }
    if (id === 'return') {
      const choice = listFor[cursor];
      if (!choice) return true;
      if (panel === 'consult') void actions.consult(choice.value as 'complete');
      else void actions.setNotReady(choice.value);
      return true;
    }
    return true;
  });

  if (!panel) return null;
  if (panel === 'help') return <HelpOverlay t={t} server={server} ui={ui} actions={actions} />;
  if (spec) {
    return (
      <Box flexDirection="column" borderStyle="round" borderColor="cyan" paddingX={1}>
        <FormView
          title={spec.title}
          fields={spec.fields}
          form={formOf(ui, spec.form)}
          hint={spec.hint}
          busyText={t.t('common.saving')}
        />
      </Box>
    );
  }
  if (panel === 'consult')
    return (
      <ChoicePanel title={t.t('consult.title')} hint={t.t('consult.hint')} options={consultOptions} cursor={cursor} />
    );
  const target =
    panel === 'forceNotReady'
      ? server.wallboard?.agents.find((a) => a.agentId === ui.data.forceTarget)?.name
      : undefined;
  return (
    <ChoicePanel
      title={`${t.t('notReady.title')}${target ? ` · ${target}` : ''}`}
      hint={t.t('notReady.hint')}
      options={reasons}
      cursor={cursor}
    />
  );
}
