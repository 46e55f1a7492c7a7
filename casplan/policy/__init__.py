"""The year's rules as data: a policy YAML parsed into frozen dataclasses (see :mod:`casplan.policy.model`)."""

from importlib import import_module

__all__ = [
    "Policy",
    "Track",
    "HistoryRules",
    "Platform",
    "Attachments",
    "RuleSwitch",
    "Scoring",
    "load_policy",
    "default_policy_path",
    "policy_hash",
    "UNIT_TYPE_LABELS",
    "CRITERIA",
    "IntakeRules",
    "UnitRules",
    "OpenScope",
    "policy_warnings",
    "find_policy",
    "parse_policy",
    "QuotaMode",
    "TrackKind",
]


def __getattr__(name: str):
    """The public names of :mod:`casplan.policy.model`, imported when first used (no import cycle, fast start)."""
    if name in __all__:
        return getattr(import_module("casplan.policy.model"), name)
    raise AttributeError(f"module 'casplan.policy' has no attribute {name!r}")
