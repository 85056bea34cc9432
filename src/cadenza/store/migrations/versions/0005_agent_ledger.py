"""The agent ledger: model requests and responses, tool calls and results of agent runs.

Revision ID: 0005
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision: str | None = "0004"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "agent_ledger",
        sa.Column("run_id", sa.Text, nullable=False),
        sa.Column("seq", sa.Integer, nullable=False, autoincrement=False),
        sa.Column("tenant", sa.Text, nullable=False),
        sa.Column("process_instance_key", sa.BigInteger, nullable=True),
        sa.Column("element_id", sa.Text, nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("step", sa.Integer, nullable=False),
        sa.Column("tokens", sa.BigInteger, nullable=False),
        sa.Column("cost_micros", sa.BigInteger, nullable=False),
        sa.Column("created_ms", sa.BigInteger, nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("run_id", "seq"),
    )
    op.create_index("ix_agent_ledger_instance", "agent_ledger", ["tenant", "process_instance_key"])


def downgrade() -> None:
    op.drop_index("ix_agent_ledger_instance", table_name="agent_ledger")
    op.drop_table("agent_ledger")
