"""The modeler's workspace: files and their saved versions.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    # Spelled out, not imported from schema.py: a migration is a snapshot of the schema when it was written.
    op.create_table(
        "workspace_files",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("tenant", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("updated_at", sa.BigInteger, nullable=False),
        sa.Column("updated_by", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("tenant", "name", name="uq_workspace_files_tenant_name"),
    )
    op.create_table(
        "workspace_versions",
        sa.Column("file_id", sa.String(32), nullable=False),
        sa.Column("version", sa.Integer, nullable=False, autoincrement=False),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("saved_at", sa.BigInteger, nullable=False),
        sa.Column("saved_by", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("file_id", "version"),
    )


def downgrade() -> None:
    op.drop_table("workspace_versions")
    op.drop_table("workspace_files")
