"""Eligibility: every rule of the notice, read from the policy (checker: :mod:`casplan.eligibility.checker`, the checks: :mod:`casplan.eligibility.rules`, the analyst's decisions: :mod:`casplan.eligibility.overrides`)."""

from casplan.lazy import attach

_HOME = {
    "Eligibility": "checker",
    "check": "checker",
    "applications_of": "checker",
    "history_ids": "checker",
    "match_history": "checker",
    "VERDICT_SCHEMA": "checker",
    "CHECKS": "rules",
    "Check": "rules",
    "GENERAL_RULES": "rules",
    "GENERAL_REASONS": "rules",
    "rule_texts": "rules",
    "reason_texts": "rules",
    "rule_ids": "rules",
    "run_checks": "rules",
    "run_unit_checks": "rules",
    "fmt": "rules",
    "support_order": "rules",
    "Context": "rules",
    "Override": "overrides",
    "Overrides": "overrides",
    "parse_overrides": "overrides",
    "read_overrides": "overrides",
    "read_overrides_source": "overrides",
    "check_overrides": "overrides",
    "nearest_ids": "overrides",
    "unknown_id_message": "overrides",
    "as_frame": "overrides",
    "ACTIONS": "overrides",
}
__all__ = list(_HOME)
__getattr__, __dir__ = attach(__name__, _HOME)
