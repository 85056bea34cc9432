"""Tables beside the log that the REST API and the tasklist read: projections fed by exporters from committed
records (workflows, forms, executions, incidents, tasks), and the tables the API writes itself (task comments,
the task audit trail, SLA breaches, idempotency keys).

Every row carries its tenant; every query the API makes filters on it. Times are epoch milliseconds (the
records' own clock), converted to ISO 8601 only at the edge. Lists of names are JSON text, matched with
LIKE on the quoted name, so SQLite and PostgreSQL answer the same queries.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Index, Integer, Table, Text

from cadenza.store.schema import metadata

__all__ = [
    "executions",
    "idempotency_keys",
    "incidents_view",
    "sla_breaches",
    "task_audit",
    "task_comments",
    "tasks",
    "workflow_forms",
    "workflows",
]

workflows = Table(
    "workflows",
    metadata,
    Column("key", BigInteger, primary_key=True, autoincrement=False),
    Column("tenant", Text, nullable=False),
    Column("bpmn_process_id", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("version", Integer, nullable=False),
    Column("resource_name", Text, nullable=False),
    Column("deployed_at", BigInteger, nullable=False),
    Column("resource", Text, nullable=False),
)
Index("ix_workflows_process", workflows.c.tenant, workflows.c.bpmn_process_id, workflows.c.version)

workflow_forms = Table(
    "workflow_forms",
    metadata,
    Column("key", BigInteger, primary_key=True, autoincrement=False),
    Column("tenant", Text, nullable=False),
    Column("form_id", Text, nullable=False),
    Column("version", Integer, nullable=False),
    Column("resource", Text, nullable=False),
)

executions = Table(
    "executions",
    metadata,
    Column("key", BigInteger, primary_key=True, autoincrement=False),
    Column("tenant", Text, nullable=False),
    Column("process_definition_key", BigInteger, nullable=False),
    Column("bpmn_process_id", Text, nullable=False),
    Column("version", Integer, nullable=False),
    Column("state", Text, nullable=False),
    Column("started_at", BigInteger, nullable=False),
    Column("ended_at", BigInteger, nullable=True),
    Column("business_key", Text, nullable=False),
    Column("correlation_id", Text, nullable=True),
    Column("incident_count", Integer, nullable=False),
)
Index("ix_executions_tenant", executions.c.tenant, executions.c.key)

incidents_view = Table(
    "incidents_view",
    metadata,
    Column("key", BigInteger, primary_key=True, autoincrement=False),
    Column("tenant", Text, nullable=False),
    Column("process_instance_key", BigInteger, nullable=False),
    Column("bpmn_process_id", Text, nullable=False),
    Column("element_id", Text, nullable=False),
    Column("element_instance_key", BigInteger, nullable=False),
    Column("error_type", Text, nullable=False),
    Column("error_message", Text, nullable=False),
    Column("job_key", BigInteger, nullable=False),
    Column("state", Text, nullable=False),
    Column("created_at", BigInteger, nullable=False),
)

tasks = Table(
    "tasks",
    metadata,
    Column("key", BigInteger, primary_key=True, autoincrement=False),
    Column("tenant", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("element_id", Text, nullable=False),
    Column("element_instance_key", BigInteger, nullable=False),
    Column("process_instance_key", BigInteger, nullable=False),
    Column("process_definition_key", BigInteger, nullable=False),
    Column("bpmn_process_id", Text, nullable=False),
    Column("state", Text, nullable=False),
    Column("assignee", Text, nullable=False),
    Column("candidate_groups", Text, nullable=False),
    Column("candidate_users", Text, nullable=False),
    Column("priority", Integer, nullable=False),
    Column("due_date", Text, nullable=False),
    Column("due_at", BigInteger, nullable=True),
    Column("follow_up_date", Text, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("completed_at", BigInteger, nullable=True),
    Column("form_key", Text, nullable=False),
    Column("headers", Text, nullable=False),
    Column("approval", Integer, nullable=False),
)
Index("ix_tasks_tenant_state", tasks.c.tenant, tasks.c.state, tasks.c.key)

task_comments = Table(
    "task_comments",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("tenant", Text, nullable=False),
    Column("task_key", BigInteger, nullable=False),
    Column("author", Text, nullable=False),
    Column("at", BigInteger, nullable=False),
    Column("text", Text, nullable=False),
)
Index("ix_task_comments_task", task_comments.c.task_key, task_comments.c.id)

task_audit = Table(
    "task_audit",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("tenant", Text, nullable=False),
    Column("task_key", BigInteger, nullable=False),
    Column("at", BigInteger, nullable=False),
    Column("actor", Text, nullable=False),
    Column("action", Text, nullable=False),
    Column("changes", Text, nullable=False),
)
Index("ix_task_audit_task", task_audit.c.task_key, task_audit.c.id)

sla_breaches = Table(
    "sla_breaches",
    metadata,
    Column("task_key", BigInteger, primary_key=True, autoincrement=False),
    Column("tenant", Text, nullable=False),
    Column("process_instance_key", BigInteger, nullable=False),
    Column("due_at", BigInteger, nullable=False),
    Column("breached_at", BigInteger, nullable=False),
    Column("escalated_to", Text, nullable=False),
)

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("tenant", Text, primary_key=True),
    Column("key", Text, primary_key=True),
    Column("request_hash", Text, nullable=False),
    Column("status", Integer, nullable=False),
    Column("response", Text, nullable=False),
    Column("created_at", BigInteger, nullable=False),
)
