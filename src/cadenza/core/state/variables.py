"""Variables per scope. Values are JSON text, as in Zeebe's variable records; FEEL reads them parsed."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from cadenza.core.state.db import StateDb
from cadenza.core.state.elements import ElementState
from cadenza.feel.json_values import loads

__all__ = ["ScopeView", "VariableState"]


class VariableState:
    __slots__ = ("_rows", "_data", "_elements")

    def __init__(self, db: StateDb, elements: ElementState) -> None:
        self._rows = db.column("variables")
        self._data = self._rows.data
        self._elements = elements

    def local(self, scope_key: int) -> dict[str, list[Any]]:
        """``name -> [variable key, JSON text]`` of one scope."""
        rows: dict[str, list[Any]] | None = self._data.get(scope_key)
        return rows or {}

    def parent_scope(self, scope_key: int) -> int:
        row = self._elements.get(scope_key)
        if row is None:
            return -1
        parent: int = row["v"]["flowScopeKey"]
        return parent

    def scope_chain(self, scope_key: int) -> list[int]:
        chain = []
        key = scope_key
        element = self._elements.get  # parent_scope inlined: this runs for every job handed out
        while key > 0:
            chain.append(key)
            row = element(key)
            key = -1 if row is None else row["v"]["flowScopeKey"]
        return chain

    def find(self, scope_key: int, name: str) -> int | None:
        """The nearest scope, from ``scope_key`` outward, that holds ``name``."""
        for key in self.scope_chain(scope_key):
            if name in self.local(key):
                return key
        return None

    def visible_texts(self, scope_key: int) -> dict[str, str]:
        """Every variable visible from a scope (inner names hide outer ones), as JSON text."""
        out: dict[str, str] = {}
        data = self._data
        for key in self.scope_chain(scope_key):
            rows = data.get(key)
            if rows:
                for name, (_, text) in rows.items():
                    out.setdefault(name, text)
        return out

    def view(self, scope_key: int) -> ScopeView:
        return ScopeView(self, scope_key)

    # ------------------------------------------------------------------------------ writes (appliers only)

    def set(self, scope_key: int, name: str, variable_key: int, text: str) -> None:
        rows = self._rows.data.get(scope_key)
        if rows is None:
            rows = {}
        rows[name] = [variable_key, text]
        self._rows.put(scope_key, rows)

    def drop_scope(self, scope_key: int) -> None:
        self._rows.delete(scope_key)


class ScopeView(Mapping[str, Any]):
    """The variables visible from one scope as a FEEL context: looked up and parsed on access, once."""

    __slots__ = ("_state", "_chain", "_parsed", "_overlay")

    def __init__(self, state: VariableState, scope_key: int, overlay: dict[str, Any] | None = None) -> None:
        self._state = state
        self._chain = state.scope_chain(scope_key)
        self._parsed: dict[str, Any] = {}
        self._overlay = overlay or {}

    def with_overlay(self, values: dict[str, Any]) -> ScopeView:
        """Values that hide the scope's variables (mapping results, multi-instance counters)."""
        view = ScopeView.__new__(ScopeView)
        view._state, view._chain, view._parsed = self._state, self._chain, self._parsed
        view._overlay = {**self._overlay, **values}
        return view

    def _text(self, name: str) -> str | None:
        for key in self._chain:
            entry = self._state.local(key).get(name)
            if entry is not None:
                text: str = entry[1]
                return text
        return None

    def __getitem__(self, name: str) -> Any:
        if name in self._overlay:
            return self._overlay[name]
        if name in self._parsed:
            return self._parsed[name]
        text = self._text(name)
        if text is None:
            raise KeyError(name)
        value = self._parsed[name] = loads(text)
        return value

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and (
            name in self._overlay or name in self._parsed or self._text(name) is not None
        )

    def __iter__(self) -> Iterator[str]:
        seen = dict.fromkeys(self._overlay)
        for key in self._chain:
            seen.update(dict.fromkeys(self._state.local(key)))
        return iter(seen)

    def __len__(self) -> int:
        return sum(1 for _ in self)
