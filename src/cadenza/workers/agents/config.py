"""The agent worker's configuration file (``cadenza worker --agent-config FILE``), read into an AgentRuntime.

::

    {
      "models": {
        "fast":  {"provider": "anthropic", "model": "claude-haiku-4-5", "apiKey": "{{secrets.API_KEY}}"},
        "local": {"provider": "openai", "model": "llama3", "baseUrl": "http://127.0.0.1:8000/v1"},
        "demo":  {"provider": "scripted", "script": [{"json": {"ok": true}}]}
      },
      "default": "fast",
      "tiers": {"simple": "local", "standard": "fast"},
      "fallbacks": {"fast": ["local"]},
      "tenants": {"acme": {"default": "local", "tiers": {}, "fallbacks": {}}},
      "prices": {"fast": {"input": 1.0, "output": 5.0}},
      "budget": {"maxTokens": 200000, "maxCost": 2.0},
      "ledger": "sqlite:///agents.db",
      "pii": ["email", "phone"],
      "tools": {"weather": {"connector": "http", "description": "...", "inputSchema": {...},
                            "fixed": {"method": "GET", "url": "https://..."}},
                "order": {"sql": "SELECT status FROM orders WHERE id = :id", "inputSchema": {...},
                          "database": "postgresql://agent:{{secrets.DB_PASSWORD}}@db/shop"}},
      "policy": true,
      "memory": {"uri": ".cadenza/memory.db", "collection": "cadenza_memory"}
    }

An API key is a secret reference resolved from the credential store (tenant ``<default>``), or ``apiKeyEnv``
names an environment variable; the file itself never needs to hold one. Prices are USD per million tokens,
keyed by model name. ``policy: true`` evaluates ``agent.policy`` decisions through the gateway. ``memory``
(``true``: from the ``CADENZA_MEMORY_*`` environment) gives agents memory (the ``memory`` extra); a Milvus
server's token comes from ``CADENZA_MEMORY_TOKEN``, never from the file.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cadenza.config import ConfigError
from cadenza.workers.agents.budget import PriceTable
from cadenza.workers.agents.ledger import open_ledger
from cadenza.workers.agents.masking import Masker
from cadenza.workers.agents.model import Model
from cadenza.workers.agents.policy import PolicyEvaluator
from cadenza.workers.agents.routing import ModelRouter, RoutingError, TenantRouting
from cadenza.workers.agents.scripted import ScriptedModel
from cadenza.workers.agents.settings import read_budget
from cadenza.workers.agents.sql_tool import sql_tool
from cadenza.workers.agents.task import AgentRuntime
from cadenza.workers.agents.tools import Tool, connector_tool
from cadenza.workers.agents.validation import check_schema
from cadenza.workers.connector import DEFAULT_TENANT, Connector
from cadenza.workers.errors import ConnectorInputError
from cadenza.workers.inputs import SecretResolver
from cadenza.workers.secrets import CredentialStore, Redactor

if TYPE_CHECKING:
    from cadenza.workers.agents.agent_memory import AgentMemory

__all__ = ["load_agent_runtime", "runtime_from_config"]

_KEYS = {
    "models",
    "default",
    "tiers",
    "fallbacks",
    "tenants",
    "prices",
    "budget",
    "ledger",
    "pii",
    "tools",
    "policy",
    "memory",
}


def load_agent_runtime(
    path: Path,
    *,
    credentials: CredentialStore,
    connectors: Mapping[str, Connector],
    policy: Callable[[], PolicyEvaluator] | None = None,
) -> AgentRuntime:
    """Reads ``path``; raises ConfigError naming the file and the field."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ConfigError(f"agent configuration {path}: {error}") from None
    try:
        return runtime_from_config(document, credentials=credentials, connectors=connectors, policy=policy)
    except (ValueError, TypeError, KeyError, RoutingError) as error:
        raise ConfigError(f"agent configuration {path}: {error}") from None


def runtime_from_config(
    document: Any,
    *,
    credentials: CredentialStore,
    connectors: Mapping[str, Connector],
    policy: Callable[[], PolicyEvaluator] | None = None,
) -> AgentRuntime:
    if not isinstance(document, dict):
        raise ValueError("expected a JSON object")
    unknown = sorted(set(document) - _KEYS)
    if unknown:
        raise ValueError(f"unknown field(s) {', '.join(unknown)}")
    router = _router(document, credentials)
    try:
        budget = read_budget(document.get("budget"))
    except ConnectorInputError as error:
        raise ValueError(str(error).replace("agent.budget", "budget")) from None
    tools = [_tool(name, spec, connectors) for name, spec in _object(document, "tools").items()]
    wants_policy = document.get("policy") is True
    if wants_policy and policy is None:
        raise ValueError("policy: no gateway to evaluate decisions on")
    masker = Masker(document.get("pii") or ())
    ledger = open_ledger(document.get("ledger"))
    return AgentRuntime(
        router,
        tools=tools,
        ledger=ledger,
        prices=PriceTable.from_json(_object(document, "prices")),
        credentials=credentials,
        policy=policy() if wants_policy and policy is not None else None,
        masker=masker,
        budget=budget,
        memory=_memory(document.get("memory")),  # last: it loads a model and opens a store
    )


def _router(document: Mapping[str, Any], credentials: CredentialStore) -> ModelRouter:
    models = {name: _model(name, spec, credentials) for name, spec in _object(document, "models").items()}
    if not models:
        raise ValueError("models: at least one model is needed")
    tenants = {
        tenant: TenantRouting(dict(t.get("tiers") or {}), dict(t.get("fallbacks") or {}), t.get("default"))
        for tenant, t in _object(document, "tenants").items()
    }
    return ModelRouter(
        models,
        default=document.get("default"),
        tiers=_object(document, "tiers"),
        fallbacks=_object(document, "fallbacks"),
        tenants=tenants,
    )


def _memory(value: Any) -> AgentMemory | None:
    if value is None or value is False:
        return None
    if value is not True and not isinstance(value, dict):
        raise ValueError("memory: expected true or an object {uri, collection}")
    unknown = sorted(set(value) - {"uri", "collection"}) if isinstance(value, dict) else []
    if unknown:
        raise ValueError(
            f"memory: unknown field(s) {', '.join(unknown)} (a token comes from the environment)"
        )
    try:
        from cadenza.workers.agents.agent_memory import AgentMemory
        from cadenza.workers.memory import MemoryConfig
    except ImportError as error:
        raise ValueError(f"memory: needs the memory extra (pip install 'cadenza[memory]'): {error}") from None
    config = MemoryConfig.from_env()
    if isinstance(value, dict):
        config = dataclasses.replace(config, **{k: str(v) for k, v in value.items()})
    try:
        return AgentMemory.open(config)
    except Exception as error:  # noqa: BLE001 - the model files or Milvus: any failure stops the worker
        raise ValueError(f"memory: cannot open {config.uri}: {error}") from None


def _object(document: Mapping[str, Any], name: str) -> dict[str, Any]:
    value = document.get(name) or {}
    if not isinstance(value, dict):
        raise ValueError(f"{name}: expected an object")
    return value


def _model(name: str, spec: Any, credentials: CredentialStore) -> Model:
    if not isinstance(spec, dict):
        raise ValueError(f"models.{name}: expected an object")
    provider = spec.get("provider")
    if provider == "scripted":
        return ScriptedModel(spec.get("script") or [], name=name)
    if provider not in ("anthropic", "openai"):
        raise ValueError(f"models.{name}.provider: expected anthropic, openai or scripted, not {provider!r}")
    model = spec.get("model")
    if not isinstance(model, str) or not model:
        raise ValueError(f"models.{name}.model: the provider's model id is required")
    key = _api_key(name, spec, credentials)
    timeout = float(spec.get("timeoutSeconds", 60))
    if provider == "anthropic":
        from cadenza.workers.agents.anthropic_model import AnthropicModel

        if not key:
            raise ValueError(f"models.{name}: an Anthropic model needs apiKey or apiKeyEnv")
        return AnthropicModel(model, api_key=key, base_url=spec.get("baseUrl"), timeout_s=timeout, name=name)
    from cadenza.workers.agents.openai_model import OpenAICompatibleModel

    base = spec.get("baseUrl")
    if not isinstance(base, str) or not base:
        raise ValueError(f"models.{name}.baseUrl: required for an OpenAI-compatible server")
    return OpenAICompatibleModel(model, base_url=base, api_key=key, timeout_s=timeout, name=name)


def _api_key(name: str, spec: Mapping[str, Any], credentials: CredentialStore) -> str | None:
    if spec.get("apiKeyEnv"):
        value = os.environ.get(str(spec["apiKeyEnv"]))
        if not value:
            raise ValueError(f"models.{name}.apiKeyEnv: {spec['apiKeyEnv']} is not set")
        return value
    text = spec.get("apiKey")
    if text is None:
        return None
    problems: list[str] = []
    resolver = SecretResolver(credentials, tenant_id=DEFAULT_TENANT, process_id="", redactor=Redactor())
    value = resolver.resolve(str(text), problems, f"models.{name}.apiKey")
    if problems:
        raise ValueError("; ".join(problems))
    return str(value)


def _tool(name: str, spec: Any, connectors: Mapping[str, Connector]) -> Tool:
    if not isinstance(spec, dict):
        raise ValueError(f"tools.{name}: expected an object")
    if "sql" in spec:
        return _sql_tool(name, spec)
    connector = connectors.get(str(spec.get("connector")))
    if connector is None:
        known = ", ".join(sorted(connectors))
        raise ValueError(f"tools.{name}.connector: expected one of {known}, not {spec.get('connector')!r}")
    schema = spec.get("inputSchema") or {"type": "object"}
    check_schema(schema, f"tools.{name}.inputSchema")
    return connector_tool(
        name, str(spec.get("description") or ""), schema, connector, spec.get("fixed") or {}
    )


def _sql_tool(name: str, spec: Mapping[str, Any]) -> Tool:
    unknown = sorted(set(spec) - {"sql", "database", "description", "inputSchema", "maxRows"})
    if unknown:
        raise ValueError(f"tools.{name}: unknown field(s) {', '.join(unknown)}")
    for field in ("sql", "database"):
        if not isinstance(spec.get(field), str) or not spec[field]:
            raise ValueError(f"tools.{name}.{field}: a non-empty string is required")
    schema = spec.get("inputSchema") or {"type": "object"}
    check_schema(schema, f"tools.{name}.inputSchema")
    max_rows = spec.get("maxRows", 100)
    if isinstance(max_rows, bool) or not isinstance(max_rows, int):
        raise ValueError(f"tools.{name}.maxRows: expected an integer")
    try:
        return sql_tool(
            name,
            str(spec.get("description") or ""),
            schema,
            database=spec["database"],
            statement=spec["sql"],
            max_rows=max_rows,
        )
    except ValueError as error:
        raise ValueError(f"tools.{name}: {error}") from None
