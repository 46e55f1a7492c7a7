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
One binary variable per pair, solved with :func:`scipy.optimize.milp`
(HiGHS). Scores are rounded to :data:`SCORE_RESOLUTION` (0.01 point, the
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
tie-break is exact (checked against brute force in the tests). ``M`` is
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
as a cut-off from the start; it never changes the result, only the time.

Infeasibility never raises: :func:`solve` returns a :class:`Selection` with
``ok == False``, ``status == "infeasible"`` and ``clashes`` naming, in
Chinese, which constraints clash and by how much (found by an elastic model
that relaxes quotas, money and unit limits at minimum total excess while the
forced includes stay hard). :meth:`Selection.raise_for_status` turns that into
a :class:`~casplan.errors.SelectionError` for unattended runs.

>>> cands = pl.DataFrame({
...     "id": ["a", "b", "c"], "unit": ["U1", "U1", "U2"],
...     "unit_type": ["institute"] * 3, "track": ["yanxiu"] * 3,
...     "score": [90.0, 80.0, 70.0], "cost": [20.0, 10.0, 10.0]})
>>> opts = SelectOptions(quotas={"yanxiu": Quota(2)}, money_tracks=frozenset({"yanxiu"}))
>>> sel = solve(cands, options=opts)
>>> sel.status, sel.objective, sorted(sel.chosen["id"])
('optimal', 160.0, ['a', 'c'])
>>> sel.decisions.filter(pl.col("id") == "b")["code"].item()
'S-UNIT'
"""

from __future__ import annotations

import math
import time
import warnings
from dataclasses import dataclass, field, replace
from collections.abc import Mapping
from typing import Literal

import numpy as np
import polars as pl
from scipy.optimize import Bounds, LinearConstraint, linprog, milp
from scipy.sparse import csr_array, hstack, vstack

from casplan.errors import InputError, PolicyError, SelectionError
from casplan.policy.model import Quota

__all__ = [
    "SCORE_RESOLUTION",
    "UNIT_TYPES",
    "REASONS",
    "STATUS_TEXT",
    "Quota",
    "SelectOptions",
    "Clash",
    "GreedyResult",
    "Selection",
    "solve",
    "greedy",
    "counterfactuals",
    "robustness",
    "diff",
]

SCORE_RESOLUTION = 0.01
"""Scores are rounded to this many points before selection (0.01 分)."""

UNIT_TYPES = frozenset({"institute", "branch", "department", "other"})

REASONS: dict[str, str] = {
    "S-CHOSEN": "入选：在名额、经费和单位限制下使总分最高的方案选中了该项目；说明给出其排名及高出本类别未入选最高分的幅度。",
    "S-FORCED-IN": "强制入选：分析人员指定入选，方案在其符合条件的类别中为其保留名额。",
    "S-FORCED-OUT": "强制排除：分析人员指定不入选，不参与本次遴选。",
    "S-CUTOFF": "低于入选线：本类别名额已满，该项目得分低于本类别入选项目的最低分（入选线）；说明给出其排名、入选线和差距。",
    "S-TIE": "同分未入选：得分与本类别入选线相同，按排序链（并列规则）排在入选项目之后。",
    "S-UNIT": "同单位限制：同单位已有项目入选，受“每个研究所原则上 1 个院级资助项目”（U1）或“每单位人社部高研最多 1 项”的限制；说明指出占用名额的项目。",
    "S-BUDGET": "经费不足：剩余预算（或本类别经费上限）不足以支付该项目；说明给出剩余经费和所需经费。",
    "S-TRADEOFF": "整体取舍：单看名额、单位和经费均不受阻，但计入该项目须同时调整其他入选项目，总分反而下降。",
    "S-INFEASIBLE": "无可行方案：约束相互冲突，未能形成方案，见冲突说明。",
}
"""Reason codes of :attr:`Selection.decisions` and their meaning (the docs are generated from it)."""

STATUS_TEXT: dict[str, str] = {
    "optimal": "已求得最优方案",
    "time_limit": "达到求解时间上限，返回当前最好方案（未证明最优）",
    "infeasible": "约束无法同时满足，无可行方案",
    "error": "求解器未能给出方案",
}
"""Chinese text of each solver status."""

_STATUS_CODE = {"optimal": 0, "time_limit": 1, "infeasible": 2, "error": 4}

# HiGHS options passed verbatim (scipy warns about them; they only speed up
# the small restricted models and never change the optimum).
_HIGHS_TUNING = {
    "mip_heuristic_effort": 0.0,
    "mip_heuristic_run_rins": False,
    "mip_heuristic_run_rens": False,
    "mip_heuristic_run_feasibility_jump": False,
}
_DELTA0 = 300.0  # first guess of the LP–integer gap, in hundredths of a point
_PRESOLVE_FROM = 150  # HiGHS presolve pays off only on larger restricted models
_MARGIN = 0.25  # safety margin of reduced-cost fixing, in hundredths
_EPS = 1e-9

_REQUIRED = ("id", "unit", "unit_type", "track", "score", "cost")


# --------------------------------------------------------------------------- options


class _FrozenMap(Mapping):
    """A read-only, hashable mapping that keeps its insertion order (for the options)."""

    __slots__ = ("_data",)

    def __init__(self, data: Mapping | None = None) -> None:
        self._data = dict(data or {})

    def __getitem__(self, key):
        return self._data[key]

    def __iter__(self):
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __hash__(self) -> int:
        return hash(tuple(sorted(self._data.items(), key=lambda kv: str(kv[0]))))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Mapping) and self._data == dict(other)

    def __repr__(self) -> str:
        return repr(self._data)


@dataclass(frozen=True)
class SelectOptions:
    """Every knob of the selection, as plain data (no policy parsing here).

    Parameters
    ----------
    quotas : track id → :class:`Quota`; every track in the candidates needs one.
    money_tracks : tracks whose cost counts against the budget (学术讲坛 is support, not money).
    budget_total : cap on the total cost of the money tracks (万元); ``None`` = no cap.
    budget_per_track : optional caps per money track (万元).
    max_grant : cap of the grant per pair in a track (万元), applied as ``min(cost, cap)``.
    one_per_unit : rule U1 on/off.
    one_per_unit_types : unit types U1 applies to (研究所 = ``institute``).
    one_per_unit_tracks : tracks U1 counts; ``None`` = all tracks.
    one_per_unit_max : how many pairs U1 allows per unit.
    max_per_unit : track → most pairs one unit may have in it (人社部高研: 1), any unit type.
    track_priority : at equal score, an application is placed in the earlier track.
    fallback : primary track → the track its applications may also compete in *only when the primary
        is full* (人社部高研 → 精品, 指南三(二)): an application with a pair in both may be chosen in the
        fallback track only if the primary track's quota is filled.
    forced_in, forced_out : application ids the analyst forces in (in some eligible track) or out.
    track_names : Chinese names used in messages.
    time_limit : seconds each HiGHS call may take; a selection found at the limit has
        status ``time_limit`` (feasible, not proven optimal, and no longer guaranteed
        identical across machines).

    Mappings and sets are frozen on construction (the options are hashable,
    fit for a what-if cache); build a new object with :func:`dataclasses.replace`
    to change an option.
    """

    quotas: Mapping[str, Quota]
    money_tracks: frozenset[str] = frozenset()
    budget_total: float | None = None
    budget_per_track: Mapping[str, float] = field(default_factory=dict)
    max_grant: Mapping[str, float] = field(default_factory=dict)
    one_per_unit: bool = True
    one_per_unit_types: frozenset[str] = frozenset({"institute"})
    one_per_unit_tracks: frozenset[str] | None = None
    one_per_unit_max: int = 1
    max_per_unit: Mapping[str, int] = field(default_factory=dict)
    track_priority: tuple[str, ...] = ()
    fallback: Mapping[str, str] = field(default_factory=dict)
    forced_in: frozenset[str] = frozenset()
    forced_out: frozenset[str] = frozenset()
    track_names: Mapping[str, str] = field(default_factory=dict)
    time_limit: float = 30.0

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        for name in ("quotas", "budget_per_track", "max_grant", "max_per_unit", "track_names", "fallback"):
            set_(self, name, _FrozenMap(getattr(self, name)))
        for name in ("money_tracks", "one_per_unit_types", "forced_in", "forced_out"):
            set_(self, name, frozenset(getattr(self, name)))
        if self.one_per_unit_tracks is not None:
            set_(self, "one_per_unit_tracks", frozenset(self.one_per_unit_tracks))
        set_(self, "track_priority", tuple(self.track_priority))
        for track, spec in self.quotas.items():
            if not isinstance(spec, Quota):
                raise PolicyError(f"类别「{track}」的名额设置应为 Quota，而不是「{spec!r}」")
        money = [("budget_total", self.budget_total)] if self.budget_total is not None else []
        money += [(f"budget_per_track.{t}", v) for t, v in self.budget_per_track.items()]
        money += [(f"max_grant.{t}", v) for t, v in self.max_grant.items()]
        for what, value in money:
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0:
                raise PolicyError(f"经费设置「{what}」为「{value}」，应为不小于 0 的数（万元）")
        limits = [("one_per_unit_max", self.one_per_unit_max)]
        limits += [(f"max_per_unit.{t}", v) for t, v in self.max_per_unit.items()]
        for what, value in limits:
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise PolicyError(f"单位限制「{what}」为「{value}」，应为非负整数")

    def name(self, track: str) -> str:
        """Chinese name of ``track`` (its id when unknown)."""
        return self.track_names.get(track, track)


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class Clash:
    """One constraint that cannot hold, with the numbers (Chinese ``message``).

    ``kind`` is one of ``quota_upper``, ``quota_lower``, ``budget_total``,
    ``budget_track``, ``unit_limit``, ``unit_track_limit``,
    ``forced_ineligible``, ``forced_conflict``; ``subject`` names the track,
    unit or application; ``excess`` is by how much the limit is missed
    (places or 万元).
    """

    kind: str
    subject: str
    limit: float | None
    value: float | None
    excess: float | None
    message: str

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready dict."""
        return {"kind": self.kind, "subject": self.subject, "limit": self.limit,
                "value": self.value, "excess": self.excess, "message": self.message}


@dataclass(frozen=True)
class GreedyResult:
    """A greedy choice under the same constraints, beside the optimum.

    ``feasible`` is False when the greedy pass could not honour a band's lower
    bound or a forced include; ``gap`` is the optimum's total minus this one
    (``None`` when either is missing).
    """

    key: str
    chosen: pl.DataFrame
    objective: float
    feasible: bool
    gap: float | None

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready dict; ``selected`` sorted by (track, id)."""
        rows = self.chosen.sort("track", "id").select("id", "track").to_dicts()
        return {"key": self.key, "objective": self.objective, "feasible": self.feasible,
                "gap": self.gap, "selected": rows}


@dataclass(frozen=True)
class Selection:
    """The outcome of :func:`solve`.

    Attributes
    ----------
    status : ``optimal`` / ``time_limit`` / ``infeasible`` / ``error``.
    status_code : 0 / 1 / 2 / 4 (the codes of :func:`scipy.optimize.milp`).
    status_text : the status in Chinese.
    objective : total (rounded) score of the chosen pairs; ``None`` without a choice.
    solve_ms : wall time of the solver kernel in milliseconds.
    chosen : id, unit, name, track, track_name, score, cost, rank_in_track,
        margin_over_best_excluded, forced — one row per chosen pair.
    decisions : one row per application: id, unit, name, track (chosen track, or
        the track its reason refers to), track_name, chosen, code, message,
        score, rank_in_track, cutoff, margin, blocker_id.
    tracks : per track: track, track_name, n_candidates, n_chosen, lower, upper,
        cutoff, cost, budget.
    greedy : ``{"score": GreedyResult, "score_per_cost": GreedyResult}``.
    clashes : the clashing constraints when infeasible.
    budget_total, budget_spent : 万元 (``budget_total`` None = no cap).
    """

    status: str
    status_code: int
    status_text: str
    objective: float | None
    solve_ms: float
    chosen: pl.DataFrame
    decisions: pl.DataFrame
    tracks: pl.DataFrame
    greedy: Mapping[str, GreedyResult]
    clashes: tuple[Clash, ...]
    budget_total: float | None
    budget_spent: float

    @property
    def ok(self) -> bool:
        """True when a feasible choice exists (optimal, or best found at the time limit)."""
        return self.status in ("optimal", "time_limit")

    def raise_for_status(self) -> "Selection":
        """Raise :class:`~casplan.errors.SelectionError` (with ``clashes``) unless ``ok``."""
        if not self.ok:
            text = "；".join(c.message for c in self.clashes) or self.status_text
            err = SelectionError(f"{self.status_text}：{text}")
            err.clashes = list(self.clashes)  # type: ignore[attr-defined]
            raise err
        return self

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready dict (no timing: equal inputs give equal dicts)."""
        return {
            "status": self.status,
            "status_code": self.status_code,
            "status_text": self.status_text,
            "objective": self.objective,
            "budget_total": self.budget_total,
            "budget_spent": self.budget_spent,
            "selected": self.chosen.sort("track", "id").select("id", "track").to_dicts(),
            "decisions": self.decisions.sort("id").to_dicts(),
            "tracks": self.tracks.to_dicts(),
            "greedy": {k: g.to_dict() for k, g in sorted(self.greedy.items())},
            "clashes": [c.to_dict() for c in self.clashes],
        }


# --------------------------------------------------------------------------- model


@dataclass(eq=False)
class _Model:
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
    A: csr_array
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
    col_rows: list[list[int]]
    col_vals: list[list[float]]

    @property
    def n(self) -> int:
        return len(self.ids)


def _fmt(value: float) -> str:
    """A number for a Chinese message: at most 2 decimals, no trailing zeros.

    >>> _fmt(71.30), _fmt(72.0), _fmt(2.399999), _fmt(-0.0)
    ('71.3', '72', '2.4', '0')
    """
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _check(candidates: pl.DataFrame, options: SelectOptions) -> pl.DataFrame:
    """Validate and normalise the candidates (checking wrapper of the kernel)."""
    if not isinstance(candidates, pl.DataFrame):
        raise InputError("候选表应为 polars DataFrame")
    missing = [c for c in _REQUIRED if c not in candidates.columns]
    if missing:
        raise InputError(f"候选表缺少列：{'、'.join(missing)}", column=missing[0])
    frame = candidates
    if "name" not in frame.columns:
        frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias("name"))
    if "tiebreak" not in frame.columns:
        frame = frame.with_columns(pl.lit(None, dtype=pl.Int64).alias("tiebreak"))
    try:
        frame = frame.select(
            pl.col("id").cast(pl.String),
            pl.col("unit").cast(pl.String),
            pl.col("unit_type").cast(pl.String),
            pl.col("track").cast(pl.String),
            pl.col("score").cast(pl.Float64),
            pl.col("cost").cast(pl.Float64),
            pl.col("name").cast(pl.String),
            pl.col("tiebreak").cast(pl.Int64),
        )
    except pl.exceptions.PolarsError as exc:
        raise InputError(f"候选表的列类型无法转换：{exc}") from exc
    frame = frame.with_columns(pl.col("id", "unit", "unit_type", "track", "name").str.strip_chars())
    rules = {f"empty_{c}": (pl.col(c).is_null() | (pl.col(c) == "")) for c in ("id", "unit", "unit_type", "track")}
    rules |= {f"empty_{c}": pl.col(c).is_null() for c in ("score", "cost")}
    rules |= {
        "score": ~pl.col("score").is_finite() | (pl.col("score") < 0) | (pl.col("score") > 100),
        "cost": ~pl.col("cost").is_finite() | (pl.col("cost") < 0),
        "unit_type": ~pl.col("unit_type").is_in(sorted(UNIT_TYPES)),
        "track": ~pl.col("track").is_in(sorted(options.quotas)),
        "duplicate": pl.struct("id", "track").is_duplicated(),
        "unit_mismatch": (pl.col("unit").n_unique().over("id") > 1) | (pl.col("unit_type").n_unique().over("id") > 1),
    }
    flags = frame.select(**{k: e.fill_null(True).any() for k, e in rules.items()}).row(0, named=True)
    for key, flagged in flags.items():  # one pass over the frame; details only on failure
        if flagged:
            _raise_bad(frame.filter(rules[key].fill_null(True)).sort("id", "track"), key, options)
    return frame.with_columns(
        (pl.col("score") / SCORE_RESOLUTION).round(0).cast(pl.Int64).alias("q"),
    ).with_columns((pl.col("q") * SCORE_RESOLUTION).alias("score")).sort("id", "track")


def _raise_bad(bad: pl.DataFrame, key: str, options: SelectOptions) -> None:
    """Raise the InputError for the first offending candidate row."""
    row = bad.row(0, named=True)
    if key.startswith("empty_"):
        col = key.removeprefix("empty_")
        where = "" if col == "id" else f"（如申报「{row['id']}」）"
        raise InputError(f"候选表「{col}」列有 {bad.height} 个空值{where}", column=col)
    if key == "score":
        raise InputError(f"申报「{row['id']}」的得分为「{row['score']}」，应为 0–100 之间的数",
                         column="score", value=row["score"])
    if key == "cost":
        raise InputError(f"申报「{row['id']}」的经费为「{row['cost']}」，应为不小于 0 的数（万元）",
                         column="cost", value=row["cost"])
    if key == "unit_type":
        raise InputError(f"申报「{row['id']}」的单位类型为「{row['unit_type']}」，应为 "
                         f"{'/'.join(sorted(UNIT_TYPES))} 之一", column="unit_type", value=row["unit_type"])
    if key == "track":
        raise InputError(f"申报「{row['id']}」的类别「{row['track']}」没有名额设置（已设置："
                         f"{'、'.join(sorted(options.quotas))}）", column="track", value=row["track"])
    if key == "duplicate":
        raise InputError(f"申报「{row['id']}」在类别「{row['track']}」出现不止一次，每个申报每个类别只能一行",
                         column="id", value=row["id"])
    raise InputError(f"申报「{row['id']}」的各行单位或单位类型不一致", column="unit", value=row["id"])


def _priority_index(tracks: list[str], options: SelectOptions) -> dict[str, int]:
    listed = list(dict.fromkeys(options.track_priority))
    rest = sorted((set(tracks) | set(options.quotas)) - set(listed))
    return {t: i for i, t in enumerate(listed + rest)}


def _build(frame: pl.DataFrame, options: SelectOptions) -> _Model:
    """Build the constraint matrix once; only bounds and objective vary later."""
    n = frame.height
    ids = frame["id"].to_list()
    tracks = frame["track"].to_list()
    units = frame["unit"].to_list()
    unit_types = frame["unit_type"].to_list()
    names = frame["name"].to_list()
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
    tb = frame.group_by("id").agg(pl.col("tiebreak").min()).sort("id")
    tb_vals = tb["tiebreak"].to_list()
    if all(v is None for v in tb_vals):
        app_rank = np.arange(len(unique_ids))
    else:
        big = max(v for v in tb_vals if v is not None) + 1
        keyed = np.array([v if v is not None else big for v in tb_vals], dtype=np.int64)
        app_rank = np.lexsort((np.arange(len(unique_ids)), keyed)).argsort()
    pref = app_rank[id_index] if n else np.zeros(0, dtype=np.int64)
    pidx = _priority_index(tracks, options)
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
            add("id", x, members, 1.0, 1.0)
        elif len(members) > 1:
            add("id", x, members, 0.0, 1.0)

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

    if options.one_per_unit:
        counted = options.one_per_unit_tracks
        by_unit: dict[str, list[int]] = {}
        for j in range(n):
            if unit_types[j] in options.one_per_unit_types and (counted is None or tracks[j] in counted):
                by_unit.setdefault(units[j], []).append(j)
        for u in sorted(by_unit):
            if len(by_unit[u]) > options.one_per_unit_max:
                add("unit", u, by_unit[u], 0.0, float(options.one_per_unit_max))
    # 人社部高研 → 精品: an application with a pair in both enters the fallback track only when the primary is
    # full. Row: Σ x[primary] − M·x[fallback pair] ≥ U − M, with M ≥ every upper bound U the primary may take.
    fallback_rows: list[tuple[int, str, int]] = []
    for primary in sorted(options.fallback):
        secondary = options.fallback[primary]
        members = by_track.get(primary, [])
        if not members or primary not in options.quotas:
            continue
        upper = options.quotas[primary].upper
        big = len(members) + upper + 1
        primary_ids = {ids[j] for j in members}
        for j in by_track.get(secondary, []):
            if ids[j] in primary_ids:
                r = add("fallback", (primary, ids[j]), members + [j], float(upper - big), math.inf,
                        [1.0] * len(members) + [-float(big)])
                fallback_rows.append((r, primary, big))
    for t in sorted(options.max_per_unit):
        limit = options.max_per_unit[t]
        by_ut: dict[str, list[int]] = {}
        for j in by_track.get(t, []):
            by_ut.setdefault(units[j], []).append(j)
        for u in sorted(by_ut):
            if len(by_ut[u]) > limit:
                add("unit_track", (t, u), by_ut[u], 0.0, float(limit))

    m = len(row_lb)
    A = csr_array((np.array(vals, dtype=np.float64), (np.array(rows, dtype=np.int64), np.array(cols, dtype=np.int64))),
                  shape=(m, n))
    var_lb = np.zeros(n)
    var_ub = np.array([0.0 if x in options.forced_out else 1.0 for x in ids]) if n else np.zeros(0)
    qmax = min(len(unique_ids), sum(options.quotas[t].upper for t in set(tracks))) if n else 0
    csc = A.tocsc()
    col_rows = [csc.indices[csc.indptr[j]:csc.indptr[j + 1]].tolist() for j in range(n)]
    col_vals = [csc.data[csc.indptr[j]:csc.indptr[j + 1]].tolist() for j in range(n)]
    return _Model(frame=frame, options=options, ids=ids, tracks=tracks, units=units, names=names,
                  score=score, q=q, cost=cost, money=money, pref=pref, prio=prio, id_index=id_index,
                  unique_ids=unique_ids, A=A, row_lb=np.array(row_lb, dtype=np.float64),
                  row_ub=np.array(row_ub, dtype=np.float64), row_kind=row_kind, row_key=row_key,
                  quota_row=quota_row, budget_row=budget_row, fallback_rows=fallback_rows,
                  var_lb=var_lb, var_ub=var_ub, qmax=qmax,
                  col_rows=col_rows, col_vals=col_vals)


def _tie_weights(model: _Model, q: np.ndarray) -> tuple[np.ndarray, int]:
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


# --------------------------------------------------------------------------- kernel


@dataclass
class _Run:
    status: str
    x: np.ndarray | None
    ms: float


def _split_rows(model: _Model, lb: np.ndarray, ub: np.ndarray):
    """Rows as linprog wants them: A_ub x ≤ b_ub, A_eq x = b_eq."""
    A = model.A
    eq = np.isfinite(lb) & np.isfinite(ub) & (lb == ub)
    upper = np.isfinite(ub) & ~eq
    lower = np.isfinite(lb) & (lb > 0) & ~eq
    parts_ub = []
    b_ub = []
    if upper.any():
        parts_ub.append(A[upper])
        b_ub.append(ub[upper])
    if lower.any():
        parts_ub.append(-A[lower])
        b_ub.append(-lb[lower])
    A_ub = vstack(parts_ub).tocsr() if parts_ub else None
    A_eq = A[eq] if eq.any() else None
    return (A_ub, np.concatenate(b_ub) if b_ub else None, A_eq, lb[eq] if eq.any() else None)


def _milp(c: np.ndarray, lo: np.ndarray, hi: np.ndarray, A: csr_array, lb: np.ndarray, ub: np.ndarray,
          *, time_limit: float, bound: float | None = None, presolve: bool = True):
    """One HiGHS call; ``bound`` prunes every choice not better than it (minimisation).

    Presolve is switched off for small restricted models (measured: it costs
    more than it saves below ~150 columns, and halves the time above).
    """
    n = len(c)
    base = {"mip_rel_gap": 0.0, "time_limit": float(time_limit), "presolve": presolve}
    extra = dict(_HIGHS_TUNING)
    if bound is not None:
        extra["objective_bound"] = bound
    constraints = LinearConstraint(A, lb, ub) if A.shape[0] else None
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Unrecognized options", category=RuntimeWarning)
        try:
            return milp(c, integrality=np.ones(n), bounds=Bounds(lo, hi), constraints=constraints,
                        options={**base, **extra})
        except (AttributeError, KeyError, TypeError, ValueError):  # an older HiGHS without these options
            return milp(c, integrality=np.ones(n), bounds=Bounds(lo, hi), constraints=constraints, options=base)


def _feasible(model: _Model, x: np.ndarray, lb: np.ndarray, ub: np.ndarray) -> bool:
    if np.any(x > model.var_ub + _EPS) or np.any(x < model.var_lb - _EPS):
        return False
    act = model.A @ x
    return bool(np.all(act <= ub + 1e-6) and np.all(act >= lb - 1e-6))


def _lp(model: _Model, c: np.ndarray, lb: np.ndarray, ub: np.ndarray, extra=None):
    """LP relaxation with HiGHS; ``extra`` = (row, lower bound) appended as ``row @ x ≥ lower``."""
    A_ub, b_ub, A_eq, b_eq = _split_rows(model, lb, ub)
    if extra is not None:
        row, lower = extra
        neg = csr_array(-row.reshape(1, -1))
        A_ub = neg if A_ub is None else vstack([A_ub, neg]).tocsr()
        b_ub = np.array([-lower]) if b_ub is None else np.append(b_ub, -lower)
    return linprog(c, A_ub=A_ub, b_ub=b_ub, A_eq=A_eq, b_eq=b_eq,
                   bounds=np.column_stack([model.var_lb, model.var_ub]), method="highs")


def _sub_milp(model: _Model, c: np.ndarray, keep: np.ndarray, x_fix: np.ndarray, lb: np.ndarray,
              ub: np.ndarray, bound: float | None):
    """Solve with the columns outside ``keep`` fixed at ``x_fix``; returns (status, full x or None)."""
    fixed = np.where(keep, 0.0, x_fix)
    act = model.A @ fixed
    cols = np.flatnonzero(keep)
    if len(cols) == 0:
        ok = bool(np.all(act >= lb - 1e-9) and np.all(act <= ub + 1e-9))
        return (0 if ok else 2), (fixed if ok else None)
    sub = model.A.tocsc()[:, cols].tocsr()
    lo_r, hi_r = lb - act, ub - act
    used = np.diff(sub.indptr) > 0
    if np.any(~used & ((lo_r > 1e-9) | (hi_r < -1e-9))):  # a row the fixed columns already break
        return 2, None
    const = float(c @ fixed)
    res = _milp(c[cols], model.var_lb[cols], model.var_ub[cols], sub[used], lo_r[used], hi_r[used],
                time_limit=model.options.time_limit, bound=None if bound is None else bound - const,
                presolve=len(cols) > _PRESOLVE_FROM)
    if res.x is None:
        return res.status, None
    x = fixed.copy()
    x[cols] = np.round(res.x)
    return res.status, x


def _kernel(model: _Model, *, q: np.ndarray | None = None, row_lb: np.ndarray | None = None,
            row_ub: np.ndarray | None = None, hint: np.ndarray | None = None) -> _Run:
    """Solve the MILP exactly; see the module docstring for the method."""
    start = time.perf_counter()
    q = model.q if q is None else q
    lb = model.row_lb if row_lb is None else row_lb
    ub = model.row_ub if row_ub is None else row_ub
    n = model.n
    if n == 0:
        ok = bool(np.all(lb <= 0) and np.all(ub >= 0))
        return _Run("optimal" if ok else "infeasible", np.zeros(0) if ok else None,
                    (time.perf_counter() - start) * 1e3)
    tau, scale = _tie_weights(model, q)
    qf = q.astype(np.float64)
    c = -(qf * scale + tau)  # integral: HiGHS then prunes on whole units
    free = model.var_ub > model.var_lb
    lp = _lp(model, -qf, lb, ub)
    if lp.status == 2:
        return _finish(2, None, start)
    if lp.status != 0:
        return _finish(*_sub_milp(model, c, free, model.var_lb, lb, ub, None), start)
    z_lp = -float(lp.fun)
    rc = np.abs(np.asarray(lp.lower.marginals)) + np.abs(np.asarray(lp.upper.marginals))
    x_lp = np.round(np.asarray(lp.x))

    def solve_within(delta: float, bound: float | None):
        keep = free & (rc <= delta)
        return keep, *_sub_milp(model, c, keep, x_lp, lb, ub, bound)

    def certified(x: np.ndarray, keep: np.ndarray) -> bool:
        """No choice outside the restricted space reaches the score of ``x``."""
        z = float(qf @ x)
        out = free & ~keep
        if not out.any() or float(rc[out].min()) > z_lp - z + _MARGIN:
            return True
        ones = out & (x_lp > 0.5)
        row = np.where(out, np.where(ones, -1.0, 1.0), 0.0)  # at least one column outside flips
        flip = _lp(model, -qf, lb, ub, extra=(row, 1.0 - float(ones.sum())))
        return flip.status == 2 or (flip.status == 0 and -float(flip.fun) <= z - _MARGIN)

    best = hint if hint is not None and _feasible(model, hint, lb, ub) else None
    # first guess of the gap: it shrinks as the knapsack gets finer (measured ~1/sqrt(n))
    delta = _DELTA0 * min(1.0, math.sqrt(400.0 / n))
    if best is not None:
        delta = min(max(z_lp - float(qf @ best) + _MARGIN, _MARGIN), delta)

    def bound_of(x: np.ndarray | None) -> float | None:
        return None if x is None else -float(qf @ x * scale + tau @ x) + 0.5

    for _ in range(2):
        keep, status, x = solve_within(delta, bound_of(best))
        if status == 1:
            return _finish(1, x if x is not None else best, start)
        if status == 0:
            best = x
        elif status != 2 or best is None:  # 2 with a bound: nothing in reach beats the incumbent
            break
        if certified(best, keep):
            return _finish(0, best, start)
        delta = z_lp - float(qf @ best) + _MARGIN
    return _finish(*_sub_milp(model, c, free, model.var_lb, lb, ub, bound_of(best)), start)


def _finish(status: int, x: np.ndarray | None, start: float) -> _Run:
    ms = (time.perf_counter() - start) * 1e3
    if status == 0 and x is not None:
        return _Run("optimal", x, ms)
    if status == 1 and x is not None:
        return _Run("time_limit", x, ms)
    if status == 2:
        return _Run("infeasible", None, ms)
    return _Run("error", None, ms)


# --------------------------------------------------------------------------- greedy


def _greedy_x(model: _Model, key: str, lb: np.ndarray | None = None,
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
    act = [0.0] * len(ub)
    upper = ub.tolist()
    x = np.zeros(n)
    for j in order:
        if model.var_ub[j] < 0.5:
            continue
        rows = model.col_rows[j]
        vals = model.col_vals[j]
        if all(act[r] + v <= upper[r] + 1e-9 and (v >= 0 or act[r] + v >= lb[r] - 1e-9) for r, v in zip(rows, vals)):
            for r, v in zip(rows, vals):
                act[r] += v
            x[j] = 1.0
    feasible = bool(np.all(np.asarray(act) >= lb - 1e-9)) if len(act) else True
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

    >>> cands = pl.DataFrame({"id": ["a", "b", "c"], "unit": ["U1", "U2", "U3"],
    ...     "unit_type": ["institute"] * 3, "track": ["yanxiu"] * 3,
    ...     "score": [90.0, 80.0, 70.0], "cost": [50.0, 20.0, 20.0]})
    >>> opts = SelectOptions(quotas={"yanxiu": Quota(2)}, money_tracks=frozenset({"yanxiu"}),
    ...                      budget_total=60.0)
    >>> greedy(cands, options=opts)["id"].to_list()
    ['a']
    >>> greedy(cands, options=opts, key="score_per_cost")["id"].to_list()
    ['b', 'c']
    """
    model = _build(_check(candidates, options), options)
    x, _ = _greedy_x(model, key)
    return _greedy_frame(model, x, key)


def _greedy_frame(model: _Model, x: np.ndarray, key: str) -> pl.DataFrame:
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
        "id": [model.ids[j] for j in picks],
        "unit": [model.units[j] for j in picks],
        "name": [model.names[j] for j in picks],
        "track": [model.tracks[j] for j in picks],
        "score": [float(model.score[j]) for j in picks],
        "cost": [float(model.cost[j]) for j in picks],
        "pick": list(range(1, len(picks) + 1)),
    }, schema={"id": pl.String, "unit": pl.String, "name": pl.String, "track": pl.String,
               "score": pl.Float64, "cost": pl.Float64, "pick": pl.Int64})


def _total(model: _Model, x: np.ndarray) -> float:
    return round(int(model.q @ np.round(x).astype(np.int64)) * SCORE_RESOLUTION, 2)


# --------------------------------------------------------------------------- infeasibility


def _precheck(frame: pl.DataFrame, options: SelectOptions) -> list[Clash]:
    clashes = []
    present = set(frame["id"].to_list())
    for x in sorted(options.forced_in & options.forced_out):
        clashes.append(Clash("forced_conflict", x, None, None, None,
                             f"「{x}」同时被指定强制入选和强制排除"))
    for x in sorted(options.forced_in - present):
        clashes.append(Clash("forced_ineligible", x, None, None, None,
                             f"强制入选的「{x}」不在符合条件的申报中（不具备任何类别的资格），不能入选"))
    return clashes


def _diagnose(model: _Model, lb: np.ndarray, ub: np.ndarray) -> list[Clash]:
    """Elastic model: relax quotas, money and unit rows at least total excess."""
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
    A = hstack([model.A, S_up, S_lo]).tocsr()
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
        members = model.A[[r]].indices
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
                msg = f"{lead}强制入选项目经费合计 {_fmt(fsum)} 万元，超过{where} {_fmt(limit)} 万元（超 {_fmt(s)} 万元）"
            else:
                msg = (f"{lead}入选项目经费至少 {_fmt(spent)} 万元（其中强制入选 {_fmt(fsum)} 万元），"
                       f"超过{where} {_fmt(limit)} 万元（超 {_fmt(s)} 万元）")
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
        members = model.A[[r]].indices
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


# --------------------------------------------------------------------------- explanations


def _rank_in_track(model: _Model) -> np.ndarray:
    """1-based rank of each pair within its track: score desc, then the tie-break chain."""
    n = model.n
    rank = np.zeros(n, dtype=np.int64)
    order = np.lexsort((np.arange(n), model.prio, model.pref, -model.q)) if n else []
    seen: dict[str, int] = {}
    for j in order:
        t = model.tracks[j]
        seen[t] = seen.get(t, 0) + 1
        rank[j] = seen[t]
    return rank


def _explain(model: _Model, x: np.ndarray):
    """Chosen frame, decisions frame and tracks frame for a feasible choice."""
    opts = model.options
    n = model.n
    chosen = x > 0.5
    rank = _rank_in_track(model)
    chosen_ids = {model.ids[j] for j in range(n) if chosen[j]}
    chosen_of_id = {model.ids[j]: j for j in range(n) if chosen[j]}

    # per track facts, in the order the quotas are given (the policy's order)
    tracks = list(opts.quotas)
    n_cand = {t: 0 for t in tracks}
    n_chosen = {t: 0 for t in tracks}
    spent_t = {t: 0.0 for t in tracks}
    last: dict[str, int] = {}  # the chosen pair at the cutoff (worst by score, then tie-break)
    best_out: dict[str, int] = {}
    for j in range(n):
        t = model.tracks[j]
        n_cand[t] += 1
        if chosen[j]:
            n_chosen[t] += 1
            spent_t[t] += float(model.cost[j]) if model.money[j] else 0.0
            if model.ids[j] not in opts.forced_in and (t not in last or rank[j] > rank[last[t]]):
                last[t] = j
        elif model.ids[j] not in chosen_ids and model.ids[j] not in opts.forced_out:
            if t not in best_out or rank[j] < rank[best_out[t]]:
                best_out[t] = j
    full = {t: n_chosen[t] >= opts.quotas[t].upper for t in tracks}
    spent = float(sum(model.cost[j] for j in range(n) if chosen[j] and model.money[j]))
    left_total = None if opts.budget_total is None else float(opts.budget_total) - spent

    unit_members: dict[str, list[int]] = {}
    unit_track_members: dict[tuple[str, str], list[int]] = {}
    for j in range(n):
        if not chosen[j]:
            continue
        unit_members.setdefault(model.units[j], []).append(j)
        unit_track_members.setdefault((model.tracks[j], model.units[j]), []).append(j)
    unit_types = model.frame["unit_type"].to_list()

    def label(j: int) -> str:
        name = model.names[j]
        return f"「{name}」（{model.ids[j]}）" if name else f"「{model.ids[j]}」"

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
                info["message"] = (f"{opts.name(t)}排名第 {rank[j]}，低于本类别入选线 {_fmt(cutoff)} 分"
                                   f"（差 {_fmt(cutoff - float(model.score[j]))} 分）")
                info["key"] = (2, int(model.q[k] - model.q[j]))
                return info
            if model.q[j] == model.q[k] and rank[j] > rank[k]:
                info["code"] = "S-TIE"
                info["blocker"] = model.ids[k]
                info["message"] = (f"{opts.name(t)}排名第 {rank[j]}，与本类别入选线同分（{_fmt(cutoff)} 分），"
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
                                   f"（{_fmt(float(model.score[k]))} 分，本项目 {_fmt(float(model.score[j]))} 分），"
                                   f"每个研究所原则上只资助 {opts.one_per_unit_max} 个项目")
                return info
        if t in opts.max_per_unit:
            same = [k for k in unit_track_members.get((t, model.units[j]), []) if model.ids[k] != own]
            if len(same) >= opts.max_per_unit[t]:
                k = max(same, key=lambda i: (model.q[i], -i))
                info["code"] = "S-UNIT"
                info["blocker"] = model.ids[k]
                info["message"] = (f"同单位（{model.units[j]}）{label(k)}已入选{opts.name(t)}"
                                   f"（{_fmt(float(model.score[k]))} 分），每单位最多 {opts.max_per_unit[t]} 项")
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
                                           f"{_fmt(left + swap)} 万元，本项目需 {_fmt(need)} 万元")
                    else:
                        info["message"] = f"{what}剩余 {_fmt(left)} 万元，本项目需 {_fmt(need)} 万元"
                    return info
        info["code"] = "S-TRADEOFF"
        info["message"] = (f"{opts.name(t)}排名第 {rank[j]}（{_fmt(float(model.score[j]))} 分）；"
                           + _tradeoff_text(model, x, j, label))
        return info

    pairs_of: dict[str, list[int]] = {}
    for j in range(n):
        pairs_of.setdefault(model.ids[j], []).append(j)

    dec_rows = []
    for ident in model.unique_ids:
        js = pairs_of[ident]
        j0 = js[0]
        base = {"id": ident, "unit": model.units[j0], "name": model.names[j0]}
        if ident in chosen_of_id:
            j = chosen_of_id[ident]
            t = model.tracks[j]
            b = best_out.get(t)
            margin = None if b is None else round(float(model.score[j] - model.score[b]), 2)
            forced = ident in opts.forced_in
            lead = f"强制入选{opts.name(t)}" if forced else f"入选{opts.name(t)}"
            msg = f"{lead}：排名第 {rank[j]}（{_fmt(float(model.score[j]))} 分）"
            if b is None:
                msg += "，本类别没有未入选的申报"
            else:
                sign = "高出" if margin >= 0 else "低于"
                msg += (f"，{sign}本类别未入选最高分 {_fmt(float(model.score[b]))} 分（{label(b)}）"
                        f" {_fmt(abs(margin))} 分")
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
                                        f"{_fmt(float(model.score[j]))} 分）",
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

    chosen_idx = [j for j in range(n) if chosen[j]]
    chosen_frame = pl.DataFrame({
        "id": [model.ids[j] for j in chosen_idx],
        "unit": [model.units[j] for j in chosen_idx],
        "name": [model.names[j] for j in chosen_idx],
        "track": [model.tracks[j] for j in chosen_idx],
        "track_name": [opts.name(model.tracks[j]) for j in chosen_idx],
        "score": [float(model.score[j]) for j in chosen_idx],
        "cost": [float(model.cost[j]) for j in chosen_idx],
        "rank_in_track": [int(rank[j]) for j in chosen_idx],
        "margin_over_best_excluded": [
            None if model.tracks[j] not in best_out
            else round(float(model.score[j] - model.score[best_out[model.tracks[j]]]), 2) for j in chosen_idx],
        "forced": [model.ids[j] in opts.forced_in for j in chosen_idx],
    }, schema=_CHOSEN_SCHEMA)
    position = {t: k for k, t in enumerate(tracks)}
    chosen_frame = chosen_frame.with_columns(
        pl.col("track").replace_strict(position, return_dtype=pl.Int64).alias("_order")
    ).sort("_order", "rank_in_track", "id").drop("_order")
    decisions = pl.DataFrame(dec_rows, schema=_DECISION_SCHEMA, orient="row") if dec_rows else \
        pl.DataFrame(schema=_DECISION_SCHEMA)
    decisions = decisions.with_columns(
        pl.col("track").replace_strict({t: opts.name(t) for t in set(model.tracks)}, default=None,
                                       return_dtype=pl.String).alias("track_name")
    ).select(list(_DECISION_SCHEMA)[:4] + ["track_name"] + list(_DECISION_SCHEMA)[4:]).sort("id")
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
    }, schema=_TRACKS_SCHEMA)
    return chosen_frame, decisions, tracks_frame, round(spent, 4)


def _tradeoff_text(model: _Model, x: np.ndarray, j: int, label) -> str:
    """What would have to change for pair ``j`` to be chosen, found by re-solving with it forced in.

    Every S-TRADEOFF message is this re-solve's outcome, so the claim is checked, never assumed.
    """
    forced = replace(model, var_lb=model.var_lb.copy())
    forced.var_lb[j] = 1.0
    run = _kernel(forced)
    if run.x is None:
        return "计入本项目后名额、经费和单位限制无法同时满足"
    before, after = _pairs(model, x), _pairs(model, run.x)
    own = model.ids[j]
    entered = sorted(i for i in set(after) - set(before) if i != own)
    left = sorted(i for i in set(before) - set(after) if i != own)
    moved = sorted(i for i in set(after) & set(before) if after[i] != before[i] and i != own)
    loss = _total(model, x) - _total(model, run.x)
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
    return f"计入本项目须同时调整：{change}，总分下降 {_fmt(max(loss, 0.0))} 分"


_CHOSEN_SCHEMA = {"id": pl.String, "unit": pl.String, "name": pl.String, "track": pl.String,
                  "track_name": pl.String, "score": pl.Float64, "cost": pl.Float64, "rank_in_track": pl.Int64,
                  "margin_over_best_excluded": pl.Float64, "forced": pl.Boolean}
_DECISION_SCHEMA = {"id": pl.String, "unit": pl.String, "name": pl.String, "track": pl.String,
                    "chosen": pl.Boolean, "code": pl.String, "message": pl.String, "score": pl.Float64,
                    "rank_in_track": pl.Int64, "cutoff": pl.Float64, "margin": pl.Float64,
                    "blocker_id": pl.String}
_TRACKS_SCHEMA = {"track": pl.String, "track_name": pl.String, "n_candidates": pl.Int64, "n_chosen": pl.Int64,
                  "lower": pl.Int64, "upper": pl.Int64, "cutoff": pl.Float64, "cost": pl.Float64,
                  "budget": pl.Float64}


def _infeasible_frames(model: _Model, clashes: list[Clash]):
    opts = model.options
    first: dict[str, int] = {}
    for j, ident in enumerate(model.ids):
        if ident not in first or (model.q[j], -model.prio[j]) > (model.q[first[ident]], -model.prio[first[ident]]):
            first[ident] = j
    rank = _rank_in_track(model)
    text = "；".join(c.message for c in clashes)
    rows = [{"id": i, "unit": model.units[j], "name": model.names[j], "track": model.tracks[j], "chosen": False,
             "code": "S-INFEASIBLE", "message": f"无可行方案：{text}", "score": float(model.score[j]),
             "rank_in_track": int(rank[j]), "cutoff": None, "margin": None, "blocker_id": None}
            for i, j in sorted(first.items())]
    decisions = (pl.DataFrame(rows, schema=_DECISION_SCHEMA, orient="row") if rows
                 else pl.DataFrame(schema=_DECISION_SCHEMA))
    decisions = decisions.with_columns(
        pl.col("track").replace_strict({t: opts.name(t) for t in set(model.tracks)}, default=None,
                                       return_dtype=pl.String).alias("track_name")
    ).select(list(_DECISION_SCHEMA)[:4] + ["track_name"] + list(_DECISION_SCHEMA)[4:])
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
    }, schema=_TRACKS_SCHEMA)
    return pl.DataFrame(schema=_CHOSEN_SCHEMA), decisions, tracks_frame


# --------------------------------------------------------------------------- public API


def solve(candidates: pl.DataFrame, *, options: SelectOptions, hint: "Selection | None" = None) -> Selection:
    """Choose the pairs that maximise the total score; explain every decision.

    Parameters
    ----------
    candidates : one row per eligible (id, track): id, unit, unit_type, track,
        score (0–100), cost (万元, 0 for support tracks), optionally name and
        tiebreak (lower = preferred). Row order does not matter.
    options : the quotas, money, unit rules and forced lists.
    hint : a previous selection (e.g. before a what-if move), used only as a
        warm start; the result is the same with or without it.

    Returns
    -------
    Selection
        Never raises for an infeasible model: ``ok`` is False and ``clashes``
        says which constraints clash (see :meth:`Selection.raise_for_status`).
        Raises :class:`~casplan.errors.InputError` for a malformed frame.

    >>> cands = pl.DataFrame({"id": ["a", "b"], "unit": ["U1", "U2"],
    ...     "unit_type": ["institute"] * 2, "track": ["yanxiu"] * 2,
    ...     "score": [90.0, 80.0], "cost": [20.0, 10.0]})
    >>> opts = SelectOptions(quotas={"yanxiu": Quota(1)}, money_tracks=frozenset({"yanxiu"}),
    ...                      forced_in=frozenset({"a", "b"}), track_names={"yanxiu": "专业技术研修班"})
    >>> sel = solve(cands, options=opts)
    >>> sel.ok, sel.clashes[0].message
    (False, '专业技术研修班：强制入选 2 项，超过名额上限 1 项（多 1 项）')
    """
    frame = _check(candidates, options)
    model = _build(frame, options)
    warm = _x_from(model, hint)
    if warm is not None:
        warm = _warm(model, warm, model.row_lb, model.row_ub)
    return _selection(model, hint=warm)


def _selection(model: _Model, *, hint: np.ndarray | None = None) -> Selection:
    opts = model.options
    pre = _precheck(model.frame, opts)
    if pre:
        run = _Run("infeasible", None, 0.0)
    else:
        run = _kernel(model, hint=hint)
    greedy_results: dict[str, GreedyResult] = {}
    objective = None if run.x is None else _total(model, run.x)
    for key in ("score", "score_per_cost"):
        gx, feasible = _greedy_x(model, key)
        g_obj = _total(model, gx)
        gap = None if objective is None or not feasible else round(objective - g_obj, 2)
        greedy_results[key] = GreedyResult(key, _greedy_frame(model, gx, key), g_obj, feasible, gap)
    if run.x is None:
        clashes = pre or (_diagnose(model, model.row_lb, model.row_ub) if run.status == "infeasible" else [])
        chosen, decisions, tracks = _infeasible_frames(model, clashes)
        return Selection(run.status, _STATUS_CODE[run.status], STATUS_TEXT[run.status], None, round(run.ms, 3),
                         chosen, decisions, tracks, greedy_results, tuple(clashes),
                         None if opts.budget_total is None else float(opts.budget_total), 0.0)
    chosen, decisions, tracks, spent = _explain(model, run.x)
    return Selection(run.status, _STATUS_CODE[run.status], STATUS_TEXT[run.status], objective, round(run.ms, 3),
                     chosen, decisions, tracks, greedy_results, (),
                     None if opts.budget_total is None else float(opts.budget_total), spent)


def _pairs(model: _Model, x: np.ndarray | None) -> dict[str, str]:
    if x is None:
        return {}
    return {model.ids[j]: model.tracks[j] for j in range(model.n) if x[j] > 0.5}


def _warm(model: _Model, x: np.ndarray, lb: np.ndarray, ub: np.ndarray) -> np.ndarray | None:
    """A feasible starting point near ``x``: drop the weakest pairs that break an
    upper limit, then add the best pairs that still fit (a hint for the kernel)."""
    y = np.round(x).astype(np.float64)
    y[model.var_ub < 0.5] = 0.0
    act = model.A @ y
    weakest = np.lexsort((np.arange(model.n), -model.pref, model.q))
    for j in weakest:
        if np.all(act <= ub + 1e-9):
            break
        rows = model.col_rows[j]
        if y[j] > 0.5 and any(act[r] > ub[r] + 1e-9 for r in rows):
            y[j] = 0.0
            act[rows] -= model.col_vals[j]
    for j in weakest[::-1]:
        if y[j] < 0.5 and model.var_ub[j] > 0.5:
            rows = model.col_rows[j]
            if all(act[r] + v <= ub[r] + 1e-9 and (v >= 0 or act[r] + v >= lb[r] - 1e-9)
                   for r, v in zip(rows, model.col_vals[j])):
                y[j] = 1.0
                act[rows] += model.col_vals[j]
    return y if _feasible(model, y, lb, ub) else None


def _x_from(model: _Model, selection: "Selection | None") -> np.ndarray | None:
    if selection is None or selection.chosen.height == 0:
        return None
    pairs = set(selection.chosen.select("id", "track").iter_rows())
    return np.array([1.0 if (i, t) in pairs else 0.0 for i, t in zip(model.ids, model.tracks)])


def counterfactuals(candidates: pl.DataFrame, *, options: SelectOptions, budget_delta: float = 50.0) -> pl.DataFrame:
    """What one place more or less in each track, and ±``budget_delta`` 万元, would change.

    Each scenario moves one quota's target by ±1 (both bounds of a band) or
    the total budget by ±``budget_delta`` (only when there is a budget), and
    re-solves with the matrix built once.

    Returns scenario, label, track, change, status, objective_change,
    entered, left, switched (lists of ids), message (Chinese).

    >>> cands = pl.DataFrame({"id": ["a", "b", "c"], "unit": ["U1", "U2", "U3"],
    ...     "unit_type": ["institute"] * 3, "track": ["yanxiu"] * 3,
    ...     "score": [90.0, 80.0, 70.0], "cost": [20.0, 20.0, 20.0]})
    >>> opts = SelectOptions(quotas={"yanxiu": Quota(2)}, money_tracks=frozenset({"yanxiu"}))
    >>> cf = counterfactuals(cands, options=opts)
    >>> cf.select("scenario", "entered", "left").rows()
    [('yanxiu+1', ['c'], []), ('yanxiu-1', [], ['b'])]
    """
    model = _build(_check(candidates, options), options)
    base = _kernel(model) if not _precheck(model.frame, options) else _Run("infeasible", None, 0.0)
    base_pairs = _pairs(model, base.x)
    base_obj = None if base.x is None else _total(model, base.x)
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
                    lb[fr] = float(new.upper - big)
            sign = "+1" if step > 0 else "-1"
            label = f"{options.name(t)}名额{'增加' if step > 0 else '减少'} 1 个（上限 {new.upper}）"
            scenarios.append((f"{t}{sign}", label, t, float(step), lb, ub))
    if options.budget_total is not None and model.budget_row is not None:
        for step in (budget_delta, -budget_delta):
            ub = model.row_ub.copy()
            ub[model.budget_row] = float(options.budget_total) + step
            new_total = _fmt(float(options.budget_total) + step)
            label = f"经费总额{'增加' if step > 0 else '减少'} {_fmt(abs(step))} 万元（{new_total} 万元）"
            scenarios.append((f"budget{'+' if step > 0 else '-'}{_fmt(abs(step))}", label, None, float(step),
                              model.row_lb.copy(), ub))
    names = {model.ids[j]: model.names[j] for j in range(model.n)}

    def who(ids: list[str]) -> str:
        return "、".join(f"「{names[i]}」（{i}）" if names.get(i) else f"「{i}」" for i in ids)

    for code, label, track, change, lb, ub in scenarios:
        hint = None if base.x is None else _warm(model, base.x, lb, ub)
        run = _kernel(model, row_lb=lb, row_ub=ub, hint=hint)
        pairs = _pairs(model, run.x)
        if run.x is None:
            rows.append({"scenario": code, "label": label, "track": track, "change": change, "status": run.status,
                         "objective_change": None, "entered": [], "left": [], "switched": [],
                         "message": f"{label}：{STATUS_TEXT[run.status]}"})
            continue
        entered = sorted(set(pairs) - set(base_pairs))
        left = sorted(set(base_pairs) - set(pairs))
        switched = sorted(i for i in set(pairs) & set(base_pairs) if pairs[i] != base_pairs[i])
        obj = _total(model, run.x)
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
            text += f"（总分{'增加' if delta >= 0 else '减少'} {_fmt(abs(delta))} 分）"
        rows.append({"scenario": code, "label": label, "track": track, "change": change, "status": run.status,
                     "objective_change": delta, "entered": entered, "left": left, "switched": switched,
                     "message": f"{label}：{text}"})
    schema = {"scenario": pl.String, "label": pl.String, "track": pl.String, "change": pl.Float64,
              "status": pl.String, "objective_change": pl.Float64, "entered": pl.List(pl.String),
              "left": pl.List(pl.String), "switched": pl.List(pl.String), "message": pl.String}
    return pl.DataFrame(rows, schema=schema, orient="row") if rows else pl.DataFrame(schema=schema)


def _weight_vector(weights: Mapping[str, Mapping[str, float]], track: str, criteria: list[str]) -> np.ndarray:
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

    Returns id, track, score (base), p_selected, base_chosen, unstable, sorted by (track, id).

    >>> cands = pl.DataFrame({"id": ["a", "b"], "unit": ["U1", "U2"],
    ...     "unit_type": ["institute"] * 2, "track": ["jiangtan"] * 2,
    ...     "score": [0.0, 0.0], "cost": [0.0, 0.0]})
    >>> crit = pl.DataFrame({"id": ["a", "a", "b", "b"], "track": ["jiangtan"] * 4,
    ...     "criterion": ["direction", "scale"] * 2, "value": [1.0, 0.0, 0.0, 0.9]})
    >>> opts = SelectOptions(quotas={"jiangtan": Quota(1)})
    >>> out = robustness(cands, crit, {"default": {"direction": 1, "scale": 1}}, options=opts, n=50)
    >>> out.select("id", "base_chosen", "unstable").rows()
    [('a', True, True), ('b', False, True)]
    """
    if n < 1:
        raise InputError(f"扰动次数 n 为「{n}」，应为正整数")
    missing = [c for c in ("id", "track", "criterion", "value") if c not in criteria.columns]
    if missing:
        raise InputError(f"评分准则表缺少列：{'、'.join(missing)}", column=missing[0])
    model = _build(_check(candidates, options), options)
    crit = criteria.select(pl.col("id").cast(pl.String), pl.col("track").cast(pl.String),
                           pl.col("criterion").cast(pl.String), pl.col("value").cast(pl.Float64))
    bad = crit.filter(pl.col("value").is_null() | ~pl.col("value").is_finite() | (pl.col("value") < 0)
                      | (pl.col("value") > 1))
    if bad.height:
        row = bad.row(0, named=True)
        raise InputError(f"申报「{row['id']}」准则「{row['criterion']}」的值为「{row['value']}」，应在 0–1 之间",
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
        for i, t, b, v in fixed.select(pl.col("id").cast(pl.String), pl.col("track").cast(pl.String),
                                       pl.col("share").cast(pl.Float64), pl.col("value").cast(pl.Float64)).iter_rows():
            j = pos.get((i, t))
            if j is not None and b is not None and v is not None:
                share[j], held[j] = min(max(b, 0.0), 1.0), v
    track_list = sorted(set(model.tracks))
    members = {t: np.array([j for j in range(model.n) if model.tracks[j] == t and has[j]], dtype=np.int64)
               for t in track_list}
    base_w = {t: _weight_vector(weights, t, names) for t in track_list}

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
    base = _kernel(model, q=q0)
    if base.x is None:
        raise SelectionError(f"基准方案{STATUS_TEXT[base.status]}，无法做稳健性分析")
    rng = np.random.default_rng(seed)
    hits = np.zeros(model.n)
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
        run = _kernel(model, q=scores_for(draw), hint=hint)
        if run.x is None:
            continue
        hits += run.x
    p = hits / n
    base_chosen = base.x > 0.5
    unstable = ((p > 0.1) & (p < 0.9)) | (np.abs(p - base_chosen) > 0.3)
    out = pl.DataFrame({
        "id": model.ids, "track": model.tracks,
        "score": [round(float(v) * SCORE_RESOLUTION, 2) for v in q0],
        "p_selected": [round(float(v), 6) for v in p],
        "base_chosen": base_chosen.tolist(), "unstable": unstable.tolist(),
    }, schema={"id": pl.String, "track": pl.String, "score": pl.Float64, "p_selected": pl.Float64,
               "base_chosen": pl.Boolean, "unstable": pl.Boolean})
    return out.sort("track", "id")


def diff(before: Selection, after: Selection) -> pl.DataFrame:
    """Who enters, leaves or changes track between two selections (for the what-if).

    Returns id, name, track, change (入选 / 落选 / 换类别), message; sorted by
    change, track, id.

    >>> cands = pl.DataFrame({"id": ["a", "b"], "unit": ["U1", "U2"],
    ...     "unit_type": ["institute"] * 2, "track": ["yanxiu"] * 2,
    ...     "score": [90.0, 80.0], "cost": [20.0, 20.0]})
    >>> names = {"yanxiu": "专业技术研修班"}
    >>> one = SelectOptions(quotas={"yanxiu": Quota(1)}, track_names=names)
    >>> two = SelectOptions(quotas={"yanxiu": Quota(2)}, track_names=names)
    >>> diff(solve(cands, options=one), solve(cands, options=two))["message"].to_list()
    ['「b」入选专业技术研修班']
    """
    def table(sel: Selection) -> dict[str, dict[str, object]]:
        return {r["id"]: r for r in sel.chosen.select("id", "name", "track", "track_name").to_dicts()}

    old, new = table(before), table(after)
    rows = []
    order = {"入选": 0, "落选": 1, "换类别": 2}

    def label(r: dict[str, object]) -> str:
        return f"「{r['name']}」（{r['id']}）" if r.get("name") else f"「{r['id']}」"

    for ident in sorted(set(old) | set(new)):
        if ident in new and ident not in old:
            r = new[ident]
            rows.append({"id": ident, "name": r["name"], "track": r["track"], "change": "入选",
                         "message": f"{label(r)}入选{r['track_name']}"})
        elif ident in old and ident not in new:
            r = old[ident]
            rows.append({"id": ident, "name": r["name"], "track": r["track"], "change": "落选",
                         "message": f"{label(r)}落选（原入选{r['track_name']}）"})
        elif old[ident]["track"] != new[ident]["track"]:
            r = new[ident]
            rows.append({"id": ident, "name": r["name"], "track": r["track"], "change": "换类别",
                         "message": f"{label(r)}由{old[ident]['track_name']}改为{r['track_name']}"})
    schema = {"id": pl.String, "name": pl.String, "track": pl.String, "change": pl.String, "message": pl.String}
    frame = pl.DataFrame(rows, schema=schema, orient="row") if rows else pl.DataFrame(schema=schema)
    return frame.with_columns(pl.col("change").replace_strict(order, return_dtype=pl.Int64).alias("_o")) \
        .sort("_o", "track", "id").drop("_o")
