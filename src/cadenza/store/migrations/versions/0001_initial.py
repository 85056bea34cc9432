"""The first schema: the record log, partition state and exporter positions.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    # Spelled out rather than imported from schema.py: a migration is a snapshot and must not change when the
    # metadata does later.
    op.create_table(
        "records",
        sa.Column("partition", sa.Integer, nullable=False, autoincrement=False),
        sa.Column("position", sa.BigInteger, nullable=False, autoincrement=False),
        sa.Column("key", sa.BigInteger, nullable=False),
        sa.Column("record_type", sa.String(32), nullable=False),
        sa.Column("value_type", sa.String(64), nullable=False),
        sa.Column("intent", sa.String(64), nullable=False),
        sa.Column("tenant", sa.Text, nullable=False),
        sa.Column("timestamp", sa.BigInteger, nullable=False),
        sa.Column("source_position", sa.BigInteger, nullable=False),
        sa.Column("rejection_type", sa.String(64), nullable=False),
        sa.Column("rejection_reason", sa.Text, nullable=False),
        sa.Column("process_instance_key", sa.BigInteger, nullable=True),
        sa.Column("value", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("partition", "position"),
    )
    op.create_index("ix_records_instance", "records", ["process_instance_key", "position"])
    op.create_index("ix_records_tenant", "records", ["tenant"])
    op.create_table(
        "state",
        sa.Column("partition", sa.Integer, nullable=False, autoincrement=False),
        sa.Column("column", sa.Text, nullable=False),
        sa.Column("key", sa.Text, nullable=False),
        sa.Column("value", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("partition", "column", "key"),
    )
    op.create_table(
        "exporter_positions",
        sa.Column("exporter", sa.Text, nullable=False),
        sa.Column("partition", sa.Integer, nullable=False, autoincrement=False),
        sa.Column("position", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("exporter", "partition"),
    )


def downgrade() -> None:
    op.drop_table("exporter_positions")
    op.drop_table("state")
    op.drop_index("ix_records_tenant", table_name="records")
    op.drop_index("ix_records_instance", table_name="records")
    op.drop_table("records")
