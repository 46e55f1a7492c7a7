"""The integer model of a year's selection: the candidates checked (:func:`check_candidates`), the constraint matrix and the tie-break weights (:func:`build_model`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from casplan.errors import InputError
from casplan.policy.model import Quota
from casplan.selection.options import SCORE_RESOLUTION, UNIT_TYPES, SelectOptions
from casplan.selection.sparse import Compressed, csr_from_coo

if TYPE_CHECKING:
    from casplan.selection.result import Selection

__all__ = ["REQUIRED", "Model", "fmt_points", "check_candidates", "raise_bad_rows", "priority_index", "build_model", "shape_of", "reusable", "fallback_lower", "SHAPE_COLUMNS", "ids_mask", "tie_weights", "total_score", "pairs_of", "x_from", "rank_in_track"]


REQUIRED = ("app_id", "unit", "unit_kind", "track", "score", "cost")


@dataclass(eq=False)
class Model:
    """The MILP of one candidates frame (rows sorted by id, track)."""

    frame: pl.DataFrame
    options: SelectOptions
    ids: list[str]
    tracks: list[str]
    units: list[str]
    names: list[str | None]
    score: np.ndarray  # rounded scores
    q: np.ndarray  # scores in hundredths (int64)
    cost: np.ndarray  # effective cost (max_grant applied)
    money: np.ndarray  # bool
    pref: np.ndarray  # application-level tie-break rank (0 = preferred)
    prio: np.ndarray  # track priority index (0 = first)
    id_index: np.ndarray  # index of the pair's id in sorted unique ids
    unique_ids: list[str]
    A: Compressed  # CSR
    row_lb: np.ndarray
    row_ub: np.ndarray
    row_kind: list[str]
    row_key: list[object]
    quota_row: dict[str, int]
    budget_row: int | None
    fallback_rows: list[tuple[int, str, int]]  # (row, primary track, big M): primary full before fallback
    var_lb: np.ndarray
    var_ub: np.ndarray
    qmax: int
    A_csc: Compressed  # the same matrix by columns: a pair's rows and coefficients
    pairs_by_id: dict[str, list[int]]  # id → its pairs' columns (ascending)
    unit_types: list[str]
    present_tracks: frozenset[str]
    unit_rows: np.ndarray  # U1's rows (upper bound ∞ when the rule is off)
    source: pl.DataFrame | None = None  # the candidates frame as given to :func:`solve` (before checking)
    solver_state: dict = field(default_factory=dict)  # the kernel's state of this matrix (its hot LP), shared
    # by the models that reuse the matrix (:func:`dataclasses.replace` keeps the same dict)

    @property
    def n(self) -> int:
        return len(self.ids)


def fmt_points(value: float) -> str:
    """A number for a Chinese message: at most 2 decimals, no trailing zeros.

    >>> fmt_points(71.30), fmt_points(72.0), fmt_points(2.399999), fmt_points(-0.0)
    ('71.3', '72', '2.4', '0')
    """
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def check_candidates(candidates: pl.DataFrame, options: SelectOptions) -> pl.DataFrame:
    """Validate and normalise the candidates (checking wrapper of the kernel)."""
    if not isinstance(candidates, pl.DataFrame):
        raise InputError("候选表应为 polars DataFrame")
    missing = [c for c in REQUIRED if c not in candidates.columns]
    if missing:
        raise InputError(f"候选表缺少列：{'、'.join(missing)}", column=missing[0])
    frame = candidates
    if "train_name" not in frame.columns:
        frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias("train_name"))
    if "rank" not in frame.columns:
        frame = frame.with_columns(pl.lit(None, dtype=pl.Int64).alias("rank"))
    try:
        frame = frame.select(
            pl.col("app_id").cast(pl.String),
            pl.col("unit").cast(pl.String),
            pl.col("unit_kind").cast(pl.String),
            pl.col("track").cast(pl.String),
            pl.col("score").cast(pl.Float64),
            pl.col("cost").cast(pl.Float64),
            pl.col("train_name").cast(pl.String),
            pl.col("rank").cast(pl.Int64),
        )
    except pl.exceptions.PolarsError as exc:
        raise InputError(f"候选表的列类型无法转换：{exc}") from exc
    frame = frame.with_columns(pl.col("app_id", "unit", "unit_kind", "track", "train_name").str.strip_chars())
    rules = {f"empty_{c}": (pl.col(c).is_null() | (pl.col(c) == "")) for c in ("app_id", "unit", "unit_kind", "track")}
    rules |= {f"empty_{c}": pl.col(c).is_null() for c in ("score", "cost")}
    rules |= {
        "score": ~pl.col("score").is_finite() | (pl.col("score") < 0) | (pl.col("score") > 100),
        "cost": ~pl.col("cost").is_finite() | (pl.col("cost") < 0),
        "unit_kind": ~pl.col("unit_kind").is_in(sorted(UNIT_TYPES)),
        "track": ~pl.col("track").is_in(sorted(options.quotas)),
        "duplicate": pl.struct("app_id", "track").is_duplicated(),
        "unit_mismatch": (pl.col("unit").n_unique().over("app_id") > 1) | (pl.col("unit_kind").n_unique().over("app_id") > 1),
    }
    flags = frame.select(**{k: e.fill_null(True).any() for k, e in rules.items()}).row(0, named=True)
    for key, flagged in flags.items():  # one pass over the frame; details only on failure
        if flagged:
            raise_bad_rows(frame.filter(rules[key].fill_null(True)).sort("app_id", "track"), key, options)
    return frame.with_columns(
        (pl.col("score") / SCORE_RESOLUTION).round(0).cast(pl.Int64).alias("q"),
    ).with_columns((pl.col("q") * SCORE_RESOLUTION).alias("score")).sort("app_id", "track")


def raise_bad_rows(bad: pl.DataFrame, key: str, options: SelectOptions) -> None:
    """Raise the InputError for the first offending candidate row."""
    row = bad.row(0, named=True)
    if key.startswith("empty_"):
        col = key.removeprefix("empty_")
        where = "" if col == "app_id" else f"（如申报「{row['app_id']}」）"
        raise InputError(f"候选表「{col}」列有 {bad.height} 个空值{where}", column=col)
    if key == "score":
        raise InputError(f"申报「{row['app_id']}」的得分为「{row['score']}」，应为 0–100 之间的数",
                         column="score", value=row["score"])
    if key == "cost":
        raise InputError(f"申报「{row['app_id']}」的经费为「{row['cost']}」，应为不小于 0 的数（万元）",
                         column="cost", value=row["cost"])
    if key == "unit_kind":
        raise InputError(f"申报「{row['app_id']}」的单位类型为「{row['unit_kind']}」，应为 "
                         f"{'/'.join(sorted(UNIT_TYPES))} 之一", column="unit_kind", value=row["unit_kind"])
    if key == "track":
        raise InputError(f"申报「{row['app_id']}」的类别「{row['track']}」没有名额设置（已设置："
                         f"{'、'.join(sorted(options.quotas))}）", column="track", value=row["track"])
    if key == "duplicate":
        raise InputError(f"申报「{row['app_id']}」在类别「{row['track']}」出现不止一次，每个申报每个类别只能一行",
                         column="app_id", value=row["app_id"])
    raise InputError(f"申报「{row['app_id']}」的各行单位或单位类型不一致", column="unit", value=row["app_id"])


def priority_index(tracks: list[str], options: SelectOptions) -> dict[str, int]:
    listed = list(dict.fromkeys(options.track_priority))
    rest = sorted((set(tracks) | set(options.quotas)) - set(listed))
    return {t: i for i, t in enumerate(listed + rest)}


def _preference(frame: pl.DataFrame, n_ids: int, id_index: np.ndarray) -> np.ndarray:
    """Each pair's application-level tie-break rank: 0 = preferred (smallest ``rank`` over the id's rows,
    ids without one after, by id)."""
    if frame.height == 0:
        return np.zeros(0, dtype=np.int64)
    tb_vals = frame.group_by("app_id").agg(pl.col("rank").min()).sort("app_id")["rank"].to_list()
    if all(v is None for v in tb_vals):
        app_rank = np.arange(n_ids)
    else:
        big = max(v for v in tb_vals if v is not None) + 1
        keyed = np.array([v if v is not None else big for v in tb_vals], dtype=np.int64)
        app_rank = np.lexsort((np.arange(n_ids), keyed)).argsort()
    return app_rank[id_index]


def fallback_lower(upper: int, big: int) -> float:
    """The lower bound of a fallback row ``Σ x[primary] − M·x[f] ≥ min(U, M) − M`` (``M`` = ``big`` =
    the primary's pairs + 1, ``U`` its quota's upper bound).

    With ``x[f] = 1`` the row asks the primary to be full (``Σ ≥ U``; when ``U ≥ M`` it cannot be, and
    ``f`` cannot be chosen), with ``x[f] = 0`` it asks nothing (``Σ ≥ min(U, M) − M ≤ 0``). ``M`` does not
    depend on the quota, so moving the primary's quota moves this bound only.

    >>> fallback_lower(5, 141), fallback_lower(200, 141)
    (-136.0, 0.0)
    """
    return float(min(upper, big) - big)


def _u1_upper(options: SelectOptions) -> float:
    """The upper bound of a U1 row: the rule's limit when it is on, none when it is off."""
    return float(options.one_per_unit_max) if options.one_per_unit else math.inf


SHAPE_COLUMNS = ("app_id", "unit", "unit_kind", "track", "cost", "train_name")
"""The candidates' columns the constraint matrix is made of (the scores and tie-break ranks only weigh it)."""


def shape_of(options: SelectOptions) -> SelectOptions:
    """The options with what only moves a bound set aside: the quotas' places (a fallback primary's too:
    see :func:`fallback_lower`), the budget's amount (not whether there is one), U1 on
    or off (its rows are there either way), the forced-out ids (a column's upper bound; the forced-in ids that are not also forced out make rows),
    the names and the time limit. Two option sets of one shape give the same matrix and rows."""
    return replace(options,
                   quotas={t: Quota(0) for t in options.quotas},
                   budget_total=None if options.budget_total is None else 0.0,
                   forced_in=options.forced_in - options.forced_out, forced_out=frozenset(),
                   one_per_unit=True, track_names={}, time_limit=0.0)


def reusable(model: Model, frame: pl.DataFrame, options: SelectOptions) -> bool:
    """Whether ``model``'s matrix and rows serve ``frame`` under ``options`` (see :func:`shape_of`)."""
    return (model.n == frame.height and shape_of(model.options) == shape_of(options)
            and frame.select(SHAPE_COLUMNS).equals(model.frame.select(SHAPE_COLUMNS)))


def ids_mask(model: Model, ids: frozenset[str]) -> np.ndarray:
    """Per pair: whether its application is in ``ids`` (ids that are no candidate are ignored)."""
    per_id = np.zeros(len(model.unique_ids), dtype=bool)
    for ident in ids:
        js = model.pairs_by_id.get(ident)
        if js:
            per_id[model.id_index[js[0]]] = True
    return per_id[model.id_index]


def _rebound(model: Model, frame: pl.DataFrame, options: SelectOptions) -> Model:
    """``model``'s matrix with the scores, tie-break ranks and bounds of ``frame`` and ``options``."""
    q = frame["q"].to_numpy().astype(np.int64)
    row_lb, row_ub = model.row_lb.copy(), model.row_ub.copy()
    for t, r in model.quota_row.items():
        row_lb[r], row_ub[r] = float(options.quotas[t].lower), float(options.quotas[t].upper)
    if model.budget_row is not None:
        row_ub[model.budget_row] = float(options.budget_total)
    row_ub[model.unit_rows] = _u1_upper(options)
    for r, primary, big in model.fallback_rows:
        row_lb[r] = fallback_lower(options.quotas[primary].upper, big)
    var_ub = np.where(ids_mask(model, options.forced_out), 0.0, 1.0) if model.n else np.zeros(0)
    qmax = min(len(model.unique_ids), sum(options.quotas[t].upper for t in model.present_tracks)) if model.n else 0
    return replace(model, frame=frame, options=options, score=q * SCORE_RESOLUTION, q=q,
                   pref=_preference(frame, len(model.unique_ids), model.id_index),
                   row_lb=row_lb, row_ub=row_ub, var_ub=var_ub, qmax=qmax, source=None)


def build_model(frame: pl.DataFrame, options: SelectOptions, *, like: Model | None = None) -> Model:
    """Build the constraint matrix; only bounds and objective vary later.

    ``like``: a model of the same pairs (the what-if's move before, a robustness draw) whose matrix
    is reused when :func:`reusable` — then only the scores, tie-break ranks and bounds are set anew,
    and the model is the one a fresh build would give (tested field by field).
    """
    if like is not None and reusable(like, frame, options):
        return _rebound(like, frame, options)
    n = frame.height
    ids = frame["app_id"].to_list()
    tracks = frame["track"].to_list()
    units = frame["unit"].to_list()
    unit_types = frame["unit_kind"].to_list()
    names = frame["train_name"].to_list()
    q = frame["q"].to_numpy().astype(np.int64)
    score = q * SCORE_RESOLUTION
    raw_cost = frame["cost"].to_numpy().astype(np.float64)
    cap = np.array([options.max_grant.get(t, math.inf) for t in tracks], dtype=np.float64)
    cost = np.minimum(raw_cost, cap)
    money = np.array([t in options.money_tracks for t in tracks], dtype=bool)
    cost = np.where(money, cost, 0.0) if n else cost

    unique_ids = sorted(set(ids))
    id_pos = {x: i for i, x in enumerate(unique_ids)}
    id_index = np.array([id_pos[x] for x in ids], dtype=np.int64)
    pref = _preference(frame, len(unique_ids), id_index)
    pidx = priority_index(tracks, options)
    prio = np.array([pidx[t] for t in tracks], dtype=np.int64)

    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    row_lb: list[float] = []
    row_ub: list[float] = []
    row_kind: list[str] = []
    row_key: list[object] = []

    def add(kind: str, key: object, members: list[int], lo: float, hi: float, coef: list[float] | None = None) -> int:
        r = len(row_lb)
        rows.extend([r] * len(members))
        cols.extend(members)
        vals.extend([1.0] * len(members) if coef is None else coef)
        row_lb.append(lo)
        row_ub.append(hi)
        row_kind.append(kind)
        row_key.append(key)
        return r

    by_id: dict[str, list[int]] = {}
    for j, x in enumerate(ids):
        by_id.setdefault(x, []).append(j)
    for x in unique_ids:
        members = by_id[x]
        if x in options.forced_in and x not in options.forced_out:
            add("app_id", x, members, 1.0, 1.0)
        elif len(members) > 1:
            add("app_id", x, members, 0.0, 1.0)

    by_track: dict[str, list[int]] = {}
    for j, t in enumerate(tracks):
        by_track.setdefault(t, []).append(j)
    quota_row: dict[str, int] = {}
    for t in sorted(options.quotas):
        spec = options.quotas[t]
        quota_row[t] = add("quota", t, by_track.get(t, []), float(spec.lower), float(spec.upper))

    budget_row = None
    money_idx = [j for j in range(n) if money[j]]
    if options.budget_total is not None:
        budget_row = add("budget", None, money_idx, -math.inf, float(options.budget_total),
                         [float(cost[j]) for j in money_idx])
    for t in sorted(options.budget_per_track):
        members = [j for j in by_track.get(t, []) if money[j]]
        add("budget_track", t, members, -math.inf, float(options.budget_per_track[t]),
            [float(cost[j]) for j in members])

    # U1's rows are there when the rule is off too, without an upper bound: switching it is a bound's move
    counted = options.one_per_unit_tracks
    by_unit: dict[str, list[int]] = {}
    for j in range(n):
        if unit_types[j] in options.one_per_unit_types and (counted is None or tracks[j] in counted):
            by_unit.setdefault(units[j], []).append(j)
    for u in sorted(by_unit):
        if len(by_unit[u]) > options.one_per_unit_max:
            add("unit", u, by_unit[u], 0.0, _u1_upper(options))
    # 人社部高研 → 精品: an application with a pair in both enters the fallback track only when the primary is
    # full. Row: Σ x[primary] − M·x[fallback pair] ≥ min(U, M) − M with M = |primary| + 1 (see fallback_lower).
    fallback_rows: list[tuple[int, str, int]] = []
    blocks: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []  # the fallback rows' entries, by numpy
    for primary in sorted(options.fallback):
        secondary = options.fallback[primary]
        members = by_track.get(primary, [])
        if not members or primary not in options.quotas:
            continue
        big = len(members) + 1
        primary_ids = {ids[j] for j in members}
        pairs = [j for j in by_track.get(secondary, []) if ids[j] in primary_ids]
        if not pairs:
            continue
        lower = fallback_lower(options.quotas[primary].upper, big)
        first = len(row_lb)
        for j in pairs:
            fallback_rows.append((add("fallback", (primary, ids[j]), [], lower, math.inf), primary, big))
        block_cols = np.empty((len(pairs), len(members) + 1), dtype=np.int64)
        block_cols[:, :-1] = np.asarray(members, dtype=np.int64)
        block_cols[:, -1] = pairs
        block_vals = np.ones(block_cols.shape)
        block_vals[:, -1] = -float(big)
        blocks.append((np.repeat(np.arange(first, first + len(pairs), dtype=np.int64), block_cols.shape[1]),
                       block_cols.ravel(), block_vals.ravel()))
    for t in sorted(options.max_per_unit):
        limit = options.max_per_unit[t]
        by_ut: dict[str, list[int]] = {}
        for j in by_track.get(t, []):
            by_ut.setdefault(units[j], []).append(j)
        for u in sorted(by_ut):
            if len(by_ut[u]) > limit:
                add("unit_track", (t, u), by_ut[u], 0.0, float(limit))

    m = len(row_lb)
    A = csr_from_coo(np.concatenate([np.asarray(vals, dtype=np.float64), *(b[2] for b in blocks)]),
                     np.concatenate([np.asarray(rows, dtype=np.int64), *(b[0] for b in blocks)]),
                     np.concatenate([np.asarray(cols, dtype=np.int64), *(b[1] for b in blocks)]), (m, n))
    var_lb = np.zeros(n)
    var_ub = np.array([0.0 if x in options.forced_out else 1.0 for x in ids]) if n else np.zeros(0)
    qmax = min(len(unique_ids), sum(options.quotas[t].upper for t in set(tracks))) if n else 0
    return Model(frame=frame, options=options, ids=ids, tracks=tracks, units=units, names=names,
                  score=score, q=q, cost=cost, money=money, pref=pref, prio=prio, id_index=id_index,
                  unique_ids=unique_ids, A=A, row_lb=np.array(row_lb, dtype=np.float64),
                  row_ub=np.array(row_ub, dtype=np.float64), row_kind=row_kind, row_key=row_key,
                  quota_row=quota_row, budget_row=budget_row, fallback_rows=fallback_rows,
                  var_lb=var_lb, var_ub=var_ub, qmax=qmax,
                  A_csc=A.tocsc(), pairs_by_id=by_id, unit_types=unit_types,
                  present_tracks=frozenset(tracks),
                  unit_rows=np.array([r for r, k in enumerate(row_kind) if k == "unit"], dtype=np.int64))


def tie_weights(model: Model, q: np.ndarray) -> tuple[np.ndarray, int]:
    """Integer preferences ``τ`` inside groups of equal ``q`` and the scale ``M`` (see module doc)."""
    n = len(q)
    if n == 0:
        return np.zeros(0, dtype=np.int64), 1
    order = np.lexsort((np.arange(n), model.prio, model.pref, -q))
    qs = q[order]
    new = np.ones(n, dtype=bool)
    new[1:] = qs[1:] != qs[:-1]
    starts = np.flatnonzero(new)
    gid = np.cumsum(new) - 1
    sizes = np.diff(np.append(starts, n))
    pos = np.arange(n) - starts[gid]
    tau = np.empty(n, dtype=np.int64)
    tau[order] = sizes[gid] - 1 - pos
    top = np.minimum(sizes, max(model.qmax, 1))
    bound = int(np.sum(top * (sizes - 1) - top * (top - 1) // 2))
    return tau, bound + 1


def total_score(model: Model, x: np.ndarray) -> float:
    return round(int(model.q @ np.round(x).astype(np.int64)) * SCORE_RESOLUTION, 2)


def pairs_of(model: Model, x: np.ndarray | None) -> dict[str, str]:
    if x is None:
        return {}
    return {model.ids[j]: model.tracks[j] for j in range(model.n) if x[j] > 0.5}


def x_from(model: Model, selection: "Selection | None") -> np.ndarray | None:
    if selection is None or selection.chosen.height == 0:
        return None
    x = np.zeros(model.n)
    for i, t in selection.chosen.select("app_id", "track").iter_rows():
        for j in model.pairs_by_id.get(i, ()):
            if model.tracks[j] == t:
                x[j] = 1.0
    return x


def rank_in_track(model: Model) -> np.ndarray:
    """1-based rank of each pair within its track: score desc, then the tie-break chain."""
    n = model.n
    rank = np.zeros(n, dtype=np.int64)
    if not n:
        return rank
    order = np.lexsort((np.arange(n), model.prio, model.pref, -model.q))
    by_track = order[np.argsort(model.prio[order], kind="stable")]  # tracks apart, the order kept inside each
    group = model.prio[by_track]
    new = np.ones(n, dtype=bool)
    new[1:] = group[1:] != group[:-1]
    starts = np.flatnonzero(new)
    rank[by_track] = np.arange(n) - starts[np.cumsum(new) - 1] + 1
    return rank
