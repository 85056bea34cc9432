// The process diagram: bpmn-js's NavigatedViewer (pan and zoom, no editing) over the deployed BPMN, with the
// task's element marked so the user sees where in the process the task stands.

import NavigatedViewer from 'bpmn-js/lib/NavigatedViewer';

import { api } from './api';

export const CURRENT_MARKER = 'cadenza-current';

interface Canvas {
  addMarker(element: string, marker: string): void;
  zoom(level: string): void;
}

let viewer: NavigatedViewer | null = null;

export async function showDiagram(container: HTMLElement, definitionKey: string, elementId: string): Promise<void> {
  viewer?.destroy();
  viewer = new NavigatedViewer({ container });
  const xml = await api.workflowXml(definitionKey);
  await viewer.importXML(xml);
  const canvas = viewer.get<Canvas>('canvas');
  canvas.zoom('fit-viewport');
  canvas.addMarker(elementId, CURRENT_MARKER);
  container.dataset.highlighted = elementId;
}
