"""The what-if: move quotas, weights, the budget and the soft rules, and see who enters and who leaves.

A :class:`Scenario` is plain data (saved to and loaded from YAML). A
:class:`WhatIf` engine does the expensive work once — reading, eligibility,
direction matching, the criteria of every pair that could ever be eligible, the
reviewers' calibration — so that :meth:`WhatIf.evaluate` only re-weights,
re-ranks and re-solves. Everything here is testable without a browser; the
widgets in :mod:`casplan.whatif.panel` only call it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from pathlib import Path

import polars as pl

from casplan.errors import InputError
from casplan.pipeline import HasShortlist, Shortlist, Year, candidates_of, select_options
from casplan.policy import Policy
from casplan.scoring import CRITERIA, CRITERION_LABELS, calibrate_reviews, criteria_table, score
from casplan.selection import Selection, SelectOptions, solve

__all__ = ["Scenario", "Outcome", "WhatIf", "settle_memory", "SOFT_RULES", "soft_rules", "CHANGE_REASONS", "setting_changes"]

SOFT_RULES = ("U1", "U2")
"""The 原则上 rules a scenario may switch: U1 (one per 研究所, a constraint of the selection) and U2
(the funded year's execution, a reason of eligibility); their texts come from the policy (:func:`soft_rules`)."""


def soft_rules(policy: Policy) -> dict[str, str]:
    """Rule id → its text under ``policy``, for the rules a scenario may switch."""
    from casplan.eligibility import rule_texts

    texts = rule_texts(policy)
    return {r: texts[r] for r in SOFT_RULES}


def setting_changes(scenario: "Scenario", base: "Scenario", policy: Policy) -> list[str]:
    """Every setting of ``scenario`` that differs from ``base``, in Chinese, in the panel's order.

    >>> from casplan.policy import load_policy
    >>> p = load_policy()
    >>> b = Scenario.baseline(p)
    >>> s = replace(b, quotas={**b.quotas, "yanxiu": 8}, rules={**b.rules, "U1": False}, calibration="raw")
    >>> setting_changes(s, b, p)
    ['名额 专业技术研修班 10→8', 'U1 关', '评审校准 按专家百分位→原始分']
    """
    from casplan.policy import CALIBRATIONS

    out = [f"名额 {policy.track(t).name} {base.quotas.get(t)}→{n}" for t, n in scenario.quotas.items()
           if n != base.quotas.get(t)]
    for t, w in scenario.weights.items():
        old = base.weights.get(t, {})
        moved = [f"{CRITERION_LABELS.get(c, c)} {old.get(c, 0):g}→{v:g}" for c, v in w.items() if v != old.get(c, 0)]
        if moved:
            out.append(f"权重 {policy.track(t).name}：{'，'.join(moved)}")
    if scenario.budget_total != base.budget_total:
        money = lambda v: "不设上限" if v is None else f"{v:g} 万元"  # noqa: E731
        out.append(f"经费总额 {money(base.budget_total)}→{money(scenario.budget_total)}")
    out += [f"{r} {'开' if on else '关'}" for r, on in scenario.rules.items() if on != base.rules.get(r, True)]
    if scenario.calibration != base.calibration:
        out.append(f"评审校准 {CALIBRATIONS.get(base.calibration, base.calibration)}→"
                   f"{CALIBRATIONS.get(scenario.calibration, scenario.calibration)}")
    if set(scenario.forced_in) != set(base.forced_in):
        out.append("强制入选 " + ("、".join(scenario.forced_in) or "无"))
    if set(scenario.forced_out) != set(base.forced_out):
        out.append("强制不入选 " + ("、".join(scenario.forced_out) or "无"))
    return out


def _execution_codes(policy: Policy) -> list[str]:
    """The failing codes of the execution check (U2-NOT-IMPLEMENTED, U2-LOW-RATE) under ``policy``."""
    rules = sorted({rule for t in policy.tracks for name, rule in t.checks if name == "execution"})
    return [f"{r}-{s}" for r in rules for s in ("NOT-IMPLEMENTED", "LOW-RATE")]
_KEYS = {"name", "note", "quotas", "weights", "budget_total", "rules", "forced_in", "forced_out", "calibration"}


@dataclass(frozen=True)
class Scenario:
    """One setting of the knobs. ``weights`` are raw (normalised per track when used)."""

    name: str
    quotas: dict[str, int]
    weights: dict[str, dict[str, float]]
    budget_total: float | None
    rules: dict[str, bool] = field(default_factory=lambda: {"U1": True, "U2": True})
    forced_in: tuple[str, ...] = ()
    forced_out: tuple[str, ...] = ()
    note: str = ""
    calibration: str = "percentile"  # how the expert reviews are calibrated: a key of casplan.policy.CALIBRATIONS
    source: str = field(default="", compare=False)

    @classmethod
    def baseline(cls, policy: Policy) -> "Scenario":
        """The policy as written: its quotas, weights, budget and soft rules."""
        return cls(name="基线（政策文件）", quotas={t.id: t.quota for t in policy.tracks},
                   weights={t.id: policy.scoring.weights_for(t.id) for t in policy.tracks},
                   budget_total=policy.budget_total,
                   rules={r: policy.rules[r].enabled for r in SOFT_RULES},
                   calibration=policy.scoring.calibration)

    def to_dict(self) -> dict:
        return {"name": self.name, "note": self.note, "quotas": dict(self.quotas),
                "weights": {t: dict(w) for t, w in self.weights.items()}, "budget_total": self.budget_total,
                "rules": dict(self.rules), "forced_in": list(self.forced_in), "forced_out": list(self.forced_out),
                "calibration": self.calibration}

    def to_yaml(self) -> str:
        import yaml

        return "# casplan 情景（由情景推演保存）\n" + yaml.safe_dump(self.to_dict(), allow_unicode=True, sort_keys=False)

    @classmethod
    def from_dict(cls, data: object, *, policy: Policy, source: str = "情景文件") -> "Scenario":
        """Check a scenario against the policy: unknown tracks, criteria, rules or keys are errors."""
        if not isinstance(data, dict):
            raise InputError(f"{source}：应为键值表", file=source)
        unknown = sorted(set(data) - _KEYS)
        if unknown:
            raise InputError(f"{source}：未知的键「{'、'.join(unknown)}」（可用：{'、'.join(sorted(_KEYS))}）", file=source)
        from casplan.errors import PolicyError

        def track_id(t: object, where: str) -> str:
            try:
                return policy.resolve_track(str(t)).id
            except PolicyError as exc:
                raise InputError(f"{source}：{where}中{exc}", file=source) from None

        base = cls.baseline(policy)
        quotas = dict(base.quotas)
        raw_quotas = data.get("quotas") or {}
        if not isinstance(raw_quotas, dict):
            raise InputError(f"{source}：quotas 应为「类别: 名额」的键值表", file=source)
        for t, n in raw_quotas.items():
            t = track_id(t, "quotas ")
            if isinstance(n, bool) or not isinstance(n, int) or n < 0:
                raise InputError(f"{source}：类别「{policy.track(t).name}」的名额「{n}」应为非负整数", file=source)
            quotas[t] = n
        weights = {t: dict(w) for t, w in base.weights.items()}
        raw_weights = data.get("weights") or {}
        if not isinstance(raw_weights, dict):
            raise InputError(f"{source}：weights 应为「类别: {{准则: 权重}}」的键值表", file=source)
        for t, w in raw_weights.items():
            t = track_id(t, "weights ")
            if not isinstance(w, dict):
                raise InputError(f"{source}：类别「{policy.track(t).name}」的权重应为「准则: 权重」的键值表", file=source)
            for c, v in (w or {}).items():
                if c not in CRITERIA:
                    raise InputError(f"{source}：类别「{t}」的准则「{c}」不存在（可用：{'、'.join(CRITERIA)}）", file=source)
                if isinstance(v, bool) or not isinstance(v, (int, float)) or not (v >= 0) or v == float("inf"):
                    raise InputError(f"{source}：权重 {t}.{c} 为「{v}」，应为不小于 0 的数", file=source)
                weights[t][c] = float(v)
            if sum(weights[t].values()) <= 0:
                raise InputError(f"{source}：类别「{policy.track(t).name}」的权重之和须大于 0", file=source)
        rules = dict(base.rules)
        raw_rules = data.get("rules") or {}
        if not isinstance(raw_rules, dict):
            raise InputError(f"{source}：rules 应为「规则: true/false」的键值表（可开关：{'、'.join(SOFT_RULES)}）", file=source)
        for r, on in raw_rules.items():
            if r not in SOFT_RULES:
                raise InputError(f"{source}：规则「{r}」不能在情景中开关（可开关：{'、'.join(SOFT_RULES)}）", file=source)
            if not isinstance(on, bool):
                raise InputError(f"{source}：规则「{r}」应为 true（开）或 false（关），实际为「{on}」", file=source)
            rules[r] = on
        budget = data.get("budget_total", base.budget_total)
        if budget is not None and (isinstance(budget, bool) or not isinstance(budget, (int, float))
                                   or not (0 <= budget < float("inf"))):
            raise InputError(f"{source}：budget_total「{budget}」应为不小于 0 的数（万元）", file=source)
        for key in ("forced_in", "forced_out"):
            value = data.get(key)
            if value is not None and (not isinstance(value, list) or not all(isinstance(x, str) for x in value)):
                raise InputError(f"{source}：{key} 应为申报编号的列表（如 [P2300021]）", file=source)
        from casplan.policy import CALIBRATIONS

        calibration = str(data.get("calibration") or base.calibration).strip()
        calibration = {v: k for k, v in CALIBRATIONS.items()}.get(calibration, calibration)
        if calibration not in CALIBRATIONS:
            raise InputError(f"{source}：calibration「{data.get('calibration')}」不是评审校准方法（可用："
                             f"{'、'.join(f'{k}（{v}）' for k, v in CALIBRATIONS.items())}）", file=source)
        return cls(name=str(data.get("name") or "未命名情景"), note=str(data.get("note") or ""), quotas=quotas,
                   calibration=calibration,
                   weights=weights, budget_total=None if budget is None else float(budget), rules=rules,
                   forced_in=tuple(str(x) for x in data.get("forced_in") or ()),
                   forced_out=tuple(str(x) for x in data.get("forced_out") or ()), source=source)

    def save(self, path: str | Path) -> Path:
        from casplan.io import write_text_atomic

        return write_text_atomic(path, self.to_yaml())

    @classmethod
    def load(cls, path: str | Path, *, policy: Policy) -> "Scenario":
        return cls.load_source(path, policy=policy)[0]

    @classmethod
    def load_source(cls, path: str | Path, *, policy: Policy):
        """The scenario of a YAML file and the :class:`casplan.io.Source` read."""
        from casplan.io import read_yaml_source

        data, source = read_yaml_source(path, kind="scenario")
        return cls.from_dict(data, policy=policy, source=str(path)), source


@dataclass(frozen=True)
class Outcome(HasShortlist):
    """What a scenario gives: its shortlist (scores, candidates, options, selection) and how long it took."""

    scenario: Scenario
    shortlist: Shortlist
    elapsed_ms: float

    @property
    def chosen(self) -> pl.DataFrame:
        return self.selection.chosen


CHANGE_REASONS = {
    "W-FORCED-IN": "分析人员指定强制入选",
    "W-FORCED-OUT": "分析人员指定强制不入选",
    "W-ELIGIBLE": "规则开关后具备了资格",
    "W-INELIGIBLE": "规则开关后不再具备资格",
    "W-UNIT-FREED": "同单位的另一项目不再入选，空出了“每所一项”的位置",
    "W-UNIT-TAKEN": "同单位的另一项目入选，占用了“每所一项”的位置",
    "W-U1-OFF": "关闭 U1 后同一研究所可以入选多项",
    "W-U1-ON": "开启 U1 后同一研究所只入选一项",
    "W-QUOTA-UP": "本类别名额增加",
    "W-QUOTA-DOWN": "本类别名额减少",
    "W-BUDGET-FREED": "经费增加或被别的项目让出",
    "W-BUDGET-USED": "经费减少或被别的项目用去",
    "W-PLACE-FREED": "本类别有项目离开，空出名额",
    "W-PLACE-TAKEN": "本类别有别的项目进入，占用名额",
    "W-SCORE": "权重或评审校准改变了得分",
    "W-TRADEOFF": "与其他项目整体权衡的结果",
}
"""The reason codes of a what-if change (:meth:`WhatIf.diff`), each with what it means in Chinese."""

_CHANGE_SCHEMA = {"app_id": pl.String, "unit": pl.String, "train_name": pl.String, "track": pl.String,
                  "change": pl.String, "reason": pl.String, "why": pl.String, "others": pl.List(pl.String),
                  "message": pl.String}


def _label(row: dict) -> str:
    return f"「{row['train_name']}」（{row['app_id']}）" if row.get("train_name") else f"「{row['app_id']}」"


def _points(v: float) -> str:
    return f"{v:.2f}".rstrip("0").rstrip(".")


class _Side:
    """One outcome, indexed for the diff: chosen pairs, and the decisions and candidates' scores of the ids
    the diff asks about (fetched in one filter each, not one per row)."""

    def __init__(self, outcome: Outcome, chosen: dict[str, dict] | None = None) -> None:
        self.outcome = outcome
        self.options = outcome.options
        self.chosen = chosen if chosen is not None else {r["app_id"]: r for r in outcome.selection.chosen.to_dicts()}
        self._dec: dict[str, dict] = {}
        self._pairs: dict[tuple[str, str], dict] = {}
        self._eligible: set[str] = set()
        self._by_unit: dict[str, list[str]] | None = None

    def chosen_of_unit(self, unit: str | None) -> list[str]:
        """The chosen ids of ``unit``, in the chosen frame's order."""
        if self._by_unit is None:
            self._by_unit = {}
            for i, row in self.chosen.items():
                self._by_unit.setdefault(row.get("unit"), []).append(i)
        return self._by_unit.get(unit, [])

    def fetch(self, ids: set[str]) -> None:
        ids = sorted(ids)
        dec = self.outcome.selection.decisions.filter(pl.col("app_id").is_in(ids))
        self._dec = {r["app_id"]: r for r in dec.to_dicts()}
        cands = self.outcome.candidates.filter(pl.col("app_id").is_in(ids)).select("app_id", "track", "score", "rank")
        self._pairs = {(r["app_id"], r["track"]): r for r in cands.to_dicts()}
        self._eligible = {i for i, _ in self._pairs}

    def decision(self, ident: str) -> dict:
        return self._dec.get(ident, {})

    def pair(self, ident: str, track: str) -> dict | None:
        return self._pairs.get((ident, track))

    def eligible_anywhere(self, ident: str) -> bool:
        return ident in self._eligible

    def quota(self, track: str) -> int:
        return self.outcome.scenario.quotas.get(track, self.options.quotas[track].target)


def settle_memory() -> None:
    """Once the year is read and precomputed (the app's start): collect once, then move every object
    alive into the permanent generation (:func:`gc.freeze`). The year is hundreds of thousands of
    objects that live as long as the app; without this, a full collection that falls inside a move
    scans them all (measured: +20–50 ms on some moves at 10× the sample)."""
    import gc

    gc.collect()
    gc.freeze()


def _settings(scenario: Scenario) -> tuple:
    """Everything of a scenario that its outcome depends on (not its name, note or source)."""
    return (tuple(sorted(scenario.quotas.items())),
            tuple(sorted((t, tuple(sorted(w.items()))) for t, w in scenario.weights.items())),
            scenario.budget_total, tuple(sorted(scenario.rules.items())), frozenset(scenario.forced_in),
            frozenset(scenario.forced_out), scenario.calibration)


def _remember(cache: dict, key, value, size: int) -> None:
    """Put ``value`` last in an insertion-ordered cache of at most ``size`` entries (the oldest goes)."""
    cache.pop(key, None)
    cache[key] = value
    while len(cache) > size:
        cache.pop(next(iter(cache)))


class WhatIf:
    """Precomputes a year once; :meth:`evaluate` re-weights, re-ranks and re-solves a scenario.

    Scores are kept per (weights, calibration, U2): a move of a quota, the budget, U1 or a forced id
    re-solves only. :meth:`diff` says for every change why, naming the other project when the cause
    is another one's move (its unit's place, the money, the track's places).
    """

    _SCORE_CACHE = 8
    _OUTCOME_CACHE = 16
    _MODEL_CACHE = 8

    def __init__(self, year: Year) -> None:
        self.year = year
        self.policy = year.loaded.policy
        e = year.eligibility
        summary = e.summary.with_columns(
            pl.col("reasons").list.filter(~pl.element().is_in(_execution_codes(self.policy))).alias("reasons_without_u2"))
        self._summary = summary
        # every pair that is eligible once U2 is off: a superset of every scenario's pairs
        possible = summary.filter(pl.col("reasons_without_u2").list.len() == 0).select("app_id", "track")
        self._pairs = possible.join(e.applications, on="app_id", how="left")
        from casplan.directions import best_direction
        from casplan.pipeline import vocabulary_of

        self._best = best_direction(year.matches, by_track=True)
        vocab = vocabulary_of(self.policy)
        self._with_directions = {t.id for t in vocab.tracks if t.directions}
        self._criteria = criteria_table(self._pairs, policy=self.policy, directions=self._best,
                                        history_matches=e.history_matches,
                                        tracks_with_directions=self._with_directions)
        reviews = year.loaded.reviews.frame if year.loaded.reviews is not None and year.loaded.reviews.ok else None
        self._calibrated = (calibrate_reviews(reviews.select("app_id", "reviewer", "score"),
                                              app_ids=set(e.applications["app_id"]))[0]
                            if reviews is not None and reviews.height else None)
        self._known = set(e.applications["app_id"].to_list())
        self._eligible = {}
        self._scored: dict[tuple, tuple] = {}
        self._outcomes: dict[tuple, Outcome] = {}
        self._models: dict[int, object] = {}
        self._baseline_key = None
        self._baseline_chosen: dict[str, dict] | None = None
        self.baseline = self.evaluate(Scenario.baseline(self.policy))
        self._baseline_ids = frozenset(self.baseline.selection.chosen["app_id"].to_list())
        self._baseline_key = _settings(self.baseline.scenario)

    @classmethod
    def from_params(cls, path) -> "WhatIf":
        """The what-if of a parameters file: the same inputs, read the same way, as ``casplan report --params``."""
        from casplan.pipeline import inputs_from_params, run_year

        inputs, _ = inputs_from_params(path)
        return cls(run_year(inputs))

    @property
    def has_reviews(self) -> bool:
        """Whether the year has expert reviews (the calibration switch matters only then)."""
        return self._calibrated is not None

    @property
    def criteria(self) -> pl.DataFrame:
        """Every (application, track, criterion) value that any scenario may weigh."""
        return self._criteria

    def eligible_pairs(self, scenario: Scenario) -> pl.DataFrame:
        column = "reasons" if scenario.rules.get("U2", True) else "reasons_without_u2"
        if column not in self._eligible:
            ok = self._summary.filter(pl.col(column).list.len() == 0).select("app_id", "track")
            self._eligible[column] = self._pairs.join(ok, on=["app_id", "track"], how="semi")
        return self._eligible[column]

    def options(self, scenario: Scenario) -> SelectOptions:
        base = select_options(self.policy, overrides=self.year.loaded.overrides)
        quotas = {t: q.moved(scenario.quotas.get(t, q.target)) for t, q in base.quotas.items()}
        return replace(base, quotas=quotas,
                       budget_total=scenario.budget_total, one_per_unit=scenario.rules.get("U1", True),
                       forced_in=base.forced_in | frozenset(scenario.forced_in),
                       forced_out=base.forced_out | frozenset(scenario.forced_out))

    def check_ids(self, ids, *, where: str = "") -> None:
        """Raise :class:`InputError` (「不存在的申报编号」 with the nearest ids) for an id that is no application."""
        from casplan.eligibility.overrides import unknown_id_message

        for ident in ids:
            if ident not in self._known:
                raise InputError(f"{where}{unknown_id_message(ident, self._known)}", value=ident)

    def _scores(self, scenario: Scenario, *, full: bool = True):
        """Scores and candidates under the scenario's weights, calibration and U2; ``full=False`` (a move)
        leaves out the uncalibrated ranks, which only the report shows (a full entry serves a move too)."""
        key = (scenario.rules.get("U2", True), scenario.calibration,
               tuple(sorted((t, tuple(sorted(w.items()))) for t, w in scenario.weights.items())))
        if not full and key + (True,) in self._scored:
            return self._scored[key + (True,)]
        key += (full,)
        if key not in self._scored:
            pairs = self.eligible_pairs(scenario)
            scores = score(pairs, policy=self.policy, directions=self._best, weights=scenario.weights,
                           tracks_with_directions=self._with_directions, criteria=self._criteria,
                           calibrated=self._calibrated, history_matches=self.year.eligibility.history_matches,
                           calibration=scenario.calibration, uncalibrated_rank=full)
            _remember(self._scored, key, (scores, candidates_of(scores, self.policy)), self._SCORE_CACHE)
        return self._scored[key]

    def evaluate(self, scenario: Scenario, *, hint: Selection | None = None, full: bool = True) -> Outcome:
        """Scores and the optimal selection under a scenario.

        ``full=False`` (the panel's moves) skips the re-solve behind each S-TRADEOFF message and explains
        only the ids the diff against the baseline asks about (the baseline's chosen that are not chosen now);
        :meth:`diff` re-solves for the rows it shows. The choice is the same either way; the report
        evaluates in full.
        Raises :class:`InputError` when the scenario forces an id that is no application of the year.
        """
        started = time.perf_counter()
        where = f"{scenario.source}：" if scenario.source else ""
        self.check_ids(scenario.forced_in, where=where + "forced_in 中")
        self.check_ids(scenario.forced_out, where=where + "forced_out 中")
        key = (_settings(scenario), full)
        known = self._outcomes.get(key) or (None if full else self._outcomes.get((key[0], True)))
        if known is None and self._baseline_key == key[0]:
            known = self.baseline
        if known is not None:  # a setting seen before (back to the baseline, a switch flipped back); a full
            # outcome serves a light request (its diff is the same, tested)
            return replace(known, scenario=scenario, elapsed_ms=(time.perf_counter() - started) * 1000)
        scores, cands = self._scores(scenario, full=full)
        options = self.options(scenario)
        light = None if full else self._baseline_ids
        selection = solve(cands, options=options, hint=hint, tradeoffs=full, decisions_for=light,
                          like=self._model_like(cands, options))
        outcome = Outcome(scenario=scenario, shortlist=Shortlist(scores=scores, candidates=cands, options=options,
                                                                selection=selection),
                          elapsed_ms=(time.perf_counter() - started) * 1000)
        _remember(self._outcomes, key, outcome, self._OUTCOME_CACHE)
        if selection.model is not None:
            _remember(self._models, id(selection.model), selection.model, self._MODEL_CACHE)
        return outcome

    def _model_like(self, cands: pl.DataFrame, options: SelectOptions):
        """A recent model whose matrix may serve these candidates and options (a switch flipped back finds
        the matrix it had, whatever the weights), else None: the solve then tries the hint's. The solve
        checks again (:func:`~casplan.selection.model.reusable`, on the checked frame) before reusing."""
        from casplan.selection.model import SHAPE_COLUMNS, shape_of

        shape, columns = shape_of(options), cands.select(SHAPE_COLUMNS)
        for model in reversed(self._models.values()):
            if model.source is not None and model.n == cands.height and shape_of(model.options) == shape \
                    and (model.source is cands or model.source.select(SHAPE_COLUMNS).equals(columns)):
                return model
        return None

    # --- the diff -----------------------------------------------------------------------------

    def diff(self, outcome: Outcome, *, against: Outcome | None = None) -> pl.DataFrame:
        """Who entered, left or changed track against the baseline (or ``against``), and why.

        One row per change: ``change`` (入选 / 落选 / 换类别), ``reason`` (a key of
        :data:`CHANGE_REASONS`), ``why`` (a Chinese sentence naming the other projects involved) and
        ``others`` (their ids). A knock-on — the unit's other project left, the money was freed or
        used, a track's quota moved, an id forced — is said as such, never as the project's own rank.
        """
        from casplan.selection import diff

        if against is None and self._baseline_chosen is None:
            self._baseline_chosen = _Side(self.baseline).chosen  # the baseline's side is read once
        b = _Side(against) if against is not None else _Side(self.baseline, self._baseline_chosen)
        a = _Side(outcome)
        changes = diff(b.outcome.selection, a.outcome.selection)
        if changes.height == 0:
            return pl.DataFrame(schema=_CHANGE_SCHEMA)
        rows = changes.to_dicts()
        ids = {r["app_id"] for r in rows}
        b.fetch(ids)
        a.fetch(ids)
        entered = {r["app_id"]: r for r in rows if r["change"] in ("入选", "换类别")}
        left = {r["app_id"]: r for r in rows if r["change"] in ("落选", "换类别")}
        out = []
        for r in rows:
            ident = r["app_id"]
            if r["change"] == "入选":
                code, why, others = self._why_in(ident, r["track"], b, a, left)
            elif r["change"] == "落选":
                code, why, others = self._why_out(ident, b.chosen[ident]["track"], b, a, entered)
            else:
                old = b.chosen[ident]["track"]
                code, why, others = self._why_in(ident, r["track"], b, a, left)
                why = f"由{self.policy.track(old).name}改为{self.policy.track(r['track']).name}：{why}"
            unit = (a.chosen.get(ident) or b.chosen.get(ident) or {}).get("unit")
            out.append({"app_id": ident, "unit": unit, "train_name": r["train_name"], "track": r["track"],
                        "change": r["change"], "reason": code, "why": why, "others": others,
                        "message": r["message"]})
        return pl.DataFrame(out, schema=_CHANGE_SCHEMA, orient="row")

    def _name(self, track: str) -> str:
        return self.policy.track(track).name

    def _rank_text(self, side: _Side, ident: str, track: str) -> str:
        p = side.pair(ident, track)
        return "" if p is None else f"{self._name(track)}排名第 {p['rank']}（{_points(p['score'])} 分）"

    def _score_moved(self, ident: str, track: str, b: _Side, a: _Side, *, up: bool) -> str | None:
        """The score and rank's move when the weights or the calibration moved them the way of the change."""
        p0, p1 = b.pair(ident, track), a.pair(ident, track)
        if p0 is None or p1 is None or abs(p0["score"] - p1["score"]) < 0.005:
            return None
        if (p1["rank"] < p0["rank"]) != up or p1["rank"] == p0["rank"]:
            return None
        return (f"{self._name(track)}得分 {_points(p0['score'])}→{_points(p1['score'])} 分，"
                f"排名第 {p0['rank']}→{p1['rank']}")

    def _why_in(self, ident, track, b: _Side, a: _Side, left: dict) -> tuple[str, str, list[str]]:
        rank = self._rank_text(a, ident, track)
        if ident in a.options.forced_in and ident not in b.options.forced_in:
            return "W-FORCED-IN", f"分析人员指定强制入选{self._name(track)}（{rank}）", []
        if b.pair(ident, track) is None:
            rules = [r for r in SOFT_RULES if a.outcome.scenario.rules.get(r) != b.outcome.scenario.rules.get(r)]
            how = f"{'、'.join(r + ('关闭' if not a.outcome.scenario.rules.get(r) else '开启') for r in rules)}后" \
                if rules else "本情景中"
            return "W-ELIGIBLE", f"基线中不具备{self._name(track)}的资格，{how}具备资格，{rank}", []
        before = b.decision(ident)
        unit = before.get("unit")
        if before.get("code") == "S-UNIT":
            blocker = before.get("blocker_id")
            gone = [i for i in b.chosen_of_unit(unit) if i != ident and i not in a.chosen]
            if blocker and blocker not in a.chosen or gone:
                k = blocker if blocker and blocker not in a.chosen else gone[0]
                row = b.chosen[k]
                return ("W-UNIT-FREED", f"同单位（{unit}）的{_label(row)}不再入选{self._name(row['track'])}，"
                        f"空出了“每所一项”的位置；本项目{rank}", [k])
            if b.options.one_per_unit and not a.options.one_per_unit and blocker:
                row = b.chosen.get(blocker) or {"app_id": blocker, "train_name": None}
                return ("W-U1-OFF", f"关闭 U1（原则上每所一项）后，同单位已入选的{_label(row)}不再排斥本项目；"
                        f"本项目{rank}", [blocker])
        q0, q1 = b.quota(track), a.quota(track)
        if q1 > q0:
            return "W-QUOTA-UP", f"{self._name(track)}名额 {q0}→{q1}，本项目{rank}，得以入选", []
        if before.get("code") == "S-BUDGET":
            m0, m1 = b.options.budget_total, a.options.budget_total
            if m0 is not None and (m1 is None or m1 > m0):
                money = "不设上限" if m1 is None else f"{m1:g} 万元"
                return "W-BUDGET-FREED", f"经费总额 {m0:g}→{money}，本项目所需经费有了着落；{rank}", []
            freed = [i for i, row in left.items() if row["app_id"] in b.chosen and b.chosen[i]["cost"]]
            if freed:
                names = "、".join(_label(b.chosen[i]) for i in freed[:3])
                money = sum(b.chosen[i]["cost"] for i in freed)
                return ("W-BUDGET-FREED", f"{names}不再入选，让出经费 {_points(money)} 万元，本项目所需经费有了着落；{rank}",
                        freed)
        gone = [i for i in left if b.chosen[i]["track"] == track and a.chosen.get(i, {}).get("track") != track]
        moved = self._score_moved(ident, track, b, a, up=True)
        if gone and before.get("code") in ("S-CUTOFF", "S-TIE", "S-BUDGET", "S-TRADEOFF") and not moved:
            names = "、".join(_label(b.chosen[i]) for i in gone[:3])
            return "W-PLACE-FREED", f"本类别{names}不再入选，空出名额；本项目{rank}，递补入选", gone
        if moved:
            return "W-SCORE", f"权重或评审校准改变：{moved}", []
        return "W-TRADEOFF", f"{rank}；与其他项目整体权衡后入选（总分更高）", []

    def _why_out(self, ident, track, b: _Side, a: _Side, entered: dict) -> tuple[str, str, list[str]]:
        if ident in a.options.forced_out and ident not in b.options.forced_out:
            return "W-FORCED-OUT", f"分析人员指定强制不入选（原入选{self._name(track)}）", []
        if not a.eligible_anywhere(ident):
            rules = [r for r in SOFT_RULES if a.outcome.scenario.rules.get(r) != b.outcome.scenario.rules.get(r)]
            how = f"{'、'.join(r + ('开启' if a.outcome.scenario.rules.get(r) else '关闭') for r in rules)}后" \
                if rules else "本情景中"
            return "W-INELIGIBLE", f"{how}不再具备资格（原入选{self._name(track)}）", []
        now = a.decision(ident)
        rank = self._rank_text(a, ident, track)
        if now.get("code") == "S-UNIT":
            k = now.get("blocker_id")
            if k and k not in b.chosen:
                row = a.chosen.get(k) or {"app_id": k, "train_name": None, "track": track}
                return ("W-UNIT-TAKEN", f"同单位（{now.get('unit')}）的{_label(row)}入选{self._name(row['track'])}，"
                        f"占用了“每所一项”的位置（原入选{self._name(track)}，{rank}）", [k])
            if a.options.one_per_unit and not b.options.one_per_unit and k:
                row = a.chosen.get(k) or {"app_id": k, "train_name": None}
                return ("W-U1-ON", f"开启 U1（原则上每所一项）后，同单位的{_label(row)}已入选，本项目让出（{rank}）", [k])
        q0, q1 = b.quota(track), a.quota(track)
        if q1 < q0:
            return "W-QUOTA-DOWN", f"{self._name(track)}名额 {q0}→{q1}，本项目{rank}，在名额之外", []
        if now.get("code") == "S-BUDGET":
            m0, m1 = b.options.budget_total, a.options.budget_total
            if m1 is not None and (m0 is None or m1 < m0):
                money = "不设上限" if m0 is None else f"{m0:g} 万元"
                return "W-BUDGET-USED", f"经费总额 {money}→{m1:g} 万元，{now.get('message')}", []
            users = [i for i in entered if a.chosen.get(i, {}).get("cost")]
            if users:
                names = "、".join(_label(a.chosen[i]) for i in users[:3])
                return "W-BUDGET-USED", f"经费被新入选的{names}用去；{now.get('message')}", users
        came = [i for i in entered if a.chosen[i]["track"] == track and b.chosen.get(i, {}).get("track") != track]
        moved = self._score_moved(ident, track, b, a, up=False)
        if came and not moved:
            names = "、".join(_label(a.chosen[i]) for i in came[:3])
            forced = [i for i in came if i in a.options.forced_in and i not in b.options.forced_in]
            lead = "强制入选的" if forced and len(forced) == len(came) else "新入选的"
            return "W-PLACE-TAKEN", f"本类别{lead}{names}占用名额；本项目{rank}，名额已满", came
        if moved:
            return "W-SCORE", f"权重或评审校准改变：{moved}", []
        return "W-TRADEOFF", f"{self._tradeoff(a, ident, track) or now.get('message')}", []

    def _tradeoff(self, a: _Side, ident: str, track: str) -> str | None:
        """The re-solve behind an S-TRADEOFF message, for this one row (the moves skip it for all others)."""
        from casplan.selection.explain import tradeoff_text
        from casplan.selection.model import x_from

        model = a.outcome.selection.model
        if model is None:
            return None
        js = [j for j in range(model.n) if model.ids[j] == ident and model.tracks[j] == track]
        x = x_from(model, a.outcome.selection)
        if not js or x is None:
            return None

        def label(j: int) -> str:
            return f"「{model.names[j]}」（{model.ids[j]}）" if model.names[j] else f"「{model.ids[j]}」"

        return f"{self._rank_text(a, ident, track)}；{tradeoff_text(model, x, js[0], label)}"
