"""Selection: which applications receive academy funding or technical support.

The kernel takes a plain candidates frame (one row per eligible
``(id, track)`` pair, already scored) and plain options, and chooses the set
of pairs that maximises the total score under the year's limits:

* each track's quota (:class:`casplan.policy.Quota`): ``0 ≤ n ≤ target`` (``ceiling``) or
  ``target − tolerance ≤ n ≤ target + tolerance`` (``band``);
* the money: a total cap and optional per-track caps over the money tracks
  (学术讲坛 is technical support, its cost never counts); a track's grant is
  capped (``max_grant``, 人社部高研 ≤ 15 万元);
* units: at most ``one_per_unit_max`` chosen pairs per 研究所 (rule U1,
  switchable) and at most ``max_per_unit[track]`` per unit in a track
  (人社部高研: 1);
* each application enters at most one track; the analyst's forced includes
  and excludes hold.

Model
-----
One binary variable per pair, solved with HiGHS (:mod:`highspy`, see
:mod:`casplan.selection.highs`). Scores are rounded to :data:`SCORE_RESOLUTION` (0.01 point, the
precision the analyst sees); totals, cut-offs and margins all use the rounded
scores, so "the optimum" is exact and equal to brute force.

Tie-break (uniqueness). The objective is ``q·M + τ`` (all integers) where
``q`` is the score in hundredths and ``τ`` a small integer preference: within
each group of pairs of equal ``q``, pairs are ordered by the application's
``tiebreak`` rank (smallest over its rows; the id when absent), then
``track_priority``, then id, and ``τ = group size − 1 − position``. Let ``U``
be the largest ``Σ τ`` any choice can reach (per group, the sum of its
``min(size, Q)`` largest ``τ``, ``Q`` bounding the number of chosen pairs)
and ``M = U + 1``. Bound: ``Σ τ ≤ U < M`` for every choice, so the tie term
never overturns a difference of one hundredth in total score (``M`` units),
while two choices that differ by one swap inside a tie group differ by one
unit. The objective being integral, HiGHS prunes on whole units and the
tie-break is exact (checked against brute force in the tests) — for choices
that differ by swaps inside one tie group. Choices that differ in two groups at
once can tie exactly: two applications with the same scores in two tracks (the
人社部高研 → 精品 fallback), one in each, against the other way round, give the
same ``Σ τ``. Which of the two HiGHS returns then depends on its search path:
the same for the same inputs and versions, not named by a rule (seen in the
benchmark's 10× year, whose groups are exact copies, in an S-TRADEOFF text). ``M`` is
small in practice (about 10 for scores with two decimals); with thousands of
exactly tied pairs ``q·M`` grows towards 1e12, where the tie-break stays
deterministic but is best effort.

Speed (exact, measured in ``benchmarks/bench_select.py``). HiGHS spends
most of its time in root cuts on the budget knapsack, so the kernel solves a
small *core* instead of the whole model: it solves the LP relaxation, keeps
free only the variables whose reduced cost is within a first guess ``Δ`` of
the LP bound (``Δ`` = 3 points, shrinking as ``1/√n`` past 400 pairs), fixes
the others at their LP values and solves that core MILP. The answer is then
certified: if the gap between the LP bound and the core optimum is below the
smallest reduced cost left out, or an LP with "at least one fixed variable
flips" cannot reach the core optimum, no better (or equally good) choice
exists outside the core; otherwise the core is widened to exactly the
variables that could still matter and solved again with the first answer as
cut-off (``objective_bound``). Reduced-cost fixing uses the score-only LP and
a margin of 0.25 hundredth, so it never cuts off a choice of optimal score,
and the tie-break inside the core is therefore the global one. A previous
choice (robustness draws, counterfactuals, ``solve(..., hint=...)``) serves
as a cut-off from the start; it changes only the time (save between the exact
ties of two groups described above, where it may pick the other one).

Re-solves (what-if moves, robustness draws, counterfactuals) are cheap for
three more reasons, none of which changes a result: the LP is kept in HiGHS
between solves of one matrix (:class:`~casplan.selection.kernel.HotLP`, a
re-solve starts from the last basis); a move that changes only scores and
bounds — a quota, the budget, U1, a forced-out id, the weights — reuses the
previous model's matrix (``build_model(..., like=)``, checked by
:func:`~casplan.selection.model.reusable`); and the LP's point rounded down and
filled up is tried as a second incumbent.

Known limit: the tie-break term separates two choices that differ inside one
group of equal scores, but not always two that swap two applications between
two tracks (exact copies of one project with the same scores in both tracks,
as in the benchmark's replicated years). Both are then optimal with the same
objective and the path decides; a run is still reproducible (the same inputs,
the same sequence of solves, the same choice).

Infeasibility never raises: :func:`solve` returns a :class:`Selection` with
``ok == False``, ``status == "infeasible"`` and ``clashes`` naming, in
Chinese, which constraints clash and by how much (found by an elastic model
that relaxes quotas, money and unit limits at minimum total excess while the
forced includes stay hard). :meth:`Selection.raise_for_status` turns that into
a :class:`~casplan.errors.SelectionError` for unattended runs.

>>> cands = pl.DataFrame({
...     "app_id": ["a", "b", "c"], "unit": ["U1", "U1", "U2"],
...     "unit_kind": ["institute"] * 3, "track": ["yanxiu"] * 3,
...     "score": [90.0, 80.0, 70.0], "cost": [20.0, 10.0, 10.0]})
>>> opts = SelectOptions(quotas={"yanxiu": Quota(2)}, money_tracks=frozenset({"yanxiu"}))
>>> sel = solve(cands, options=opts)
>>> sel.status, sel.objective, sorted(sel.chosen["app_id"])
('optimal', 160.0, ['a', 'c'])
>>> sel.decisions.filter(pl.col("app_id") == "b")["code"].item()
'S-UNIT'
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import polars as pl

from casplan.policy.model import Quota  # noqa: F401  (the doctests)
from casplan.selection.diagnose import diagnose, infeasible_frames, precheck
from casplan.selection.explain import explain
from casplan.selection.kernel import Run, run_kernel, warm_start
from casplan.selection.model import (
    Model,
    build_model,
    check_candidates,
    total_score,
    x_from,
)
from casplan.selection.options import STATUS_TEXT, SelectOptions
from casplan.selection.result import Selection

__all__ = ["solve"]


STATUS_CODE = {"optimal": 0, "time_limit": 1, "infeasible": 2, "error": 4}


def solve(candidates: pl.DataFrame, *, options: SelectOptions, hint: "Selection | None" = None,
          tradeoffs: bool = True, decisions_for: frozenset[str] | None = None,
          like: "Model | None" = None) -> Selection:
    """Choose the pairs that maximise the total score; explain every decision.

    Parameters
    ----------
    candidates : one row per eligible (id, track): id, unit, unit_type, track,
        score (0–100), cost (万元, 0 for support tracks), optionally name and
        tiebreak (lower = preferred). Row order does not matter.
    options : the quotas, money, unit rules and forced lists.
    hint : a previous selection (e.g. before a what-if move), used only for speed:
        as a warm start, and its model's matrix is reused when the pairs and the
        rows' shape are the same (:func:`~casplan.selection.model.reusable`); the
        result is the same with or without it.
    tradeoffs : False skips the re-solve behind each S-TRADEOFF message (the
        what-if's moves; the choice is the same).
    like : a model whose matrix may be reused (default: the hint's); for speed only,
        like ``hint``.
    decisions_for : explain only the ids of this set that are not chosen (the what-if's
        moves, whose diff against the baseline asks why a baseline project left and
        nothing else); default every application.

    Returns
    -------
    Selection
        Never raises for an infeasible model: ``ok`` is False and ``clashes``
        says which constraints clash (see :meth:`Selection.raise_for_status`).
        Raises :class:`~casplan.errors.InputError` for a malformed frame.

    >>> cands = pl.DataFrame({"app_id": ["a", "b"], "unit": ["U1", "U2"],
    ...     "unit_kind": ["institute"] * 2, "track": ["yanxiu"] * 2,
    ...     "score": [90.0, 80.0], "cost": [20.0, 10.0]})
    >>> opts = SelectOptions(quotas={"yanxiu": Quota(1)}, money_tracks=frozenset({"yanxiu"}),
    ...                      forced_in=frozenset({"a", "b"}), track_names={"yanxiu": "专业技术研修班"})
    >>> sel = solve(cands, options=opts)
    >>> sel.ok, sel.clashes[0].message
    (False, '专业技术研修班：强制入选 2 项，超过名额上限 1 项（多 1 项）')
    """
    if like is None and hint is not None:
        like = hint.model  # its matrix is reused when the pairs and the rows' shape are the same
    if like is not None and like.source is candidates and set(like.options.quotas) == set(options.quotas):
        frame = like.frame  # the same frame, already checked
    else:
        frame = check_candidates(candidates, options)
    model = replace(build_model(frame, options, like=like), source=candidates)
    warm = x_from(model, hint)
    if warm is not None:
        warm = warm_start(model, warm, model.row_lb, model.row_ub)
    return selection_of(model, hint=warm, tradeoffs=tradeoffs, decisions_for=decisions_for)


def selection_of(model: Model, *, hint: np.ndarray | None = None, tradeoffs: bool = True,
                 decisions_for: frozenset[str] | None = None) -> Selection:
    opts = model.options
    pre = precheck(model.frame, opts)
    if pre:
        run = Run("infeasible", None, 0.0)
    else:
        run = run_kernel(model, hint=hint)
    objective = None if run.x is None else total_score(model, run.x)
    if run.x is None:
        clashes = pre or (diagnose(model, model.row_lb, model.row_ub) if run.status == "infeasible" else [])
        chosen, decisions, tracks = infeasible_frames(model, clashes)
        return Selection(run.status, STATUS_CODE[run.status], STATUS_TEXT[run.status], None, round(run.ms, 3),
                         chosen, decisions, tracks, tuple(clashes),
                         None if opts.budget_total is None else float(opts.budget_total), 0.0, model=model)
    chosen, decisions, tracks, spent = explain(model, run.x, tradeoffs=tradeoffs, decisions_for=decisions_for)
    return Selection(run.status, STATUS_CODE[run.status], STATUS_TEXT[run.status], objective, round(run.ms, 3),
                     chosen, decisions, tracks, (),
                     None if opts.budget_total is None else float(opts.budget_total), spent, model=model)
