"""The tables, as SQLAlchemy Core metadata: one schema for SQLite and PostgreSQL.

Migrations in ``migrations/versions`` create this schema; a test checks that the migrated database and this
metadata agree, so a change here without a migration (or the reverse) fails.

JSON travels as text rather than a JSON column type: the store never queries inside a value, SQLite and
PostgreSQL then store the same bytes, and text keeps every digit of a large integer key. Caller-chosen text
(tenant, state keys, exporter ids) is TEXT, not VARCHAR(n): SQLite ignores lengths and PostgreSQL enforces
them, and the two stores must accept the same input (size bounds are the engine's, checked before a commit).
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Index, Integer, MetaData, String, Table, Text, UniqueConstraint

__all__ = [
    "agent_ledger",
    "exporter_positions",
    "metadata",
    "records",
    "state",
    "workspace_files",
    "workspace_versions",
]

metadata = MetaData()

records = Table(
    "records",
    metadata,
    Column("partition", Integer, primary_key=True, autoincrement=False),
    Column("position", BigInteger, primary_key=True, autoincrement=False),
    Column("key", BigInteger, nullable=False),
    Column("record_type", String(32), nullable=False),
    Column("value_type", String(64), nullable=False),
    Column("intent", String(64), nullable=False),
    Column("tenant", Text, nullable=False),
    Column("timestamp", BigInteger, nullable=False),
    Column("source_position", BigInteger, nullable=False),
    Column("rejection_type", String(64), nullable=False),
    Column("rejection_reason", Text, nullable=False),
    # Copied out of value["processInstanceKey"] so an instance's history is an index range, not a scan.
    Column("process_instance_key", BigInteger, nullable=True),
    Column("value", Text, nullable=False),
)
# An instance's history (its tenant filtered within the range); nothing reads records by tenant alone.
Index("ix_records_instance", records.c.process_instance_key, records.c.position)

state = Table(
    "state",
    metadata,
    Column("partition", Integer, primary_key=True, autoincrement=False),
    Column("column", Text, primary_key=True),
    Column("key", Text, primary_key=True),
    Column("value", Text, nullable=False),
)

exporter_positions = Table(
    "exporter_positions",
    metadata,
    Column("exporter", Text, primary_key=True),
    Column("partition", Integer, primary_key=True, autoincrement=False),
    Column("position", BigInteger, nullable=False),
)

# The agent runtime's ledger (cadenza.workers.agents.ledger): every model request and response, tool call and
# result of an agent run, outside the process variables, which only hold the run id. Tokens and cost are
# columns so an instance's spend is a sum over an index range.
agent_ledger = Table(
    "agent_ledger",
    metadata,
    Column("run_id", Text, primary_key=True),
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("tenant", Text, nullable=False),
    Column("process_instance_key", BigInteger, nullable=True),
    Column("element_id", Text, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("step", Integer, nullable=False),
    Column("tokens", BigInteger, nullable=False),
    Column("cost_micros", BigInteger, nullable=False),
    Column("created_ms", BigInteger, nullable=False),
    Column("payload", Text, nullable=False),
)
Index("ix_agent_ledger_instance", agent_ledger.c.tenant, agent_ledger.c.process_instance_key)

# The modeler's workspace (cadenza.api.workspace): files with every saved version kept. ``version`` on the
# file row is the latest; a save updates it only where it still equals the caller's base version (optimistic
# concurrency), so two editors never overwrite each other silently.
workspace_files = Table(
    "workspace_files",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("tenant", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("kind", String(8), nullable=False),
    Column("version", Integer, nullable=False),
    Column("updated_at", BigInteger, nullable=False),
    Column("updated_by", Text, nullable=False),
    UniqueConstraint("tenant", "name", name="uq_workspace_files_tenant_name"),
)

workspace_versions = Table(
    "workspace_versions",
    metadata,
    Column("file_id", String(32), primary_key=True),
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("content", Text, nullable=False),
    Column("saved_at", BigInteger, nullable=False),
    Column("saved_by", Text, nullable=False),
)
