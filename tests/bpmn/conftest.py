"""Test set-up for the BPMN reader.

The FEEL front end (``cadenza.feel.compile_expression``) is built alongside this package. Until it exports
``compile_expression`` these tests run against a stand-in (``bpmn_support.stand_in_compile``) that catches the
gross syntax errors the fixtures use; as soon as the real compiler exists it is used instead.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from bpmn_support import real_compiler_available, stand_in_compile

from cadenza.bpmn import reader as bpmn_reader


@pytest.fixture(scope="session", autouse=True)
def _feel_compiler() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        if not real_compiler_available():
            patch.setattr(bpmn_reader, "default_feel_compiler", lambda: stand_in_compile)
        yield
