"""FEEL, the expression language of DMN 1.5: compile expressions and unary tests, then evaluate them.

>>> from cadenza.feel import evaluate
>>> evaluate("sum([1, 2, x])", {"x": Decimal(3)})   # doctest: +SKIP
Decimal('6')

Values are the Python values described in :mod:`cadenza.feel.values`; evaluation errors give null and a
:class:`FeelWarning`, never an exception.
"""

from cadenza.feel.errors import FeelStaticError, FeelSyntaxError, FeelWarning
from cadenza.feel.evaluator import Expression, UnaryTests, compile_expression, compile_unary_tests, evaluate

__all__ = [
    "Expression",
    "FeelStaticError",
    "FeelSyntaxError",
    "FeelWarning",
    "UnaryTests",
    "compile_expression",
    "compile_unary_tests",
    "evaluate",
]
