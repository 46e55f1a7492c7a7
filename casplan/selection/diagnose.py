"""Why no selection exists: the clashing constraints, found by an elastic model, in Chinese.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from casplan.selection.explain import CHOSEN_SCHEMA, DECISION_SCHEMA, TRACKS_SCHEMA
from casplan.selection.model import Model, fmt_points, rank_in_track
from casplan.selection.options import SelectOptions
from casplan.selection.result import Clash

__all__ = ["precheck", "diagnose", "infeasible_frames"]


def precheck(frame: pl.DataFrame, options: SelectOptions) -> list[Clash]:
    clashes = []
    present = set(frame["app_id"].to_list())
    for x in sorted(options.forced_in & options.forced_out):
        clashes.append(Clash("forced_conflict", x, None, None, None,
                             f"「{x}」同时被指定强制入选和强制排除"))
    for x in sorted(options.forced_in - present):
        clashes.append(Clash("forced_ineligible", x, None, None, None,
                             f"强制入选的「{x}」不在符合条件的申报中（不具备任何类别的资格），不能入选"))
    return clashes


def diagnose(model: Model, lb: np.ndarray, ub: np.ndarray) -> list[Clash]:
    """Elastic model: relax quotas, money and unit rows at least total excess."""
    from scipy.optimize import Bounds, LinearConstraint, milp  # only a year without a selection pays its import
    from scipy.sparse import csr_array, hstack

    opts = model.options
    n = model.n
    m = len(lb)
    relax = [k in ("quota", "budget", "budget_track", "unit", "unit_track") for k in model.row_kind]
    relax_rows = [r for r in range(m) if relax[r]]
    up_rows = [r for r in relax_rows if np.isfinite(ub[r])]
    lo_rows = [r for r in relax_rows if np.isfinite(lb[r]) and lb[r] > 0]
    k_up, k_lo = len(up_rows), len(lo_rows)
    S_up = csr_array((-np.ones(k_up), (np.array(up_rows, dtype=np.int64), np.arange(k_up))), shape=(m, k_up))
    S_lo = csr_array((np.ones(k_lo), (np.array(lo_rows, dtype=np.int64), np.arange(k_lo))), shape=(m, k_lo))
    A = hstack([csr_array((model.A.data, model.A.indices, model.A.indptr), shape=model.A.shape), S_up, S_lo]).tocsr()
    max_cost = float(model.cost.max()) if n else 1.0
    weight = {"quota": 1.0, "unit": 1.0, "unit_track": 1.0,
              "budget": 1.0 / (1.0 + max_cost), "budget_track": 1.0 / (1.0 + max_cost)}
    c = np.concatenate([np.zeros(n), [weight[model.row_kind[r]] for r in up_rows],
                        [weight[model.row_kind[r]] for r in lo_rows]])
    integrality = np.concatenate([np.ones(n), np.zeros(k_up + k_lo)])
    lo_b = np.concatenate([model.var_lb, np.zeros(k_up + k_lo)])
    hi_b = np.concatenate([model.var_ub, np.full(k_up + k_lo, np.inf)])
    res = milp(c, integrality=integrality, bounds=Bounds(lo_b, hi_b),
               constraints=LinearConstraint(A, lb, ub) if m else None,
               options={"mip_rel_gap": 0.0, "time_limit": float(opts.time_limit)})
    if res.x is None:
        return [Clash("forced_conflict", "", None, None, None,
                      "强制入选的申报无法同时安排（每个申报只能入选一个类别）")]
    x = np.round(res.x[:n])
    s_up = res.x[n:n + k_up]
    s_lo = res.x[n + k_up:]
    forced = np.array([i in opts.forced_in for i in model.ids], dtype=bool)
    clashes: list[Clash] = []
    act = model.A @ x
    for k, r in enumerate(up_rows):
        s = float(s_up[k])
        if s <= 1e-6:
            continue
        members = model.A.row_indices(r)
        chosen = [j for j in members if x[j] > 0.5]
        chosen_forced = [j for j in chosen if forced[j]]
        kind, key = model.row_kind[r], model.row_key[r]
        limit = float(ub[r])
        if kind == "quota":
            nf, nt = len(chosen_forced), len(chosen)
            head = f"{opts.name(key)}：强制入选 {nf} 项" if nf == nt else \
                f"{opts.name(key)}：至少须入选 {nt} 项（其中强制入选 {nf} 项）"
            msg = f"{head}，超过名额上限 {int(limit)} 项（多 {int(round(s))} 项）"
            clashes.append(Clash("quota_upper", key, limit, float(nt), round(s), msg))
        elif kind in ("budget", "budget_track"):
            spent = float(act[r])
            fsum = float(sum(model.cost[j] for j in chosen_forced))
            where = "总额" if kind == "budget" else f"{opts.name(key)}经费上限"
            lead = "" if kind == "budget" else f"{opts.name(key)}："
            if abs(fsum - spent) < 1e-6:
                msg = f"{lead}强制入选项目经费合计 {fmt_points(fsum)} 万元，超过{where} {fmt_points(limit)} 万元（超 {fmt_points(s)} 万元）"
            else:
                msg = (f"{lead}入选项目经费至少 {fmt_points(spent)} 万元（其中强制入选 {fmt_points(fsum)} 万元），"
                       f"超过{where} {fmt_points(limit)} 万元（超 {fmt_points(s)} 万元）")
            clashes.append(Clash("budget_total" if kind == "budget" else "budget_track",
                                 "total" if key is None else str(key), limit, round(spent, 4), round(s, 4), msg))
        else:
            listed = "、".join(model.ids[j] for j in chosen)
            if kind == "unit":
                unit = str(key)
                msg = (f"{unit}：强制入选 {len(chosen)} 项（{listed}），超过每个研究所 {int(limit)} 项的限制"
                       f"（多 {int(round(s))} 项）")
                clashes.append(Clash("unit_limit", unit, limit, float(len(chosen)), round(s), msg))
            else:
                track, unit = key  # type: ignore[misc]
                msg = (f"{unit}：{opts.name(track)}强制入选 {len(chosen)} 项（{listed}），超过每单位 {int(limit)} 项的限制"
                       f"（多 {int(round(s))} 项）")
                clashes.append(Clash("unit_track_limit", f"{unit}/{track}", limit, float(len(chosen)), round(s), msg))
    for k, r in enumerate(lo_rows):
        s = float(s_lo[k])
        if s <= 1e-6:
            continue
        key = model.row_key[r]
        members = model.A.row_indices(r)
        nt = int(sum(1 for j in members if x[j] > 0.5))
        limit = float(lb[r])
        msg = f"{opts.name(key)}：最多只能入选 {nt} 项，达不到名额下限 {int(limit)} 项（少 {int(round(s))} 项）"
        if len(members) < limit:
            msg += f"（符合条件的申报仅 {len(members)} 项）"
        clashes.append(Clash("quota_lower", str(key), limit, float(nt), round(s), msg))
    if not clashes:
        clashes.append(Clash("forced_conflict", "", None, None, None,
                             "强制入选的申报无法同时安排（每个申报只能入选一个类别）"))
    return clashes


def infeasible_frames(model: Model, clashes: list[Clash]):
    opts = model.options
    first: dict[str, int] = {}
    for j, ident in enumerate(model.ids):
        if ident not in first or (model.q[j], -model.prio[j]) > (model.q[first[ident]], -model.prio[first[ident]]):
            first[ident] = j
    rank = rank_in_track(model)
    text = "；".join(c.message for c in clashes)
    rows = [{"app_id": i, "unit": model.units[j], "train_name": model.names[j], "track": model.tracks[j], "chosen": False,
             "code": "S-INFEASIBLE", "message": f"无可行方案：{text}", "score": float(model.score[j]),
             "rank_in_track": int(rank[j]), "cutoff": None, "margin": None, "blocker_id": None}
            for i, j in sorted(first.items())]
    decisions = (pl.DataFrame(rows, schema=DECISION_SCHEMA, orient="row") if rows
                 else pl.DataFrame(schema=DECISION_SCHEMA))
    decisions = decisions.with_columns(
        pl.col("track").replace_strict({t: opts.name(t) for t in set(model.tracks)}, default=None,
                                       return_dtype=pl.String).alias("track_name")
    ).select(list(DECISION_SCHEMA)[:4] + ["track_name"] + list(DECISION_SCHEMA)[4:])
    tracks = list(opts.quotas)
    counts = {t: 0 for t in tracks}
    for t in model.tracks:
        counts[t] += 1
    tracks_frame = pl.DataFrame({
        "track": tracks, "track_name": [opts.name(t) for t in tracks],
        "n_candidates": [counts[t] for t in tracks], "n_chosen": [0] * len(tracks),
        "lower": [opts.quotas[t].lower for t in tracks], "upper": [opts.quotas[t].upper for t in tracks],
        "cutoff": [None] * len(tracks), "cost": [0.0] * len(tracks),
        "budget": [float(opts.budget_per_track[t]) if t in opts.budget_per_track else None for t in tracks],
    }, schema=TRACKS_SCHEMA)
    return pl.DataFrame(schema=CHOSEN_SCHEMA), decisions, tracks_frame
