"""Local identity: password hashes, the users file (TOML and JSON) and its errors, signed tokens."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cadenza.cli import app
from cadenza.identity import Principal, TokenError, TokenSigner, hash_password, load_users, verify_password
from cadenza.identity.users import UserDirectory, UsersFileError

ANN = Principal("ann", "Ann", ("approvers",), ("<default>", "acme"))


def test_a_password_verifies_against_its_hash_and_nothing_else() -> None:
    stored = hash_password("correct horse")
    assert stored.startswith("scrypt$16384$8$1$")
    assert verify_password("correct horse", stored)
    assert not verify_password("correct horse ", stored)
    assert not verify_password("correct horse", "pbkdf2$1$x$y")
    assert not verify_password("correct horse", "scrypt$not$a$valid$hash")
    assert hash_password("same") != hash_password("same")  # a new salt each time


def test_users_load_from_toml_and_json(tmp_path: Path) -> None:
    secret = hash_password("s3cret")
    toml = tmp_path / "users.toml"
    toml.write_text(
        f'[[users]]\nusername = "ann"\npassword_hash = "{secret}"\nname = "Ann"\n'
        'groups = ["approvers"]\ntenants = ["<default>", "acme"]\n'
    )
    directory = load_users(toml)
    assert directory.authenticate("ann", "s3cret") == ANN
    assert directory.authenticate("ann", "wrong") is None and directory.authenticate("bob", "s3cret") is None
    as_json = tmp_path / "users.json"
    as_json.write_text(json.dumps({"users": [{"username": "bob", "password_hash": secret}]}))
    bob = load_users(as_json).authenticate("bob", "s3cret")
    assert bob == Principal("bob", "bob", (), ("<default>",))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[users]]\nusername = ", "not valid TOML"),
        ('[[users]]\npassword_hash = "scrypt$1"\n', "needs a non-empty 'username'"),
        ('[[users]]\nusername = "ann"\npassword_hash = "plain"\n', "needs 'password_hash'"),
        (
            '[[users]]\nusername = "ann"\npassword_hash = "scrypt$x"\ngroups = "a"\n',
            "'groups' must be a list",
        ),
        ('[[users]]\nusername = "ann"\npassword_hash = "scrypt$x"\ntenants = []\n', "at least one tenant"),
        ('users = "none"\n', "expected a list 'users'"),
    ],
)
def test_a_bad_users_file_names_the_entry_and_the_reason(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "users.toml"
    path.write_text(text)
    with pytest.raises(UsersFileError, match=message):
        load_users(path)


def test_the_demo_set_signs_in_with_the_username_as_password() -> None:
    demo = UserDirectory.demo_set()
    assert demo.demo and demo.usernames() == ["alice", "bob", "demo"]
    assert demo.authenticate("alice", "alice") == Principal(
        "alice", "Alice Approver", ("approvers",), ("<default>",)
    )
    assert demo.authenticate("alice", "bob") is None


def test_tokens_carry_the_principal_until_they_expire_and_refuse_forgery() -> None:
    signer = TokenSigner("k1", ttl_seconds=60)
    token = signer.issue(ANN, now=1000)
    assert signer.verify(token, now=1059) == ANN
    with pytest.raises(TokenError, match="expired"):
        signer.verify(token, now=1060)
    with pytest.raises(TokenError, match="signature"):
        TokenSigner("k2").verify(token, now=1000)
    body, signature = token.split(".")
    with pytest.raises(TokenError, match="signature"):
        signer.verify(body[:-2] + "AA." + signature, now=1000)
    with pytest.raises(TokenError):
        signer.verify("garbage", now=1000)


class CountingSigner(TokenSigner):
    """Counts full checks (each computes the HMAC once), to tell a cache hit from a verification."""

    signatures = 0

    def _sign(self, body: str) -> str:
        self.signatures += 1
        return super()._sign(body)


def test_a_verified_token_is_remembered_until_it_expires() -> None:
    signer = CountingSigner("k1", ttl_seconds=60)
    token = signer.issue(ANN, now=1000)
    issued = signer.signatures
    assert signer.verify(token, now=1000) == ANN
    assert signer.signatures == issued + 1  # the first request checks the signature
    assert signer.verify(token, now=1030) == ANN and signer.verify(token, now=1059) == ANN
    assert signer.signatures == issued + 1  # later ones find it verified

    with pytest.raises(TokenError, match="expired"):  # the cache never outlives the token
        signer.verify(token, now=1060)
    with pytest.raises(TokenError, match="expired"):  # nor does it come back, even for an earlier clock
        signer.verify(token, now=1061)
    assert signer.verify(token, now=1059) == ANN
    assert signer.signatures == issued + 3  # checked in full again after the expired entry was dropped


def test_a_tampered_token_is_refused_every_time_though_its_original_is_cached() -> None:
    signer = CountingSigner("k1", ttl_seconds=60)
    token = signer.issue(ANN, now=1000)
    assert signer.verify(token, now=1000) == ANN
    body, signature = token.split(".")
    payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    admin = base64.urlsafe_b64encode(json.dumps({**payload, "groups": ["admins"]}).encode()).rstrip(b"=")
    for forged in (f"{admin.decode()}.{signature}", f"{body}.{signature[:-1]}A", f"{token} ", f"{body}."):
        for _ in range(2):  # a refusal is never remembered
            with pytest.raises(TokenError):
                signer.verify(forged, now=1000)
    with pytest.raises(TokenError, match="signature"):  # another secret: its own cache, its own check
        TokenSigner("k2").verify(token, now=1000)
    assert signer.verify(token, now=1000) == ANN


def test_the_verified_tokens_cache_is_bounded() -> None:
    signer = CountingSigner("k1", ttl_seconds=60, cache_size=2)
    tokens = [signer.issue(Principal(f"u{i}", "U", (), ("<default>",)), now=1000) for i in range(3)]
    for token in tokens:
        signer.verify(token, now=1000)
    before = signer.signatures
    assert signer.verify(tokens[2], now=1000).username == "u2"  # the newest two are kept
    assert signer.verify(tokens[1], now=1000).username == "u1"
    assert signer.signatures == before
    assert signer.verify(tokens[0], now=1000).username == "u0"  # the oldest was dropped: checked again
    assert signer.signatures == before + 1
    assert len(signer._verified) == 2


def test_hash_password_prints_a_hash_a_users_file_accepts() -> None:
    result = CliRunner().invoke(app, ["hash-password"], input="pw\npw\n")
    assert result.exit_code == 0, result.output
    stored = result.output.strip().splitlines()[-1]
    assert verify_password("pw", stored)
