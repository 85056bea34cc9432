import datetime as dt
from decimal import Decimal as D
from typing import Any

import pytest

from cadenza.feel.builtins import BUILTINS
from cadenza.feel.builtins.registry import BuiltinFunction, Signature, _param, conforms
from cadenza.feel.values import FeelEvalError, FeelFunction


def test_every_builtin_is_a_feel_function_with_named_parameters() -> None:
    assert len(BUILTINS) >= 85
    for name, function in BUILTINS.items():
        assert isinstance(function, FeelFunction)
        assert function.name == name
        assert all(param.name for param in function.params)
        # Param.type_name stays a single FEEL type name for `instance of function<...>`.
        assert all("|" not in param.type_name for param in function.params)


def test_dispatch_by_arity_type_and_names() -> None:
    picked: list[str] = []

    def record(label: str) -> Any:
        return lambda *args: picked.append(label) or args

    number = _param("n: number")
    text = _param("s: string|date")
    function = BuiltinFunction(
        "f",
        [
            Signature((number[0],), record("number"), types=(number[1],)),
            Signature((text[0],), record("text"), types=(text[1],)),
        ],
    )
    assert function.call([D(1)]) == (D(1),)
    assert function.call(["x"]) == ("x",)
    assert function.call_named({"s": "y"}) == ("y",)
    assert function.call([[D(2)]]) == (D(2),)  # a singleton list stands for its element
    assert picked == ["number", "text", "text", "number"]
    assert function.call([None]) is None
    with pytest.raises(FeelEvalError, match="invalid argument types"):
        function.call([True])
    with pytest.raises(FeelEvalError, match="no signature takes 2"):
        function.call([D(1), D(2)])
    with pytest.raises(FeelEvalError, match="no signature has parameters"):
        function.call_named({"x": D(1)})


def test_python_errors_in_implementations_become_feel_errors() -> None:
    param, types = _param("n: number")
    broken = BuiltinFunction("broken", [Signature((param,), lambda n: 1 / int(n - n), types=(types,))])
    with pytest.raises(FeelEvalError, match="ZeroDivisionError"):
        broken.call([D(1)])


def test_conforms() -> None:
    assert conforms(D(1), "number")
    assert conforms("a", "string|date")
    assert not conforms(True, "number")
    assert conforms(dt.datetime(2020, 1, 1), "date")
    assert conforms([], "Any")
