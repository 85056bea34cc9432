// The task detail: the task's facts, its actions (claim, unclaim, complete, approve, reject), the form, the
// diagram with the task's element marked, the variables, the audit history and the comments.

import { api, type Me, type TaskDetail } from './api';
import { clearForm, setFormDisabled, showForm } from './form';
import { byId, formatTime, h } from './dom';
import { showDiagram } from './diagram';
import { actionsFor } from './actions';
import { showProblem } from './problem';
import { commentsSection } from './comments';

export interface DetailContext {
  me: Me;
  /** Called after an action changed the task, so the list refreshes too. */
  changed: () => void;
}

let shownKey: string | null = null;

function fact(term: string, value: string | number | null | undefined): HTMLElement[] {
  return [h('dt', {}, term), h('dd', {}, value === null || value === undefined || value === '' ? '—' : String(value))];
}

function facts(task: TaskDetail): HTMLElement {
  return h(
    'dl',
    { class: 'facts' },
    ...fact('Process', task.bpmnProcessId),
    ...fact('Process instance', task.processInstanceKey),
    ...fact('State', task.state),
    ...fact('Assignee', task.assignee ?? 'Unassigned'),
    ...fact('Candidate groups', task.candidateGroups.join(', ')),
    ...fact('Candidate users', task.candidateUsers.join(', ')),
    ...fact('Priority', task.priority),
    ...fact('Due', formatTime(task.dueDate)),
    ...fact('Follow-up', formatTime(task.followUpDate)),
    ...fact('Created', formatTime(task.createdAt)),
    ...(task.completedAt ? fact('Completed', formatTime(task.completedAt)) : []),
  );
}

function variablesSection(variables: Record<string, unknown>): HTMLElement {
  const names = Object.keys(variables).sort();
  const rows = names.map((name) =>
    h('tr', {}, h('th', { scope: 'row' }, name), h('td', {}, h('code', {}, JSON.stringify(variables[name])))),
  );
  return h(
    'section',
    { class: 'variables', 'aria-labelledby': 'variables-heading' },
    h('h3', { id: 'variables-heading' }, 'Variables'),
    names.length
      ? h('table', { 'aria-label': 'Variables' }, h('tbody', {}, ...rows))
      : h('p', { class: 'hint' }, 'No variables.'),
  );
}

function historySection(task: TaskDetail): HTMLElement {
  const entries = task.history.map((entry) =>
    h(
      'li',
      {},
      h('time', {}, formatTime(entry.at)),
      ' ',
      h('strong', {}, entry.action),
      entry.actor ? ` by ${entry.actor}` : '',
      entry.changes && Object.keys(entry.changes).length ? h('code', { class: 'changes' }, JSON.stringify(entry.changes)) : null,
    ),
  );
  return h(
    'section',
    { class: 'history', 'aria-labelledby': 'history-heading' },
    h('h3', { id: 'history-heading' }, 'History'),
    entries.length ? h('ol', { 'aria-label': 'History' }, ...entries) : h('p', { class: 'hint' }, 'No history yet.'),
  );
}

export function formEditable(task: TaskDetail, me: Me): boolean {
  if (task.state !== 'created') return false;
  // Completing or deciding an unclaimed task claims it first, so its form is usable before claiming.
  return !task.assignee || task.assignee === me.username;
}

export async function renderDetail(key: string, context: DetailContext): Promise<void> {
  const pane = byId('detail');
  let task: TaskDetail;
  try {
    task = await api.task(key);
  } catch (error) {
    showProblem(error, 'Loading the task');
    pane.replaceChildren(h('p', { class: 'hint' }, 'The task could not be loaded.'));
    return;
  }
  shownKey = key;
  const formHost = h('div', { class: 'form-host' });
  const diagramHost = h('div', { class: 'diagram-host', role: 'img', 'aria-label': 'Process diagram' });
  const reload = async (): Promise<void> => {
    context.changed();
    if (shownKey === key) await renderDetail(key, context);
  };
  pane.replaceChildren(
    h(
      'article',
      { class: `task-detail${task.overdue ? ' overdue' : ''}`, 'data-key': task.key, 'data-state': task.state },
      h('h2', {}, task.name || task.elementId, task.overdue ? h('span', { class: 'badge badge-overdue' }, 'Overdue') : null),
      facts(task),
      actionsFor(task, context.me, reload),
      h(
        'section',
        { class: 'form-section', 'aria-labelledby': 'form-heading' },
        h('h3', { id: 'form-heading' }, 'Form'),
        task.form ? formHost : h('p', { class: 'hint' }, 'This task has no form.'),
      ),
      h('section', { class: 'diagram-section', 'aria-labelledby': 'diagram-heading' }, h('h3', { id: 'diagram-heading' }, 'Diagram'), diagramHost),
      variablesSection(task.variables),
      historySection(task),
      commentsSection(task, reload),
    ),
  );
  if (task.form) {
    await showForm(formHost, task.form, task.variables);
    setFormDisabled(!formEditable(task, context.me));
  } else {
    clearForm();
  }
  showDiagram(diagramHost, task.processDefinitionKey, task.elementId).catch((error: unknown) => {
    diagramHost.replaceChildren(h('p', { class: 'hint' }, 'The diagram could not be shown.'));
    showProblem(error, 'Loading the diagram');
  });
}

export function clearDetail(): void {
  shownKey = null;
  clearForm();
  byId('detail').replaceChildren(h('p', { class: 'hint' }, 'Select a task.'));
}
