"""Selection: which applications receive funding or support (see :mod:`casplan.selection.core`)."""

from importlib import import_module

_HOME = {
    "SCORE_RESOLUTION": "core",
    "UNIT_TYPES": "core",
    "REASONS": "core",
    "STATUS_TEXT": "core",
    "Quota": "core",
    "SelectOptions": "core",
    "Clash": "core",
    "GreedyResult": "core",
    "Selection": "core",
    "solve": "core",
    "greedy": "core",
    "counterfactuals": "core",
    "robustness": "core",
    "diff": "core",
}
__all__ = list(_HOME)


def __getattr__(name: str):
    """A public name of the package, imported from its module when first used (no import cycle, fast start)."""
    if name in _HOME:
        return getattr(import_module(f"casplan.selection.{_HOME[name]}"), name)
    raise AttributeError(f"module 'casplan.selection' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
