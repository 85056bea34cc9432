"""Deployed resources: processes and decision requirements graphs, with their versions.

Rows keep the resource text; the parsed model is a cache rebuilt on demand, so state stays plain JSON and a
restart re-parses what it needs.
"""

from __future__ import annotations

from typing import Any

from cadenza.bpmn.model import Definitions, Process
from cadenza.core.state.db import StateDb

__all__ = ["ProcessState"]


def _latest_key(tenant: str, resource_id: str) -> str:
    return f"{tenant}\x1f{resource_id}"


class ProcessState:
    __slots__ = ("_processes", "_latest", "_drgs", "_decisions_latest", "_parsed")

    def __init__(self, db: StateDb) -> None:
        self._processes = db.column("processes")
        self._latest = db.column("process_latest", int_keys=False)
        self._drgs = db.column("decision_requirements")
        self._decisions_latest = db.column("decision_latest", int_keys=False)
        self._parsed: dict[int, Process] = {}

    # ---------------------------------------------------------------------------------------------- reads

    def process(self, key: int) -> dict[str, Any] | None:
        row: dict[str, Any] | None = self._processes.get(key)
        return row

    def latest_process(self, tenant: str, process_id: str) -> dict[str, Any] | None:
        key = self._latest.get(_latest_key(tenant, process_id))
        return None if key is None else self.process(key)

    def process_version(self, tenant: str, process_id: str, version: int) -> dict[str, Any] | None:
        for row in self._processes.data.values():
            if row["bpmnProcessId"] == process_id and row["version"] == version and row["tenantId"] == tenant:
                found: dict[str, Any] = row
                return found
        return None

    def model(self, process_key: int) -> Process:
        """The executable model of a deployed process (parsed once per engine run)."""
        cached = self._parsed.get(process_key)
        if cached is not None:
            return cached
        from cadenza.bpmn.reader import parse_bpmn

        row = self._processes.data[process_key]
        definitions: Definitions = parse_bpmn(row["resource"].encode(), resource_name=row["resourceName"])
        process = definitions.process(row["bpmnProcessId"])
        self._parsed[process_key] = process
        return process

    def remember_model(self, process_key: int, process: Process) -> None:
        self._parsed[process_key] = process

    def all_processes(self) -> list[dict[str, Any]]:
        return list(self._processes.data.values())

    def latest_decision(self, tenant: str, decision_id: str) -> dict[str, Any] | None:
        key = self._decisions_latest.get(_latest_key(tenant, decision_id))
        if key is None:
            return None
        row: dict[str, Any] | None = self._drgs.get(key)
        return row

    def all_drgs(self) -> list[dict[str, Any]]:
        return list(self._drgs.data.values())

    def latest_drg_by_id(self, tenant: str, drg_id: str) -> dict[str, Any] | None:
        best: dict[str, Any] | None = None
        for row in self._drgs.data.values():
            same = row["decisionRequirementsId"] == drg_id and row["tenantId"] == tenant
            if same and (best is None or row["version"] > best["version"]):
                best = row
        return best

    # --------------------------------------------------------------------------------------------- writes

    def put_process(self, row: dict[str, Any]) -> None:
        key = int(row["processDefinitionKey"])
        self._processes.put(key, row)
        latest = self.latest_process(row["tenantId"], row["bpmnProcessId"])
        if latest is None or latest["version"] <= row["version"]:
            self._latest.put(_latest_key(row["tenantId"], row["bpmnProcessId"]), key)

    def put_drg(self, row: dict[str, Any]) -> None:
        key = int(row["decisionRequirementsKey"])
        self._drgs.put(key, row)
        for decision_id in row["decisionIds"]:
            self._decisions_latest.put(_latest_key(row["tenantId"], decision_id), key)
