// The task form: form-js's viewer renders the deployed form-js schema over the task's variables; its own
// validation (required, min/max, pattern...) runs before anything is sent, and the server validates again.

import { Form } from '@bpmn-io/form-js-viewer';

import type { FormSchema } from './api';

let current: Form | null = null;

export interface Submission {
  data: Record<string, unknown>;
  errors: Record<string, string[]>;
}

export async function showForm(container: HTMLElement, schema: FormSchema, data: Record<string, unknown>): Promise<void> {
  current?.destroy();
  current = new Form({ container });
  await current.importSchema(schema, data);
  labels = new Map();
  const visit = (components: unknown): void => {
    if (!Array.isArray(components)) return;
    for (const component of components as Array<Record<string, unknown>>) {
      if (typeof component.key === 'string' && typeof component.label === 'string') labels.set(component.key, component.label);
      visit(component.components);
    }
  };
  visit(schema.components);
}

export function clearForm(): void {
  current?.destroy();
  current = null;
  labels = new Map();
}

interface FieldRegistry {
  get(id: string): { key?: string; label?: string } | undefined;
}

let labels = new Map<string, string>();

/** The form's data and its client-side errors, keyed by field key (form-js keys them by generated ids). */
export function submitForm(): Submission {
  if (!current) return { data: {}, errors: {} };
  const { data, errors } = current.submit();
  const registry = current.get<FieldRegistry>('formFieldRegistry');
  const byKey: Record<string, string[]> = {};
  for (const [id, messages] of Object.entries(errors)) byKey[registry.get(id)?.key ?? id] = messages;
  return { data: { ...data }, errors: byKey };
}

/** The label a field key has in the form shown, so an error names the field as the user sees it. */
export function labelOf(key: string): string | undefined {
  return labels.get(key);
}

export function setFormDisabled(disabled: boolean): void {
  current?.setProperty('disabled', disabled);
}

/** The keys of every field in the schema, nested groups included. */
export function fieldKeys(schema: FormSchema | null): string[] {
  const keys: string[] = [];
  const visit = (components: unknown): void => {
    if (!Array.isArray(components)) return;
    for (const component of components as Array<Record<string, unknown>>) {
      if (typeof component.key === 'string') keys.push(component.key);
      visit(component.components);
    }
  };
  visit(schema?.components);
  return keys;
}

/** An approval task decides an `approved` boolean (the form has the field, or the API flags the task). */
export function isApproval(schema: FormSchema | null, flagged: boolean | undefined): boolean {
  return Boolean(flagged) || fieldKeys(schema).includes('approved');
}
