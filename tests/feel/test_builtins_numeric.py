import datetime as dt
from decimal import Decimal as D
from typing import Any

import pytest

from cadenza.feel.builtins import BUILTINS
from cadenza.feel.values import FeelEvalError


def call(name: str, *args: Any, **named: Any) -> Any:
    """Invokes a built-in positionally, or by name when keywords are given (underscores for spaces)."""
    if named:
        return BUILTINS[name].call_named({key.replace("_", " "): value for key, value in named.items()})
    return BUILTINS[name].call(list(args))


@pytest.mark.parametrize(
    ("name", "n", "scale", "expected"),
    [
        ("decimal", "0.515", 2, "0.52"),
        ("decimal", "2.5", 0, "2"),
        ("decimal", "1.5", 0, "2"),
        ("decimal", "0.333333", "2.5", "0.33"),
        ("round up", "5.5", 0, "6"),
        ("round up", "-5.5", 0, "-6"),
        ("round down", "-1.126", 2, "-1.12"),
        ("round half up", "-5.5", 0, "-6"),
        ("round half down", "5.5", 0, "5"),
        ("round half down", "-5.5", 0, "-5"),
        ("floor", "-1.56", 1, "-1.6"),
        ("ceiling", "-1.56", 1, "-1.5"),
        ("round down", "5.5", 6176, "5.5"),
        ("decimal", "123.456", -1, "1.2E+2"),
    ],
)
def test_rounding(name: str, n: str, scale: int | str, expected: str) -> None:
    assert call(name, D(n), D(scale)) == D(expected)


def test_rounding_errors_and_nulls() -> None:
    with pytest.raises(FeelEvalError):
        call("round down", D("5.5"), D(6177))
    with pytest.raises(FeelEvalError):
        call("floor", "1.5")
    with pytest.raises(FeelEvalError):
        call("floor", n=D("1.5"), scal=D(1))
    assert call("floor", D("1.56"), None) is None
    assert call("floor", D("-1.5")) == D(-2)
    assert call("ceiling", D("1.2")) == D(2)


def test_abs_modulo() -> None:
    assert call("abs", D("-10.5")) == D("10.5")
    assert call("abs", dt.timedelta(hours=-5)) == dt.timedelta(hours=5)
    assert call("modulo", D(10), D(-4)) == D(-2)
    assert call("modulo", D(-10), D(4)) == D(2)
    assert call("modulo", D("-10.1"), D("4.5")) == D("3.4")
    assert call("modulo", D("10.1"), D("-4.5")) == D("-3.4")
    assert call("modulo", dividend=D(10), divisor=D(4)) == D(2)
    with pytest.raises(FeelEvalError):
        call("modulo", D(10), D(0))
    with pytest.raises(FeelEvalError):
        call("abs", "x")


def test_sqrt_log_exp_are_decimal() -> None:
    assert call("sqrt", D(16)) == D(4)
    assert str(call("sqrt", D(2))) == "1.414213562373095048801688724209698"
    assert str(call("log", D(10))).startswith("2.302585092994045684017991454684364")
    assert str(call("exp", D(1))).startswith("2.718281828459045235360287471352662")
    assert call("sqrt", number=D(4)) == D(2)
    for args in (("sqrt", D(-1)), ("log", D(0)), ("log", D(-1)), ("exp", D("1E+10"))):
        with pytest.raises(FeelEvalError):
            call(*args)
    with pytest.raises(FeelEvalError):
        call("sqrt", n=D(4))


def test_odd_even() -> None:
    assert call("odd", D(5)) is True
    assert call("odd", D(-3)) is True
    assert call("even", D(-2)) is True
    assert call("even", D(0)) is True
    assert call("even", D("2.00")) is True
    with pytest.raises(FeelEvalError):
        call("even", D("1.5"))
    with pytest.raises(FeelEvalError):
        call("even", True)
    with pytest.raises(FeelEvalError):
        call("even", D(4), D(4))


def test_rounding_extremes() -> None:
    assert call("round up", D("1E+30"), D(6176)) == D("1E+30")
    assert call("round up", D("123.456"), D(-6111)) == D("1E+6111")
    assert call("decimal", D("-1E-6000"), D(2)) == D(0)
