"""Selection: which applications receive funding or support (see :mod:`casplan.selection.core`)."""

from importlib import import_module

__all__ = [
    "SCORE_RESOLUTION",
    "TRACK_NAMES",
    "UNIT_TYPES",
    "REASONS",
    "STATUS_TEXT",
    "QuotaSpec",
    "SelectOptions",
    "Clash",
    "GreedyResult",
    "Selection",
    "solve",
    "greedy",
    "counterfactuals",
    "robustness",
    "diff",
]


def __getattr__(name: str):
    """The public names of :mod:`casplan.selection.core`, imported when first used (no import cycle, fast start)."""
    if name in __all__:
        return getattr(import_module("casplan.selection.core"), name)
    raise AttributeError(f"module 'casplan.selection' has no attribute {name!r}")
