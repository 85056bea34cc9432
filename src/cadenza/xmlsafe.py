"""The one way Cadenza parses XML it did not write (BPMN and DMN files, DMN TCK test files).

Models arrive from users and modelling tools, so the parser must never fetch a URL, read a local file through
an external entity, or expand an entity bomb:

- any DOCTYPE (hence any entity declaration) is refused: BPMN and DMN never need one. A byte scan refuses it
  before parsing, in UTF-8 and both UTF-16 byte orders, and names its line; after parsing, the document
  information is checked again as a backstop for encodings the scan does not read;
- the parser itself resolves no entity, loads no DTD, opens no network connection and keeps lxml's limits on
  text and depth (``huge_tree`` off);
- a document larger than ``max_bytes`` (default 10 MiB) is refused before it is read or parsed.

Every refusal is an :class:`XmlError` carrying a message and, when known, the 1-based line; each package turns
it into its own error type.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lxml import etree

__all__ = ["DEFAULT_MAX_BYTES", "XmlError", "make_parser", "parse_xml", "read_source"]

#: Default upper bound on a document's size in bytes.
DEFAULT_MAX_BYTES = 10 * 1024 * 1024

_DECLARATIONS = ("<!DOCTYPE", "<!ENTITY")


class XmlError(Exception):
    """A document that is refused or is not well-formed XML; ``line`` is 1-based, None when unknown."""

    def __init__(self, message: str, line: int | None = None) -> None:
        self.message = message
        self.line = line
        super().__init__(message if line is None else f"line {line}: {message}")


def read_source(source: bytes | str | Path, max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[bytes, str | None]:
    """The document's bytes and, when read from a file, its path. ``source`` is the document's bytes, a
    path, or the document as text (a ``str`` starting with ``<``, encoded as UTF-8)."""
    if isinstance(source, bytes):
        data, origin = source, None
    elif isinstance(source, Path) or not source.lstrip("\ufeff \t\r\n").startswith("<"):
        path = Path(source)
        try:
            size = path.stat().st_size
            if size > max_bytes:
                raise XmlError(_too_large(size, max_bytes))
            data, origin = path.read_bytes(), str(path)
        except OSError as exc:
            raise XmlError(f"cannot read {path}: {exc.strerror}") from exc
    else:
        data, origin = source.encode("utf-8"), None
    if len(data) > max_bytes:
        raise XmlError(_too_large(len(data), max_bytes))
    return data, origin


def make_parser(*, keep_comments: bool = False) -> etree.XMLParser:
    """The parser settings: entities stay unresolved, no DTD is loaded, nothing is fetched, lxml's limits on
    huge documents hold. ``keep_comments`` keeps comments and processing instructions, for a caller that
    writes the document back as it was read."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=not keep_comments,
        remove_pis=not keep_comments,
    )


def parse_xml(
    data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES, keep_comments: bool = False
) -> etree._Element:
    """The root element of ``data``, parsed with every dangerous feature off. Raises :class:`XmlError`."""
    if len(data) > max_bytes:
        raise XmlError(_too_large(len(data), max_bytes))
    line = _declaration_line(data)
    if line is not None:
        raise XmlError("DOCTYPE and entity declarations are not allowed", line)
    try:
        root = etree.fromstring(data, make_parser(keep_comments=keep_comments))
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if isinstance(exc.lineno, int) else None
        raise XmlError(f"malformed XML: {exc.msg}", line) from exc
    info: Any = root.getroottree().docinfo  # the stubs miss doctype and internalDTD
    if info.doctype or info.internalDTD is not None:
        raise XmlError("DOCTYPE and entity declarations are not allowed", 1)
    return root


def _too_large(size: int, max_bytes: int) -> str:
    return f"the file has {size} bytes, more than the limit of {max_bytes}"


def _codec(data: bytes) -> str:
    """UTF-16 by its byte order mark or by a first ``<`` in it; everything else is scanned as UTF-8 (an
    ASCII superset, so this also covers Latin-1 and the other single-byte encodings)."""
    if data.startswith(b"\xff\xfe") or data.startswith(b"<\x00"):
        return "utf-16-le"
    if data.startswith(b"\xfe\xff") or data.startswith(b"\x00<"):
        return "utf-16-be"
    return "utf-8"


def _declaration_line(data: bytes) -> int | None:
    """The line of the first DOCTYPE or ENTITY declaration, None when there is none."""
    codec = _codec(data)
    found = [i for marker in _DECLARATIONS if (i := data.find(marker.encode(codec))) >= 0]
    if not found:
        return None
    return data.count("\n".encode(codec), 0, min(found)) + 1
