import datetime as dt
from decimal import Decimal

import pytest

from cadenza.feel.json_values import dumps, from_json, loads, to_json


def test_loads_keeps_every_digit() -> None:
    value = loads('{"amount": 0.1000000000000000055511151231257827, "n": [1, 2.5]}')
    assert value == {
        "amount": Decimal("0.1000000000000000055511151231257827"),
        "n": [Decimal(1), Decimal("2.5")],
    }


def test_from_json_converts_numbers_but_not_booleans() -> None:
    assert from_json({"a": 1, "b": True, "c": [1.5, None]}) == {
        "a": Decimal(1),
        "b": True,
        "c": [Decimal("1.5"), None],
    }
    assert from_json(True) is True


def test_from_json_rejects_non_json() -> None:
    with pytest.raises(TypeError, match="not a JSON value: set"):
        from_json({1, 2})


def test_to_json_gives_ints_for_integral_numbers_and_iso_dates() -> None:
    assert to_json({"n": Decimal("3.00"), "x": Decimal("2.5"), "d": dt.date(2026, 11, 25)}) == {
        "n": 3,
        "x": 2.5,
        "d": "2026-11-25",
    }


def test_dumps_writes_exact_numbers() -> None:
    assert dumps({"a": Decimal("0.1000000000000000055511151231257827"), "b": [Decimal("1E+2"), "é"]}) == (
        '{"a":0.1000000000000000055511151231257827,"b":[100,"é"]}'
    )


@pytest.mark.parametrize("text", ["1.8857400167648037e+273", "-4e100", "5.0e40"])
def test_dumps_writes_integers_longer_than_the_context_in_full(text: str) -> None:
    # found by schemathesis: a message variable of 1.8857400167648037e+273 failed the PUBLISH command
    written = dumps(loads(f"[{text}]"))
    assert written.strip("[-]").isdigit()
    assert loads(written) == loads(f"[{text}]")
