// The REST API (docs/api-rest.md): JSON in and out, problems (RFC 9457) as ApiError, keys as strings.

export interface FieldError {
  resource?: string;
  elementId?: string | null;
  line?: number | null;
  msg: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly errors: FieldError[] = [],
    readonly body: Record<string, unknown> = {},
  ) {
    super(detail);
  }
}

export interface WorkspaceFile {
  id: string;
  name: string;
  kind: 'bpmn' | 'dmn' | 'form';
  version: number;
  updatedAt: string;
  updatedBy: string;
  content?: string;
  versions?: { version: number; savedAt: string; savedBy: string }[];
}

export interface LintIssue {
  elementId: string | null;
  message: string;
  severity: 'error' | 'warn';
  line: number | null;
}

// The app is served at /modeler/ and the API at /v1 on the same origin (cookie session, no CORS).
function apiPath(path: string): string {
  return `/v1/${path.replace(/^\//, '')}`;
}

export async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(apiPath(path), {
    method,
    credentials: 'same-origin',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 401) {
    window.location.assign(`/auth/login?next=${encodeURIComponent(window.location.pathname + window.location.hash)}`);
    throw new ApiError(401, 'not signed in');
  }
  if (response.status === 204) {
    return undefined as T;
  }
  const text = await response.text();
  const data = text ? JSON.parse(text) : null;
  if (!response.ok) {
    const detail = (data && (data.detail as string)) || response.statusText;
    throw new ApiError(response.status, detail, (data && data.errors) || [], data || {});
  }
  return data as T;
}

export const workspace = {
  list: () => call<{ items: WorkspaceFile[] }>('GET', 'workspace/files?limit=500').then((r) => r.items),
  version: (id: string, version: number) => call<WorkspaceFile>('GET', `workspace/files/${id}/versions/${version}`),
  open: (id: string) => call<WorkspaceFile>('GET', `workspace/files/${id}`),
  create: (name: string, kind: string, content: string) =>
    call<WorkspaceFile>('POST', 'workspace/files', { name, kind, content }),
  save: (id: string, content: string, baseVersion: number) =>
    call<WorkspaceFile>('PUT', `workspace/files/${id}`, { content, baseVersion }),
  rename: (id: string, name: string) => call<WorkspaceFile>('PATCH', `workspace/files/${id}`, { name }),
  remove: (id: string) => call<void>('DELETE', `workspace/files/${id}`),
  deploy: (id: string) => call<Deployment>('POST', `workspace/files/${id}/deploy`),
};

export interface Deployment {
  key: string;
  processes: { key: string; bpmnProcessId: string; version: number }[];
}

export const lint = (content: string, kind: 'bpmn' | 'dmn', name: string) =>
  call<LintIssue[]>('POST', 'lint', { content, kind, name });

export interface GraphElement {
  elementId: string;
  elementType: string;
  state: 'active' | 'completed' | 'terminated' | 'incident';
  activatedAt: string | null;
  completedAt: string | null;
  durationMs: number | null;
  count: number;
}

export interface Incident {
  key: string;
  elementId: string;
  errorType: string;
  errorMessage: string;
}

export interface Graph {
  processInstanceKey: string;
  processDefinitionKey: string | null;
  state: string;
  position: number;
  positions: number[];
  elements: GraphElement[];
  takenFlows: string[];
  incidents: Incident[];
}

export interface Execution {
  key: string;
  state: string;
  processDefinitionKey: string;
  startedAt?: string;
}

export const instances = {
  graph: (key: string, position?: number) =>
    call<Graph>('GET', `executions/${key}/graph${position === undefined ? '' : `?position=${position}`}`),
  start: (bpmnProcessId: string, variables: Record<string, unknown>) =>
    call<{ processInstanceKey: string }>('POST', `workflows/${encodeURIComponent(bpmnProcessId)}/execute`, {
      variables,
    }),
  list: (bpmnProcessId: string) =>
    call<{ items: Execution[] }>('GET', `executions?bpmnProcessId=${encodeURIComponent(bpmnProcessId)}&limit=50`)
      .then((r) => r.items),
  cancel: (key: string) => call<unknown>('POST', `executions/${key}/cancel`),
  retry: (incidentKey: string) => call<unknown>('POST', `incidents/${incidentKey}/retry`),
  /** The BPMN of the deployed version an instance runs. */
  xml: async (definitionKey: string) => {
    const response = await fetch(`/v1/workflows/${definitionKey}/xml`, { credentials: 'same-origin' });
    if (!response.ok) throw new ApiError(response.status, `no deployed model with key ${definitionKey}`);
    return response.text();
  },
};
