"""Intake: from the files the platform exports to the canonical plan table (see :mod:`casplan.intake.read`)."""

from importlib import import_module

_HOME = {
    "Intake": "read",
    "read_plans": "read",
    "read_plans_raw": "read",
    "plan_year": "read",
    "settle": "read",
    "unit_index": "read",
    "read_history": "read",
    "read_roster": "read",
    "read_reviews": "read",
    "PROBLEM_SCHEMA": "read",
    "INTAKE_REASONS": "read",
    "describe_place": "read",
    "cleaned_plans": "read",
}
__all__ = list(_HOME)


def __getattr__(name: str):
    """A public name of the package, imported from its module when first used (no import cycle, fast start)."""
    if name in _HOME:
        return getattr(import_module(f"casplan.intake.{_HOME[name]}"), name)
    raise AttributeError(f"module 'casplan.intake' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
