"""The 重点支持方向 matcher (see :mod:`casplan.directions.matcher`)."""

from importlib import import_module

_HOME = {
    "DEFAULT_THRESHOLD": "matcher",
    "TEXT_FIELDS": "matcher",
    "Term": "matcher",
    "Direction": "matcher",
    "TrackDirections": "matcher",
    "Vocabulary": "matcher",
    "TermHit": "matcher",
    "DirectionMatch": "matcher",
    "LabelScore": "matcher",
    "load_directions": "matcher",
    "parse_directions": "matcher",
    "read_directions_source": "matcher",
    "match_text": "matcher",
    "match_frame": "matcher",
    "best_direction": "matcher",
    "evaluate_labels": "matcher",
}
__all__ = list(_HOME)


def __getattr__(name: str):
    """A public name of the package, imported from its module when first used (no import cycle, fast start)."""
    if name in _HOME:
        return getattr(import_module(f"casplan.directions.{_HOME[name]}"), name)
    raise AttributeError(f"module 'casplan.directions' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
