"""The 重点支持方向 matcher (see :mod:`casplan.directions.matcher`)."""

from importlib import import_module

__all__ = [
    "DEFAULT_THRESHOLD",
    "TEXT_FIELDS",
    "Term",
    "Direction",
    "Track",
    "Vocabulary",
    "TermHit",
    "DirectionMatch",
    "LabelScore",
    "load_directions",
    "parse_directions",
    "read_directions_source",
    "match_text",
    "match_frame",
    "best_direction",
    "evaluate_labels",
]


def __getattr__(name: str):
    """The public names of :mod:`casplan.directions.matcher`, imported when first used (no import cycle, fast start)."""
    if name in __all__:
        return getattr(import_module("casplan.directions.matcher"), name)
    raise AttributeError(f"module 'casplan.directions' has no attribute {name!r}")
