"""Eligibility: every rule of the notice, read from the policy (see :mod:`casplan.eligibility.checker`)."""

from importlib import import_module

__all__ = [
    "Eligibility",
    "check",
    "applications_of",
    "history_ids",
    "match_history",
    "RULES",
    "REASONS",
    "VERDICT_SCHEMA",
]


def __getattr__(name: str):
    """The public names of :mod:`casplan.eligibility.checker`, imported when first used (no import cycle, fast start)."""
    if name in __all__:
        return getattr(import_module("casplan.eligibility.checker"), name)
    raise AttributeError(f"module 'casplan.eligibility' has no attribute {name!r}")
