"""A reason code and a Chinese message for every application: chosen, below the cut-off, blocked by its unit, the money, or a trade-off (checked by re-solving).
"""

from __future__ import annotations

import re

from dataclasses import replace

import numpy as np
import polars as pl

from casplan.selection.kernel import run_kernel
from casplan.selection.model import (
    Model,
    fmt_points,
    ids_mask,
    pairs_of,
    priority_index,
    rank_in_track,
    total_score,
)

__all__ = ["CHOSEN_SCHEMA", "DECISION_SCHEMA", "TRACKS_SCHEMA", "TRADEOFF_SHORT", "TRADEOFF_RESOLVES_PER_TRACK",
           "explain", "tradeoff_text"]

TRADEOFF_SHORT = "与其他入选项目整体权衡后未入选"
"""The S-TRADEOFF message's tail when the re-solve is not asked for (``explain(..., tradeoffs=False)``)."""
TRADEOFF_RESOLVES_PER_TRACK = 5
"""How many S-TRADEOFF pairs of each track, the best ranked, get the re-solve that names what would have to
change; the others say :data:`TRADEOFF_SHORT` (each re-solve is a whole selection: at 100× the sample,
one per pair took minutes)."""


CHOSEN_SCHEMA = {"app_id": pl.String, "unit": pl.String, "train_name": pl.String, "track": pl.String,
                  "track_name": pl.String, "score": pl.Float64, "cost": pl.Float64, "rank_in_track": pl.Int64,
                  "margin_over_best_excluded": pl.Float64, "forced": pl.Boolean}


DECISION_SCHEMA = {"app_id": pl.String, "unit": pl.String, "train_name": pl.String, "track": pl.String,
                    "chosen": pl.Boolean, "code": pl.String, "message": pl.String, "score": pl.Float64,
                    "rank_in_track": pl.Int64, "cutoff": pl.Float64, "margin": pl.Float64,
                    "blocker_id": pl.String}


TRACKS_SCHEMA = {"track": pl.String, "track_name": pl.String, "n_candidates": pl.Int64, "n_chosen": pl.Int64,
                  "lower": pl.Int64, "upper": pl.Int64, "cutoff": pl.Float64, "cost": pl.Float64,
                  "budget": pl.Float64}


def explain(model: Model, x: np.ndarray, *, tradeoffs: bool = True, decisions_for: frozenset[str] | None = None):
    """Chosen frame, decisions frame and tracks frame for a feasible choice.

    With ``tradeoffs=False`` an S-TRADEOFF message says only that it is a trade-off, without the
    re-solve that names what would have to change (the what-if asks for it for the rows it shows).
    With ``decisions_for``, the decisions hold only the ids of that set that are not chosen (the what-if's
    moves: the diff against the baseline asks why a baseline project left, never why a chosen one is in)."""
    opts = model.options
    n = model.n
    chosen = x > 0.5
    rank = rank_in_track(model)
    chosen_idx = np.flatnonzero(chosen)
    chosen_of_id = {model.ids[j]: int(j) for j in chosen_idx}

    # per track facts, in the order the quotas are given (the policy's order)
    tracks = list(opts.quotas)
    track_of = {i: t for t, i in priority_index([], opts).items()}  # model.prio → track
    present = [t for _, t in sorted(track_of.items())]

    id_chosen = np.zeros(len(model.unique_ids), dtype=bool)
    id_chosen[model.id_index[chosen_idx]] = True
    counted = np.bincount(model.prio, minlength=len(present))
    picked = np.bincount(model.prio[chosen_idx], minlength=len(present))
    n_cand = {t: 0 for t in tracks} | {present[i]: int(v) for i, v in enumerate(counted) if v}
    n_chosen = {t: 0 for t in tracks} | {present[i]: int(v) for i, v in enumerate(picked) if v}
    spent_t = {t: 0.0 for t in tracks}
    for j in chosen_idx[model.money[chosen_idx]].tolist():  # added in pair order, as the totals always were
        spent_t[model.tracks[j]] += float(model.cost[j])
    last: dict[str, int] = {}  # the chosen pair at the cutoff (worst by score, then tie-break)
    best_out: dict[str, int] = {}
    at_cut = chosen & ~ids_mask(model, opts.forced_in)
    out_best = ~chosen & ~id_chosen[model.id_index] & ~ids_mask(model, opts.forced_out)
    for i, t in enumerate(present):
        in_track = model.prio == i
        js = np.flatnonzero(at_cut & in_track)
        if js.size:
            last[t] = int(js[np.argmax(rank[js])])
        js = np.flatnonzero(out_best & in_track)
        if js.size:
            best_out[t] = int(js[np.argmin(rank[js])])
    full = {t: n_chosen[t] >= opts.quotas[t].upper for t in tracks}
    spent = float(sum(model.cost[chosen_idx[model.money[chosen_idx]]].tolist()))
    left_total = None if opts.budget_total is None else float(opts.budget_total) - spent

    unit_members: dict[str, list[int]] = {}
    unit_track_members: dict[tuple[str, str], list[int]] = {}
    for j in chosen_idx.tolist():
        unit_members.setdefault(model.units[j], []).append(j)
        unit_track_members.setdefault((model.tracks[j], model.units[j]), []).append(j)
    unit_types = model.unit_types

    def label(j: int) -> str:
        name = model.names[j]
        return f"「{name}」（{model.ids[j]}）" if name else f"「{model.ids[j]}」"

    def trade_text(j: int) -> str:
        # a placeholder: once every message is written, the best-ranked trade-offs shown get their re-solve
        return f"\x00{j}\x00" if tradeoffs else TRADEOFF_SHORT

    def classify(j: int) -> dict[str, object]:
        """Why pair j (of an id not chosen in this pair) is not chosen."""
        t = model.tracks[j]
        own = model.ids[j]
        info: dict[str, object] = {"cutoff": None, "margin": None, "blocker": None}
        if full[t] and t in last:
            k = last[t]
            cutoff = float(model.score[k])
            info["cutoff"] = cutoff
            info["margin"] = round(float(model.score[j]) - cutoff, 2)
            if model.q[j] < model.q[k]:
                info["code"] = "S-CUTOFF"
                info["message"] = (f"{opts.name(t)}排名第 {rank[j]}，低于本类别入选线 {fmt_points(cutoff)} 分"
                                   f"（差 {fmt_points(cutoff - float(model.score[j]))} 分）")
                info["key"] = (2, int(model.q[k] - model.q[j]))
                return info
            if model.q[j] == model.q[k] and rank[j] > rank[k]:
                info["code"] = "S-TIE"
                info["blocker"] = model.ids[k]
                info["message"] = (f"{opts.name(t)}排名第 {rank[j]}，与本类别入选线同分（{fmt_points(cutoff)} 分），"
                                   f"按排序链排在入选项目{label(k)}之后")
                info["key"] = (1, 0)
                return info
        if full[t] and t not in last:
            info["code"] = "S-CUTOFF"
            info["message"] = (f"{opts.name(t)}本次名额为 0" if opts.quotas[t].upper == 0 else
                               f"{opts.name(t)}名额（{opts.quotas[t].upper} 个）已全部由强制入选项目占用")
            info["key"] = (2, 0)
            return info
        info["key"] = (0, -int(model.q[j]))
        if opts.one_per_unit and unit_types[j] in opts.one_per_unit_types and (
                opts.one_per_unit_tracks is None or t in opts.one_per_unit_tracks):
            counted = [k for k in unit_members.get(model.units[j], [])
                       if model.ids[k] != own and (opts.one_per_unit_tracks is None
                                                   or model.tracks[k] in opts.one_per_unit_tracks)]
            if len(counted) >= opts.one_per_unit_max:
                k = max(counted, key=lambda i: (model.q[i], -i))
                info["code"] = "S-UNIT"
                info["blocker"] = model.ids[k]
                stronger = "得分更高的" if model.q[k] > model.q[j] else ""
                info["message"] = (f"同单位（{model.units[j]}）{stronger}{label(k)}已入选{opts.name(model.tracks[k])}"
                                   f"（{fmt_points(float(model.score[k]))} 分，本项目 {fmt_points(float(model.score[j]))} 分），"
                                   f"每个研究所原则上只资助 {opts.one_per_unit_max} 个项目")
                return info
        if t in opts.max_per_unit:
            same = [k for k in unit_track_members.get((t, model.units[j]), []) if model.ids[k] != own]
            if len(same) >= opts.max_per_unit[t]:
                k = max(same, key=lambda i: (model.q[i], -i))
                info["code"] = "S-UNIT"
                info["blocker"] = model.ids[k]
                info["message"] = (f"同单位（{model.units[j]}）{label(k)}已入选{opts.name(t)}"
                                   f"（{fmt_points(float(model.score[k]))} 分），每单位最多 {opts.max_per_unit[t]} 项")
                return info
        if model.money[j]:
            need = float(model.cost[j])
            own_back = 0.0
            if own in chosen_of_id and model.money[chosen_of_id[own]]:
                own_back = float(model.cost[chosen_of_id[own]])
            swap = float(model.cost[last[t]]) if full[t] and t in last and model.money[last[t]] else 0.0
            checks = []
            if left_total is not None:
                checks.append(("预算", left_total + own_back))
            if t in opts.budget_per_track:
                checks.append((f"{opts.name(t)}经费上限", float(opts.budget_per_track[t]) - spent_t[t]
                               + (own_back if own in chosen_of_id and model.tracks[chosen_of_id[own]] == t else 0.0)))
            for what, left in checks:
                if need > left + swap + 1e-9:
                    info["code"] = "S-BUDGET"
                    if swap:
                        info["blocker"] = model.ids[last[t]]
                        info["message"] = (f"{opts.name(t)}名额已满；替换入选线项目{label(last[t])}后{what}可用 "
                                           f"{fmt_points(left + swap)} 万元，本项目需 {fmt_points(need)} 万元")
                    else:
                        info["message"] = f"{what}剩余 {fmt_points(left)} 万元，本项目需 {fmt_points(need)} 万元"
                    return info
        info["code"] = "S-TRADEOFF"
        info["message"] = (f"{opts.name(t)}排名第 {rank[j]}（{fmt_points(float(model.score[j]))} 分）；"
                           + trade_text(j))
        return info

    dec_rows = []
    for ident in model.unique_ids:
        if decisions_for is not None and (ident in chosen_of_id or ident not in decisions_for):
            continue
        js = model.pairs_by_id[ident]
        j0 = js[0]
        base = {"app_id": ident, "unit": model.units[j0], "train_name": model.names[j0]}
        if ident in chosen_of_id:
            j = chosen_of_id[ident]
            t = model.tracks[j]
            b = best_out.get(t)
            margin = None if b is None else round(float(model.score[j] - model.score[b]), 2)
            forced = ident in opts.forced_in
            lead = f"强制入选{opts.name(t)}" if forced else f"入选{opts.name(t)}"
            msg = f"{lead}：排名第 {rank[j]}（{fmt_points(float(model.score[j]))} 分）"
            if b is None:
                msg += "，本类别没有未入选的申报"
            else:
                sign = "高出" if margin >= 0 else "低于"
                msg += (f"，{sign}本类别未入选最高分 {fmt_points(float(model.score[b]))} 分（{label(b)}）"
                        f" {fmt_points(abs(margin))} 分")
            earlier = [k for k in js if k != j and model.prio[k] < model.prio[j]]
            for k in sorted(earlier, key=lambda i: model.prio[i]):
                why = classify(k)
                msg += f"；未入选{opts.name(model.tracks[k])}：{why['message']}"
            dec_rows.append({**base, "track": t, "chosen": True,
                             "code": "S-FORCED-IN" if forced else "S-CHOSEN", "message": msg,
                             "score": float(model.score[j]), "rank_in_track": int(rank[j]),
                             "cutoff": None if t not in last else float(model.score[last[t]]),
                             "margin": margin, "blocker_id": None if b is None else model.ids[b]})
            continue
        if ident in opts.forced_out:
            j = min(js, key=lambda i: (-model.q[i], model.prio[i]))
            dec_rows.append({**base, "track": model.tracks[j], "chosen": False, "code": "S-FORCED-OUT",
                             "message": f"分析人员指定不入选（{opts.name(model.tracks[j])}排名第 {rank[j]}，"
                                        f"{fmt_points(float(model.score[j]))} 分）",
                             "score": float(model.score[j]), "rank_in_track": int(rank[j]),
                             "cutoff": None, "margin": None, "blocker_id": None})
            continue
        infos = {j: classify(j) for j in js}
        j = min(js, key=lambda i: (infos[i]["key"], model.prio[i]))
        info = infos[j]
        dec_rows.append({**base, "track": model.tracks[j], "chosen": False, "code": info["code"],
                         "message": info["message"], "score": float(model.score[j]),
                         "rank_in_track": int(rank[j]), "cutoff": info["cutoff"], "margin": info["margin"],
                         "blocker_id": info["blocker"]})

    chosen_idx = chosen_idx.tolist()
    chosen_frame = pl.DataFrame({
        "app_id": [model.ids[j] for j in chosen_idx],
        "unit": [model.units[j] for j in chosen_idx],
        "train_name": [model.names[j] for j in chosen_idx],
        "track": [model.tracks[j] for j in chosen_idx],
        "track_name": [opts.name(model.tracks[j]) for j in chosen_idx],
        "score": [float(model.score[j]) for j in chosen_idx],
        "cost": [float(model.cost[j]) for j in chosen_idx],
        "rank_in_track": [int(rank[j]) for j in chosen_idx],
        "margin_over_best_excluded": [
            None if model.tracks[j] not in best_out
            else round(float(model.score[j] - model.score[best_out[model.tracks[j]]]), 2) for j in chosen_idx],
        "forced": [model.ids[j] in opts.forced_in for j in chosen_idx],
    }, schema=CHOSEN_SCHEMA)
    position = {t: k for k, t in enumerate(tracks)}
    chosen_frame = chosen_frame.with_columns(
        pl.col("track").replace_strict(position, return_dtype=pl.Int64).alias("_order")
    ).sort("_order", "rank_in_track", "app_id").drop("_order")
    if tradeoffs:
        _fill_tradeoffs(dec_rows, model, x, rank, label)
    decisions = pl.DataFrame(dec_rows, schema=DECISION_SCHEMA, orient="row") if dec_rows else \
        pl.DataFrame(schema=DECISION_SCHEMA)
    decisions = decisions.with_columns(
        pl.col("track").replace_strict({t: opts.name(t) for t in set(model.tracks)}, default=None,
                                       return_dtype=pl.String).alias("track_name")
    ).select(list(DECISION_SCHEMA)[:4] + ["track_name"] + list(DECISION_SCHEMA)[4:]).sort("app_id")
    tracks_frame = pl.DataFrame({
        "track": tracks,
        "track_name": [opts.name(t) for t in tracks],
        "n_candidates": [n_cand[t] for t in tracks],
        "n_chosen": [n_chosen[t] for t in tracks],
        "lower": [opts.quotas[t].lower for t in tracks],
        "upper": [opts.quotas[t].upper for t in tracks],
        "cutoff": [float(model.score[last[t]]) if t in last else None for t in tracks],
        "cost": [round(spent_t[t], 4) for t in tracks],
        "budget": [float(opts.budget_per_track[t]) if t in opts.budget_per_track else None for t in tracks],
    }, schema=TRACKS_SCHEMA)
    return chosen_frame, decisions, tracks_frame, round(spent, 4)


_PLACEHOLDER = re.compile("\x00([0-9]+)\x00")


def _fill_tradeoffs(rows: list[dict], model: Model, x: np.ndarray, rank, label) -> None:
    """Replace each S-TRADEOFF placeholder in the messages: the :data:`TRADEOFF_RESOLVES_PER_TRACK`
    best-ranked pairs of each track that a message shows get :func:`tradeoff_text`, the others
    :data:`TRADEOFF_SHORT`."""
    shown = sorted({int(m) for r in rows for m in _PLACEHOLDER.findall(r["message"])}, key=lambda j: (rank[j], j))
    per_track: dict[str, int] = {}
    texts = {}
    for j in shown:
        t = model.tracks[j]
        if per_track.get(t, 0) < TRADEOFF_RESOLVES_PER_TRACK:
            per_track[t] = per_track.get(t, 0) + 1
            texts[j] = tradeoff_text(model, x, j, label)
        else:
            texts[j] = TRADEOFF_SHORT
    for r in rows:
        if "\x00" in r["message"]:
            r["message"] = _PLACEHOLDER.sub(lambda m: texts[int(m.group(1))], r["message"])


def tradeoff_text(model: Model, x: np.ndarray, j: int, label) -> str:
    """What would have to change for pair ``j`` to be chosen, found by re-solving with it forced in.

    Every S-TRADEOFF message is this re-solve's outcome, so the claim is checked, never assumed.
    """
    forced = replace(model, var_lb=model.var_lb.copy())
    forced.var_lb[j] = 1.0
    run = run_kernel(forced)
    if run.x is None:
        return "计入本项目后名额、经费和单位限制无法同时满足"
    before, after = pairs_of(model, x), pairs_of(model, run.x)
    own = model.ids[j]
    entered = sorted(i for i in set(after) - set(before) if i != own)
    left = sorted(i for i in set(before) - set(after) if i != own)
    moved = sorted(i for i in set(after) & set(before) if after[i] != before[i] and i != own)
    loss = total_score(model, x) - total_score(model, run.x)
    names = {model.ids[k]: k for k in range(model.n)}
    parts = []
    if own in before:
        parts.append(f"本项目须放弃已入选的{model.options.name(before[own])}")
    if left:
        parts.append("、".join(label(names[i]) for i in left) + "落选")
    if entered:
        parts.append("、".join(label(names[i]) for i in entered) + "入选")
    if moved:
        parts.append("、".join(f"{label(names[i])}由{model.options.name(before[i])}改为{model.options.name(after[i])}"
                               for i in moved))
    change = "，".join(parts) if parts else "其他入选项目不变"
    return f"计入本项目须同时调整：{change}，总分下降 {fmt_points(max(loss, 0.0))} 分"
