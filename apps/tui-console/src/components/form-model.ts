/**
 * The behaviour of a form, apart from its look: field specs, and what a key does to a draft.
 * Pure, so it is tested without rendering.
 */
import { dropLastChar } from '../text/width.js';
import { isTyping, keyId, type KeyPress } from '../keys/keypress.js';
import type { FormState } from '../state/ui-state.js';

/** A choice of a choice field. */
export interface FieldOption {
  readonly value: string;
  readonly label: string;
}

/** One field of a form. */
export interface FieldSpec {
  readonly name: string;
  /** Translated label. */
  readonly label: string;
  readonly kind: 'text' | 'password' | 'choice';
  readonly options?: readonly FieldOption[];
  /** Maximum length in characters (typing stops there). */
  readonly max?: number;
  /** Shown dimmed when empty. */
  readonly placeholder?: string;
}

/** The value of a field in a draft (a choice field defaults to its first option). */
export function fieldValue(form: FormState, field: FieldSpec): string {
  const v = form.values[field.name];
  if (v !== undefined) return v;
  return field.kind === 'choice' ? (field.options?.[0]?.value ?? '') : '';
}

/** All values of a draft, with choice defaults filled in. */
export function formValues(form: FormState, fields: readonly FieldSpec[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of fields) out[f.name] = fieldValue(form, f).trim();
  return out;
}

/** What a key did to a form. */
export interface FormEdit {
  readonly patch: Partial<FormState>;
  readonly submit: boolean;
}

/** Applies a key to a form; `undefined` when the form does not use the key (Esc, F-keys...). */
export function editForm(form: FormState, fields: readonly FieldSpec[], key: KeyPress): FormEdit | undefined {
  const last = fields.length - 1;
  const focus = Math.min(Math.max(form.focus, 0), last);
  const field = fields[focus];
  if (!field) return undefined;
  const id = keyId(key);
  const set = (value: string): FormEdit => {
    const errors = { ...form.errors };
    delete errors[field.name];
    return { patch: { values: { ...form.values, [field.name]: value }, errors, error: undefined }, submit: false };
  };
  switch (id) {
    case 'tab':
    case 'down':
      return { patch: { focus: Math.min(focus + 1, last) }, submit: false };
    case 'shift+tab':
    case 'up':
      return { patch: { focus: Math.max(focus - 1, 0) }, submit: false };
    case 'return':
      return focus >= last ? { patch: {}, submit: true } : { patch: { focus: focus + 1 }, submit: false };
    case 'ctrl+s':
      return { patch: {}, submit: true };
    case 'left':
    case 'right': {
      if (field.kind !== 'choice' || !field.options || field.options.length === 0) return { patch: {}, submit: false };
      const options = field.options;
      const at = Math.max(
        0,
        options.findIndex((o) => o.value === fieldValue(form, field)),
      );
      const next = options[(at + (id === 'right' ? 1 : options.length - 1)) % options.length] as FieldOption;
      return set(next.value);
    }
    case 'backspace':
    case 'delete':
      return field.kind === 'choice' ? { patch: {}, submit: false } : set(dropLastChar(fieldValue(form, field)));
    case 'ctrl+u':
      return field.kind === 'choice' ? { patch: {}, submit: false } : set('');
    default:
      if (!isTyping(key) || field.kind === 'choice') return undefined;
      {
        const value = fieldValue(form, field) + key.text;
        const chars = Array.from(value);
        return set(field.max !== undefined && chars.length > field.max ? chars.slice(0, field.max).join('') : value);
      }
  }
}

/** Whether the focused field of a form takes typed text (then letter commands are off). */
export function focusTakesText(form: FormState, fields: readonly FieldSpec[]): boolean {
  const f = fields[Math.min(Math.max(form.focus, 0), fields.length - 1)];
  return f !== undefined && f.kind !== 'choice';
}
