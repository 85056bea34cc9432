"""Reading DMN: security of the XML parser, errors that name the element, DRG checks, writing back."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from cadenza import xmlsafe
from cadenza.dmn import DmnError, load_dmn, write_dmn
from cadenza.dmn.model import DecisionTable, LiteralExpression
from cadenza.dmn.reader import load_tree, read_definitions

ROOT = Path(__file__).resolve().parents[2]


def test_external_entity_is_refused_and_never_resolved(fixtures: Path) -> None:
    with pytest.raises(DmnError, match="DOCTYPE"):
        load_dmn(fixtures / "xxe.dmn")


def test_billion_laughs_is_refused_before_expansion(fixtures: Path) -> None:
    with pytest.raises(DmnError, match="DOCTYPE"):
        load_dmn(fixtures / "billion-laughs.dmn")


@pytest.mark.parametrize("name", ["xxe.dmn", "billion-laughs.dmn"])
def test_parser_itself_neither_resolves_nor_expands_entities(
    fixtures: Path, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Defence in depth: even with the up-front DOCTYPE scan switched off, the parser settings keep entities
    # unresolved and the document is still refused once parsed.
    monkeypatch.setattr(xmlsafe, "_declaration_line", lambda _data: None)
    with pytest.raises(xmlsafe.XmlError, match="DOCTYPE|entity"):
        xmlsafe.parse_xml((fixtures / name).read_bytes())
    try:
        parsed = etree.fromstring((fixtures / name).read_bytes(), xmlsafe.make_parser())
    except etree.XMLSyntaxError as exc:  # libxml2 refuses the amplification outright: also safe
        assert "amplification" in str(exc)
        return
    text = etree.tostring(parsed)
    assert b"root:" not in text  # /etc/passwd was not read
    assert b"&secret;" in text  # the reference is kept as written, unresolved


def test_doctype_in_utf16_document_is_refused(fixtures: Path) -> None:
    text = (fixtures / "xxe.dmn").read_text(encoding="utf-8").replace('encoding="UTF-8"', 'encoding="UTF-16"')
    with pytest.raises(DmnError, match="DOCTYPE"):
        load_dmn(text.encode("utf-16"))


def test_size_bound_is_enforced(fixtures: Path) -> None:
    with pytest.raises(DmnError, match="limit"):
        load_dmn(fixtures / "unique.dmn", max_bytes=100)
    with pytest.raises(DmnError, match="limit"):
        load_dmn(b"<definitions/>" + b" " * 200, max_bytes=100)


def test_malformed_xml_names_the_line() -> None:
    with pytest.raises(DmnError) as caught:
        load_dmn(b'<?xml version="1.0"?>\n<definitions>\n  <decision>\n</definitions>')
    assert caught.value.line == 4
    assert "malformed XML" in str(caught.value)


def test_not_a_dmn_document() -> None:
    with pytest.raises(DmnError, match="not a DMN document"):
        load_dmn(b"<html/>")


def test_cyclic_requirements_are_rejected_at_load(fixtures: Path) -> None:
    with pytest.raises(DmnError) as caught:
        load_dmn(fixtures / "cyclic.dmn")
    message = str(caught.value)
    assert "cyclic requirements" in message
    assert "Alpha -> Beta -> Gamma -> Alpha" in message
    assert caught.value.line == 3


def test_cycles_are_rejected_even_when_lenient(fixtures: Path) -> None:
    with pytest.raises(DmnError, match="cyclic"):
        load_dmn(fixtures / "cyclic.dmn", lenient=True)


def test_syntax_error_in_a_cell_names_decision_rule_and_position(fixtures: Path) -> None:
    with pytest.raises(DmnError) as caught:
        load_dmn(fixtures / "syntax-error.dmn")
    message = str(caught.value)
    assert "decision 'Age Class' (id=d-class)" in message
    assert "rule 2 (id=r-broken)" in message
    assert "column" in message
    assert caught.value.line == 15


def test_syntax_error_is_deferred_when_lenient(fixtures: Path) -> None:
    model = load_dmn(fixtures / "syntax-error.dmn", lenient=True)
    result = model.evaluate("Age Class", {"Age": 30})
    assert result.value is None
    assert any("rule 2" in w.message for w in result.warnings)


def test_dangling_requirement_is_an_error() -> None:
    text = b"""<definitions xmlns="https://www.omg.org/spec/DMN/20230324/MODEL/" name="x" namespace="urn:x">
      <decision id="d" name="D">
      <informationRequirement><requiredInput href="#nowhere"/></informationRequirement>
      <literalExpression><text>1</text></literalExpression></decision></definitions>"""
    with pytest.raises(DmnError) as caught:
        load_dmn(text)
    assert "decision 'D' (id=d)" in str(caught.value)
    assert "#nowhere" in str(caught.value)


def test_reads_the_decision_table_structure() -> None:
    model = load_dmn(ROOT / "dmn" / "approval-routing.dmn")
    decision = model.decision_by_name("Risk Category")
    assert decision.id == "risk-category"
    table = decision.expression
    assert isinstance(table, DecisionTable)
    assert table.hit_policy == "UNIQUE"
    assert [r.id for r in table.rules] == ["risk-r1", "risk-r2", "risk-r3", "risk-r4"]
    assert table.rules[2].input_entries[0].text == "[550..700)"
    assert table.outputs[0].output_values is not None
    assert model.decision_by_id("approval-route").name == "Approval Route"
    assert set(model.decisions) == {"risk-category", "approval-route"}


def test_dmn_11_qualified_type_refs_are_normalised() -> None:
    text = b"""<definitions xmlns="http://www.omg.org/spec/DMN/20151101/dmn.xsd"
        xmlns:feel="http://www.omg.org/spec/FEEL/20140401" xmlns:tns="urn:t" name="old" namespace="urn:t">
      <itemDefinition name="tAge"><typeRef>feel:number</typeRef></itemDefinition>
      <inputData id="i" name="Age"><variable name="Age" typeRef="tns:tAge"/></inputData>
    </definitions>"""
    definitions = read_definitions(load_tree(text)[0])
    assert definitions.dmn_version == "1.1"
    assert definitions.item_definitions[0].type_ref == "number"
    assert definitions.input_data[0].variable.type_ref == "tAge"


def _di_ids(xml: bytes) -> list[str]:
    root = etree.fromstring(xml)
    elements = root.iter(etree.Element)
    return [
        el.get("id") or "" for el in elements if "DMNDI" in (etree.QName(el).namespace or "") and el.get("id")
    ]


@pytest.mark.parametrize("name", ["extensions.dmn", "boxed.dmn"])
def test_round_trip_keeps_model_di_and_extensions(fixtures: Path, name: str) -> None:
    original = load_dmn(fixtures / name)
    written = original.to_xml()
    again = load_dmn(written)
    assert again.definitions == original.definitions
    assert again.to_xml() == written
    source = (fixtures / name).read_bytes()
    assert _di_ids(written) == _di_ids(source)


def test_round_trip_keeps_unknown_elements_attributes_and_comments(fixtures: Path) -> None:
    written = load_dmn(fixtures / "extensions.dmn").to_xml()
    assert b'acme:owner="risk-team"' in written
    assert b'acme:source="crm"' in written
    assert b"<acme:note>keep me</acme:note>" in written
    assert b"a comment the writer must keep" in written
    assert b'<di:waypoint x="180" y="250"/>' in written


def test_round_trip_of_the_sample_with_dmndi() -> None:
    path = ROOT / "dmn" / "approval-routing.dmn"
    model = load_dmn(path)
    again = load_dmn(model.to_xml())
    assert again.definitions == model.definitions
    assert _di_ids(again.to_xml()) == _di_ids(path.read_bytes())
    assert len(_di_ids(again.to_xml())) == 6


def test_write_dmn_writes_the_document_back(fixtures: Path, tmp_path: Path) -> None:
    model = load_dmn(fixtures / "extensions.dmn")
    target = tmp_path / "out.dmn"
    write_dmn(model, target)
    assert target.read_bytes() == model.to_xml()
    assert load_dmn(target).definitions == model.definitions
    assert [p.name for p in tmp_path.iterdir()] == ["out.dmn"]


def test_syntax_error_line_counts_from_the_text_itself() -> None:
    text = b"""<definitions xmlns="https://www.omg.org/spec/DMN/20230324/MODEL/" name="l" namespace="urn:l">
      <decision id="d" name="D">
        <literalExpression>
          <text>
            1 +
            * 2</text>
        </literalExpression>
      </decision></definitions>"""
    with pytest.raises(DmnError) as caught:
        load_dmn(text)
    assert caught.value.line == 6


def test_syntax_error_in_a_nested_context_names_the_path() -> None:
    text = b"""<definitions xmlns="https://www.omg.org/spec/DMN/20230324/MODEL/" name="n" namespace="urn:n">
      <decision id="d" name="D"><context>
        <contextEntry><variable name="outer"/><context>
          <contextEntry><variable name="inner"/><literalExpression><text>1 +</text></literalExpression></contextEntry>
        </context></contextEntry>
      </context></decision></definitions>"""
    with pytest.raises(
        DmnError, match="decision 'D' \\(id=d\\), context entry 'outer' > context entry 'inner'"
    ):
        load_dmn(text)


def test_model_equality_ignores_line_numbers_only() -> None:
    a = LiteralExpression("1", line=3)
    b = LiteralExpression("1", line=9)
    assert a == b
    assert LiteralExpression("2", line=3) != a
