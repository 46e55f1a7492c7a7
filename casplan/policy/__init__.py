"""The year's rules as data: a policy YAML parsed into frozen dataclasses (see :mod:`casplan.policy.model`)."""

from importlib import import_module

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


def __getattr__(name: str):
    """A public name of the package, imported from its module when first used (no import cycle, fast start)."""
    if name in _HOME:
        return getattr(import_module(f"casplan.policy.{_HOME[name]}"), name)
    raise AttributeError(f"module 'casplan.policy' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
