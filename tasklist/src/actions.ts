// The task's actions. Each one clears the last problem, calls the API, says what happened in the status
// region and reloads the task; a refusal (409 for a task someone else claimed, 400 with field errors for a
// form the server rejects) is shown in the alert region and the task is reloaded to show its real state.

import { ApiError, api, type Me, type TaskDetail } from './api';
import { byId, h } from './dom';
import { isApproval, submitForm } from './form';
import { clearProblem, showProblem } from './problem';

type Reload = () => Promise<void>;

function say(message: string): void {
  byId('status').textContent = message;
}

async function run(label: string, done: string, action: () => Promise<unknown>, reload: Reload): Promise<void> {
  clearProblem();
  say('');
  try {
    await action();
  } catch (error) {
    showProblem(error, label);
    if (error instanceof ApiError && error.problem.status === 409) await reload();
    return;
  }
  say(done);
  await reload();
}

/** The form's data, or null after showing its client-side errors (nothing is sent then). */
function validData(label: string, decided = false): Record<string, unknown> | null {
  const { data, errors } = submitForm();
  // A decision supplies `approved` itself, so the form's own check of that field does not apply.
  const fields = Object.entries(errors).filter(([field, messages]) => messages.length && !(decided && field === 'approved'));
  if (!fields.length) return data;
  const items = fields.flatMap(([field, messages]) => messages.map((msg) => ({ loc: field, msg })));
  showProblem(new ApiError({ status: 0, title: 'The form has errors', errors: items }), label);
  return null;
}

function button(label: string, onclick: () => void, extra: Record<string, string> = {}): HTMLButtonElement {
  return h('button', { type: 'button', onclick, ...extra }, label);
}

function decisionControls(task: TaskDetail, reload: Reload): HTMLElement {
  const comment = h('textarea', { id: 'decision-comment', rows: 2 });
  const decide = (decision: 'approve' | 'reject'): void => {
    const label = decision === 'approve' ? 'Approving' : 'Rejecting';
    const text = comment.value.trim();
    if (decision === 'reject' && !text) {
      showProblem(new ApiError({ status: 0, title: 'A rejection needs a comment', errors: [{ loc: 'comment', msg: 'Say why the task is rejected.' }] }), label);
      comment.focus();
      return;
    }
    const data = validData(label, true);
    if (data === null) return;
    delete data.approved; // the decision itself sets `approved`
    const done = decision === 'approve' ? 'Approved.' : 'Rejected.';
    void run(label, done, () => api.decide(task.key, decision, text, data), reload);
  };
  return h(
    'div',
    { class: 'decision', role: 'group', 'aria-label': 'Decision' },
    h('label', { for: 'decision-comment' }, 'Decision comment'),
    comment,
    button('Approve', () => decide('approve'), { class: 'approve' }),
    button('Reject', () => decide('reject'), { class: 'reject' }),
  );
}

export function actionsFor(task: TaskDetail, me: Me, reload: Reload): HTMLElement {
  const group = h('div', { class: 'actions', role: 'group', 'aria-label': 'Task actions' });
  if (task.state !== 'created') {
    group.append(h('p', { class: 'hint' }, `This task is ${task.state}.`));
    return group;
  }
  const mine = task.assignee === me.username;
  if (!task.assignee) {
    group.append(button('Claim', () => void run('Claiming', 'Claimed.', () => api.claim(task.key), reload)));
  } else if (!mine) {
    group.append(h('p', { class: 'hint' }, `Claimed by ${task.assignee}.`));
  }
  if (mine) group.append(button('Unclaim', () => void run('Unclaiming', 'Unclaimed.', () => api.unclaim(task.key), reload)));
  // Completing an unclaimed task claims it for the caller first (the API does both in one request).
  if (mine || !task.assignee) {
    group.append(
      button('Complete', () => {
        const data = validData('Completing');
        if (data !== null) void run('Completing', 'Completed.', () => api.complete(task.key, data), reload);
      }),
    );
  }
  if (isApproval(task.form, task.approval) && (mine || !task.assignee)) group.append(decisionControls(task, reload));
  return group;
}
