// Entry point: who is signed in (a 401 sends the browser to the server's login page), the filters, the list,
// and the detail of the task named in the location's hash (#/tasks/<key>), so a task has a link of its own.

import '@bpmn-io/form-js-viewer/dist/assets/form-js.css';
import 'bpmn-js/dist/assets/diagram-js.css';
import 'bpmn-js/dist/assets/bpmn-js.css';
import './style.css';

import { api, type Me, type Workflow } from './api';
import { clearDetail, renderDetail } from './detail';
import { byId, h } from './dom';
import { loadTasks, markSelected, renderFilters, startRefresh } from './list';
import { showProblem } from './problem';

function showUser(me: Me): void {
  byId('user').replaceChildren(
    h('span', { class: 'who' }, `Signed in as ${me.name || me.username}`),
    h(
      'form',
      { method: 'post', action: '/auth/logout' },
      h('input', { type: 'hidden', name: 'next', value: location.pathname }),
      h('button', { type: 'submit' }, 'Sign out'),
    ),
  );
  document.body.dataset.user = me.username;
}

function selectedKey(): string | null {
  const match = /^#\/tasks\/([^/?]+)/.exec(location.hash);
  return match ? decodeURIComponent(match[1]) : null;
}

async function start(): Promise<void> {
  let me: Me;
  try {
    me = await api.me();
  } catch (error) {
    showProblem(error, 'Signing in');
    return;
  }
  showUser(me);
  // The process filter lists deployed processes; without them the filter still offers "Any process".
  const workflows: Workflow[] = await api.workflows().then((page) => page.items, () => []);
  const refresh = (): void => void loadTasks();
  renderFilters(me, workflows, refresh);
  const route = (): void => {
    const key = selectedKey();
    markSelected(key);
    if (key) void renderDetail(key, { me, changed: refresh });
    else clearDetail();
  };
  byId('more').addEventListener('click', () => void loadTasks(true));
  window.addEventListener('hashchange', route);
  await loadTasks();
  route();
  startRefresh();
}

void start();
