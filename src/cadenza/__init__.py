"""Cadenza: a BPMN/DMN process engine whose service tasks can be AI agents."""

__all__ = ["__version__"]

__version__ = "0.1.0"
