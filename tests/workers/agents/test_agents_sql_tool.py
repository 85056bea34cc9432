"""A database query tool on real SQLite and PostgreSQL: the deployer's statement with the model's arguments
bound as parameters, the database URL from the job tenant's scoped credentials, rows as JSON, errors as data."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from agents_support import agent_job, run_agent
from sqlalchemy import create_engine, text

from cadenza.store.sql import normalize_url
from cadenza.workers import Complete, MemoryCredentialStore, TenantSecrets
from cadenza.workers.agents import (
    AgentRuntime,
    EntryKind,
    ModelRouter,
    ScriptedModel,
    ToolContext,
    ToolFailed,
)
from cadenza.workers.agents.config import runtime_from_config
from cadenza.workers.agents.sql_tool import sql_tool
from cadenza.workers.secrets import Redactor

SCHEMA = {
    "type": "object",
    "properties": {"id": {"type": "integer"}},
    "required": ["id"],
    "additionalProperties": False,
}
STATEMENT = "SELECT id, status, total, shipped FROM agent_tool_orders WHERE id = :id"


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'shop.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    engine = create_engine(normalize_url(url))
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS agent_tool_orders"))
        connection.execute(
            text(
                "CREATE TABLE agent_tool_orders (id INTEGER PRIMARY KEY, status VARCHAR(20), "
                "total NUMERIC(10, 2), shipped DATE)"
            )
        )
        connection.execute(
            text(
                "INSERT INTO agent_tool_orders VALUES (7, 'shipped', 49.90, '2026-12-01'), (8, 'open', 5, NULL)"
            )
        )
    yield url
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS agent_tool_orders"))
    engine.dispose()


def credentials(url: str) -> MemoryCredentialStore:
    return MemoryCredentialStore({"acme": TenantSecrets({"SHOP_DB": url})})


def test_the_model_fills_the_parameters_of_the_deployers_query(database: str) -> None:
    script = [
        {
            "tools": [
                {"name": "order", "input": {"id": 7}},
                {"name": "order", "input": {"id": "7 OR 1=1; DROP TABLE agent_tool_orders"}},
            ]
        },
        {"text": "Order 7 has shipped."},
    ]
    tool = sql_tool("order", "An order by id", SCHEMA, database="{{secrets.SHOP_DB}}", statement=STATEMENT)
    runtime = AgentRuntime(
        ModelRouter({"demo": ScriptedModel(script, name="demo")}),
        tools=[tool],
        credentials=credentials(database),
    )
    outcome = asyncio.run(
        run_agent(runtime, {"goal": "Where is order 7?", "tools": ["order"]}, tenant="acme")
    )
    assert isinstance(outcome, Complete), outcome
    entries = runtime.ledger.run(outcome.variables["result"]["runId"], tenant="acme")
    (ran,) = [e.payload for e in entries if e.kind is EntryKind.TOOL]
    ((row,),) = [ran["result"]["rows"]]
    assert ran["result"]["truncated"] is False
    # PostgreSQL's NUMERIC comes back as exact text ("49.90"), SQLite's as a number: both JSON
    assert row == {"id": 7, "status": "shipped", "total": row["total"], "shipped": "2026-12-01"}
    assert row["total"] in ("49.90", 49.9)
    (refused,) = [e.payload for e in entries if e.kind is EntryKind.REFUSED]
    assert "is not of type 'integer'" in refused["result"]["error"]  # refused before any SQL ran
    engine = create_engine(normalize_url(database))
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM agent_tool_orders")).scalar() == 2
    engine.dispose()


def call(tool: Any, arguments: dict[str, Any], store: MemoryCredentialStore, tenant: str = "acme") -> Any:
    job = agent_job({}, tenant=tenant)
    return asyncio.run(tool.call(arguments, ToolContext(job, store, Redactor())))


def test_rows_are_capped_and_a_write_reports_its_row_count(database: str) -> None:
    store = credentials(database)
    every = sql_tool(
        "all",
        "Orders",
        {"type": "object"},
        database="{{secrets.SHOP_DB}}",
        statement="SELECT id FROM agent_tool_orders ORDER BY id",
        max_rows=1,
    )
    assert call(every, {}, store) == {"rows": [{"id": 7}], "truncated": True}
    close = sql_tool(
        "close",
        "Close an order",
        SCHEMA,
        database="{{secrets.SHOP_DB}}",
        statement="UPDATE agent_tool_orders SET status = 'closed' WHERE id = :id",
    )
    assert call(close, {"id": 8}, store) == {"rowCount": 1}


def test_the_database_comes_from_the_tenants_credentials_and_errors_never_show_it(database: str) -> None:
    store = credentials(database)
    tool = sql_tool("order", "o", SCHEMA, database="{{secrets.SHOP_DB}}", statement=STATEMENT)
    with pytest.raises(ToolFailed, match="unknown secret 'SHOP_DB' \\(tenant 'globex'"):
        call(tool, {"id": 7}, store, tenant="globex")
    broken = sql_tool(
        "order",
        "o",
        SCHEMA,
        database="{{secrets.SHOP_DB}}",
        statement=STATEMENT.replace("agent_tool_orders", "no_such_table"),
    )
    with pytest.raises(ToolFailed, match="query failed") as failed:
        call(broken, {"id": 7}, store)
    assert database not in str(failed.value)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"sql": "SELECT :id, :other", "database": "sqlite://", "inputSchema": SCHEMA}, "binds other"),
        ({"sql": "SELECT 1", "database": ""}, "tools.q.database: a non-empty string"),
        ({"sql": "SELECT 1", "database": "sqlite://", "maxRows": 0}, "maxRows must be at least 1"),
        ({"sql": "SELECT 1", "database": "sqlite://", "url": "x"}, "unknown field(s) url"),
    ],
)
def test_a_bad_query_tool_in_the_configuration_is_refused(spec: dict[str, Any], message: str) -> None:
    document = {"models": {"a": {"provider": "scripted"}}, "tools": {"q": spec}}
    with pytest.raises(ValueError) as refused:
        runtime_from_config(document, credentials=MemoryCredentialStore(), connectors={})
    assert message in str(refused.value)
