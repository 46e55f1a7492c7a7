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
from casplan.scoring import CRITERIA, calibrate_reviews, criteria_table, score
from casplan.selection import Selection, SelectOptions, solve

__all__ = ["Scenario", "Outcome", "WhatIf", "SOFT_RULES", "soft_rules"]

SOFT_RULES = ("U1", "U2")
"""The 原则上 rules a scenario may switch: U1 (one per 研究所, a constraint of the selection) and U2
(the funded year's execution, a reason of eligibility); their texts come from the policy (:func:`soft_rules`)."""


def soft_rules(policy: Policy) -> dict[str, str]:
    """Rule id → its text under ``policy``, for the rules a scenario may switch."""
    from casplan.eligibility import rule_texts

    texts = rule_texts(policy)
    return {r: texts[r] for r in SOFT_RULES}


def _execution_codes(policy: Policy) -> list[str]:
    """The failing codes of the execution check (U2-NOT-IMPLEMENTED, U2-LOW-RATE) under ``policy``."""
    rules = sorted({rule for t in policy.tracks for name, rule in t.checks if name == "execution"})
    return [f"{r}-{s}" for r in rules for s in ("NOT-IMPLEMENTED", "LOW-RATE")]
_KEYS = {"name", "note", "quotas", "weights", "budget_total", "rules", "forced_in", "forced_out"}


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
    source: str = field(default="", compare=False)

    @classmethod
    def baseline(cls, policy: Policy) -> "Scenario":
        """The policy as written: its quotas, weights, budget and soft rules."""
        return cls(name="基线（政策文件）", quotas={t.id: t.quota for t in policy.tracks},
                   weights={t.id: policy.scoring.weights_for(t.id) for t in policy.tracks},
                   budget_total=policy.budget_total,
                   rules={r: policy.rules[r].enabled for r in SOFT_RULES})

    def to_dict(self) -> dict:
        return {"name": self.name, "note": self.note, "quotas": dict(self.quotas),
                "weights": {t: dict(w) for t, w in self.weights.items()}, "budget_total": self.budget_total,
                "rules": dict(self.rules), "forced_in": list(self.forced_in), "forced_out": list(self.forced_out)}

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
        return cls(name=str(data.get("name") or "未命名情景"), note=str(data.get("note") or ""), quotas=quotas,
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


class WhatIf:
    """Precomputes a year once; :meth:`evaluate` re-weights, re-ranks and re-solves a scenario."""

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
        self.baseline = self.evaluate(Scenario.baseline(self.policy))

    @property
    def criteria(self) -> pl.DataFrame:
        """Every (application, track, criterion) value that any scenario may weigh."""
        return self._criteria

    def eligible_pairs(self, scenario: Scenario) -> pl.DataFrame:
        column = "reasons" if scenario.rules.get("U2", True) else "reasons_without_u2"
        ok = self._summary.filter(pl.col(column).list.len() == 0).select("app_id", "track")
        return self._pairs.join(ok, on=["app_id", "track"], how="semi")

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

        known = set(self.year.eligibility.applications["app_id"].to_list())
        for ident in ids:
            if ident not in known:
                raise InputError(f"{where}{unknown_id_message(ident, known)}", value=ident)

    def evaluate(self, scenario: Scenario, *, hint: Selection | None = None) -> Outcome:
        """Scores and the optimal selection under a scenario.

        Raises :class:`InputError` when the scenario forces an id that is no application of the year.
        """
        started = time.perf_counter()
        where = f"{scenario.source}：" if scenario.source else ""
        self.check_ids(scenario.forced_in, where=where + "forced_in 中")
        self.check_ids(scenario.forced_out, where=where + "forced_out 中")
        pairs = self.eligible_pairs(scenario)
        scores = score(pairs, policy=self.policy, directions=self._best, weights=scenario.weights,
                       tracks_with_directions=self._with_directions, criteria=self._criteria,
                       calibrated=self._calibrated, history_matches=self.year.eligibility.history_matches)
        cands = candidates_of(scores, self.policy)
        options = self.options(scenario)
        selection = solve(cands, options=options, hint=hint)
        return Outcome(scenario=scenario, shortlist=Shortlist(scores=scores, candidates=cands, options=options,
                                                             selection=selection),
                       elapsed_ms=(time.perf_counter() - started) * 1000)

    def diff(self, outcome: Outcome, *, against: Outcome | None = None) -> pl.DataFrame:
        """Who entered and who left against the baseline (or ``against``), with the reason now."""
        from casplan.selection import diff

        before = (against or self.baseline).selection
        changes = diff(before, outcome.selection)
        why = outcome.selection.decisions.select("app_id", pl.col("code").alias("reason"),
                                                 pl.col("message").alias("why"))
        return changes.join(why, on="app_id", how="left")
