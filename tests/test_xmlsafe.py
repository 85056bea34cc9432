"""The shared hardened XML loader: refusals carry message and line, nothing is ever fetched or expanded."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from cadenza import xmlsafe
from cadenza.xmlsafe import DEFAULT_MAX_BYTES, XmlError, make_parser, parse_xml, read_source

_DOC = b'<?xml version="1.0"?>\n<root>\n  <!-- a comment -->\n  <?pi data?>\n  <child/>\n</root>\n'


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A local TCP port nobody should connect to."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    server.setblocking(False)
    yield server
    server.close()


def _no_connection(server: socket.socket) -> bool:
    try:
        connection, _ = server.accept()
    except BlockingIOError:
        return True
    connection.close()
    return False


def _external_entities(secret: Path, port: int) -> bytes:
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE root [\n'
        f'  <!ENTITY secret SYSTEM "{secret.as_uri()}">\n'
        f'  <!ENTITY remote SYSTEM "http://127.0.0.1:{port}/entity">\n'
        f'  <!ENTITY % dtd SYSTEM "http://127.0.0.1:{port}/dtd"> %dtd;\n'
        "]>\n<root>&secret;&remote;</root>\n"
    ).encode()


def test_comments_and_processing_instructions_are_dropped_unless_kept() -> None:
    assert etree.tostring(parse_xml(_DOC)) == b"<root>\n  \n  \n  <child/>\n</root>"
    kept = etree.tostring(parse_xml(_DOC, keep_comments=True))
    assert b"<!-- a comment -->" in kept and b"<?pi data?>" in kept


def test_malformed_xml_carries_message_and_line() -> None:
    with pytest.raises(XmlError) as caught:
        parse_xml(b"<root>\n<a>\n</root>")
    assert caught.value.line == 3
    assert caught.value.message.startswith("malformed XML: Opening and ending tag mismatch")
    assert str(caught.value).startswith("line 3: malformed XML")


def test_doctype_is_refused_with_its_line_in_utf8_and_utf16() -> None:
    doc = '<?xml version="1.0" encoding="{}"?>\n\n<!DOCTYPE root>\n<root/>'
    for codec, name in (
        ("utf-8", "UTF-8"),
        ("utf-16", "UTF-16"),
        ("utf-16-le", "UTF-16"),
        ("utf-16-be", "UTF-16"),
    ):
        with pytest.raises(XmlError) as caught:
            parse_xml(doc.format(name).encode(codec))
        assert (caught.value.message, caught.value.line) == (
            "DOCTYPE and entity declarations are not allowed",
            3,
        )


def test_external_entities_are_never_fetched(tmp_path: Path, listener: socket.socket) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-MARKER")
    data = _external_entities(secret, listener.getsockname()[1])
    with pytest.raises(XmlError) as caught:
        parse_xml(data)
    assert caught.value.line == 2 and "TOP-SECRET-MARKER" not in str(caught.value)
    assert _no_connection(listener)


class _Recorder(etree.Resolver):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def resolve(self, system_url: str, public_id: str, context: Any) -> Any:  # noqa: ARG002
        self.urls.append(system_url)
        return None


def test_the_parser_settings_alone_fetch_nothing(
    tmp_path: Path, listener: socket.socket, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Defence in depth: with the up-front scan switched off, the parser asks no resolver for any URL (so it
    # opens no file and no connection), keeps the references unexpanded, and the document is still refused.
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-MARKER")
    data = _external_entities(secret, listener.getsockname()[1])
    parser = make_parser()
    recorder = _Recorder()
    parser.resolvers.add(recorder)
    text = etree.tostring(etree.fromstring(data, parser))
    assert recorder.urls == [] and b"TOP-SECRET-MARKER" not in text and b"&secret;" in text
    monkeypatch.setattr(xmlsafe, "_declaration_line", lambda _data: None)
    with pytest.raises(XmlError, match="DOCTYPE"):
        parse_xml(data)
    assert _no_connection(listener)


def test_size_is_bounded_before_parsing(tmp_path: Path) -> None:
    assert DEFAULT_MAX_BYTES == 10 * 1024 * 1024
    with pytest.raises(XmlError, match=f"the file has {len(_DOC)} bytes, more than the limit of 10"):
        parse_xml(_DOC, max_bytes=10)
    path = tmp_path / "big.xml"
    path.write_bytes(_DOC)
    with pytest.raises(XmlError, match="more than the limit"):
        read_source(path, max_bytes=10)


def test_huge_tree_is_off() -> None:
    with pytest.raises(XmlError, match="depth"):
        parse_xml(b"<a>" * 300 + b"</a>" * 300)


def test_read_source_forms(tmp_path: Path) -> None:
    path = tmp_path / "doc.xml"
    path.write_bytes(_DOC)
    assert read_source(path) == (_DOC, str(path))
    assert read_source(str(path)) == (_DOC, str(path))
    assert read_source(_DOC) == (_DOC, None)
    assert read_source("<root/>") == (b"<root/>", None)
    with pytest.raises(XmlError, match="cannot read"):
        read_source(tmp_path / "missing.xml")
