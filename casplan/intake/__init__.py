"""Intake: from the files the platform exports to the canonical plan table (see :mod:`casplan.intake.read`)."""

from importlib import import_module

__all__ = [
    "Intake",
    "read_plans",
    "read_plans_raw",
    "plan_year",
    "settle",
    "unit_index",
    "read_history",
    "read_roster",
    "read_reviews",
    "PROBLEM_SCHEMA",
    "INTAKE_REASONS",
    "describe_place",
    "cleaned_plans",
]


def __getattr__(name: str):
    """The public names of :mod:`casplan.intake.read`, imported when first used (no import cycle, fast start)."""
    if name in __all__:
        return getattr(import_module("casplan.intake.read"), name)
    raise AttributeError(f"module 'casplan.intake' has no attribute {name!r}")
