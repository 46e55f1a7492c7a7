"""Intake: from the files the platform exports to the canonical plan table — reading every row as written (:mod:`casplan.intake.read`), then settling whose, which year and which are duplicates (:mod:`casplan.intake.settling`)."""

from casplan.lazy import attach

_HOME = {
    "Intake": "read",
    "read_plans": "read",
    "read_plans_raw": "read",
    "read_history": "read",
    "read_roster": "read",
    "read_reviews": "read",
    "read_experts": "read",
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
__getattr__, __dir__ = attach(__name__, _HOME)
