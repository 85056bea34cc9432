"""FEEL (DMN 1.5): values, semantics, temporal types, built-ins; the parser and evaluator follow."""

__all__: list[str] = []
