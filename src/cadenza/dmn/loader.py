"""``load_dmn``: reads, validates and compiles a model, and the models it imports."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from cadenza.dmn.errors import DmnError
from cadenza.dmn.evaluate import DmnModel
from cadenza.dmn.model import Import
from cadenza.dmn.reader import load_tree, read_definitions
from cadenza.xmlsafe import DEFAULT_MAX_BYTES

__all__ = ["load_dmn"]


def load_dmn(
    source: bytes | str | Path,
    *,
    imports: Mapping[str, DmnModel] | None = None,
    lenient: bool = False,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> DmnModel:
    """Loads a DMN 1.1–1.5 model from a path, a document string or bytes.

    ``imports`` maps namespaces to already loaded models; other imported models are looked for at their
    ``locationURI`` and then among the ``.dmn`` files beside the importing file. ``lenient`` defers FEEL
    syntax errors and dangling references to evaluation time (the TCK runner's mode). Raises
    :class:`DmnError` naming the element and line of the first problem."""
    return _load(source, dict(imports or {}), lenient, max_bytes, set())


def _load(
    source: bytes | str | Path, known: dict[str, DmnModel], lenient: bool, max_bytes: int, loading: set[str]
) -> DmnModel:
    tree, origin = load_tree(source, max_bytes)
    definitions = read_definitions(tree)
    loading.add(definitions.namespace)
    imported: dict[str, DmnModel] = {}
    for spec in definitions.imports:
        if spec.import_type and "DMN" not in spec.import_type.upper():
            continue  # XSD or PMML imports bring no decisions
        model = known.get(spec.namespace) or _find_import(spec, origin, known, lenient, max_bytes, loading)
        known[spec.namespace] = model
        imported[spec.name] = model
    loading.discard(definitions.namespace)
    return DmnModel(definitions, tree, imports=imported, origin=origin, lenient=lenient)


def _find_import(
    spec: Import,
    origin: str | None,
    known: dict[str, DmnModel],
    lenient: bool,
    max_bytes: int,
    loading: set[str],
) -> DmnModel:
    if spec.namespace in loading:
        raise DmnError(
            f"import of {spec.namespace!r} is circular", element=f"import '{spec.name}'", line=spec.line
        )
    folder = Path(origin).parent if origin else None
    candidates: list[Path] = []
    if folder is not None and spec.location and "://" not in spec.location:
        candidates.append(folder / spec.location)
    if folder is not None:
        candidates.extend(sorted(folder.glob("*.dmn")))
    for path in candidates:
        if not path.is_file() or (origin and path.resolve() == Path(origin).resolve()):
            continue
        try:
            namespace = read_definitions(load_tree(path, max_bytes)[0]).namespace
        except DmnError:
            continue
        if namespace == spec.namespace:
            return _load(path, known, lenient, max_bytes, loading)
    raise DmnError(
        f"imported model {spec.namespace!r} not found", element=f"import '{spec.name}'", line=spec.line
    )
