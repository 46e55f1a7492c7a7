"""The exact solver kernel: a reduced-cost core solved with HiGHS and certified (see :mod:`casplan.selection.solver`).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, replace

import numpy as np

from casplan.selection import highs
from casplan.selection.model import Model, tie_weights
from casplan.selection.sparse import Compressed, csr_from_coo, empty_csr, vstack, with_columns

__all__ = ["HIGHS_TUNING", "DELTA0", "PRESOLVE_FROM", "MARGIN", "EPS", "Run", "LPResult", "HotLP", "SolverForm", "solver_form", "hot_lp", "milp_call", "feasible", "lp_relaxation", "sub_milp", "run_kernel", "finish", "warm_start"]


HIGHS_TUNING = {
    "mip_heuristic_effort": 0.0,
    "mip_heuristic_run_rins": False,
    "mip_heuristic_run_rens": False,
    "mip_heuristic_run_feasibility_jump": False,
}


DELTA0 = 300.0  # first guess of the LP–integer gap, in hundredths of a point


PRESOLVE_FROM = 150  # HiGHS presolve pays off only on larger restricted models


MARGIN = 0.25  # safety margin of reduced-cost fixing, in hundredths


EPS = 1e-9


@dataclass
class Run:
    status: str
    x: np.ndarray | None
    ms: float


def milp_call(c: np.ndarray, lo: np.ndarray, hi: np.ndarray, A: Compressed, lb: np.ndarray, ub: np.ndarray,
          *, time_limit: float, bound: float | None = None, presolve: bool = True):
    """One HiGHS call; ``bound`` prunes every choice not better than it (minimisation).

    Presolve is switched off for small restricted models (measured: it costs
    more than it saves below ~150 columns, and halves the time above).
    """
    options = {"mip_rel_gap": 0.0, "time_limit": float(time_limit), "presolve": presolve, **HIGHS_TUNING}
    if bound is not None:
        options["objective_bound"] = float(bound)
    return highs.solve(c, lo, hi, A, lb, ub, integer=True, options=options)


def feasible(model: Model, x: np.ndarray, lb: np.ndarray, ub: np.ndarray) -> bool:
    if np.any(x > model.var_ub + EPS) or np.any(x < model.var_lb - EPS):
        return False
    act = model.A @ x
    return bool(np.all(act <= ub + 1e-6) and np.all(act >= lb - 1e-6))


@dataclass
class LPResult:
    """What the kernel reads of an LP: ``status`` 0 optimal, 2 infeasible, other = neither; the
    objective, the point and each column's reduced cost (its absolute value)."""

    status: int
    fun: float
    x: np.ndarray
    rc: np.ndarray


class HotLP:
    """The LP relaxation of one constraint matrix, kept in HiGHS (:mod:`highspy`) between solves.

    A solve sets every cost and bound anew, so its optimum is the one of the LP it is given; HiGHS only
    starts from the basis of the solve before (a what-if move, a robustness draw: a few dozen simplex
    iterations instead of a few hundred). The reduced costs may then come from another optimal basis
    when the LP is degenerate; the kernel's fixing and its certificate hold for any optimal dual, so
    the choice never depends on it (tested against cold solves).
    """

    def __init__(self, A: Compressed) -> None:
        import highspy

        self._inf = highspy.kHighsInf
        self._optimal, self._infeasible = highspy.HighsModelStatus.kOptimal, highspy.HighsModelStatus.kInfeasible
        self.h = highspy._Highs()  # the core class: the wrapper prints a banner before options can be set
        self.h.setOptionValue("output_flag", False)
        self.h.setOptionValue("presolve", "off")  # measured: a cold solve at 10× takes 8 ms without, 19 ms with
        csc = A.tocsc()
        self.n, self.m = A.shape[1], A.shape[0]
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = self.n, self.m
        lp.col_cost_, lp.col_lower_, lp.col_upper_ = np.zeros(self.n), np.zeros(self.n), np.ones(self.n)
        lp.row_lower_, lp.row_upper_ = np.full(self.m, -self._inf), np.full(self.m, self._inf)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = csc.indptr, csc.indices, csc.data
        self.h.passModel(lp)
        self._cols = np.arange(self.n, dtype=np.int32)
        self._rows = np.arange(self.m, dtype=np.int32)

    def solve(self, c: np.ndarray, var_lb: np.ndarray, var_ub: np.ndarray, lb: np.ndarray, ub: np.ndarray) -> LPResult:
        h, inf = self.h, self._inf
        if self.n:
            h.changeColsCost(self.n, self._cols, np.asarray(c, dtype=np.float64))
            h.changeColsBounds(self.n, self._cols, np.asarray(var_lb, dtype=np.float64),
                               np.asarray(var_ub, dtype=np.float64))
        if self.m:
            h.changeRowsBounds(self.m, self._rows, np.where(np.isfinite(lb), lb, -inf), np.where(np.isfinite(ub), ub, inf))
        h.run()
        status = h.getModelStatus()
        if status == self._infeasible:
            return LPResult(2, math.nan, np.zeros(self.n), np.zeros(self.n))
        if status != self._optimal:
            return LPResult(4, math.nan, np.zeros(self.n), np.zeros(self.n))
        sol = h.getSolution()
        return LPResult(0, float(h.getInfo().objective_function_value), np.asarray(sol.col_value),
                        np.abs(np.asarray(sol.col_dual)))


@dataclass
class SolverForm:
    """The matrix HiGHS is given: the model's, with each fallback primary's rows aggregated.

    The model writes "a fallback pair ``f`` only when the primary ``P`` is full" as one row per ``f``,
    ``Σ x[P] − M·x[f] ≥ L`` (see :func:`~casplan.selection.model.fallback_lower`): every row holds all
    of ``P``'s pairs, so the matrix grows with the square of the year (2 M of its 2 M non-zeros at 100×
    the sample). HiGHS gets instead one indicator column ``y[P]`` per primary, one row
    ``Σ x[P] − M·y[P] ≥ L`` and a row ``x[f] − y[P] ≤ 0`` per fallback pair: the same integer
    choices (``y[P] = max x[f]`` fits whenever the rows fit) and the same LP bound, linear in size.
    The first ``n`` columns are the model's; ``k`` indicator columns follow (cost 0, bounds 0–1).
    """

    A: Compressed  # CSR
    csc: Compressed  # the same, by columns
    n: int
    k: int
    kept: np.ndarray  # the model's rows kept as they are, in order
    heads: np.ndarray  # per primary: a fallback row whose lower bound the aggregated row takes
    links: int

    def rows(self, lb: np.ndarray, ub: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The form's row bounds from the model's."""
        return (np.concatenate([lb[self.kept], lb[self.heads], np.full(self.links, -math.inf)]),
                np.concatenate([ub[self.kept], np.full(self.k, math.inf), np.zeros(self.links)]))

    def cols(self, values: np.ndarray, extra: float) -> np.ndarray:
        """A per-column vector of the model extended by ``extra`` for the indicator columns."""
        return np.concatenate([np.asarray(values, dtype=np.float64), np.full(self.k, float(extra))])


def solver_form(model: Model) -> SolverForm:
    """The model's :class:`SolverForm`, made once per matrix (shared like the hot LP)."""
    form = model.solver_state.get("form")
    if form is not None and form.n == model.n:
        return form
    A, n = model.A.tocsr(), model.n
    by_primary: dict[str, list[tuple[int, int]]] = {}
    for r, primary, big in model.fallback_rows:
        by_primary.setdefault(primary, []).append((r, big))
    fallback = {r for rs in by_primary.values() for r, _ in rs}
    kept = np.array([r for r in range(A.shape[0]) if r not in fallback], dtype=np.int64)
    rows, cols, vals, heads, k = [], [], [], [], 0
    for primary in sorted(by_primary):
        (r0, big), aux = by_primary[primary][0], n + k
        idx, data = A.indices[A.indptr[r0]:A.indptr[r0 + 1]], A.data[A.indptr[r0]:A.indptr[r0 + 1]]
        members = idx[data > 0]
        rows += [k] * (len(members) + 1)
        cols += members.tolist() + [aux]
        vals += [1.0] * len(members) + [-float(big)]
        heads.append(r0)
        k += 1
    links = 0
    for pi, primary in enumerate(sorted(by_primary)):
        for r, _ in by_primary[primary]:
            idx, data = A.indices[A.indptr[r]:A.indptr[r + 1]], A.data[A.indptr[r]:A.indptr[r + 1]]
            rows += [k + links] * 2
            cols += [int(idx[data < 0][0]), n + pi]
            vals += [1.0, -1.0]
            links += 1
    extra = csr_from_coo(vals, rows, cols, (k + links, n + k))
    base = A.rows(kept) if len(kept) else empty_csr(0, n)
    if k:
        base = with_columns(base, n + k)
    full = vstack([base, extra]) if k else base
    form = SolverForm(A=full, csc=full.tocsc(), n=n, k=k, kept=kept, heads=np.array(heads, dtype=np.int64),
                      links=links)
    model.solver_state["form"] = form
    return form


def hot_lp(model: Model) -> HotLP:
    """The model's :class:`HotLP` over its :class:`SolverForm`, made on first use and shared by every
    model with the same matrix."""
    form = solver_form(model)
    lp = model.solver_state.get("lp")
    if lp is None or lp.n != form.n + form.k:
        lp = model.solver_state["lp"] = HotLP(form.A)
    return lp


def lp_relaxation(model: Model, c: np.ndarray, lb: np.ndarray, ub: np.ndarray, extra=None) -> LPResult:
    """LP relaxation with HiGHS; ``extra`` = (row, lower bound) appended as ``row @ x ≥ lower``.

    Without ``extra`` (the kernel's first LP) the model's :class:`HotLP` solves it from the basis
    of the solve before; with it (the rare certificate of a core), a one-off LP."""
    if extra is None:
        form = solver_form(model)
        res = hot_lp(model).solve(form.cols(c, 0.0), form.cols(model.var_lb, 0.0), form.cols(model.var_ub, 1.0),
                                  *form.rows(lb, ub))
        return replace(res, x=res.x[:model.n], rc=res.rc[:model.n]) if res.status == 0 else \
            replace(res, x=np.zeros(model.n), rc=np.zeros(model.n))
    row, lower = extra
    cols = np.flatnonzero(row)
    A = vstack([model.A, csr_from_coo(row[cols], np.zeros(len(cols)), cols, (1, model.n))])
    res = highs.solve(c, model.var_lb, model.var_ub, A, np.append(lb, lower), np.append(ub, math.inf),
                      integer=False)
    if res.status != 0 or res.x is None:
        return LPResult(res.status or 4, math.nan, np.zeros(model.n), np.zeros(model.n))
    return LPResult(0, float(res.fun), res.x, np.zeros(model.n))  # the certificate reads the bound only


def sub_milp(model: Model, c: np.ndarray, keep: np.ndarray, x_fix: np.ndarray, lb: np.ndarray,
              ub: np.ndarray, bound: float | None):
    """Solve with the columns outside ``keep`` fixed at ``x_fix``; returns (status, full x or None)."""
    form = solver_form(model)
    n = model.n
    keep = np.concatenate([keep, np.ones(form.k, dtype=bool)])  # the indicators are always free
    fixed = np.where(keep, 0.0, form.cols(x_fix, 0.0))
    c, lb, ub = form.cols(c, 0.0), *form.rows(lb, ub)
    var_lb, var_ub = form.cols(model.var_lb, 0.0), form.cols(model.var_ub, 1.0)
    act = form.A @ fixed
    cols = np.flatnonzero(keep)
    if len(cols) == 0:
        ok = bool(np.all(act >= lb - 1e-9) and np.all(act <= ub + 1e-9))
        return (0 if ok else 2), (fixed[:n] if ok else None)
    sub = form.csc.columns(cols).tocsr()
    lo_r, hi_r = lb - act, ub - act
    used = np.diff(sub.indptr) > 0
    if np.any(~used & ((lo_r > 1e-9) | (hi_r < -1e-9))):  # a row the fixed columns already break
        return 2, None
    const = float(c @ fixed)
    res = milp_call(c[cols], var_lb[cols], var_ub[cols], sub.rows(used), lo_r[used], hi_r[used],
                time_limit=model.options.time_limit, bound=None if bound is None else bound - const,
                presolve=len(cols) > PRESOLVE_FROM)
    if res.x is None:
        return res.status, None
    x = fixed.copy()
    x[cols] = np.round(res.x)
    return res.status, x[:n]


def run_kernel(model: Model, *, q: np.ndarray | None = None, row_lb: np.ndarray | None = None,
            row_ub: np.ndarray | None = None, hint: np.ndarray | None = None) -> Run:
    """Solve the MILP exactly; see the module docstring for the method."""
    start = time.perf_counter()
    q = model.q if q is None else q
    lb = model.row_lb if row_lb is None else row_lb
    ub = model.row_ub if row_ub is None else row_ub
    n = model.n
    if n == 0:
        ok = bool(np.all(lb <= 0) and np.all(ub >= 0))
        return Run("optimal" if ok else "infeasible", np.zeros(0) if ok else None,
                    (time.perf_counter() - start) * 1e3)
    tau, scale = tie_weights(model, q)
    qf = q.astype(np.float64)
    c = -(qf * scale + tau)  # integral: HiGHS then prunes on whole units
    free = model.var_ub > model.var_lb
    lp = lp_relaxation(model, -qf, lb, ub)
    if lp.status == 2:
        return finish(2, None, start)
    if lp.status != 0:
        return finish(*sub_milp(model, c, free, model.var_lb, lb, ub, None), start)
    z_lp = -float(lp.fun)
    rc = lp.rc
    x_lp = np.round(lp.x)

    def solve_within(delta: float, bound: float | None):
        keep = free & (rc <= delta)
        return keep, *sub_milp(model, c, keep, x_lp, lb, ub, bound)

    def certified(x: np.ndarray, keep: np.ndarray) -> bool:
        """No choice outside the restricted space reaches the score of ``x``."""
        z = float(qf @ x)
        out = free & ~keep
        if not out.any() or float(rc[out].min()) > z_lp - z + MARGIN:
            return True
        ones = out & (x_lp > 0.5)
        row = np.where(out, np.where(ones, -1.0, 1.0), 0.0)  # at least one column outside flips
        flip = lp_relaxation(model, -qf, lb, ub, extra=(row, 1.0 - float(ones.sum())))
        return flip.status == 2 or (flip.status == 0 and -float(flip.fun) <= z - MARGIN)

    best = hint if hint is not None and feasible(model, hint, lb, ub) else None
    if hint is not None:  # the LP's point rounded down and filled up: often a closer incumbent than the hint
        rounded = warm_start(model, np.floor(lp.x + 1e-6), lb, ub)
        if rounded is not None and (best is None or float(qf @ rounded) > float(qf @ best)):
            best = rounded
    # first guess of the gap: it shrinks as the knapsack gets finer (measured ~1/sqrt(n))
    delta = DELTA0 * min(1.0, math.sqrt(400.0 / n))
    if best is not None:
        delta = min(max(z_lp - float(qf @ best) + MARGIN, MARGIN), delta)

    def bound_of(x: np.ndarray | None) -> float | None:
        return None if x is None else -float(qf @ x * scale + tau @ x) + 0.5

    for _ in range(2):
        keep, status, x = solve_within(delta, bound_of(best))
        if status == 1:
            return finish(1, x if x is not None else best, start)
        if status == 0:
            best = x
        elif status != 2 or best is None:  # 2 with a bound: nothing in reach beats the incumbent
            break
        if certified(best, keep):
            return finish(0, best, start)
        delta = z_lp - float(qf @ best) + MARGIN
    return finish(*sub_milp(model, c, free, model.var_lb, lb, ub, bound_of(best)), start)


def finish(status: int, x: np.ndarray | None, start: float) -> Run:
    ms = (time.perf_counter() - start) * 1e3
    if status == 0 and x is not None:
        return Run("optimal", x, ms)
    if status == 1 and x is not None:
        return Run("time_limit", x, ms)
    if status == 2:
        return Run("infeasible", None, ms)
    return Run("error", None, ms)


def _may_fit(model: Model, y: np.ndarray, act: np.ndarray, lb: np.ndarray, ub: np.ndarray) -> np.ndarray:
    """Per column: whether adding it alone to ``y`` keeps every row within bounds, or it has a negative
    coefficient. Adding columns only raises the rows of positive coefficients, so a column with none
    negative that does not fit now never will: :func:`warm_start` need not look at it."""
    csc = model.A_csc
    if csc.nnz == 0:
        return (y < 0.5) & (model.var_ub > 0.5)
    r, v = csc.indices, csc.data
    after = act[r] + v
    ok = (after <= ub[r] + 1e-9) & ((v >= 0) | (after >= lb[r] - 1e-9))  # warm_start's own test, entry by entry
    counts = np.diff(csc.indptr)
    col = np.repeat(np.arange(model.n), counts)
    bad = np.bincount(col[~ok], minlength=model.n) > 0
    negative = np.bincount(col[v < 0], minlength=model.n) > 0
    return (y < 0.5) & (model.var_ub > 0.5) & (~bad | negative)


def warm_start(model: Model, x: np.ndarray, lb: np.ndarray, ub: np.ndarray) -> np.ndarray | None:
    """A feasible starting point near ``x``: drop the weakest pairs that break an
    upper limit, then add the best pairs that still fit (a hint for the kernel)."""
    y = np.round(x).astype(np.float64)
    y[model.var_ub < 0.5] = 0.0
    act = model.A @ y
    weakest = np.lexsort((np.arange(model.n), -model.pref, model.q))
    ptr, ind, dat = model.A_csc.indptr, model.A_csc.indices, model.A_csc.data
    for j in weakest:
        if np.all(act <= ub + 1e-9):
            break
        rows = ind[ptr[j]:ptr[j + 1]]
        if y[j] > 0.5 and np.any(act[rows] > ub[rows] + 1e-9):
            y[j] = 0.0
            act[rows] -= dat[ptr[j]:ptr[j + 1]]
    for j in weakest[::-1][_may_fit(model, y, act, lb, ub)[weakest[::-1]]]:
        if y[j] < 0.5 and model.var_ub[j] > 0.5:
            rows, v = ind[ptr[j]:ptr[j + 1]], dat[ptr[j]:ptr[j + 1]]
            after = act[rows] + v
            if np.all(after <= ub[rows] + 1e-9) and np.all((v >= 0) | (after >= lb[rows] - 1e-9)):
                y[j] = 1.0
                act[rows] = after
    return y if feasible(model, y, lb, ub) else None
