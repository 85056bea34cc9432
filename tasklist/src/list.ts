// The task list: filters (each a labelled control), sorting, cursor paging and a periodic refresh so a task
// appears when a process reaches it. The filters map one to one onto GET /v1/tasks's query parameters.

import { api, type Me, type Task, type Workflow } from './api';
import { byId, formatTime, h } from './dom';
import { showProblem } from './problem';

const REFRESH_MS = 3000;
// `?pageSize=N` in the app's address sets the page size (the API allows 1-500); 50 otherwise.
const PAGE_SIZE = Math.min(500, Math.max(1, Number(new URLSearchParams(location.search).get('pageSize')) || 50));

interface ListState {
  cursor: string | null;
  paged: boolean;
  generation: number;
  selected: string | null;
}

const state: ListState = { cursor: null, paged: false, generation: 0, selected: null };

function select(label: string, name: string, options: Array<[string, string]>, value = ''): HTMLElement {
  const control = h('select', { id: `filter-${name}`, name });
  for (const [optionValue, text] of options) {
    control.append(h('option', { value: optionValue, selected: optionValue === value }, text));
  }
  return h('label', { for: `filter-${name}` }, label, control);
}

function input(label: string, name: string, type: string, extra: Record<string, string> = {}): HTMLElement {
  return h('label', { for: `filter-${name}` }, label, h('input', { id: `filter-${name}`, name, type, ...extra }));
}

function checkbox(label: string, name: string): HTMLElement {
  return h('label', { class: 'check', for: `filter-${name}` }, h('input', { id: `filter-${name}`, name, type: 'checkbox' }), label);
}

export function renderFilters(me: Me, workflows: Workflow[], onChange: () => void): void {
  const processes = new Map<string, string>();
  for (const workflow of workflows) processes.set(workflow.bpmnProcessId, workflow.name || workflow.bpmnProcessId);
  const form = byId<HTMLFormElement>('filters');
  form.replaceChildren(
    select('State', 'state', [['created', 'Open'], ['completed', 'Completed'], ['canceled', 'Canceled']]),
    checkbox('Assigned to me', 'mine'),
    checkbox('Unassigned', 'unassigned'),
    select('Candidate group', 'candidateGroup', [['', 'Any group'], ...me.groups.map((g): [string, string] => [g, g])]),
    select('Process', 'processId', [['', 'Any process'], ...processes.entries()]),
    input('Due before', 'dueBefore', 'datetime-local'),
    input('Minimum priority', 'priorityMin', 'number', { min: '0', max: '100' }),
    select('Sort by', 'sort', [['created', 'Created'], ['due', 'Due date'], ['priority', 'Priority']]),
    select('Order', 'order', [['desc', 'Descending'], ['asc', 'Ascending']]),
    h('button', { type: 'submit' }, 'Refresh'),
  );
  form.addEventListener('change', onChange);
  // Typing in a field (priority, date) refilters too, once the typing pauses.
  let typing = 0;
  form.addEventListener('input', (event) => {
    // Selects and checkboxes fire `change` as well; only typed fields wait for the pause.
    const target = event.target;
    if (!(target instanceof HTMLInputElement) || target.type === 'checkbox') return;
    window.clearTimeout(typing);
    typing = window.setTimeout(onChange, 300);
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    onChange();
  });
}

export function queryOf(form: HTMLFormElement, cursor: string | null): URLSearchParams {
  const data = new FormData(form);
  const query = new URLSearchParams({ limit: String(PAGE_SIZE) });
  const text = (name: string): string => String(data.get(name) ?? '').trim();
  query.set('state', text('state') || 'created');
  if (data.get('mine')) query.set('assignee', 'me');
  if (data.get('unassigned')) query.set('unassigned', 'true');
  for (const name of ['candidateGroup', 'processId', 'priorityMin', 'sort', 'order']) {
    if (text(name)) query.set(name, text(name));
  }
  // datetime-local is the user's local time; the API wants an instant.
  const due = text('dueBefore');
  if (due && !Number.isNaN(new Date(due).getTime())) query.set('dueBefore', new Date(due).toISOString());
  if (cursor) query.set('cursor', cursor);
  return query;
}

function item(task: Task): HTMLElement {
  const title = task.name || task.elementId;
  const link = h('a', { href: `#/tasks/${task.key}`, class: 'task-link' }, title);
  return h(
    'li',
    {
      class: `task-item${task.overdue ? ' overdue' : ''}`,
      'data-key': task.key,
      'aria-current': state.selected === task.key ? 'true' : null,
    },
    link,
    task.overdue ? h('span', { class: 'badge badge-overdue' }, 'Overdue') : null,
    h(
      'div',
      { class: 'task-meta' },
      h('span', {}, task.bpmnProcessId),
      h('span', {}, task.assignee ? `Assignee: ${task.assignee}` : 'Unassigned'),
      h('span', {}, `Due: ${formatTime(task.dueDate)}`),
      h('span', {}, `Priority: ${task.priority ?? '—'}`),
    ),
  );
}

export async function loadTasks(append = false): Promise<void> {
  const generation = ++state.generation;
  const form = byId<HTMLFormElement>('filters');
  const list = byId('task-list');
  try {
    const page = await api.tasks(queryOf(form, append ? state.cursor : null));
    if (generation !== state.generation) return; // a newer request (another filter) won
    const items = page.items.map(item);
    if (append) list.append(...items);
    else list.replaceChildren(...(items.length ? items : [h('li', { class: 'empty' }, 'No tasks match.')]));
    state.cursor = page.nextCursor;
    state.paged = append;
    byId('more').hidden = !page.nextCursor;
    list.dataset.loaded = 'true';
  } catch (error) {
    if (generation === state.generation) showProblem(error, 'Loading tasks');
  }
}

export function markSelected(key: string | null): void {
  state.selected = key;
  for (const element of byId('task-list').querySelectorAll<HTMLElement>('.task-item')) {
    if (element.dataset.key === key) element.setAttribute('aria-current', 'true');
    else element.removeAttribute('aria-current');
  }
}

export function startRefresh(): void {
  // Only the first page refreshes: once the user paged on, the list stays put until a filter changes.
  window.setInterval(() => {
    if (document.visibilityState === 'visible' && !state.paged) void loadTasks();
  }, REFRESH_MS);
}
