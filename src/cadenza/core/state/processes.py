"""Deployed resources: processes, decision requirements graphs with their decisions, and forms, with their
versions.

Rows keep the resource text; the parsed model is a cache rebuilt on demand, so state stays plain JSON and a
restart re-parses what it needs. Deleting the latest version of a resource makes the previous one the latest
again; the deleted version number is remembered so that it is never handed out twice (Zeebe does the same).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from cadenza.bpmn.model import Definitions, Process
from cadenza.core.state.db import Column, StateDb

__all__ = ["ProcessState"]


def _latest_key(tenant: str, resource_id: str) -> str:
    return f"{tenant}\x1f{resource_id}"


class _ParsedModels(dict[int, Process]):
    """Process key -> its parsed model; a miss parses the process's resource (once per engine run)."""

    __slots__ = ("_processes",)

    def __init__(self, processes: Column) -> None:
        super().__init__()
        self._processes = processes

    def __missing__(self, process_key: int) -> Process:
        from cadenza.bpmn.reader import parse_bpmn

        row = self._processes.data[process_key]
        definitions: Definitions = parse_bpmn(row["resource"].encode(), resource_name=row["resourceName"])
        process = definitions.process(row["bpmnProcessId"])
        self[process_key] = process
        return process


class ProcessState:
    __slots__ = (
        "_processes",
        "_latest",
        "_drgs",
        "_decisions_latest",
        "_decisions",
        "_decision_keys_latest",
        "_forms",
        "_forms_latest",
        "_deleted_versions",
        "_parsed",
        "_drg_decisions",
        "model",
    )

    #: The executable model of a deployed process (parsed once per engine run). The cache dict's own
    #: ``__getitem__``, so a hit costs no Python frame: it runs several times per element instance.
    model: Callable[[int], Process]

    def __init__(self, db: StateDb) -> None:
        self._processes = db.column("processes")
        self._latest = db.column("process_latest", int_keys=False)
        self._drgs = db.column("decision_requirements")
        #: (tenant, decision id) -> the key of the DRG holding the latest version of that decision.
        self._decisions_latest = db.column("decision_latest", int_keys=False)
        self._decisions = db.column("decisions")
        #: (tenant, decision id) -> the key of the latest version of that decision.
        self._decision_keys_latest = db.column("decision_key_latest", int_keys=False)
        self._forms = db.column("forms")
        self._forms_latest = db.column("form_latest", int_keys=False)
        #: (kind, tenant, id) -> the highest version number that was deleted.
        self._deleted_versions = db.column("deleted_versions", int_keys=False)
        self._parsed = _ParsedModels(self._processes)
        self.model = self._parsed.__getitem__
        #: DRG key -> its decisions' keys (in key order): an index rebuilt from the decision rows, so the
        #: audit of an evaluation finds its decisions without a scan.
        self._drg_decisions: dict[int, dict[int, None]] = {}

    def rebuild_indexes(self) -> None:
        self._drg_decisions.clear()
        for key, row in sorted(self._decisions.items()):
            self._drg_decisions.setdefault(int(row["decisionRequirementsKey"]), {})[key] = None

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
        return _newest(self._drgs.data.values(), "decisionRequirementsId", drg_id, tenant)

    def drg(self, key: int) -> dict[str, Any] | None:
        row: dict[str, Any] | None = self._drgs.get(key)
        return row

    def decision(self, key: int) -> dict[str, Any] | None:
        row: dict[str, Any] | None = self._decisions.get(key)
        return row

    def latest_decision_row(self, tenant: str, decision_id: str) -> dict[str, Any] | None:
        """The latest version of a decision (its own key and version, not its DRG's)."""
        key = self._decision_keys_latest.get(_latest_key(tenant, decision_id))
        return None if key is None else self.decision(key)

    def decisions_of_drg(self, drg_key: int) -> list[dict[str, Any]]:
        data = self._decisions.data
        return [data[key] for key in self._drg_decisions.get(drg_key, ())]

    def form(self, key: int) -> dict[str, Any] | None:
        row: dict[str, Any] | None = self._forms.get(key)
        return row

    def latest_form(self, tenant: str, form_id: str) -> dict[str, Any] | None:
        key = self._forms_latest.get(_latest_key(tenant, form_id))
        return None if key is None else self.form(key)

    def all_forms(self) -> list[dict[str, Any]]:
        return list(self._forms.data.values())

    def next_version(self, kind: str, tenant: str, resource_id: str, latest: dict[str, Any] | None) -> int:
        """The version a new deployment of a resource gets: above the latest and above any deleted one."""
        deleted: int = self._deleted_versions.get(f"{kind}\x1f{tenant}\x1f{resource_id}") or 0
        return max(deleted, 0 if latest is None else int(latest["version"])) + 1

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

    def put_decision(self, row: dict[str, Any]) -> None:
        key = int(row["decisionKey"])
        self._decisions.put(key, row)
        self._drg_decisions.setdefault(int(row["decisionRequirementsKey"]), {})[key] = None
        self._decision_keys_latest.put(_latest_key(row["tenantId"], row["decisionId"]), key)

    def put_form(self, row: dict[str, Any]) -> None:
        key = int(row["formKey"])
        self._forms.put(key, row)
        self._forms_latest.put(_latest_key(row["tenantId"], row["formId"]), key)

    def remove_process(self, key: int) -> None:
        row = self._processes.data[key]
        self._processes.delete(key)
        self._parsed.pop(key, None)
        tenant, process_id = row["tenantId"], row["bpmnProcessId"]
        self._remember_deleted("process", tenant, process_id, row["version"])
        previous = _newest(self._processes.data.values(), "bpmnProcessId", process_id, tenant)
        _repoint(self._latest, _latest_key(tenant, process_id), previous, "processDefinitionKey")

    def remove_decision(self, key: int) -> None:
        row = self._decisions.data[key]
        self._decisions.delete(key)
        self._drg_decisions.get(int(row["decisionRequirementsKey"]), {}).pop(key, None)
        tenant, decision_id = row["tenantId"], row["decisionId"]
        self._remember_deleted("decision", tenant, decision_id, row["version"])
        previous = _newest(self._decisions.data.values(), "decisionId", decision_id, tenant)
        _repoint(self._decision_keys_latest, _latest_key(tenant, decision_id), previous, "decisionKey")
        _repoint(
            self._decisions_latest, _latest_key(tenant, decision_id), previous, "decisionRequirementsKey"
        )

    def remove_drg(self, key: int) -> None:
        row = self._drgs.data[key]
        self._drgs.delete(key)
        self._remember_deleted("drg", row["tenantId"], row["decisionRequirementsId"], row["version"])

    def remove_form(self, key: int) -> None:
        row = self._forms.data[key]
        self._forms.delete(key)
        tenant, form_id = row["tenantId"], row["formId"]
        self._remember_deleted("form", tenant, form_id, row["version"])
        previous = _newest(self._forms.data.values(), "formId", form_id, tenant)
        _repoint(self._forms_latest, _latest_key(tenant, form_id), previous, "formKey")

    def _remember_deleted(self, kind: str, tenant: str, resource_id: str, version: int) -> None:
        name = f"{kind}\x1f{tenant}\x1f{resource_id}"
        if version > (self._deleted_versions.get(name) or 0):
            self._deleted_versions.put(name, version)


def _newest(
    rows: Iterable[dict[str, Any]], id_field: str, resource_id: str, tenant: str
) -> dict[str, Any] | None:
    best: dict[str, Any] | None = None
    for row in rows:
        same = row[id_field] == resource_id and row["tenantId"] == tenant
        if same and (best is None or row["version"] > best["version"]):
            best = row
    return best


def _repoint(column: Column, name: str, row: dict[str, Any] | None, key_field: str) -> None:
    if row is None:
        column.delete(name)
    else:
        column.put(name, int(row[key_field]))
