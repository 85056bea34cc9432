// Comments on a task: the thread and a box to add one (the server bounds the text and says so if it is too
// long; that problem is shown and the text stays in the box).

import { api, type TaskDetail } from './api';
import { formatTime, h } from './dom';
import { clearProblem, showProblem } from './problem';

export function commentsSection(task: TaskDetail, reload: () => Promise<void>): HTMLElement {
  const box = h('textarea', { id: 'new-comment', rows: 3 });
  const add = async (event: Event): Promise<void> => {
    event.preventDefault();
    const text = box.value.trim();
    if (!text) return;
    clearProblem();
    try {
      await api.comment(task.key, text);
    } catch (error) {
      showProblem(error, 'Adding the comment');
      return;
    }
    await reload();
  };
  const items = task.comments.map((comment) =>
    h(
      'li',
      {},
      h('div', { class: 'comment-meta' }, comment.author ?? 'someone', ' · ', h('time', {}, formatTime(comment.at))),
      h('p', {}, comment.text),
    ),
  );
  return h(
    'section',
    { class: 'comments', 'aria-labelledby': 'comments-heading' },
    h('h3', { id: 'comments-heading' }, 'Comments'),
    items.length ? h('ul', { 'aria-label': 'Comments' }, ...items) : h('p', { class: 'hint' }, 'No comments yet.'),
    h(
      'form',
      { onsubmit: (event: Event) => void add(event) },
      h('label', { for: 'new-comment' }, 'New comment'),
      box,
      h('button', { type: 'submit' }, 'Add comment'),
    ),
  );
}
