"""A database query as an agent tool: the deployer fixes the database and the SQL statement, the model only
fills its named parameters.

The statement is SQLAlchemy text with ``:name`` placeholders; the model's arguments (validated against the
tool's JSON schema before the call) are bound as parameters, never spliced into SQL, so a model cannot change
what the statement does. The database URL may hold ``{{secrets.NAME}}`` (a password), resolved per call from
the scoped credentials of the job's tenant and process and masked in any error message. Rows come back as
JSON objects, at most ``max_rows`` of them (``truncated`` says when more matched); values JSON cannot hold
(decimals, dates, bytes) come back as text. Each call opens and closes its own connection: agent tool calls
are rare next to model calls, and no pool outlives the worker.
"""

from __future__ import annotations

import asyncio
import datetime
import decimal
import re
from collections.abc import Mapping
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from cadenza.store.sql import normalize_url
from cadenza.workers.agents.tools import Tool, ToolContext, ToolFailed, ToolKind
from cadenza.workers.inputs import SecretResolver

__all__ = ["sql_tool"]

_PARAMETER = re.compile(r"(?<!:):([A-Za-z_][A-Za-z0-9_]*)")


def sql_tool(
    name: str,
    description: str,
    input_schema: Mapping[str, Any],
    *,
    database: str,
    statement: str,
    max_rows: int = 100,
) -> Tool:
    """Raises ValueError when the schema does not declare every ``:parameter`` the statement binds (the
    model could not supply them) or ``max_rows`` is not positive."""
    wanted = sorted(set(_PARAMETER.findall(statement)))
    declared = set((input_schema.get("properties") or {}).keys())
    missing = [p for p in wanted if p not in declared]
    if missing:
        raise ValueError(f"the statement binds {', '.join(missing)}, which the input schema does not declare")
    if max_rows < 1:
        raise ValueError("maxRows must be at least 1")
    query = text(statement)

    async def run(arguments: Mapping[str, Any], context: ToolContext) -> dict[str, Any]:
        problems: list[str] = []
        job = context.job
        resolver = SecretResolver(
            context.credentials,
            tenant_id=job.tenant_id,
            process_id=job.bpmn_process_id,
            redactor=context.redactor,
        )
        url = str(resolver.resolve(database, problems, f"tool {name}: database"))
        if problems:
            raise ToolFailed("; ".join(problems))
        parameters = {p: arguments.get(p) for p in wanted}
        try:
            return await asyncio.to_thread(_query, url, query, parameters, max_rows)
        except SQLAlchemyError as error:
            # the driver's own message, without SQLAlchemy's statement dump and link
            original = getattr(error, "orig", None)
            detail = str(original if original is not None else error)
            raise ToolFailed(context.redactor.text(f"query failed: {detail.splitlines()[0]}")) from None

    return Tool(name, description, input_schema, ToolKind.CONNECTOR, run)


def _query(url: str, query: Any, parameters: Mapping[str, Any], max_rows: int) -> dict[str, Any]:
    engine = create_engine(normalize_url(url), poolclass=NullPool)
    try:
        with engine.begin() as connection:
            result = connection.execute(query, dict(parameters))
            if not result.returns_rows:
                return {"rowCount": result.rowcount}
            rows = result.mappings().fetchmany(max_rows + 1)
    finally:
        engine.dispose()
    return {
        "rows": [{key: _json(value) for key, value in row.items()} for row in rows[:max_rows]],
        "truncated": len(rows) > max_rows,
    }


def _json(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    return str(value)
