"""The OpenAPI document as a file: ``python -m cadenza.api.rest.openapi_file [path]`` writes it
(default docs/openapi.json); a test fails when the file and the app disagree."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from cadenza.api.rest.app import create_app
from cadenza.api.rest.wiring import build_services
from cadenza.engine_adapters.embedded import EmbeddedEngine
from cadenza.store import MemoryStore

__all__ = ["DEFAULT_PATH", "openapi_document", "openapi_text"]

DEFAULT_PATH = Path(__file__).resolve().parents[4] / "docs" / "openapi.json"


def openapi_document() -> dict[str, Any]:
    """The app's document; the app is built but never started (no engine runs)."""
    services = build_services(EmbeddedEngine(MemoryStore()))
    try:
        document: dict[str, Any] = create_app(services).openapi()
    finally:
        services.views.close()
    return document


def openapi_text() -> str:
    return json.dumps(openapi_document(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> None:
    target = Path(argv[0]) if argv else DEFAULT_PATH
    target.write_text(openapi_text(), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])
