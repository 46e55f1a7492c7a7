"""Intake: from the files the platform exports to the canonical plan table — reading every row as written (:mod:`casplan.intake.read`), then settling whose, which year and which are duplicates (:mod:`casplan.intake.settling`)."""

from importlib import import_module

_HOME = {
    "Intake": "read",
    "read_plans": "read",
    "read_plans_raw": "read",
    "read_history": "read",
    "read_roster": "read",
    "read_reviews": "read",
    "PROBLEM_SCHEMA": "read",
    "INTAKE_REASONS": "read",
    "describe_place": "read",
    "problem_message": "read",
    "empty_problems": "read",
    "cleaned_plans": "read",
    "settle": "settling",
    "plan_year": "settling",
    "unit_index": "settling",
}
__all__ = list(_HOME)


def __getattr__(name: str):
    """A public name of the package, imported from its module when first used (no import cycle, fast start)."""
    if name in _HOME:
        return getattr(import_module(f"casplan.intake.{_HOME[name]}"), name)
    raise AttributeError(f"module 'casplan.intake' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
