"""How the shortlist moves: one place more or less, fifty 万元 more or less (:func:`counterfactuals`), weights drawn around the policy's (:func:`robustness`), and who entered or left (:func:`diff`).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import polars as pl

from casplan.errors import InputError, SelectionError
from casplan.policy.model import Quota  # noqa: F401  (the doctests)
from casplan.selection.diagnose import precheck
from casplan.selection.kernel import Run, run_kernel, warm_start
from casplan.selection.model import (
    build_model,
    check_candidates,
    fallback_lower,
    fmt_points,
    pairs_of,
    total_score,
)
from casplan.selection.options import SCORE_RESOLUTION, STATUS_TEXT, SelectOptions
from casplan.selection.result import Selection
from casplan.selection.solver import solve  # noqa: F401  (the doctests)

__all__ = ["counterfactuals", "robustness", "diff"]


def counterfactuals(candidates: pl.DataFrame, *, options: SelectOptions, budget_delta: float = 50.0) -> pl.DataFrame:
    """What one place more or less in each track, and ±``budget_delta`` 万元, would change.

    Each scenario moves one quota's target by ±1 (both bounds of a band) or
    the total budget by ±``budget_delta`` (only when there is a budget), and
    re-solves with the matrix built once.

    Returns scenario, label, track, change, status, objective_change,
    entered, left, switched (lists of ids), message (Chinese).

    >>> cands = pl.DataFrame({"app_id": ["a", "b", "c"], "unit": ["U1", "U2", "U3"],
    ...     "unit_kind": ["institute"] * 3, "track": ["yanxiu"] * 3,
    ...     "score": [90.0, 80.0, 70.0], "cost": [20.0, 20.0, 20.0]})
    >>> opts = SelectOptions(quotas={"yanxiu": Quota(2)}, money_tracks=frozenset({"yanxiu"}))
    >>> cf = counterfactuals(cands, options=opts)
    >>> cf.select("scenario", "entered", "left").rows()
    [('yanxiu+1', ['c'], []), ('yanxiu-1', [], ['b'])]
    """
    model = build_model(check_candidates(candidates, options), options)
    base = run_kernel(model) if not precheck(model.frame, options) else Run("infeasible", None, 0.0)
    base_pairs = pairs_of(model, base.x)
    base_obj = None if base.x is None else total_score(model, base.x)
    rows = []
    scenarios: list[tuple[str, str, str | None, float, np.ndarray, np.ndarray]] = []
    for t in sorted(options.quotas):
        r = model.quota_row[t]
        spec = options.quotas[t]
        for step in (1, -1):
            if step < 0 and spec.target == 0:
                continue
            new = spec.shifted(step)
            lb = model.row_lb.copy()
            ub = model.row_ub.copy()
            lb[r], ub[r] = new.lower, new.upper
            for fr, primary, big in model.fallback_rows:
                if primary == t:
                    lb[fr] = fallback_lower(new.upper, big)
            sign = "+1" if step > 0 else "-1"
            label = f"{options.name(t)}名额{'增加' if step > 0 else '减少'} 1 个（上限 {new.upper}）"
            scenarios.append((f"{t}{sign}", label, t, float(step), lb, ub))
    if options.budget_total is not None and model.budget_row is not None:
        for step in (budget_delta, -budget_delta):
            ub = model.row_ub.copy()
            ub[model.budget_row] = float(options.budget_total) + step
            new_total = fmt_points(float(options.budget_total) + step)
            label = f"经费总额{'增加' if step > 0 else '减少'} {fmt_points(abs(step))} 万元（{new_total} 万元）"
            scenarios.append((f"budget{'+' if step > 0 else '-'}{fmt_points(abs(step))}", label, None, float(step),
                              model.row_lb.copy(), ub))
    names = {model.ids[j]: model.names[j] for j in range(model.n)}

    def who(ids: list[str]) -> str:
        return "、".join(f"「{names[i]}」（{i}）" if names.get(i) else f"「{i}」" for i in ids)

    for code, label, track, change, lb, ub in scenarios:
        hint = None if base.x is None else warm_start(model, base.x, lb, ub)
        run = run_kernel(model, row_lb=lb, row_ub=ub, hint=hint)
        pairs = pairs_of(model, run.x)
        if run.x is None:
            rows.append({"scenario": code, "label": label, "track": track, "change": change, "status": run.status,
                         "objective_change": None, "entered": [], "left": [], "switched": [],
                         "message": f"{label}：{STATUS_TEXT[run.status]}"})
            continue
        entered = sorted(set(pairs) - set(base_pairs))
        left = sorted(set(base_pairs) - set(pairs))
        switched = sorted(i for i in set(pairs) & set(base_pairs) if pairs[i] != base_pairs[i])
        obj = total_score(model, run.x)
        delta = None if base_obj is None else round(obj - base_obj, 2)
        parts = []
        if entered:
            parts.append(f"{who(entered)}入选")
        if left:
            parts.append(f"{who(left)}落选")
        if switched:
            parts.append("；".join(f"{who([i])}由{options.name(base_pairs[i])}改为{options.name(pairs[i])}"
                                  for i in switched))
        text = "；".join(parts) if parts else "入选名单不变"
        if delta is not None and parts:
            text += f"（总分{'增加' if delta >= 0 else '减少'} {fmt_points(abs(delta))} 分）"
        rows.append({"scenario": code, "label": label, "track": track, "change": change, "status": run.status,
                     "objective_change": delta, "entered": entered, "left": left, "switched": switched,
                     "message": f"{label}：{text}"})
    schema = {"scenario": pl.String, "label": pl.String, "track": pl.String, "change": pl.Float64,
              "status": pl.String, "objective_change": pl.Float64, "entered": pl.List(pl.String),
              "left": pl.List(pl.String), "switched": pl.List(pl.String), "message": pl.String}
    return pl.DataFrame(rows, schema=schema, orient="row") if rows else pl.DataFrame(schema=schema)


def weight_vector(weights: Mapping[str, Mapping[str, float]], track: str, criteria: list[str]) -> np.ndarray:
    spec = weights.get(track, weights.get("default"))
    if spec is None:
        raise InputError(f"类别「{track}」没有评分权重（也没有 default 权重）", column="track", value=track)
    w = np.array([float(spec.get(c, 0.0)) for c in criteria], dtype=np.float64)
    if np.any(w < 0) or not np.all(np.isfinite(w)) or w.sum() <= 0:
        raise InputError(f"类别「{track}」的评分权重应为非负且不全为 0", column="track", value=track)
    return w


def robustness(candidates: pl.DataFrame, criteria: pl.DataFrame, weights: Mapping[str, Mapping[str, float]], *,
               options: SelectOptions, n: int = 500, seed: int = 0, concentration: float = 50.0,
               fixed: pl.DataFrame | None = None) -> pl.DataFrame:
    """Probability of being chosen when the criterion weights move around the policy's.

    The score of (id, track) is ``100·Σ w_c·v_c / Σ w_c`` with the track's
    weights (``weights[track]``, else ``weights["default"]``); a criterion a
    pair has no value for counts as 0, and a pair with no criteria rows at all
    keeps its candidate score. Each draw takes, per track, weights from
    ``Dirichlet(concentration · w / Σ w)`` over the criteria with positive
    weight (a numpy ``Generator`` seeded with ``seed``), re-scores and
    re-solves with the constraint matrix built once and the base choice as
    the starting hint.

    A pair is ``unstable`` when ``0.1 < p_selected < 0.9`` (it enters in some
    draws and not in others: it sits near the cut-off), or when
    ``|p_selected − base_chosen| > 0.3`` (the base choice is itself an
    outlier of the perturbed choices).

    ``fixed`` (optional: id, track, share, value) holds a part of a pair's score still: its score is
    ``(1 − share)·100·Σ w_c·v_c / Σ w_c + share·value`` — the expert reviews blended into the score,
    which the perturbation of the criteria weights leaves as they are.

    Returns id, track, score (base), p_selected (chosen in this track), p_any (chosen in any track: an
    application that moves between tracks is still selected), base_chosen, unstable (judged on p_any),
    sorted by (track, id).

    >>> cands = pl.DataFrame({"app_id": ["a", "b"], "unit": ["U1", "U2"],
    ...     "unit_kind": ["institute"] * 2, "track": ["jiangtan"] * 2,
    ...     "score": [0.0, 0.0], "cost": [0.0, 0.0]})
    >>> crit = pl.DataFrame({"app_id": ["a", "a", "b", "b"], "track": ["jiangtan"] * 4,
    ...     "criterion": ["direction", "scale"] * 2, "value": [1.0, 0.0, 0.0, 0.9]})
    >>> opts = SelectOptions(quotas={"jiangtan": Quota(1)})
    >>> out = robustness(cands, crit, {"default": {"direction": 1, "scale": 1}}, options=opts, n=50)
    >>> out.select("app_id", "base_chosen", "unstable").rows()
    [('a', True, True), ('b', False, True)]
    """
    if n < 1:
        raise InputError(f"扰动次数 n 为「{n}」，应为正整数")
    missing = [c for c in ("app_id", "track", "criterion", "value") if c not in criteria.columns]
    if missing:
        raise InputError(f"评分准则表缺少列：{'、'.join(missing)}", column=missing[0])
    model = build_model(check_candidates(candidates, options), options)
    crit = criteria.select(pl.col("app_id").cast(pl.String), pl.col("track").cast(pl.String),
                           pl.col("criterion").cast(pl.String), pl.col("value").cast(pl.Float64))
    bad = crit.filter(pl.col("value").is_null() | ~pl.col("value").is_finite() | (pl.col("value") < 0)
                      | (pl.col("value") > 1))
    if bad.height:
        row = bad.row(0, named=True)
        raise InputError(f"申报「{row['app_id']}」准则「{row['criterion']}」的值为「{row['value']}」，应在 0–1 之间",
                         column="value", value=row["value"])
    names = sorted(set(crit["criterion"].to_list()))
    pos = {(i, t): j for j, (i, t) in enumerate(zip(model.ids, model.tracks))}
    cidx = {c: k for k, c in enumerate(names)}
    V = np.zeros((model.n, len(names)))
    has = np.zeros(model.n, dtype=bool)
    for i, t, c, v in crit.iter_rows():
        j = pos.get((i, t))
        if j is not None:
            V[j, cidx[c]] = v
            has[j] = True
    share = np.zeros(model.n)
    held = np.zeros(model.n)
    if fixed is not None and fixed.height:
        for i, t, b, v in fixed.select(pl.col("app_id").cast(pl.String), pl.col("track").cast(pl.String),
                                       pl.col("share").cast(pl.Float64), pl.col("value").cast(pl.Float64)).iter_rows():
            j = pos.get((i, t))
            if j is not None and b is not None and v is not None:
                share[j], held[j] = min(max(b, 0.0), 1.0), v
    track_list = sorted(set(model.tracks))
    members = {t: np.array([j for j in range(model.n) if model.tracks[j] == t and has[j]], dtype=np.int64)
               for t in track_list}
    base_w = {t: weight_vector(weights, t, names) for t in track_list}

    def scores_for(wmap: dict[str, np.ndarray]) -> np.ndarray:
        q = model.q.copy()
        for t in track_list:
            idx = members[t]
            if len(idx):
                w = wmap[t] / wmap[t].sum()
                blended = (1 - share[idx]) * 100.0 * (V[idx] @ w) + share[idx] * held[idx]
                q[idx] = np.rint(blended / SCORE_RESOLUTION).astype(np.int64)
        return q

    q0 = scores_for(base_w)
    base = run_kernel(model, q=q0)
    if base.x is None:
        raise SelectionError(f"基准方案{STATUS_TEXT[base.status]}，无法做稳健性分析")
    rng = np.random.default_rng(seed)
    hits = np.zeros(model.n)
    apps, app_of = np.unique(np.asarray(model.ids), return_inverse=True)
    hits_any = np.zeros(len(apps))
    hint = base.x
    for _ in range(n):
        draw = {}
        for t in track_list:
            w = base_w[t]
            alpha = concentration * w / w.sum()
            d = np.zeros_like(w)
            pos_w = alpha > 0
            d[pos_w] = rng.dirichlet(alpha[pos_w])
            draw[t] = d
        run = run_kernel(model, q=scores_for(draw), hint=hint)
        if run.x is None:
            continue
        hits += run.x
        hits_any += np.bincount(app_of, weights=run.x, minlength=len(apps)) > 0.5
    p = hits / n
    # An application that moves between tracks under other weights is still selected: stability is
    # judged on being chosen in any track, not in this one.
    p_any = (hits_any / n)[app_of]
    base_chosen = base.x > 0.5
    base_any = (np.bincount(app_of, weights=base.x, minlength=len(apps)) > 0.5)[app_of]
    unstable = ((p_any > 0.1) & (p_any < 0.9)) | (np.abs(p_any - base_any) > 0.3)
    out = pl.DataFrame({
        "app_id": model.ids, "track": model.tracks,
        "score": [round(float(v) * SCORE_RESOLUTION, 2) for v in q0],
        "p_selected": [round(float(v), 6) for v in p], "p_any": [round(float(v), 6) for v in p_any],
        "base_chosen": base_chosen.tolist(), "unstable": unstable.tolist(),
    }, schema={"app_id": pl.String, "track": pl.String, "score": pl.Float64, "p_selected": pl.Float64,
               "p_any": pl.Float64, "base_chosen": pl.Boolean, "unstable": pl.Boolean})
    return out.sort("track", "app_id")


def diff(before: Selection, after: Selection) -> pl.DataFrame:
    """Who enters, leaves or changes track between two selections (for the what-if).

    Returns id, name, track, change (入选 / 落选 / 换类别), message; sorted by
    change, track, id.

    >>> cands = pl.DataFrame({"app_id": ["a", "b"], "unit": ["U1", "U2"],
    ...     "unit_kind": ["institute"] * 2, "track": ["yanxiu"] * 2,
    ...     "score": [90.0, 80.0], "cost": [20.0, 20.0]})
    >>> names = {"yanxiu": "专业技术研修班"}
    >>> one = SelectOptions(quotas={"yanxiu": Quota(1)}, track_names=names)
    >>> two = SelectOptions(quotas={"yanxiu": Quota(2)}, track_names=names)
    >>> diff(solve(cands, options=one), solve(cands, options=two))["message"].to_list()
    ['「b」入选专业技术研修班']
    """
    def table(sel: Selection) -> dict[str, dict[str, object]]:
        return {r["app_id"]: r for r in sel.chosen.select("app_id", "train_name", "track", "track_name").to_dicts()}

    old, new = table(before), table(after)
    rows = []
    order = {"入选": 0, "落选": 1, "换类别": 2}

    def label(r: dict[str, object]) -> str:
        return f"「{r['train_name']}」（{r['app_id']}）" if r.get("train_name") else f"「{r['app_id']}」"

    for ident in sorted(set(old) | set(new)):
        if ident in new and ident not in old:
            r = new[ident]
            rows.append({"app_id": ident, "train_name": r["train_name"], "track": r["track"], "change": "入选",
                         "message": f"{label(r)}入选{r['track_name']}"})
        elif ident in old and ident not in new:
            r = old[ident]
            rows.append({"app_id": ident, "train_name": r["train_name"], "track": r["track"], "change": "落选",
                         "message": f"{label(r)}落选（原入选{r['track_name']}）"})
        elif old[ident]["track"] != new[ident]["track"]:
            r = new[ident]
            rows.append({"app_id": ident, "train_name": r["train_name"], "track": r["track"], "change": "换类别",
                         "message": f"{label(r)}由{old[ident]['track_name']}改为{r['track_name']}"})
    schema = {"app_id": pl.String, "train_name": pl.String, "track": pl.String, "change": pl.String, "message": pl.String}
    frame = pl.DataFrame(rows, schema=schema, orient="row") if rows else pl.DataFrame(schema=schema)
    return frame.with_columns(pl.col("change").replace_strict(order, return_dtype=pl.Int64).alias("_o")) \
        .sort("_o", "track", "app_id").drop("_o")
