"""The year's rules as data: a policy YAML parsed into frozen dataclasses (see :mod:`casplan.policy.model`)."""

from casplan.lazy import attach

_HOME = {
    "Policy": "model",
    "Track": "model",
    "Quota": "model",
    "Audience": "model",
    "CHECK_PARAMS": "model",
    "CHECK_KEYS": "model",
    "GENERAL_RULE_IDS": "model",
    "DECLARED_BY": "model",
    "HistoryRules": "model",
    "Platform": "model",
    "Attachments": "model",
    "RuleSwitch": "model",
    "Scoring": "model",
    "load_policy": "model",
    "default_policy_path": "model",
    "packaged_policy_years": "model",
    "policy_hash": "model",
    "UNIT_TYPE_LABELS": "model",
    "CRITERIA": "model",
    "CALIBRATIONS": "model",
    "IntakeRules": "model",
    "UnitRules": "model",
    "OpenScope": "model",
    "policy_warnings": "model",
    "find_policy": "model",
    "parse_policy": "model",
    "QuotaMode": "model",
    "TrackKind": "model",
}
__all__ = list(_HOME)
__getattr__, __dir__ = attach(__name__, _HOME)
