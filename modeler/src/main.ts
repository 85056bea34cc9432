// The modeler's shell: the workspace (files saved through the REST API, in versions), the three editors, deploy
// with the engine's problems shown on their elements, and the instance view.
import 'bpmn-js/dist/assets/diagram-js.css';
import 'bpmn-js/dist/assets/bpmn-js.css';
import 'bpmn-js/dist/assets/bpmn-font/css/bpmn-embedded.css';
import '@bpmn-io/properties-panel/dist/assets/properties-panel.css';
import 'bpmn-js-element-templates/dist/assets/element-templates.css';
import 'bpmn-js-bpmnlint/dist/assets/css/bpmn-js-bpmnlint.css';
import 'dmn-js/dist/assets/diagram-js.css';
import 'dmn-js/dist/assets/dmn-js-shared.css';
import 'dmn-js/dist/assets/dmn-js-drd.css';
import 'dmn-js/dist/assets/dmn-js-decision-table.css';
import 'dmn-js/dist/assets/dmn-js-decision-table-controls.css';
import 'dmn-js/dist/assets/dmn-js-literal-expression.css';
import 'dmn-js/dist/assets/dmn-font/css/dmn-embedded.css';
import '@bpmn-io/form-js-editor/dist/assets/form-js-editor.css';
import './style.css';

import { ApiError, call, type FieldError, type WorkspaceFile, workspace } from './api';
import { BpmnEditor, emptyDiagram } from './bpmn-editor';
import { DmnEditor, EMPTY_DMN } from './dmn-editor';
import { emptyForm, FormEditorView } from './form-editor';
import { InstanceView } from './instances';

type Kind = WorkspaceFile['kind'];
const $ = <T extends HTMLElement = HTMLElement>(selector: string) => document.querySelector(selector) as T;

let current: WorkspaceFile | null = null;
let dirty = false;
let bpmn: BpmnEditor | null = null;
let dmn: DmnEditor | null = null;
let form: FormEditorView | null = null;
let instanceView: InstanceView | null = null;

function status(text: string, error = false): void {
  const line = $('#status');
  line.textContent = text;
  line.classList.toggle('error', error);
}

function failed(error: unknown): void {
  status(error instanceof ApiError ? error.detail : String(error), true);
}

function changed(): void {
  dirty = true;
  $<HTMLButtonElement>('#save').disabled = false;
  $('#file-version').textContent = current ? `v${current.version} (unsaved)` : '';
}

function idFrom(name: string): string {
  const base = name.replace(/\.[^.]+$/, '').replace(/[^A-Za-z0-9_.-]/g, '-');
  return /^[A-Za-z_]/.test(base) ? base : `p-${base}`;
}

function template(kind: Kind, name: string): string {
  if (kind === 'bpmn') return emptyDiagram(idFrom(name));
  if (kind === 'dmn') return EMPTY_DMN;
  return emptyForm(idFrom(name));
}

async function refreshList(): Promise<void> {
  const files = await workspace.list();
  $('#file-list').replaceChildren(
    ...files.map((file) => {
      const item = document.createElement('li');
      const button = document.createElement('button');
      button.textContent = file.name;
      button.dataset.id = file.id;
      button.classList.toggle('current', file.id === current?.id);
      button.addEventListener('click', () => void open(file.id));
      item.append(button);
      return item;
    }),
  );
}

function showView(kind: Kind | null): void {
  $('#bpmn-view').hidden = kind !== 'bpmn';
  $('#dmn-view').hidden = kind !== 'dmn';
  $('#form-view').hidden = kind !== 'form';
  $('#welcome').hidden = kind !== null;
  $('#editor').hidden = false;
  $('#instances').hidden = true;
  $('#show-editor').hidden = true;
}

async function load(file: WorkspaceFile): Promise<void> {
  const content = file.content ?? '';
  showView(file.kind);
  if (file.kind === 'bpmn') {
    bpmn ??= new BpmnEditor($('#bpmn-canvas'), $('#properties'), changed);
    const warnings = await bpmn.load(content || template('bpmn', file.name), file.name);
    if (warnings.length) status(`imported with ${warnings.length} warning(s): ${warnings[0]}`, true);
  } else if (file.kind === 'dmn') {
    dmn ??= new DmnEditor($('#dmn-view'), changed);
    await dmn.load(content || EMPTY_DMN);
  } else {
    form ??= new FormEditorView($('#form-view'), changed);
    await form.load(content || emptyForm(idFrom(file.name)));
  }
}

async function open(id: string): Promise<boolean> {
  if (dirty && !window.confirm('Discard the unsaved changes?')) return false;
  try {
    const file = await workspace.open(id);
    current = file;
    setProblems([]);
    await load(file);
    dirty = false; // importing fires the editors' change events
    // The toolbar names the file once its editor shows it (tests and users can rely on that).
    $('#file-name').textContent = file.name;
    $('#file-version').textContent = `v${file.version}`;
    showVersions(file);
    for (const button of ['#rename', '#export', '#deploy']) $<HTMLButtonElement>(button).disabled = false;
    $<HTMLButtonElement>('#save').disabled = true;
    $<HTMLButtonElement>('#show-instances').disabled = file.kind !== 'bpmn';
    window.location.hash = `file=${file.id}`;
    await refreshList();
    return true;
  } catch (error) {
    failed(error);
    return false;
  }
}

async function content(): Promise<string> {
  if (!current) return '';
  if (current.kind === 'bpmn' && bpmn) return bpmn.xml();
  if (current.kind === 'dmn' && dmn) return dmn.xml();
  if (current.kind === 'form' && form) return form.json();
  return '';
}

async function save(): Promise<boolean> {
  if (!current) return false;
  try {
    const saved = await workspace.save(current.id, await content(), current.version);
    current = { ...current, ...saved };
    dirty = false;
    $<HTMLButtonElement>('#save').disabled = true;
    $('#file-version').textContent = `v${saved.version}`;
    showVersions(await workspace.open(current.id));
    status(`saved ${saved.name} as version ${saved.version}`);
    return true;
  } catch (error) {
    if (error instanceof ApiError && error.status === 409) {
      status(`${error.detail}; your changes are still in the editor`, true);
    } else {
      failed(error);
    }
    return false;
  }
}

async function create(kind: Kind, name: string, body?: string): Promise<void> {
  try {
    const file = await workspace.create(name, kind, body ?? template(kind, name));
    dirty = false;
    if (await open(file.id)) status(`created ${file.name}`);
  } catch (error) {
    failed(error);
  }
}

function askName(kind: Kind): void {
  const name = window.prompt(`Name of the new ${kind} file`, `untitled.${kind}`);
  if (name) void create(kind, name.endsWith(`.${kind}`) ? name : `${name}.${kind}`);
}

async function importFile(input: HTMLInputElement): Promise<void> {
  const file = input.files?.[0];
  input.value = '';
  if (!file) return;
  const extension = file.name.split('.').pop()?.toLowerCase();
  const kind: Kind | null = extension === 'bpmn' || extension === 'dmn' || extension === 'form' ? extension : null;
  if (!kind) {
    status(`${file.name}: only .bpmn, .dmn and .form files can be imported`, true);
    return;
  }
  await create(kind, file.name, await file.text());
}

async function exportFile(): Promise<void> {
  if (!current) return;
  const type = current.kind === 'form' ? 'application/json' : 'application/xml';
  const link = document.createElement('a');
  link.href = URL.createObjectURL(new Blob([await content()], { type }));
  link.download = current.name;
  link.click();
  URL.revokeObjectURL(link.href);
}

async function rename(): Promise<void> {
  if (!current) return;
  const name = window.prompt('New name', current.name);
  if (!name || name === current.name) return;
  try {
    current = { ...current, ...(await workspace.rename(current.id, name)) };
    $('#file-name').textContent = current.name;
    await refreshList();
    status(`renamed to ${current.name}`);
  } catch (error) {
    failed(error);
  }
}

function showVersions(file: WorkspaceFile): void {
  const select = $<HTMLSelectElement>('#versions');
  select.replaceChildren(
    ...(file.versions ?? []).map((v) => {
      const option = document.createElement('option');
      option.value = String(v.version);
      option.textContent = `v${v.version} ${v.savedBy} ${v.savedAt.slice(0, 16).replace('T', ' ')}`;
      return option;
    }).reverse(),
  );
  select.value = String(file.version);
  select.disabled = !file.versions?.length;
}

/** An earlier version into the editor; saving it makes it the newest version (a restore, nothing lost). */
async function openVersion(version: number): Promise<void> {
  if (!current || version === current.version) return;
  try {
    const old = await workspace.version(current.id, version);
    await load({ ...current, content: old.content });
    changed();
    status(`showing version ${version}: save to make it the newest`);
  } catch (error) {
    failed(error);
  }
}

function setProblems(errors: FieldError[]): void {
  $('#problems').replaceChildren(
    ...errors.map((error) => {
      const item = document.createElement('li');
      const where = [error.elementId && `element ${error.elementId}`, error.line && `line ${error.line}`];
      item.textContent = `${where.filter(Boolean).join(', ') || current?.name}: ${error.msg}`;
      item.dataset.elementId = error.elementId ?? '';
      item.addEventListener('click', () => error.elementId && bpmn?.select(error.elementId));
      return item;
    }),
  );
}

async function deploy(): Promise<void> {
  if (!current) return;
  if (dirty && !(await save())) return;
  try {
    const deployed = await workspace.deploy(current.id);
    setProblems([]);
    const what = deployed.processes.map((p) => `${p.bpmnProcessId} version ${p.version}`).join(', ');
    status(`deployed ${current.name}${what ? `: ${what}` : ''}`);
  } catch (error) {
    if (error instanceof ApiError && error.errors.length) {
      setProblems(error.errors);
      if (current.kind === 'bpmn') bpmn?.showIssues(error.errors);
    }
    failed(error);
  }
}

async function showInstances(): Promise<void> {
  if (!current || current.kind !== 'bpmn' || !bpmn) return;
  const xml = await bpmn.xml();
  const process = bpmn.modeler.getDefinitions().rootElements.find((e: any) => e.$type === 'bpmn:Process');
  $('#editor').hidden = true;
  $('#instances').hidden = false;
  $('#show-editor').hidden = false;
  instanceView ??= new InstanceView($('#instances'), status);
  await instanceView.open(xml, process?.id ?? idFrom(current.name));
}

async function whoAmI(): Promise<void> {
  try {
    const me = await call<{ username: string; name?: string }>('GET', 'me');
    $('#user').textContent = me.name || me.username;
  } catch {
    // Shown by the file list's own request (or the login page) already.
  }
}

function wire(): void {
  $('#new-bpmn').addEventListener('click', () => askName('bpmn'));
  $('#new-dmn').addEventListener('click', () => askName('dmn'));
  $('#new-form').addEventListener('click', () => askName('form'));
  $<HTMLInputElement>('#import').addEventListener('change', (e) => void importFile(e.target as HTMLInputElement));
  $('#save').addEventListener('click', () => void save());
  $<HTMLSelectElement>('#versions').addEventListener('change', (e) =>
    void openVersion(Number((e.target as HTMLSelectElement).value)),
  );
  $('#rename').addEventListener('click', () => void rename());
  $('#export').addEventListener('click', () => void exportFile());
  $('#deploy').addEventListener('click', () => void deploy());
  $('#show-instances').addEventListener('click', () => void showInstances());
  $('#show-editor').addEventListener('click', () => current && showView(current.kind));
  window.addEventListener('beforeunload', (event) => {
    if (dirty) event.preventDefault();
  });
}

wire();
void whoAmI();
refreshList()
  .then(() => {
    const id = /file=([0-9a-f]+)/.exec(window.location.hash)?.[1];
    if (id) void open(id);
  })
  .catch((error) => {
    // 401 is already on its way to the login page.
    if (!(error instanceof ApiError && error.status === 401)) failed(error);
  });
