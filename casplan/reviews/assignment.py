"""Assigning experts to applications: k experts each, no conflict of interest, loads balanced, best fit.

An expert never reviews an application of their own unit, of a unit they declared (回避单位), or —
with ``review_round.avoid_same_branch`` — of their own 分院. Among the assignments that respect the
experts' limits and keep the loads as even as possible, the one with the greatest total fit is chosen,
exactly, with HiGHS (the constraints form a bipartite incidence matrix, so the dual simplex of
``scipy.optimize.linprog`` returns a 0/1 vertex; ``milp`` stands by), in three steps: the smallest
possible highest load, then the largest possible lowest load (for experts whose limit allows it),
then the best fit under both. The fit of an expert to an application is
how many of the application's matched 重点支持方向 the expert's 研究方向 also matches, plus a small
share for words they have in common; the words are shown.

When no assignment exists the reasons are said in Chinese: the applications with fewer than k experts
free of conflict (and who is in conflict), or too little capacity in all.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np
import polars as pl

from casplan.errors import SelectionError

__all__ = ["Assignment", "expert_table", "fit_table", "assign", "conflict_of"]

_SPLIT = re.compile(r"[；;、,，/\s]+")
TERM_SHARE = 0.25  # a shared word is worth this fraction of a shared direction


@dataclass(frozen=True)
class Assignment:
    """Who reviews what: ``pairs`` (app_id, expert_id, fit, shared), per-expert loads, and the bound used."""

    pairs: pl.DataFrame
    experts: pl.DataFrame
    applications: pl.DataFrame
    per_application: int
    max_load_used: int
    min_load_used: int
    total_fit: float


def expert_table(frame: pl.DataFrame, *, max_load: int) -> pl.DataFrame:
    """The experts as read (:func:`casplan.intake.read_experts`): an id for every expert (专家编号, else E01…
    in file order), the limit (最多评审数, else the policy's), the declared conflicts as a list."""
    ids = frame["expert_id"].to_list() if "expert_id" in frame.columns else [None] * frame.height
    width = max(2, len(str(frame.height)))
    ids = [i if i else f"E{k + 1:0{width}d}" for k, i in enumerate(ids)]
    seen: dict[str, int] = {}
    for i in ids:
        seen[i] = seen.get(i, 0) + 1
    dup = sorted(i for i, n in seen.items() if n > 1)
    if dup:
        from casplan.errors import InputError

        raise InputError(f"专家编号「{'、'.join(dup)}」重复：每位专家的编号须各不相同", column="专家编号")
    def col(name: str) -> pl.Expr:
        return pl.col(name) if name in frame.columns else pl.lit(None, pl.String)

    return frame.with_columns(pl.Series("expert_id", ids, dtype=pl.String)).select(
        "expert_id", "name", "unit", col("branch").alias("branch"), col("topics").fill_null("").alias("topics"),
        (pl.col("max_load") if "max_load" in frame.columns else pl.lit(None, pl.Int64)).fill_null(max_load)
        .cast(pl.Int64).alias("max_load"),
        col("conflicts").fill_null("").map_elements(lambda t: [x for x in _SPLIT.split(t) if x],
                                                    return_dtype=pl.List(pl.String)).alias("conflicts"))


def conflict_of(expert: dict, unit: str, branch: str | None, *, same_branch: bool, resolve=lambda u: u) -> str | None:
    """Why ``expert`` may not review an application of ``unit`` (Chinese), or None."""
    if resolve(expert["unit"]) == unit:
        return "本单位"
    if any(resolve(c) == unit for c in expert["conflicts"]):
        return "声明回避"
    if same_branch and branch and expert.get("branch") and expert["branch"] == branch:
        return "同一分院"
    return None


def fit_table(applications: pl.DataFrame, matches: pl.DataFrame, experts: pl.DataFrame, vocabulary, *,
              threshold: float = 0.35) -> pl.DataFrame:
    """Per (application, expert): fit and the directions and words they share.

    ``applications``: app_id, unit, branch, track; ``matches``: the year's direction matches
    (app_id, track, direction, terms, is_match); the experts' 研究方向 is matched against every
    direction of the vocabulary."""
    from casplan.directions import match_text

    expert_dirs: dict[str, set[str]] = {}
    expert_terms: dict[str, set[str]] = {}
    for e in experts.iter_rows(named=True):
        dirs, terms = set(), set()
        for m in match_text(e["topics"] or "", vocabulary=vocabulary, threshold=threshold):
            dirs.add(m.direction)
            terms.update(h.term for h in m.terms)
        expert_dirs[e["expert_id"]], expert_terms[e["expert_id"]] = dirs, terms
    hit = matches.filter(pl.col("is_match")).join(applications.select("app_id", "track"), on=["app_id", "track"],
                                                   how="semi")
    app_dirs = {a: set(d) for a, d in hit.group_by("app_id").agg(pl.col("direction").unique()).iter_rows()}
    app_terms: dict[str, set[str]] = {}
    for a, terms in hit.select("app_id", "terms").iter_rows():
        app_terms.setdefault(a, set()).update(_term_words(terms))
    rows = []
    for a in applications["app_id"].to_list():
        for e in experts["expert_id"].to_list():
            shared = sorted(app_dirs.get(a, set()) & expert_dirs[e])
            words = sorted(app_terms.get(a, set()) & expert_terms[e])
            fit = len(shared) + TERM_SHARE * len(words)
            rows.append((a, e, round(fit, 4), "、".join(shared), "、".join(words)))
    return pl.DataFrame(rows, schema={"app_id": pl.String, "expert_id": pl.String, "fit": pl.Float64,
                                      "shared_directions": pl.String, "shared_words": pl.String}, orient="row")


def _term_words(terms) -> list[str]:
    """The words of a match's ``terms`` column (a list of hits or a text 「词（字段）、…」)."""
    if terms is None:
        return []
    if isinstance(terms, list):
        out = []
        for t in terms:
            out.append(t.get("term") if isinstance(t, dict) else str(t))
        return [w for w in out if w]
    return [re.sub(r"（.*?）|\(.*?\)", "", w).strip() for w in re.split(r"[、,，;；]", str(terms)) if w.strip()]


def assign(applications: pl.DataFrame, experts: pl.DataFrame, fits: pl.DataFrame, *, per_application: int,
           avoid_same_branch: bool, resolve=lambda u: u) -> Assignment:
    """The assignment (see the module docstring).

    Raises
    ------
    SelectionError
        When no assignment exists; the message names the applications that cannot be covered and why.
    """
    from scipy.optimize import Bounds, LinearConstraint, milp

    apps = applications.sort("app_id")
    exps = experts.sort("expert_id")
    e_rows = exps.to_dicts()
    for e in e_rows:  # each written name resolved once, not once per application
        e["unit"] = resolve(e["unit"])
        e["conflicts"] = [resolve(c) for c in e["conflicts"]]
    fit = {(a, e): f for a, e, f in fits.select("app_id", "expert_id", "fit").iter_rows()}
    pairs, blocked = [], {}
    for a in apps.iter_rows(named=True):
        reasons = []
        for e in e_rows:
            why = conflict_of(e, a["unit"], a.get("branch"), same_branch=avoid_same_branch)
            if why is None and e["max_load"] > 0:
                pairs.append((a["app_id"], e["expert_id"]))
            elif why is not None:
                reasons.append(f"{e['name']}（{why}）")
        blocked[a["app_id"]] = reasons
    k = per_application
    free = {}
    for a, e in pairs:
        free.setdefault(a, []).append(e)
    short = [a for a in apps["app_id"].to_list() if len(free.get(a, [])) < k]
    if short:
        unit_of = dict(apps.select("app_id", "unit").iter_rows())
        lines = [f"{a}（{unit_of[a]}）只有 {len(free.get(a, []))} 位专家可评" +
                 (f"，回避：{'、'.join(blocked[a][:6])}" + ("等" if len(blocked[a]) > 6 else "") if blocked[a] else "")
                 for a in short[:10]]
        raise SelectionError(f"无法为每项申报分配 {k} 位专家：{len(short)} 项申报可评的专家不足——" + "；".join(lines)
                             + ("……" if len(short) > 10 else "") + "。请增加专家或减少每项的评审人数")
    capacity = sum(int(e["max_load"]) for e in e_rows)
    need = k * apps.height
    if capacity < need:
        raise SelectionError(f"专家的评审上限合计 {capacity} 项次，少于需要的 {need} 项次（{apps.height} 项 × {k} 位）；"
                             "请增加专家或提高“最多评审数”")
    from scipy.sparse import csr_array

    n = len(pairs)
    a_index = {a: i for i, a in enumerate(apps["app_id"].to_list())}
    e_index = {e["expert_id"]: j for j, e in enumerate(e_rows)}
    ones = np.ones(n)
    cols = np.arange(n)
    # sparse: one 1 per pair in each matrix (10× the sample is a million pairs)
    A = csr_array((ones, (np.array([a_index[a] for a, _ in pairs]), cols)), shape=(apps.height, n))
    E = csr_array((ones, (np.array([e_index[e] for _, e in pairs]), cols)), shape=(len(e_rows), n))
    limits = np.array([e["max_load"] for e in e_rows], dtype=float)
    f = np.array([fit.get(p, 0.0) for p in pairs])
    cover = LinearConstraint(A, k, k)
    even = math.ceil(need / len(e_rows))

    from scipy.optimize import linprog
    from scipy.sparse import vstack

    def solve(lower: np.ndarray, upper: np.ndarray, objective: np.ndarray):
        # The constraint matrix is the incidence matrix of a bipartite graph (each pair: one application,
        # one expert), so it is totally unimodular: a simplex vertex is already 0/1. Dual simplex gives one;
        # should it not be integral, the 0/1 programme is solved as such.
        res = linprog(objective, A_eq=A, b_eq=np.full(apps.height, float(k)), A_ub=vstack([E, -E]),
                      b_ub=np.concatenate([upper, -lower]), bounds=(0, 1), method="highs-ds")
        if res.status != 0:
            return None
        x = res.x
        if np.all(np.minimum(np.abs(x), np.abs(x - 1)) < 1e-6):
            return np.rint(x)
        res = milp(objective, constraints=[cover, LinearConstraint(E, lower, upper)], integrality=np.ones(n),
                   bounds=Bounds(0, 1), options={"presolve": True})
        return res.x if res.status == 0 else None

    # Loads as even as the conflicts and limits allow, lexicographically: first the smallest highest load,
    # then the largest lowest load (of experts whose own limit allows it); then the best fit under both.
    # Each bound is searched from the even load outwards (feasibility solves without objective, usually one
    # or two each), the fit solved once under both.
    zero, zeros_f = np.zeros(len(e_rows)), np.zeros(n)

    def feasible(lower: np.ndarray, upper: np.ndarray) -> bool:
        return solve(lower, upper, zeros_f) is not None

    chosen, bound, floor = None, None, 0
    for u in range(even, int(limits.max()) + 1):
        if feasible(zero, np.minimum(limits, u)):
            bound = u
            break
    if bound is not None:
        upper = np.minimum(limits, bound)
        floor = next(v for v in range(bound, -1, -1) if v == 0 or feasible(np.minimum(upper, v), upper))
        chosen = solve(np.minimum(upper, floor), upper, -f)
    if chosen is None:
        raise SelectionError("在专家的评审上限内找不到满足回避要求的分配；请增加专家或提高“最多评审数”")
    picked = [pairs[p] for p in range(n) if chosen[p] > 0.5]
    detail = fits.join(pl.DataFrame(picked, schema={"app_id": pl.String, "expert_id": pl.String}, orient="row"),
                       on=["app_id", "expert_id"], how="semi").sort("app_id", "expert_id")
    detail = detail.join(exps.select("expert_id", "name"), on="expert_id", how="left")
    loads = detail.group_by("expert_id").len().rename({"len": "load"})
    exps = exps.join(loads, on="expert_id", how="left").with_columns(pl.col("load").fill_null(0))
    return Assignment(pairs=detail, experts=exps, applications=apps, per_application=k, max_load_used=bound,
                      min_load_used=floor, total_fit=round(float(detail["fit"].sum()), 4))
