// The instance view: a process's instances, one instance's diagram with its tokens (active elements), the path
// taken, incidents and per-element timings, and a history slider that replays the record log to any position
// (GET /v1/executions/{key}/graph?position=N). Start with variables, cancel, retry an incident.
import NavigatedViewer from 'bpmn-js/lib/NavigatedViewer';

import { ApiError, type Graph, instances } from './api';

const STATE_MARKERS = ['cz-active', 'cz-completed', 'cz-terminated', 'cz-incident', 'cz-taken'];

export class InstanceView {
  private readonly viewer: any;
  private key: string | null = null;
  private graph: Graph | null = null;
  private loadedDefinition: string | null = null;
  private marked: string[] = [];
  private bpmnProcessId = '';

  constructor(private readonly root: HTMLElement, private readonly status: (text: string, error?: boolean) => void) {
    this.viewer = new NavigatedViewer({ container: root.querySelector('#instance-canvas') as HTMLElement });
    this.$('#start-instance').addEventListener('click', () => void this.start());
    this.$('#cancel-instance').addEventListener('click', () => void this.cancel());
    this.$('#refresh-instance').addEventListener('click', () => void this.refresh());
    this.$<HTMLInputElement>('#history-slider').addEventListener('input', (event) => {
      const slider = event.target as HTMLInputElement;
      void this.showAt(Number(slider.value));
    });
  }

  private $<T extends HTMLElement = HTMLElement>(selector: string): T {
    return this.root.querySelector(selector) as T;
  }

  async open(xml: string, bpmnProcessId: string): Promise<void> {
    this.bpmnProcessId = bpmnProcessId;
    this.key = null;
    this.graph = null;
    this.$('#instance-process').textContent = bpmnProcessId;
    await this.show(xml, null);
    await this.listInstances();
    this.render();
  }

  private async show(xml: string, definition: string | null): Promise<void> {
    this.clear();
    await this.viewer.importXML(xml);
    this.marked = [];
    this.loadedDefinition = definition;
    this.viewer.get('canvas').zoom('fit-viewport', 'auto');
  }

  private async listInstances(): Promise<void> {
    const keys = await instances.list(this.bpmnProcessId);
    const list = this.$('#instance-list');
    list.replaceChildren(
      ...keys.map(({ key, state }) => {
        const item = document.createElement('li');
        const button = document.createElement('button');
        button.textContent = `${key} ${state}`.trim();
        button.dataset.key = key;
        button.addEventListener('click', () => void this.select(key));
        item.append(button);
        return item;
      }),
    );
  }

  private async start(): Promise<void> {
    const text = this.$<HTMLTextAreaElement>('#start-variables').value.trim() || '{}';
    let variables: Record<string, unknown>;
    try {
      variables = JSON.parse(text);
    } catch (error) {
      this.status(`variables are not JSON: ${(error as Error).message}`, true);
      return;
    }
    try {
      const created = await instances.start(this.bpmnProcessId, variables);
      const key = String(created.processInstanceKey);
      this.status(`started instance ${key}`);
      await this.listInstances();
      await this.select(key);
    } catch (error) {
      this.status(error instanceof ApiError ? error.detail : String(error), true);
    }
  }

  async select(key: string): Promise<void> {
    this.key = key;
    this.$('#instance-key').textContent = key;
    await this.refresh();
  }

  async refresh(): Promise<void> {
    if (!this.key) return;
    this.graph = await instances.graph(this.key);
    const definition = this.graph.processDefinitionKey;
    if (definition && definition !== this.loadedDefinition) {
      // The version the instance runs, which may differ from the one in the editor.
      await this.show(await instances.xml(definition), definition);
    }
    const slider = this.$<HTMLInputElement>('#history-slider');
    slider.max = String(Math.max(this.graph.positions.length - 1, 0));
    slider.value = slider.max;
    this.render();
    await this.listInstances();
  }

  private async showAt(index: number): Promise<void> {
    if (!this.key || !this.graph) return;
    const position = this.graph.positions[index];
    const at = await instances.graph(this.key, position);
    this.render(at);
  }

  private async cancel(): Promise<void> {
    if (!this.key) return;
    try {
      await instances.cancel(this.key);
      this.status(`cancelled instance ${this.key}`);
      await this.refresh();
    } catch (error) {
      this.status(error instanceof ApiError ? error.detail : String(error), true);
    }
  }

  private async retry(incidentKey: string): Promise<void> {
    try {
      await instances.retry(incidentKey);
      this.status(`incident ${incidentKey} retried`);
      await this.refresh();
    } catch (error) {
      this.status(error instanceof ApiError ? error.detail : String(error), true);
    }
  }

  private clear(): void {
    const canvas = this.viewer.get('canvas');
    for (const id of this.marked) for (const marker of STATE_MARKERS) canvas.removeMarker(id, marker);
    this.marked = [];
    this.viewer.get('overlays').remove({ type: 'cadenza' });
  }

  private mark(id: string, marker: string): void {
    if (!this.viewer.get('elementRegistry').get(id)) return;
    this.viewer.get('canvas').addMarker(id, marker);
    this.marked.push(id);
  }

  private overlay(id: string, html: string, position: Record<string, number>): void {
    if (!this.viewer.get('elementRegistry').get(id)) return;
    this.viewer.get('overlays').add(id, 'cadenza', { position, html });
  }

  private render(graph: Graph | null = this.graph): void {
    this.clear();
    const state = this.$('#instance-state');
    state.textContent = graph ? graph.state : '';
    state.dataset.state = graph ? graph.state : '';
    this.$('#history-position').textContent = graph ? `position ${graph.position}` : '';
    this.renderIncidents(graph);
    if (!graph) return;
    for (const flow of graph.takenFlows) this.mark(flow, 'cz-taken');
    for (const element of graph.elements) {
      this.mark(element.elementId, `cz-${element.state}`);
      if (element.state === 'active') {
        this.overlay(element.elementId, '<span class="cz-token" title="active">●</span>', { top: -10, left: -10 });
      }
      const timing = element.durationMs === null ? '' : `${element.durationMs} ms`;
      const count = element.count > 1 ? ` ×${element.count}` : '';
      if (timing || count) {
        this.overlay(element.elementId, `<span class="cz-timing">${timing}${count}</span>`, { bottom: 14, left: 0 });
      }
    }
  }

  private renderIncidents(graph: Graph | null): void {
    const list = this.$('#incident-list');
    list.replaceChildren(
      ...(graph?.incidents ?? []).map((incident) => {
        const item = document.createElement('li');
        item.textContent = `${incident.elementId}: ${incident.errorMessage || incident.errorType} `;
        const retry = document.createElement('button');
        retry.textContent = 'Retry';
        retry.addEventListener('click', () => void this.retry(incident.key));
        item.append(retry);
        return item;
      }),
    );
    for (const incident of graph?.incidents ?? []) {
      this.overlay(incident.elementId, '<span class="cz-incident-badge" title="incident">!</span>', { top: -10, right: 10 });
    }
  }
}
