"""Writing a model back as DMN XML: exactly the document that was read (DMNDI and extensions included)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from cadenza.dmn.evaluate import DmnModel

__all__ = ["write_dmn"]


def write_dmn(model: DmnModel, target: str | Path) -> None:
    """Writes ``model.to_xml()`` to ``target`` atomically, so a reader never sees half a file."""
    path = Path(target)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(model.to_xml())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
