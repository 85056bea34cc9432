"""Agents: job workers that perform a task with an LLM, bounded by budgets, governed by a DMN policy, recorded
in a ledger for exact replay and fork. See docs/agents.md and ARCHITECTURE.md beside this file.

>>> runtime = AgentRuntime(ModelRouter({"demo": ScriptedModel([{"json": {"ok": True}}])}))
>>> connector = runtime.connector()  # job type cadenza:agent, for run_worker / build_worker
"""

from cadenza.workers.agents.budget import Budget, BudgetExceeded, Price, PriceTable, Spent
from cadenza.workers.agents.declaration import AGENT_JOB_TYPE, AGENT_TEMPLATE_ID, agent_declaration
from cadenza.workers.agents.ledger import EntryKind, Ledger, LedgerEntry, MemoryLedger, SqlLedger, open_ledger
from cadenza.workers.agents.loop import AgentSpec, Decision, RunResult
from cadenza.workers.agents.masking import Masker
from cadenza.workers.agents.model import (
    ErrorKind,
    Message,
    Model,
    ModelError,
    ModelRequest,
    ModelResponse,
    TextBlock,
    ToolResultBlock,
    ToolSpec,
    ToolUseBlock,
    Usage,
)
from cadenza.workers.agents.policy import Policy, PolicyEvaluator, read_policy
from cadenza.workers.agents.replay import fork_run, replay_run
from cadenza.workers.agents.routing import Answer, ModelRouter, RoutingError, TenantRouting
from cadenza.workers.agents.scripted import ScriptedModel
from cadenza.workers.agents.task import BUDGET_EXCEEDED, AgentRuntime
from cadenza.workers.agents.tools import (
    Tool,
    ToolContext,
    ToolFailed,
    ToolKind,
    ToolRegistry,
    bpmn_tool,
    connector_tool,
    python_tool,
)

__all__ = [
    "AGENT_JOB_TYPE",
    "AGENT_TEMPLATE_ID",
    "BUDGET_EXCEEDED",
    "AgentRuntime",
    "AgentSpec",
    "Answer",
    "Budget",
    "BudgetExceeded",
    "Decision",
    "EntryKind",
    "ErrorKind",
    "Ledger",
    "LedgerEntry",
    "Masker",
    "MemoryLedger",
    "Message",
    "Model",
    "ModelError",
    "ModelRequest",
    "ModelResponse",
    "ModelRouter",
    "Policy",
    "PolicyEvaluator",
    "Price",
    "PriceTable",
    "RoutingError",
    "RunResult",
    "ScriptedModel",
    "Spent",
    "SqlLedger",
    "TenantRouting",
    "TextBlock",
    "Tool",
    "ToolContext",
    "ToolFailed",
    "ToolKind",
    "ToolRegistry",
    "ToolResultBlock",
    "ToolSpec",
    "ToolUseBlock",
    "Usage",
    "agent_declaration",
    "bpmn_tool",
    "connector_tool",
    "fork_run",
    "open_ledger",
    "python_tool",
    "read_policy",
    "replay_run",
]
