"""The tables, as SQLAlchemy Core metadata: one schema for SQLite and PostgreSQL.

Migrations in ``migrations/versions`` create this schema; a test checks that the migrated database and this
metadata agree, so a change here without a migration (or the reverse) fails.

JSON travels as text rather than a JSON column type: the store never queries inside a value, SQLite and
PostgreSQL then store the same bytes, and text keeps every digit of a large integer key. Caller-chosen text
(tenant, state keys, exporter ids) is TEXT, not VARCHAR(n): SQLite ignores lengths and PostgreSQL enforces
them, and the two stores must accept the same input (size bounds are the engine's, checked before a commit).
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Index, Integer, MetaData, String, Table, Text

__all__ = ["exporter_positions", "metadata", "records", "state"]

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
