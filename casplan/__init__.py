"""casplan — 中国科学院继续教育与培训院级资助项目遴选工作簿.

The public face: what a notebook, a script or an analyst's own code needs, in the order of the
year's work — read → check → score → select → what-if → report::

    import casplan as cp

    policy = cp.load_policy()                       # the packaged policy of 2023 (or a file)
    loaded = cp.load(cp.Inputs.of("plans.xlsx", history="history.xlsx", roster="roster.xlsx"))
    year = cp.run_year(loaded=loaded)               # eligibility, directions, scores, selection
    year.selection.chosen                           # who is funded, with the reasons
    w = cp.WhatIf(year)                             # move quotas, weights, the budget, the soft rules
    data = cp.build_report(plans="plans.xlsx")      # what the official report shows

Every name is imported from its module when first used (``import casplan`` stays fast and has no
import cycle). The stages themselves are sub-packages: :mod:`casplan.intake`, :mod:`casplan.policy`,
:mod:`casplan.eligibility`, :mod:`casplan.directions`, :mod:`casplan.scoring`,
:mod:`casplan.selection`, :mod:`casplan.whatif`, :mod:`casplan.views`, :mod:`casplan.report`,
:mod:`casplan.io` (the only package that touches files) and :mod:`casplan.cli`.

>>> import casplan
>>> sorted(set(casplan.__all__) - set(dir(casplan)))
[]
>>> casplan.load_policy().track("yanxiu").name
'专业技术研修班'
"""

from importlib import import_module

__version__ = "0.1.0"

_HOME: dict[str, tuple[str, str]] = {
    # the policy
    "load_policy": ("casplan.policy", "load_policy"),
    "find_policy": ("casplan.policy", "find_policy"),
    "Policy": ("casplan.policy", "Policy"),
    "Track": ("casplan.policy", "Track"),
    "Quota": ("casplan.policy", "Quota"),
    # the chain
    "Inputs": ("casplan.pipeline", "Inputs"),
    "Loaded": ("casplan.pipeline", "Loaded"),
    "Year": ("casplan.pipeline", "Year"),
    "load": ("casplan.pipeline", "load"),
    "assess": ("casplan.pipeline", "assess"),
    "match_directions": ("casplan.pipeline", "match_directions"),
    "score_year": ("casplan.pipeline", "score_year"),
    "select_options": ("casplan.pipeline", "select_options"),
    "run_year": ("casplan.pipeline", "run_year"),
    "read_params": ("casplan.pipeline", "read_params"),
    "inputs_from_params": ("casplan.pipeline", "inputs_from_params"),
    # the stages' own entry points
    "read_plans": ("casplan.intake", "read_plans"),
    "check": ("casplan.eligibility", "check"),
    "rule_texts": ("casplan.eligibility", "rule_texts"),
    "reason_texts": ("casplan.eligibility", "reason_texts"),
    "overrides_frame": ("casplan.eligibility", "as_frame"),
    "match_text": ("casplan.directions", "match_text"),
    "score": ("casplan.scoring", "score"),
    "CRITERION_LABELS": ("casplan.scoring", "CRITERION_LABELS"),
    "solve": ("casplan.selection", "solve"),
    "SelectOptions": ("casplan.selection", "SelectOptions"),
    "Selection": ("casplan.selection", "Selection"),
    "counterfactuals": ("casplan.selection", "counterfactuals"),
    # the what-if
    "WhatIf": ("casplan.whatif", "WhatIf"),
    "Scenario": ("casplan.whatif", "Scenario"),
    "WhatIfPanel": ("casplan.whatif", "WhatIfPanel"),
    "diff_frame": ("casplan.whatif", "diff_frame"),
    # the report
    "build_report": ("casplan.report", "build"),
    "render_report": ("casplan.report", "render_report"),
    "write_artifacts": ("casplan.report", "write_artifacts"),
    "write_sources": ("casplan.report", "write_sources"),
    "selection_record": ("casplan.report", "selection_record"),
    "report_day": ("casplan.report", "report_day"),
    "content": ("casplan.report.content", ""),
    "documents": ("casplan.report.documents", ""),
    # what the analysts look at
    "charts": ("casplan.views.charts", ""),
    "tables": ("casplan.views.tables", ""),
    # errors
    "CasplanError": ("casplan.errors", "CasplanError"),
    "InputError": ("casplan.errors", "InputError"),
    "PolicyError": ("casplan.errors", "PolicyError"),
    "OverrideError": ("casplan.errors", "OverrideError"),
    "SelectionError": ("casplan.errors", "SelectionError"),
    "ReportError": ("casplan.errors", "ReportError"),
    "EXIT_CODES": ("casplan.errors", "EXIT_CODES"),
}

__all__ = ["__version__", *_HOME]


def __getattr__(name: str):
    """A public name, imported from its module when first used."""
    if name in _HOME:
        module, attr = _HOME[name]
        mod = import_module(module)
        value = getattr(mod, attr) if attr else mod
        globals()[name] = value
        return value
    raise AttributeError(f"module 'casplan' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
