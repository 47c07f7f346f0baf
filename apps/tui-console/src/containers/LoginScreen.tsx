import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import { FormView } from '../components/FormView.js';
import { loginFields } from '../components/form-fields.js';
import { useT } from '../i18n/i18n.js';
import { useKeys } from '../keys/KeyRouter.js';
import { useActions, useUi } from '../state/contexts.js';
import { formOf } from '../state/ui-state.js';

/** The login form: server address, user id, password, and why the last attempt failed. */
export function LoginScreen(props: { readonly notice?: string }): ReactNode {
  const t = useT();
  const ui = useUi();
  const actions = useActions();
  const form = formOf(ui, 'login');
  const fields = loginFields(t);
  useKeys('login', (key) => {
    const edit = actions.keyToForm('login', fields, key);
    if (!edit) return false;
    if (edit.submit) void actions.login();
    return true;
  });
  return (
    <Box flexDirection="column" alignItems="center" paddingTop={1}>
      <Text bold color="cyan">
        {t.t('app.title')}
      </Text>
      <Box flexDirection="column" borderStyle="round" borderColor="cyan" paddingX={2} marginTop={1} width={60}>
        <Text bold>{t.t('login.title')}</Text>
        {props.notice ? <Text color="yellow">{props.notice}</Text> : null}
        <FormView fields={fields} form={form} busyText={t.t('login.connecting', { url: form.values.server ?? '' })} />
      </Box>
      <Text dimColor>{t.t('login.hint')}</Text>
    </Box>
  );
}
