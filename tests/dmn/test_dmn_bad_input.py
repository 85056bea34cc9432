"""Bad DMN input: a clear error naming element and line, and the next evaluation still works.

docs/bad-input.md maps the checklist to these tests.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from cadenza import xmlsafe
from cadenza.dmn import DmnError, load_dmn

FIXTURES = Path(__file__).parent / "fixtures"
_NS = "https://www.omg.org/spec/DMN/20230324/MODEL/"


def _still_works() -> None:
    model = load_dmn(FIXTURES / "unique.dmn")
    assert model.evaluate("Band", {"Score": 20}).value == "low"


def _literal_model(text: str) -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<definitions xmlns="{_NS}" id="m" name="m" namespace="urn:m">\n'
        '  <decision id="d-tax" name="Tax">\n'
        f"    <literalExpression><text>{text}</text></literalExpression>\n"
        "  </decision>\n</definitions>\n"
    ).encode()


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    server.setblocking(False)
    yield server
    server.close()


def test_unterminated_string_in_a_cell_names_decision_and_line() -> None:
    with pytest.raises(DmnError) as caught:
        load_dmn(_literal_model('"unterminated'))
    assert caught.value.line == 4
    assert "decision 'Tax' (id=d-tax)" in str(caught.value)
    assert "unterminated string" in str(caught.value)
    _still_works()


def test_ten_thousand_parentheses_in_a_cell_name_decision_and_line() -> None:
    with pytest.raises(DmnError) as caught:
        load_dmn(_literal_model("(" * 10_000 + "1" + ")" * 10_000))
    assert caught.value.line == 4
    assert "decision 'Tax' (id=d-tax)" in str(caught.value) and "nesting deeper than 100" in str(caught.value)
    _still_works()


def _refuse_any_parse(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*_args: Any, **_kwargs: Any) -> Any:
        raise AssertionError("the document reached the XML parser")

    monkeypatch.setattr(xmlsafe.etree, "fromstring", fail)


def test_external_entity_is_never_resolved(
    tmp_path: Path, listener: socket.socket, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-MARKER")
    port = listener.getsockname()[1]
    document = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE definitions [\n'
        f'  <!ENTITY secret SYSTEM "{secret.as_uri()}">\n'
        f'  <!ENTITY remote SYSTEM "http://127.0.0.1:{port}/x">\n]>\n'
        + _literal_model('"&secret;&remote;"').decode().split("\n", 1)[1]
    )
    path = tmp_path / "xxe.dmn"
    path.write_text(document)
    with monkeypatch.context() as patch:
        _refuse_any_parse(patch)  # refused from the bytes alone: nothing is parsed, so nothing is fetched
        with pytest.raises(DmnError) as caught:
            load_dmn(path)
    assert (
        caught.value.message == "DOCTYPE and entity declarations are not allowed" and caught.value.line == 2
    )
    assert "TOP-SECRET-MARKER" not in str(caught.value)
    assert _no_connection(listener)
    _still_works()


def _no_connection(server: socket.socket) -> bool:
    try:
        connection, _ = server.accept()
    except BlockingIOError:
        return True
    connection.close()
    return False


def test_billion_laughs_is_refused_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    started = time.perf_counter()
    with monkeypatch.context() as patch:
        _refuse_any_parse(patch)
        with pytest.raises(DmnError) as caught:
            load_dmn(FIXTURES / "billion-laughs.dmn")
    assert time.perf_counter() - started < 1
    assert (
        caught.value.message == "DOCTYPE and entity declarations are not allowed" and caught.value.line == 2
    )
    _still_works()


def test_cyclic_requirements_name_every_decision_in_the_cycle() -> None:
    with pytest.raises(DmnError) as caught:
        load_dmn(FIXTURES / "cyclic.dmn")
    assert caught.value.message == "cyclic requirements: Alpha -> Beta -> Gamma -> Alpha"
    assert caught.value.element == "decision 'Alpha' (id=a)" and caught.value.line == 3
    _still_works()


def test_unique_violation_names_table_and_rules_and_the_model_keeps_working() -> None:
    model = load_dmn(FIXTURES / "unique.dmn")
    result = model.evaluate("Band", {"Score": Decimal(50)})
    assert result.value is None
    assert [w.message for w in result.warnings] == [
        "decision 'Band' (id=d-band), decision table (id=band-table) at line 7: "
        "hit policy UNIQUE violated, rules 1 (id=low), 2 (id=mid) all match"
    ]
    assert result.audit[-1].matched_rule_ids == ["low", "mid"]
    assert model.evaluate("Band", {"Score": 90}).value == "high"
