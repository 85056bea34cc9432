"""Projections and API tables: workflows, forms, executions, incidents, tasks (fed by exporters),
task comments, the task audit trail, SLA breaches and idempotency keys.

Revision ID: 0003
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    # Spelled out rather than imported from views_schema.py: a migration is a snapshot.
    op.create_table(
        "workflows",
        sa.Column("key", sa.BigInteger, nullable=False, autoincrement=False),
        sa.Column("tenant", sa.Text, nullable=False),
        sa.Column("bpmn_process_id", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("resource_name", sa.Text, nullable=False),
        sa.Column("deployed_at", sa.BigInteger, nullable=False),
        sa.Column("resource", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_index("ix_workflows_process", "workflows", ["tenant", "bpmn_process_id", "version"])
    op.create_table(
        "workflow_forms",
        sa.Column("key", sa.BigInteger, nullable=False, autoincrement=False),
        sa.Column("tenant", sa.Text, nullable=False),
        sa.Column("form_id", sa.Text, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("resource", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "executions",
        sa.Column("key", sa.BigInteger, nullable=False, autoincrement=False),
        sa.Column("tenant", sa.Text, nullable=False),
        sa.Column("process_definition_key", sa.BigInteger, nullable=False),
        sa.Column("bpmn_process_id", sa.Text, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("started_at", sa.BigInteger, nullable=False),
        sa.Column("ended_at", sa.BigInteger, nullable=True),
        sa.Column("business_key", sa.Text, nullable=False),
        sa.Column("correlation_id", sa.Text, nullable=True),
        sa.Column("incident_count", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_index("ix_executions_tenant", "executions", ["tenant", "key"])
    op.create_table(
        "incidents_view",
        sa.Column("key", sa.BigInteger, nullable=False, autoincrement=False),
        sa.Column("tenant", sa.Text, nullable=False),
        sa.Column("process_instance_key", sa.BigInteger, nullable=False),
        sa.Column("bpmn_process_id", sa.Text, nullable=False),
        sa.Column("element_id", sa.Text, nullable=False),
        sa.Column("element_instance_key", sa.BigInteger, nullable=False),
        sa.Column("error_type", sa.Text, nullable=False),
        sa.Column("error_message", sa.Text, nullable=False),
        sa.Column("job_key", sa.BigInteger, nullable=False),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "tasks",
        sa.Column("key", sa.BigInteger, nullable=False, autoincrement=False),
        sa.Column("tenant", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("element_id", sa.Text, nullable=False),
        sa.Column("element_instance_key", sa.BigInteger, nullable=False),
        sa.Column("process_instance_key", sa.BigInteger, nullable=False),
        sa.Column("process_definition_key", sa.BigInteger, nullable=False),
        sa.Column("bpmn_process_id", sa.Text, nullable=False),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("assignee", sa.Text, nullable=False),
        sa.Column("candidate_groups", sa.Text, nullable=False),
        sa.Column("candidate_users", sa.Text, nullable=False),
        sa.Column("priority", sa.Integer, nullable=False),
        sa.Column("due_date", sa.Text, nullable=False),
        sa.Column("due_at", sa.BigInteger, nullable=True),
        sa.Column("follow_up_date", sa.Text, nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("completed_at", sa.BigInteger, nullable=True),
        sa.Column("form_key", sa.Text, nullable=False),
        sa.Column("headers", sa.Text, nullable=False),
        sa.Column("approval", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_index("ix_tasks_tenant_state", "tasks", ["tenant", "state", "key"])
    op.create_table(
        "task_comments",
        sa.Column("id", sa.Integer, nullable=False, autoincrement=True),
        sa.Column("tenant", sa.Text, nullable=False),
        sa.Column("task_key", sa.BigInteger, nullable=False),
        sa.Column("author", sa.Text, nullable=False),
        sa.Column("at", sa.BigInteger, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_task_comments_task", "task_comments", ["task_key", "id"])
    op.create_table(
        "task_audit",
        sa.Column("id", sa.Integer, nullable=False, autoincrement=True),
        sa.Column("tenant", sa.Text, nullable=False),
        sa.Column("task_key", sa.BigInteger, nullable=False),
        sa.Column("at", sa.BigInteger, nullable=False),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("changes", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_task_audit_task", "task_audit", ["task_key", "id"])
    op.create_table(
        "sla_breaches",
        sa.Column("task_key", sa.BigInteger, nullable=False, autoincrement=False),
        sa.Column("tenant", sa.Text, nullable=False),
        sa.Column("process_instance_key", sa.BigInteger, nullable=False),
        sa.Column("due_at", sa.BigInteger, nullable=False),
        sa.Column("breached_at", sa.BigInteger, nullable=False),
        sa.Column("escalated_to", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("task_key"),
    )
    op.create_table(
        "idempotency_keys",
        sa.Column("tenant", sa.Text, nullable=False),
        sa.Column("key", sa.Text, nullable=False),
        sa.Column("request_hash", sa.Text, nullable=False),
        sa.Column("status", sa.Integer, nullable=False),
        sa.Column("response", sa.Text, nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("tenant", "key"),
    )


def downgrade() -> None:
    op.drop_table("idempotency_keys")
    op.drop_table("sla_breaches")
    op.drop_table("task_audit")
    op.drop_table("task_comments")
    op.drop_table("tasks")
    op.drop_table("incidents_view")
    op.drop_table("executions")
    op.drop_table("workflow_forms")
    op.drop_table("workflows")
