"""The what-if: scenarios and an engine that re-solves fast (see :mod:`casplan.whatif.engine`)."""

from importlib import import_module

__all__ = [
    "Scenario",
    "Outcome",
    "WhatIf",
    "SOFT_RULES",
]


def __getattr__(name: str):
    """The public names of :mod:`casplan.whatif.engine`, imported when first used (no import cycle, fast start)."""
    if name in __all__:
        return getattr(import_module("casplan.whatif.engine"), name)
    raise AttributeError(f"module 'casplan.whatif' has no attribute {name!r}")
