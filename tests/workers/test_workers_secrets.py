"""The file-backed credential store: scoping, reloading, and bad files refused without quoting a secret."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from cadenza.workers import FileCredentialStore
from cadenza.workers.secrets import CredentialFileError, Redactor

DOCUMENT = {
    "tenants": {
        "<default>": {
            "secrets": {"API_TOKEN": "tenant-token-1", "SHARED": "shared-1"},
            "processes": {"order-process": {"API_TOKEN": "order-token-1"}},
        },
        "acme": {"secrets": {"API_TOKEN": "acme-token-1"}},
    }
}


def _write(path: Path, document: Any) -> Path:
    path.write_text(document if isinstance(document, str) else json.dumps(document), encoding="utf-8")
    return path


def test_a_process_secret_wins_over_its_tenants_and_tenants_are_apart(tmp_path: Path) -> None:
    store = FileCredentialStore(_write(tmp_path / "c.json", DOCUMENT))
    assert store.secret("API_TOKEN", tenant_id="<default>", process_id="order-process") == "order-token-1"
    assert store.secret("SHARED", tenant_id="<default>", process_id="order-process") == "shared-1"
    assert store.secret("API_TOKEN", tenant_id="<default>", process_id="billing") == "tenant-token-1"
    assert store.secret("API_TOKEN", tenant_id="acme", process_id="order-process") == "acme-token-1"
    assert store.secret("SHARED", tenant_id="acme", process_id="x") is None
    assert store.secret("API_TOKEN", tenant_id="nobody", process_id="x") is None


def test_a_changed_file_is_reread_and_a_broken_one_keeps_the_last_good_contents(tmp_path: Path) -> None:
    path = _write(tmp_path / "c.json", DOCUMENT)
    store = FileCredentialStore(path)
    changed = {"tenants": {"<default>": {"secrets": {"NEW": "new-1"}}}}
    _write(path, changed)
    os.utime(path, ns=(1, 1))  # a distinct stamp even on a coarse clock
    assert store.secret("NEW", tenant_id="<default>", process_id="p") == "new-1"
    assert store.secret("SHARED", tenant_id="<default>", process_id="p") is None
    _write(path, "{broken")
    os.utime(path, ns=(2, 2))
    assert store.secret("NEW", tenant_id="<default>", process_id="p") == "new-1"


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (
            "{not json",
            "not JSON (Expecting property name enclosed in double quotes: line 1 column 2 (char 1))",
        ),
        ([], "expected a JSON object"),
        ({"secrets": {}}, "expected an object with a 'tenants' object"),
        ({"tenants": {"t": {"secret": {}}}}, "tenants.t: unknown key(s) secret"),
        ({"tenants": {"t": {"secrets": {"A": 12345}}}}, "tenants.t.secrets.A: a secret must be a string"),
        (
            {"tenants": {"t": {"secrets": {"A B": "hidden-value"}}}},
            "tenants.t.secrets: bad secret name 'A B' (letters, digits, _ . - only)",
        ),
        (
            {"tenants": {"t": {"processes": {"p": ["hidden-value"]}}}},
            "tenants.t.processes.p: expected a JSON object",
        ),
    ],
)
def test_bad_files_are_refused_with_the_place_and_never_a_value(
    tmp_path: Path, document: Any, message: str
) -> None:
    path = _write(tmp_path / "c.json", document)
    with pytest.raises(CredentialFileError) as caught:
        FileCredentialStore(path)
    assert str(caught.value) == f"{path}: {message}"
    assert "hidden-value" not in str(caught.value)


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CredentialFileError, match="cannot read"):
        FileCredentialStore(tmp_path / "absent.json")


def test_the_redactor_masks_longest_first_in_text_and_json() -> None:
    redactor = Redactor()
    redactor.add("abc")
    redactor.add("abcdef")
    redactor.add("")
    assert redactor.text("x abcdef y abc") == "x **** y ****"
    assert redactor.scrub({"abc": ["abcdef", 1, None], "k": "v"}) == {"****": ["****", 1, None], "k": "v"}
    assert not Redactor() and Redactor().scrub({"a": "abc"}) == {"a": "abc"}
