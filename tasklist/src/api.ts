// The REST API client: every call goes to /v1 with the session cookie; a 401 sends the browser to the server's
// login page (the app never sees a password, so OIDC can replace the login without touching the app), and any
// other failure becomes an ApiError carrying the RFC 9457 problem document.

export interface FieldError {
  loc?: Array<string | number> | string;
  msg: string;
  [extra: string]: unknown;
}

export interface Problem {
  type?: string;
  title?: string;
  status: number;
  detail?: string;
  instance?: string;
  errors?: FieldError[];
}

export interface Me {
  username: string;
  name?: string;
  groups: string[];
  tenants: string[];
}

export interface Task {
  key: string;
  name: string | null;
  elementId: string;
  processInstanceKey: string;
  processDefinitionKey: string;
  bpmnProcessId: string;
  state: string;
  assignee: string | null;
  candidateGroups: string[];
  candidateUsers: string[];
  priority: number | null;
  dueDate: string | null;
  followUpDate: string | null;
  createdAt: string | null;
  completedAt?: string | null;
  overdue: boolean;
  formKey: string | null;
  approval?: boolean;
}

export interface AuditEntry {
  actor?: string | null;
  at?: string | null;
  action: string;
  changes?: Record<string, unknown> | null;
}

export interface Comment {
  id?: string | number;
  author?: string | null;
  text: string;
  at?: string | null;
}

export interface TaskDetail extends Task {
  form: FormSchema | null;
  variables: Record<string, unknown>;
  comments: Comment[];
  history: AuditEntry[];
}

export interface FormSchema {
  components?: Array<Record<string, unknown>>;
  [key: string]: unknown;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface Workflow {
  key: string;
  bpmnProcessId: string;
  name: string | null;
  version: number;
}

export class ApiError extends Error {
  readonly problem: Problem;

  constructor(problem: Problem) {
    super(problem.detail ?? problem.title ?? `HTTP ${problem.status}`);
    this.problem = problem;
  }
}

export function loginUrl(): string {
  const here = location.pathname + location.search + location.hash;
  return `/auth/login?next=${encodeURIComponent(here)}`;
}

async function problemOf(response: Response): Promise<Problem> {
  const text = await response.text();
  try {
    const body = JSON.parse(text) as Partial<Problem>;
    return { ...body, status: body.status ?? response.status };
  } catch {
    // Not a problem document (a proxy's error page, say): keep its text unless it is markup.
    const detail = text.trimStart().startsWith('<') ? undefined : text.slice(0, 500);
    return { status: response.status, title: response.statusText || 'Request failed', detail };
  }
}

async function call(method: string, path: string, body?: unknown, accept = 'application/json'): Promise<Response> {
  const headers: Record<string, string> = { Accept: accept };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(`/v1${path}`, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    throw new ApiError({ status: 0, title: 'The server cannot be reached', detail: String(error) });
  }
  if (response.status === 401) {
    location.assign(loginUrl());
    throw new ApiError({ status: 401, title: 'Signed out', detail: 'Redirecting to the login page.' });
  }
  if (!response.ok) throw new ApiError(await problemOf(response));
  return response;
}

async function json<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await call(method, path, body);
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

const task = (key: string): string => `/tasks/${encodeURIComponent(key)}`;

export const api = {
  me: () => json<Me>('GET', '/me'),
  tasks: (query: URLSearchParams) => json<Page<Task>>('GET', `/tasks?${query.toString()}`),
  task: (key: string) => json<TaskDetail>('GET', task(key)),
  claim: (key: string) => json<unknown>('POST', `${task(key)}/claim`),
  unclaim: (key: string) => json<unknown>('POST', `${task(key)}/unclaim`),
  complete: (key: string, variables: Record<string, unknown>) =>
    json<unknown>('POST', `${task(key)}/complete`, { variables }),
  comment: (key: string, text: string) => json<unknown>('POST', `${task(key)}/comments`, { text }),
  decide: (key: string, decision: 'approve' | 'reject', comment: string, variables: Record<string, unknown>) =>
    json<unknown>('POST', `/approvals/${encodeURIComponent(key)}/decision`, { decision, comment, variables }),
  workflows: () => json<Page<Workflow>>('GET', '/workflows?latest=true&limit=200'),
  workflowXml: async (definitionKey: string) =>
    (await call('GET', `/workflows/${encodeURIComponent(definitionKey)}/xml`, undefined, 'application/xml')).text(),
};
