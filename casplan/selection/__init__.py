"""Selection: which applications receive funding or support. The model and its guarantees are described in :mod:`casplan.selection.solver`; the knobs in :mod:`~casplan.selection.options`, the result in :mod:`~casplan.selection.result`, the greedy baselines in :mod:`~casplan.selection.baseline`, what moves the shortlist in :mod:`~casplan.selection.sensitivity`; :mod:`~casplan.selection.model`, :mod:`~casplan.selection.kernel`, :mod:`~casplan.selection.diagnose`, :mod:`~casplan.selection.explain`, :mod:`~casplan.selection.highs` (the HiGHS calls) and :mod:`~casplan.selection.sparse` (the matrix) are the sub-package's own parts."""

from casplan.lazy import attach

_HOME = {
    "SCORE_RESOLUTION": "options",
    "UNIT_TYPES": "options",
    "REASONS": "options",
    "STATUS_TEXT": "options",
    "SelectOptions": "options",
    "Quota": "options",
    "Clash": "result",
    "GreedyResult": "result",
    "Selection": "result",
    "solve": "solver",
    "greedy": "baseline",
    "counterfactuals": "sensitivity",
    "robustness": "sensitivity",
    "diff": "sensitivity",
}
__all__ = list(_HOME)
__getattr__, __dir__ = attach(__name__, _HOME)
