"""Greedy baselines under the same constraints (by score, by score per 万元), shown beside the optimum.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import numpy as np
import polars as pl

from casplan.policy.model import Quota  # noqa: F401  (the doctests)
from casplan.selection.model import Model, build_model, check_candidates
from casplan.selection.options import SelectOptions

if TYPE_CHECKING:
    from casplan.selection.result import GreedyResult

__all__ = ["greedy"]


def greedy_x(model: Model, key: str, lb: np.ndarray | None = None,
              ub: np.ndarray | None = None) -> tuple[np.ndarray, bool]:
    """Greedy pass: forced ids first, then by key; take a pair when every row allows it."""
    lb = model.row_lb if lb is None else lb
    ub = model.row_ub if ub is None else ub
    n = model.n
    if key == "score":
        primary = model.q.astype(np.float64)
    elif key == "score_per_cost":
        with np.errstate(divide="ignore", invalid="ignore"):
            primary = np.where(model.money & (model.cost > 0), model.q / np.where(model.cost > 0, model.cost, 1.0),
                               np.inf)
    else:
        raise ValueError(f"unknown greedy key {key!r}")
    forced = np.array([x in model.options.forced_in for x in model.ids], dtype=bool)
    order = np.lexsort((np.arange(n), model.prio, model.pref, -model.q, -primary, ~forced)) if n else []
    act = np.zeros(len(ub))
    ptr, ind, dat = model.A_csc.indptr, model.A_csc.indices, model.A_csc.data
    x = np.zeros(n)
    for j in order:
        if model.var_ub[j] < 0.5:
            continue
        rows, vals = ind[ptr[j]:ptr[j + 1]], dat[ptr[j]:ptr[j + 1]]
        after = act[rows] + vals
        if np.all(after <= ub[rows] + 1e-9) and np.all((vals >= 0) | (after >= lb[rows] - 1e-9)):
            act[rows] = after
            x[j] = 1.0
    feasible = bool(np.all(act >= lb - 1e-9)) if len(act) else True
    return x, feasible


def greedy(candidates: pl.DataFrame, *, options: SelectOptions,
           key: Literal["score", "score_per_cost"] = "score") -> pl.DataFrame:
    """Greedy choice under the same constraints, for comparison with the optimum.

    Forced includes are placed first; then pairs are taken in order of
    ``key`` (score, or score per 万元 of the money tracks — support tracks and
    zero-cost pairs first) whenever every quota, money and unit limit still
    allows them. A band's lower bound may stay unmet (see
    :attr:`GreedyResult.feasible`).

    Returns id, unit, name, track, score, cost, pick (1 = taken first).

    >>> cands = pl.DataFrame({"app_id": ["a", "b", "c"], "unit": ["U1", "U2", "U3"],
    ...     "unit_kind": ["institute"] * 3, "track": ["yanxiu"] * 3,
    ...     "score": [90.0, 80.0, 70.0], "cost": [50.0, 20.0, 20.0]})
    >>> opts = SelectOptions(quotas={"yanxiu": Quota(2)}, money_tracks=frozenset({"yanxiu"}),
    ...                      budget_total=60.0)
    >>> greedy(cands, options=opts)["app_id"].to_list()
    ['a']
    >>> greedy(cands, options=opts, key="score_per_cost")["app_id"].to_list()
    ['b', 'c']
    """
    model = build_model(check_candidates(candidates, options), options)
    x, _ = greedy_x(model, key)
    return greedy_frame(model, x, key)


def greedy_frame(model: Model, x: np.ndarray, key: str) -> pl.DataFrame:
    if key == "score":
        primary = model.q.astype(np.float64)
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            primary = np.where(model.money & (model.cost > 0), model.q / np.where(model.cost > 0, model.cost, 1.0),
                               np.inf)
    forced = np.array([i in model.options.forced_in for i in model.ids], dtype=bool)
    n = model.n
    order = np.lexsort((np.arange(n), model.prio, model.pref, -model.q, -primary, ~forced)) if n else []
    picks = [j for j in order if x[j] > 0.5]
    return pl.DataFrame({
        "app_id": [model.ids[j] for j in picks],
        "unit": [model.units[j] for j in picks],
        "train_name": [model.names[j] for j in picks],
        "track": [model.tracks[j] for j in picks],
        "score": [float(model.score[j]) for j in picks],
        "cost": [float(model.cost[j]) for j in picks],
        "pick": list(range(1, len(picks) + 1)),
    }, schema={"app_id": pl.String, "unit": pl.String, "train_name": pl.String, "track": pl.String,
               "score": pl.Float64, "cost": pl.Float64, "pick": pl.Int64})


def baselines(model: Model, objective: float | None) -> dict[str, "GreedyResult"]:
    """Both greedy baselines (by score, by score per 万元) of a model, with their gap to ``objective``."""
    from casplan.selection.model import total_score
    from casplan.selection.result import GreedyResult

    out = {}
    for key in ("score", "score_per_cost"):
        gx, ok = greedy_x(model, key)
        g_obj = total_score(model, gx)
        gap = None if objective is None or not ok else round(objective - g_obj, 2)
        out[key] = GreedyResult(key, greedy_frame(model, gx, key), g_obj, ok, gap)
    return out
