"""The what-if: scenarios and an engine that re-solves fast (:mod:`casplan.whatif.engine`), and the panel of widgets that drives it (:mod:`casplan.whatif.panel`)."""

from casplan.lazy import attach

_HOME = {
    "Scenario": "engine",
    "Outcome": "engine",
    "WhatIf": "engine",
    "SOFT_RULES": "engine",
    "soft_rules": "engine",
    "CHANGE_REASONS": "engine",
    "setting_changes": "engine",
    "WhatIfPanel": "panel",
    "fill_frame": "panel",
    "fill_bars": "panel",
    "shortlist_frame": "panel",
    "diff_frame": "panel",
    "slider_range": "panel",
    "CSS": "panel",
    "ENV_PARAMS": "panel",
    "ENV_CWD": "panel",
    "ENV_REPORTS": "panel",
    "ENV_SCENARIO": "panel",
}
__all__ = list(_HOME)
__getattr__, __dir__ = attach(__name__, _HOME)
