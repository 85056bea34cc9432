"""Untrusted XML: no DTDs or entities ever resolved, bounded size, malformed input reported with its line."""

from __future__ import annotations

import pytest
from bpmn_support import EXAMPLES, fixture_bytes, problems_of

from cadenza.bpmn import DEFAULT_MAX_BYTES, BpmnError, Problem, parse_bpmn

_MINIMAL = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="D">
  <bpmn:process id="p" isExecutable="true"><bpmn:startEvent id="S" /></bpmn:process>
</bpmn:definitions>
"""


def test_minimal_process_parses() -> None:
    assert parse_bpmn(_MINIMAL).process("p").none_start_event is not None


def test_doctype_with_entities_is_rejected_before_parsing() -> None:
    (problem,) = problems_of("doctype-entity.bpmn")
    assert problem == Problem(None, 2, "DOCTYPE and entity declarations are not allowed")


def test_doctype_hidden_by_utf16_is_rejected_too() -> None:
    text = fixture_bytes("doctype-entity.bpmn").decode().replace('encoding="UTF-8"', 'encoding="UTF-16"')
    with pytest.raises(BpmnError) as caught:
        parse_bpmn(text.encode("utf-16"))
    assert [(p.line, p.message) for p in caught.value.problems] == [
        (2, "DOCTYPE and entity declarations are not allowed")
    ]
    assert "root:" not in str(caught.value)  # nothing from /etc/passwd leaked into the message


def test_undeclared_entity_reference_is_malformed_xml() -> None:
    data = _MINIMAL.replace(b'id="S"', b'id="S" name="&xxe;"')
    with pytest.raises(BpmnError) as caught:
        parse_bpmn(data)
    (problem,) = caught.value.problems
    assert problem.message.startswith("malformed XML:") and problem.line == 3


def test_malformed_xml_reports_the_line() -> None:
    (problem,) = problems_of("malformed.bpmn")
    assert problem.line == 5 and problem.message.startswith("malformed XML: Opening and ending tag mismatch")


def test_size_bound_is_configurable() -> None:
    assert DEFAULT_MAX_BYTES == 10 * 1024 * 1024
    with pytest.raises(BpmnError) as caught:
        parse_bpmn(_MINIMAL, max_bytes=100)
    assert (
        caught.value.problems[0].message == f"the file has {len(_MINIMAL)} bytes, more than the limit of 100"
    )


def test_default_size_bound_rejects_a_larger_file() -> None:
    padding = b"<!--" + b"x" * DEFAULT_MAX_BYTES + b"-->"
    with pytest.raises(BpmnError, match="more than the limit"):
        parse_bpmn(_MINIMAL + padding)


def test_root_must_be_bpmn_definitions() -> None:
    with pytest.raises(BpmnError, match="root element is not bpmn:definitions"):
        parse_bpmn(b"<definitions><process id='p' isExecutable='true'/></definitions>")


def test_text_is_refused() -> None:
    with pytest.raises(TypeError, match="expects the file's bytes"):
        parse_bpmn(_MINIMAL.decode())  # type: ignore[arg-type]


def test_problem_without_line_or_element_renders_with_the_resource_only() -> None:
    assert Problem(None, None, "x").render("a.bpmn") == "a.bpmn: x"
    assert Problem("E", None, "x").render("a.bpmn") == "a.bpmn element 'E': x"
    assert Problem(None, 3, "x").render("a.bpmn") == "a.bpmn:3: x"


def test_unterminated_string_in_a_condition_names_flow_and_line() -> None:
    data = (EXAMPLES / "order-process.bpmn").read_bytes()
    broken = data.replace(b"=order.valid = true", b'=order.status = "valid')
    with pytest.raises(BpmnError) as caught:
        parse_bpmn(broken)
    first = caught.value.problems[0]
    assert (first.element_id, first.line) == ("Flow_Valid", 43)
    assert (
        first.message == "FEEL syntax error in conditionExpression at line 1, column 16: unterminated string"
    )
    assert parse_bpmn(data).process("order-process") is not None  # the next deployment is unaffected


def test_deep_nesting_in_a_condition_is_a_clean_problem() -> None:
    data = (EXAMPLES / "order-process.bpmn").read_bytes()
    broken = data.replace(b"=order.valid = true", b"=" + b"(" * 10_000 + b"true" + b")" * 10_000)
    with pytest.raises(BpmnError) as caught:
        parse_bpmn(broken)
    first = caught.value.problems[0]
    assert (first.element_id, first.line) == ("Flow_Valid", 43)
    assert first.message.endswith("nesting deeper than 100")
