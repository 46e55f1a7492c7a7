"""The what-if: scenarios and an engine that re-solves fast (:mod:`casplan.whatif.engine`), and the panel of widgets that drives it (:mod:`casplan.whatif.panel`)."""

from importlib import import_module

_HOME = {
    "Scenario": "engine",
    "Outcome": "engine",
    "WhatIf": "engine",
    "SOFT_RULES": "engine",
    "soft_rules": "engine",
    "WhatIfPanel": "panel",
    "fill_frame": "panel",
    "shortlist_frame": "panel",
    "diff_frame": "panel",
    "slider_range": "panel",
}
__all__ = list(_HOME)


def __getattr__(name: str):
    """A public name of the package, imported from its module when first used (no import cycle, fast start)."""
    if name in _HOME:
        return getattr(import_module(f"casplan.whatif.{_HOME[name]}"), name)
    raise AttributeError(f"module 'casplan.whatif' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
