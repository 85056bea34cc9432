// Problem display: one alert region shows the last failure with its title, detail and per-field errors, so a
// refused request (a form the server rejects, a task someone else claimed) is explained, never swallowed.

import { ApiError, type FieldError, type Problem } from './api';
import { byId, h } from './dom';
import { labelOf } from './form';

export function fieldOf(error: FieldError): string {
  const loc = error.loc;
  if (Array.isArray(loc)) {
    // ["body", "variables", "amount"] names the field "amount": the request's envelope is not the user's.
    const parts = loc.map(String).filter((part) => !['body', 'variables'].includes(part));
    return parts.join('.');
  }
  return typeof loc === 'string' ? loc : '';
}

export function problemOf(error: unknown): Problem {
  if (error instanceof ApiError) return error.problem;
  return { status: 0, title: 'Unexpected error', detail: error instanceof Error ? error.message : String(error) };
}

export function showProblem(error: unknown, action?: string): Problem {
  const problem = problemOf(error);
  const region = byId('problem');
  const heading = [action, problem.title].filter(Boolean).join(': ');
  const status = problem.status ? ` (${problem.status})` : '';
  region.replaceChildren(
    ...[
    h('strong', { class: 'problem-title' }, `${heading || 'Request failed'}${status}`),
    problem.detail ? h('p', { class: 'problem-detail' }, problem.detail) : null,
    problem.errors?.length
      ? h(
          'ul',
          { class: 'problem-errors', 'aria-label': 'Field errors' },
          ...problem.errors.map((item) => {
            const field = fieldOf(item);
            const name = field ? (labelOf(field) ?? field) : '';
            return h('li', { 'data-field': field }, name ? h('strong', {}, name) : null, name ? ': ' : '', item.msg);
          }),
        )
      : null,
    h('button', { type: 'button', class: 'dismiss', onclick: clearProblem }, 'Dismiss'),
    ].filter((node): node is HTMLElement => node !== null),
  );
  region.dataset.status = String(problem.status);
  region.hidden = false;
  return problem;
}

export function clearProblem(): void {
  const region = byId('problem');
  region.hidden = true;
  region.replaceChildren();
  delete region.dataset.status;
}
