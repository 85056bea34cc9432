"""Drops ix_records_tenant: no query reads records by tenant alone (an instance's history filters its tenant
within ix_records_instance's range), and keeping it up cost about a tenth of a SQLite commit (docs/bench.md).

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.drop_index("ix_records_tenant", table_name="records")


def downgrade() -> None:
    op.create_index("ix_records_tenant", "records", ["tenant"])
