"""Assigning experts to applications: k experts each, no conflict of interest, loads balanced, best fit.

An expert never reviews an application of their own unit, of a unit they declared (回避单位), or —
with ``review_round.avoid_same_branch`` — of their own 分院. Among the assignments that respect the
experts' limits and keep the loads as even as possible, the one with the greatest total fit is chosen,
exactly, in three steps: the smallest possible highest load, then the largest possible lowest load
(for experts whose limit allows it) — each a maximum-flow question (``scipy.sparse.csgraph``) —, then
the best fit under both, an LP solved by HiGHS (``scipy.optimize.linprog``; the constraints form a
network matrix, so the dual simplex returns a 0/1 vertex; ``milp`` stands by). The LP keeps only the
pairs that share something and routes the others through one hub, then a maximum flow hands out the
zero-fit places; the full LP is the fallback (see :func:`_best_fit`). The fit of an expert to an application is
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
    """The (application, expert) pairs with a positive fit, with the directions and words they share.

    ``applications``: app_id, unit, branch, track; ``matches``: the year's direction matches
    (app_id, track, direction, terms, is_match); the experts' 研究方向 is matched against every
    direction of the vocabulary. A pair not listed has fit 0 (nothing shared); the pairs are found
    from the directions and words outwards, so the work grows with the pairs that share something,
    not with applications × experts."""
    from casplan.directions import match_text

    by_direction: dict[str, list[str]] = {}
    by_word: dict[str, list[str]] = {}
    for e in experts.iter_rows(named=True):
        dirs, terms = set(), set()
        for m in match_text(e["topics"] or "", vocabulary=vocabulary, threshold=threshold):
            dirs.add(m.direction)
            terms.update(h.term for h in m.terms)
        for d in dirs:
            by_direction.setdefault(d, []).append(e["expert_id"])
        for w in terms:
            by_word.setdefault(w, []).append(e["expert_id"])
    hit = matches.filter(pl.col("is_match")).join(applications.select("app_id", "track"), on=["app_id", "track"],
                                                   how="semi")
    app_dirs = {a: set(d) for a, d in hit.group_by("app_id").agg(pl.col("direction").unique()).iter_rows()}
    app_terms: dict[str, set[str]] = {}
    for a, terms in hit.select("app_id", "terms").iter_rows():
        app_terms.setdefault(a, set()).update(_term_words(terms))
    rows = []
    for a in applications["app_id"].to_list():
        shared: dict[str, tuple[list[str], list[str]]] = {}
        for d in sorted(app_dirs.get(a, ())):
            for e in by_direction.get(d, ()):
                shared.setdefault(e, ([], []))[0].append(d)
        for w in sorted(app_terms.get(a, ())):
            for e in by_word.get(w, ()):
                shared.setdefault(e, ([], []))[1].append(w)
        for e in sorted(shared):
            dirs, words = shared[e]
            rows.append((a, e, round(len(dirs) + TERM_SHARE * len(words), 4), "、".join(dirs), "、".join(words)))
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
    """The assignment (see the module docstring). ``fits`` may list only the pairs with a positive fit.

    Raises
    ------
    SelectionError
        When no assignment exists; the message names the applications that cannot be covered and why.
    """
    apps = applications.sort("app_id")
    exps = experts.sort("expert_id")
    e_rows = exps.to_dicts()
    for e in e_rows:  # each written name resolved once, not once per application
        e["unit"] = resolve(e["unit"])
        e["conflicts"] = [resolve(c) for c in e["conflicts"]]
    k = per_application
    na, ne = apps.height, len(e_rows)
    app_ids = apps["app_id"].to_list()
    allowed = _allowed(apps, e_rows, same_branch=avoid_same_branch)
    free = allowed.sum(axis=1)
    short = [i for i in range(na) if free[i] < k]
    if short:
        lines = []
        for i in short[:10]:
            a = apps.row(i, named=True)
            blocked = [f"{e['name']}（{why}）" for e in e_rows
                       if (why := conflict_of(e, a["unit"], a.get("branch"), same_branch=avoid_same_branch))]
            lines.append(f"{a['app_id']}（{a['unit']}）只有 {int(free[i])} 位专家可评" +
                         (f"，回避：{'、'.join(blocked[:6])}" + ("等" if len(blocked) > 6 else "") if blocked else ""))
        raise SelectionError(f"无法为每项申报分配 {k} 位专家：{len(short)} 项申报可评的专家不足——" + "；".join(lines)
                             + ("……" if len(short) > 10 else "") + "。请增加专家或减少每项的评审人数")
    limits = np.array([e["max_load"] for e in e_rows], dtype=np.int64)
    capacity, need = int(limits.sum()), k * na
    if capacity < need:
        raise SelectionError(f"专家的评审上限合计 {capacity} 项次，少于需要的 {need} 项次（{na} 项 × {k} 位）；"
                             "请增加专家或提高“最多评审数”")
    a_of, e_of = np.nonzero(allowed)          # every allowed pair, in (application, expert) order
    e_index = {e["expert_id"]: j for j, e in enumerate(e_rows)}
    a_index = {a: i for i, a in enumerate(app_ids)}
    fit = np.zeros((na, ne))
    positive = fits.filter(pl.col("fit") > 0)
    for a, e, f in positive.select("app_id", "expert_id", "fit").iter_rows():
        if a in a_index and e in e_index:
            fit[a_index[a], e_index[e]] = f
    f_pairs = fit[a_of, e_of]
    # Loads as even as the conflicts and limits allow, lexicographically: first the smallest highest load,
    # then the largest lowest load (of experts whose own limit allows it) — each a max-flow feasibility
    # question, searched from the even load outwards —, then the best fit under both (an LP).
    even = math.ceil(need / ne)
    zero = np.zeros(ne, dtype=np.int64)
    bound, floor = None, 0
    for u in range(even, int(limits.max()) + 1):
        if _feasible(a_of, e_of, na, ne, k, zero, np.minimum(limits, u)):
            bound = u
            break
    if bound is None:
        raise SelectionError("在专家的评审上限内找不到满足回避要求的分配；请增加专家或提高“最多评审数”")
    upper = np.minimum(limits, bound)
    for v in range(bound, 0, -1):
        if _feasible(a_of, e_of, na, ne, k, np.minimum(upper, v), upper):
            floor = v
            break
    lower = np.minimum(upper, floor)
    chosen = _best_fit(a_of, e_of, f_pairs, na, ne, k, lower, upper)
    picked = pl.DataFrame({"app_id": [app_ids[i] for i in a_of[chosen]],
                           "expert_id": [e_rows[j]["expert_id"] for j in e_of[chosen]]})
    detail = (picked.join(fits.select("app_id", "expert_id", "fit", *[c for c in ("shared_directions", "shared_words")
                                                                     if c in fits.columns]),
                          on=["app_id", "expert_id"], how="left")
              .with_columns(pl.col("fit").fill_null(0.0)))
    for c in ("shared_directions", "shared_words"):
        detail = detail.with_columns((pl.col(c) if c in detail.columns else pl.lit(None, pl.String)).fill_null(""))
    detail = detail.sort("app_id", "expert_id").join(exps.select("expert_id", "name"), on="expert_id", how="left")
    loads = detail.group_by("expert_id").len().rename({"len": "load"})
    exps = exps.join(loads, on="expert_id", how="left").with_columns(pl.col("load").fill_null(0))
    return Assignment(pairs=detail, experts=exps, applications=apps, per_application=k, max_load_used=bound,
                      min_load_used=floor, total_fit=round(float(detail["fit"].sum()), 4))


def _allowed(apps: pl.DataFrame, e_rows: list[dict], *, same_branch: bool) -> np.ndarray:
    """applications × experts: True where the expert may review the application (no conflict, limit > 0);
    the same rules as :func:`conflict_of`, on unit codes instead of one call per pair."""
    units: dict[str, int] = {}
    code = lambda u: units.setdefault(u, len(units))  # noqa: E731
    a_unit = np.array([code(u) for u in apps["unit"].to_list()])
    e_unit = np.array([code(e["unit"]) if e["unit"] else -1 for e in e_rows])
    allowed = a_unit[:, None] != e_unit[None, :]
    for j, e in enumerate(e_rows):
        for c in e["conflicts"]:
            if c in units:
                allowed[a_unit == units[c], j] = False
    if same_branch and "branch" in apps.columns:
        branches: dict[str, int] = {}
        a_branch = np.array([branches.setdefault(b, len(branches)) if b else -1 for b in apps["branch"].to_list()])
        e_branch = np.array([branches.get(e.get("branch"), -2) if e.get("branch") else -2 for e in e_rows])
        allowed &= ~((a_branch[:, None] == e_branch[None, :]) & (a_branch[:, None] >= 0))
    allowed &= np.array([e["max_load"] > 0 for e in e_rows])[None, :]
    return allowed


def _feasible(a_of, e_of, na: int, ne: int, k: int, lower: np.ndarray, upper: np.ndarray) -> bool:
    """Whether some choice of pairs gives every application exactly ``k`` experts and every expert a load
    within [lower, upper] — a maximum flow with lower bounds (the classic reduction: each lower bound
    becomes a demand served from a super source)."""
    from scipy.sparse import csr_array
    from scipy.sparse.csgraph import maximum_flow

    s, t = 0, na + ne + 1
    src, snk = t + 1, t + 2
    n_pairs = len(a_of)
    big = k * na
    heads = [np.full(na, src), 1 + a_of, 1 + na + np.arange(ne), 1 + na + np.arange(ne), [src, s, t]]
    tails = [1 + np.arange(na), 1 + na + e_of, np.full(ne, t), np.full(ne, snk), [t, snk, s]]
    caps = [np.full(na, k), np.ones(n_pairs, dtype=np.int64), upper - lower, lower,
            [int(lower.sum()), big, big]]
    graph = csr_array((np.concatenate(caps).astype(np.int32), (np.concatenate(heads), np.concatenate(tails))),
                      shape=(snk + 1, snk + 1))
    return maximum_flow(graph, src, snk).flow_value >= big + int(lower.sum())


def _best_fit(a_of, e_of, f_pairs, na: int, ne: int, k: int, lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    """The choice of pairs with the greatest total fit under the loads, exactly.

    Most pairs share nothing (fit 0: 94 % of the sample's); they only fill the places the fitting pairs
    leave. So the LP is solved first with the fitting pairs as they are and every zero-fit place routed
    through one hub (application → hub → expert, ignoring which zero-fit pairs are in conflict): a
    relaxation, whose optimum bounds the true one from above. A maximum flow then gives each application
    its zero-fit experts — distinct, free of conflict, exactly the hub's share of each expert's load. When
    it succeeds (the usual case) the assignment reaches the bound, so it is optimal; when it does not, the
    full LP over every pair is solved (:func:`_full_lp`). Both LPs are network flows (totally unimodular),
    so the dual simplex's vertex is 0/1; should it not be, the 0/1 programme is solved as such."""
    from scipy.optimize import linprog
    from scipy.sparse import csr_array

    pos = np.flatnonzero(f_pairs > 0)
    m = len(pos)
    n = m + na + ne            # x (fitting pairs), g (an application's zero-fit places), h (an expert's)
    x_cols, g_cols, h_cols = np.arange(m), m + np.arange(na), m + na + np.arange(ne)
    apps_rows = csr_array((np.ones(m + na), (np.concatenate([a_of[pos], np.arange(na)]),
                                             np.concatenate([x_cols, g_cols]))), shape=(na, n))
    load_rows = csr_array((np.ones(m + ne), (np.concatenate([e_of[pos], np.arange(ne)]),
                                             np.concatenate([x_cols, h_cols]))), shape=(ne, n))
    hub = csr_array((np.concatenate([np.ones(na), -np.ones(ne)]), (np.zeros(na + ne, dtype=int),
                                                                   np.concatenate([g_cols, h_cols]))), shape=(1, n))
    from scipy.sparse import vstack

    bounds = np.column_stack([np.zeros(n), np.concatenate([np.ones(m), np.full(na, float(k)), upper.astype(float)])])
    res = linprog(np.concatenate([-f_pairs[pos], np.zeros(na + ne)]), A_eq=vstack([apps_rows, hub]),
                  b_eq=np.concatenate([np.full(na, float(k)), [0.0]]), A_ub=vstack([load_rows, -load_rows]),
                  b_ub=np.concatenate([upper, -lower]).astype(float), bounds=bounds, method="highs-ds")
    if res.status == 0 and _integral(res.x):
        x = np.rint(res.x)
        chosen = np.zeros(len(a_of), dtype=bool)
        chosen[pos[x[:m] > 0.5]] = True
        filler = _realise(a_of, e_of, na, ne, x[m:m + na].astype(np.int64), x[m + na:].astype(np.int64), ~chosen)
        if filler is not None:
            return chosen | filler
    return _full_lp(a_of, e_of, f_pairs, na, ne, k, lower, upper)


def _integral(x: np.ndarray) -> bool:
    return bool(np.all(np.abs(x - np.rint(x)) < 1e-6))


def _realise(a_of, e_of, na: int, ne: int, places: np.ndarray, shares: np.ndarray, usable: np.ndarray):
    """Zero-fit pairs giving application i exactly ``places[i]`` experts and expert j exactly ``shares[j]``
    applications, among the ``usable`` pairs (allowed and not already chosen); None when impossible."""
    from scipy.sparse import csr_array
    from scipy.sparse.csgraph import maximum_flow

    if places.sum() == 0:
        return np.zeros(len(a_of), dtype=bool)
    idx = np.flatnonzero(usable)
    src, snk = na + ne, na + ne + 1
    heads = np.concatenate([np.full(na, src), a_of[idx], na + np.arange(ne)])
    tails = np.concatenate([np.arange(na), na + e_of[idx], np.full(ne, snk)])
    caps = np.concatenate([places, np.ones(len(idx), dtype=np.int64), shares]).astype(np.int32)
    result = maximum_flow(csr_array((caps, (heads, tails)), shape=(snk + 1, snk + 1)), src, snk)
    if result.flow_value < int(places.sum()):
        return None
    flow = result.flow.tocsr()
    used = np.asarray(flow[a_of[idx], na + e_of[idx]]).ravel() > 0
    out = np.zeros(len(a_of), dtype=bool)
    out[idx[used]] = True
    return out


def _full_lp(a_of, e_of, f_pairs, na: int, ne: int, k: int, lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    """The LP over every allowed pair (the fallback of :func:`_best_fit`)."""
    from scipy.optimize import Bounds, LinearConstraint, linprog, milp
    from scipy.sparse import csr_array, vstack

    n = len(a_of)
    A = csr_array((np.ones(n), (a_of, np.arange(n))), shape=(na, n))
    E = csr_array((np.ones(n), (e_of, np.arange(n))), shape=(ne, n))
    res = linprog(-f_pairs, A_eq=A, b_eq=np.full(na, float(k)), A_ub=vstack([E, -E]),
                  b_ub=np.concatenate([upper, -lower]).astype(float), bounds=(0, 1), method="highs-ds")
    x = res.x if res.status == 0 else None
    if x is None or not _integral(x):
        res = milp(-f_pairs, constraints=[LinearConstraint(A, k, k), LinearConstraint(E, lower, upper)],
                   integrality=np.ones(n), bounds=Bounds(0, 1), options={"presolve": True})
        if res.status != 0:
            raise SelectionError(f"专家分配的线性规划未能求解（HiGHS 状态 {res.status}）；请保留专家表与导出文件，联系维护人员")
        x = res.x
    return x > 0.5
