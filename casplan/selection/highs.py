"""One-off HiGHS solves through :mod:`highspy`, read the way ``scipy.optimize.milp`` reads them.

The kernel's MILPs and its rare certificate LP used to go through ``scipy.optimize`` (``milp``,
``linprog``). Importing ``scipy.optimize`` costs about 0.35 s, a third of a ``casplan select`` run at
the sample's size, while :mod:`highspy` — the same solver, already loaded for the kept LP
(:class:`~casplan.selection.kernel.HotLP`) — costs 0.06 s. This module passes a model to HiGHS and
returns what the kernel reads of scipy's result: the status numbered as scipy numbers it
(0 optimal, 1 time or iteration limit with a solution, 2 infeasible, 3 unbounded, 4 anything else),
the point (only when HiGHS has a usable one) and the objective.

The choice does not depend on the solver's version: the kernel's objective gives every
application–track set its own value (:func:`~casplan.selection.model.tie_weights`), so the optimum
is unique; ``tests/test_select.py`` checks it against ``scipy.optimize.milp`` itself.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["Solution", "solve"]


@dataclass(frozen=True)
class Solution:
    """``status`` as scipy numbers it; ``x`` and ``fun`` are None when HiGHS has no usable point."""

    status: int
    x: np.ndarray | None
    fun: float | None


def _csc(A, n: int):
    """``A``'s compressed columns (any scipy sparse array, or None for no rows)."""
    if A is None or A.shape[0] == 0:
        return 0, np.zeros(n + 1, dtype=np.int32), np.zeros(0, dtype=np.int32), np.zeros(0)
    csc = A.tocsc()
    return csc.shape[0], csc.indptr, csc.indices, csc.data.astype(np.float64)


def solve(c: np.ndarray, lo: np.ndarray, hi: np.ndarray, A, lb: np.ndarray, ub: np.ndarray, *,
          integer: bool, options: dict | None = None) -> Solution:
    """Minimise ``c·x`` subject to ``lb ≤ A x ≤ ub`` and ``lo ≤ x ≤ hi`` (every column integral when
    ``integer``). ``options`` are HiGHS options by name; ``presolve`` may be given as a bool.

    >>> import numpy as np
    >>> from scipy.sparse import csr_array
    >>> A = csr_array(np.array([[1.0, 1.0]]))
    >>> s = solve(np.array([-1.0, -2.0]), np.zeros(2), np.ones(2), A, np.array([-np.inf]), np.array([1.0]),
    ...           integer=True)
    >>> s.status, s.x.tolist(), s.fun
    (0, [0.0, 1.0], -2.0)
    """
    import highspy

    c = np.asarray(c, dtype=np.float64)
    n = len(c)
    m, indptr, indices, data = _csc(A, n)
    h = highspy._Highs()  # the core class: the wrapper prints a banner before options can be set
    h.setOptionValue("output_flag", False)
    for key, value in (options or {}).items():
        if key == "presolve" and isinstance(value, bool):
            value = "on" if value else "off"
        h.setOptionValue(key, float(value) if isinstance(value, float) else value)
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n, m
    lp.col_cost_ = c
    lp.col_lower_, lp.col_upper_ = np.asarray(lo, dtype=np.float64), np.asarray(hi, dtype=np.float64)
    lp.row_lower_ = np.asarray(lb, dtype=np.float64)[:m] if m else np.zeros(0)
    lp.row_upper_ = np.asarray(ub, dtype=np.float64)[:m] if m else np.zeros(0)
    lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = n, m
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = indptr, indices, data
    if integer:
        lp.integrality_ = [highspy.HighsVarType.kInteger] * n
    if h.passModel(lp) == highspy.HighsStatus.kError:
        return Solution(2, None, None)  # scipy: a model HiGHS refuses is reported as infeasible
    if h.run() == highspy.HighsStatus.kError:
        return Solution(4, None, None)
    status = h.getModelStatus()
    S = highspy.HighsModelStatus
    info = h.getInfo()
    limits = (S.kTimeLimit, S.kIterationLimit, S.kSolutionLimit)
    has_point = status == S.kOptimal or (integer and status in limits
                                          and math.isfinite(info.objective_function_value))
    code = {S.kOptimal: 0, S.kTimeLimit: 1, S.kIterationLimit: 1, S.kInfeasible: 2,
            S.kUnbounded: 3, S.kModelError: 2}.get(status, 4)
    if not has_point:
        return Solution(code, None, None)
    return Solution(code, np.asarray(h.getSolution().col_value, dtype=np.float64),
                    float(info.objective_function_value))
