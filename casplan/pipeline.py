"""The whole chain from files to decisions, as plain functions: load → check → (score → select).

The CLI, the notebooks and the report call these, so they all read the same
inputs the same way.
"""

from __future__ import annotations

import datetime as dt

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from casplan.eligibility import Eligibility, check
from casplan.errors import InputError
from casplan.intake import Intake, read_history, read_reviews, read_roster
from casplan.eligibility.overrides import Overrides
from casplan.policy import Policy, load_policy
from casplan.scoring import Scores, score

if TYPE_CHECKING:
    import polars as pl

    from casplan.directions import Vocabulary
    from casplan.selection import Selection, SelectOptions

__all__ = ["Inputs", "Loaded", "Year", "Shortlist", "HasShortlist", "load", "assess", "choose_policy", "omitted_inputs", "read_params", "inputs_from_params", "PARAMS_FILE_KEYS", "PARAMS_INPUT_KEYS",
           "vocabulary_of", "match_directions",
           "score_year", "select_options", "candidates_of", "run_year", "robustness_of"]


@dataclass(frozen=True)
class Inputs:
    """Where the year's inputs are. Only ``plans`` is required; an omitted input is *none*.

    ``policy`` omitted: the packaged policy of the data's plan year (or of ``year`` when given).
    """

    plans: tuple[Path, ...]
    history: Path | None = None
    roster: Path | None = None
    policy: Path | None = None
    overrides: Path | None = None
    reviews: Path | None = None
    year: int | None = None

    @classmethod
    def of(cls, plans: Sequence[str | os.PathLike] | str | os.PathLike, *, year: int | None = None,
           **paths: str | os.PathLike | None) -> "Inputs":
        if isinstance(plans, (str, os.PathLike)):
            plans = [plans]
        return cls(plans=tuple(Path(p) for p in plans), year=year,
                   **{k: (Path(v) if v else None) for k, v in paths.items()})

    def files(self) -> list[Path]:
        """Every input path named."""
        return [*self.plans, *(p for p in (self.history, self.roster, self.policy, self.overrides, self.reviews) if p)]

    def check_paths(self) -> None:
        """Raise for the first named path that does not exist, before anything is read.

        A typo in a path is then the first and only message (no summary of an empty year).
        """
        from casplan.errors import UnreadableFileError

        labels = {"plans": "培训计划导出", "history": "往年项目", "roster": "单位名册", "policy": "政策文件",
                  "overrides": "人工决定", "reviews": "专家评审"}
        for key in labels:
            value = getattr(self, key)
            for p in (value if key == "plans" else (value,) if value else ()):
                if not Path(p).exists():
                    raise UnreadableFileError(f"找不到文件 {p}（{labels[key]}），请检查路径是否正确", file=str(p))


@dataclass(frozen=True)
class Loaded:
    """Every input read. ``errors`` lists the files that could not be read at all.

    ``sources`` is every file actually read (path, SHA-256 of the bytes read, size), the policy's
    files included; ``notes`` are Chinese lines about omitted inputs and how the policy was chosen.
    """

    policy: Policy
    plans: Intake
    roster: Intake | None
    history: Intake | None
    overrides: Overrides
    reviews: Intake | None = None
    errors: tuple[InputError, ...] = field(default=())
    sources: tuple = field(default=())
    notes: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return not self.errors


def choose_policy(inputs: Inputs, raw_plans: Intake | None = None, *,
                  given: Policy | None = None) -> tuple[Policy, str | None]:
    """The policy for these inputs and, when it was chosen rather than given, a note saying how.

    Given ``--policy``, its year must be the data's plan year (and ``year``'s, when given); otherwise
    the packaged policy of the data's year (or of ``year``) is used.

    Raises
    ------
    PolicyError
        (exit 2, one Chinese line) when the years disagree, when the data has no plan year and no
        policy was given, or when no policy of that year exists.
    """
    from casplan.errors import PolicyError
    from casplan.intake import plan_year
    from casplan.policy import find_policy

    data_year = plan_year(raw_plans) if raw_plans is not None else None
    if inputs.policy is not None:
        policy = given if given is not None else load_policy(inputs.policy)
        if inputs.year is not None and inputs.year != policy.year:
            raise PolicyError(f"指定的计划年度 {inputs.year} 与政策文件 {inputs.policy} 的年度 {policy.year} 不一致")
        if data_year is not None and data_year != policy.year:
            raise PolicyError(f"导出的培训年度为 {data_year}，而政策文件 {inputs.policy} 是 {policy.year} 年度的；"
                              f"请用 {data_year} 年度的政策文件")
        return policy, None
    year = inputs.year if inputs.year is not None else data_year
    if year is None:
        shown = "、".join(Path(p).name for p in inputs.plans[:3]) + ("等" if len(inputs.plans) > 3 else "")
        raise PolicyError(f"{shown}：导出中没有可识别的培训年度，无法确定用哪一年的政策；"
                          "请用 --policy 指定政策文件或用 --year 指定年度")
    if inputs.year is not None and data_year is not None and data_year != inputs.year:
        raise PolicyError(f"导出的培训年度为 {data_year}，与指定的计划年度 {inputs.year} 不一致")
    path = find_policy(year)
    how = "导出的培训年度" if inputs.year is None else "指定的计划年度"
    return load_policy(path), f"按{how} {year} 使用内置的 {year} 年度政策文件"


def load(inputs: Inputs) -> Loaded:
    """Read the policy, roster, history, plans, reviews and overrides — exactly the files named.

    A missing path is the first and only error; a policy or overrides file that is wrong raises
    (nothing sensible can run without them); unreadable data files are collected in ``errors``.
    """
    from casplan.intake import read_plans_raw, settle
    from casplan.eligibility.overrides import read_overrides_source
    from casplan.policy import IntakeRules

    inputs.check_paths()
    overrides, overrides_source = read_overrides_source(inputs.overrides)
    given = load_policy(inputs.policy) if inputs.policy is not None else None
    raw = read_plans_raw(list(inputs.plans), rules=given.intake if given is not None else None)
    if given is None and inputs.year is None and raw.errors and not raw.frame.height:
        raise raw.errors[0]  # nothing could be read: that, not the missing plan year, is the analyst's problem
    policy, how = choose_policy(inputs, raw, given=given)
    if given is None and policy.intake != IntakeRules():
        raw = read_plans_raw(list(inputs.plans), rules=policy.intake)  # the year's own reading rules
    errors: list[InputError] = []
    roster = read_roster([inputs.roster]) if inputs.roster else None
    roster_frame = roster.frame if roster is not None and roster.ok else None
    history = (read_history([inputs.history], policy=policy, roster=roster_frame, overrides=overrides)
               if inputs.history else None)
    reviews = read_reviews([inputs.reviews]) if inputs.reviews else None
    for part in (roster, history, reviews):
        if part is not None:
            errors.extend(part.errors)
    plans = settle(raw, policy=policy, roster=roster_frame, overrides=overrides)
    errors.extend(plans.errors)
    sources = [*policy.sources, *plans.sources]
    for part in (roster, history, reviews):
        if part is not None:
            sources.extend(part.sources)
    if overrides_source is not None:
        sources.append(overrides_source)
    notes = [how] if how else []
    notes += omitted_inputs(inputs, policy)
    if plans.frame.height >= 20_000:  # the reading's transient memory back to the system before the stages
        from casplan.io.workbook import return_freed_memory

        return_freed_memory()
    return Loaded(policy=policy, plans=plans, roster=roster, history=history, overrides=overrides,
                  reviews=reviews, errors=tuple(errors), sources=tuple(sources), notes=tuple(notes))


def omitted_inputs(inputs: Inputs, policy: Policy) -> list[str]:
    """One Chinese line for each input that was not given, saying what cannot be checked."""
    funded = policy.history.funded_year
    notes = []
    if inputs.history is None:
        notes.append(f"未提供往年项目：精品（J1）、人社部高研（G1）的举办记录和 {funded} 年度执行情况（U2）无法核对，"
                     "相关申报标为“待核”")
    if inputs.roster is None:
        notes.append("未提供单位名册：无法列出未报送的单位，单位类型按名称推断")
    if inputs.reviews is None:
        notes.append("未提供专家评审：得分只含评分准则，不含专家评审分")
    return notes


PARAMS_INPUT_KEYS = ("plans", "history", "roster", "policy", "overrides", "reviews", "scenario")
PARAMS_FILE_KEYS = ("year", *PARAMS_INPUT_KEYS, "robustness_draws", "include_contacts", "status_mark", "report_date")
_PARAM_TYPES = {"year": int, "robustness_draws": int, "include_contacts": bool, "status_mark": str,
                "report_date": str}


def read_params(path: str | os.PathLike) -> dict:
    """A parameters file (the report's, the what-if's, the notebooks'): what to read, and the report's options.

    Keys: :data:`PARAMS_FILE_KEYS`. Paths are relative to the file; several plans are a list (or
    ``;``-separated). Unknown keys and ill-typed values are errors naming the file.
    """
    from casplan.io import read_yaml

    raw = read_yaml(path)
    if not isinstance(raw, dict):
        raise InputError(f"参数文件 {path} 应为键值表（如 plans: 导出文件.xlsx）", file=str(path))
    unknown = sorted(str(k) for k in raw if k not in PARAMS_FILE_KEYS)
    if unknown:
        raise InputError(f"参数文件 {path} 有未知的键「{'、'.join(unknown)}」（可用：{'、'.join(PARAMS_FILE_KEYS)}）",
                         file=str(path))
    base = Path(path).resolve().parent
    params: dict = {}
    for k, v in raw.items():
        if k in PARAMS_INPUT_KEYS:
            if isinstance(v, (list, tuple)):
                v = ";".join(map(str, v))
            if v is not None and not isinstance(v, str):
                raise InputError(f"参数文件 {path}：「{k}」应为文件路径，实际为「{v}」", file=str(path))
            if v:
                v = ";".join(str((base / p) if not Path(p).is_absolute() else Path(p))
                             for p in (x.strip() for x in v.split(";")) if p)
            params[k] = v or ""
        else:
            params[k] = v
    if isinstance(params.get("report_date"), dt.date):
        params["report_date"] = params["report_date"].isoformat()  # YAML reads 2023-01-20 as a date
    for key, kind in _PARAM_TYPES.items():
        value = params.get(key)
        if value is not None and (not isinstance(value, kind) or (kind is int and isinstance(value, bool))):
            want = {int: "整数", bool: "是/否（true/false）", str: "文字"}[kind]
            raise InputError(f"参数文件 {path}：「{key}」为「{value}」，应为{want}", file=str(path))
    if params.get("robustness_draws") is not None and not 0 <= params["robustness_draws"] <= 100_000:
        raise InputError(f"参数文件 {path}：robustness_draws 为 {params['robustness_draws']}，应在 0–100000 之间",
                         file=str(path))
    return {k: v for k, v in params.items() if v is not None}


def inputs_from_params(path: str | os.PathLike) -> tuple[Inputs, dict]:
    """The :class:`Inputs` a parameters file names, and the file's other settings (scenario, draws …).

    Raises :class:`InputError` when the file names no plans.
    """
    params = read_params(path)
    def split(key: str) -> list[str]:
        return [p.strip() for p in str(params.get(key) or "").split(";") if p.strip()]

    if not split("plans"):
        raise InputError(f"参数文件 {path} 中没有 plans（培训计划导出文件）", file=str(path))
    inputs = Inputs.of(split("plans"), history=params.get("history") or None, roster=params.get("roster") or None,
                       policy=params.get("policy") or None, overrides=params.get("overrides") or None,
                       reviews=params.get("reviews") or None, year=params.get("year") or None)
    rest = {k: v for k, v in params.items() if k not in ("plans", "history", "roster", "policy", "overrides",
                                                           "reviews", "year")}
    return inputs, rest


def assess(loaded: Loaded) -> Eligibility:
    """Eligibility of every application of the loaded year."""
    return check(loaded.plans.frame, policy=loaded.policy,
                 history=loaded.history.frame if loaded.history is not None else None,
                 roster=loaded.roster.frame if loaded.roster is not None else None,
                 overrides=loaded.overrides)


@lru_cache(maxsize=8)
def _vocabulary(path: str) -> "Vocabulary":
    from casplan.directions import load_directions

    return load_directions(path)


def vocabulary_of(policy: Policy) -> "Vocabulary":
    """The direction vocabulary the policy names (read with the policy, once)."""
    if policy.vocabulary is not None:
        return policy.vocabulary
    return _vocabulary(str(policy.directions_path()))


def match_directions(applications: "pl.DataFrame", policy: Policy) -> "pl.DataFrame":
    """Every (application, track, direction) score with the matched words (long)."""
    from casplan.directions import match_frame

    return match_frame(applications, vocabulary=vocabulary_of(policy), threshold=policy.scoring.match_threshold)


def score_year(eligibility: Eligibility, policy: Policy, *, matches: "pl.DataFrame | None" = None,
               reviews: "pl.DataFrame | None" = None, weights: dict[str, dict[str, float]] | None = None,
               set_aside_ids: set[str] | frozenset[str] = frozenset()) -> Scores:
    """Scores of every eligible (application, track) pair.

    ``matches`` (from :func:`match_directions`) can be passed in to avoid matching again (the what-if).
    Reviews of applications whose plan row was set aside at intake (``set_aside_ids``) are left out
    with a warning; reviews naming an id that exists nowhere are an error.
    """
    import dataclasses

    import polars as pl

    from casplan.directions import best_direction

    notes: list[str] = []
    if reviews is not None and reviews.height and set_aside_ids:
        known = set(eligibility.applications["app_id"])
        orphan = reviews.filter(~pl.col("app_id").is_in(list(known)) & pl.col("app_id").is_in(list(set_aside_ids)))
        for app_id in sorted(set(orphan["app_id"])):
            notes.append(f"专家评审中的申报 {app_id} 的计划行在接收时被搁置，其评审分未使用")
        reviews = reviews.filter(~pl.col("app_id").is_in(orphan["app_id"].implode()))

    if matches is None:
        matches = match_directions(eligibility.applications, policy)
    best = best_direction(matches, by_track=True)
    vocab = vocabulary_of(policy)
    scores = score(eligibility.eligible_pairs(), policy=policy, directions=best,
                   history_matches=eligibility.history_matches, reviews=reviews, weights=weights,
                   tracks_with_directions={t.id for t in vocab.tracks if t.directions},
                   application_ids=set(eligibility.applications["app_id"]))
    return dataclasses.replace(scores, warnings=tuple(notes) + scores.warnings) if notes else scores


def set_aside_ids(plans: Intake) -> frozenset[str]:
    """The platform ids (``P…``) of the plan rows set aside at intake."""
    if "plan_id" not in plans.rejected.columns:
        return frozenset()
    return frozenset(f"P{str(v).strip().removesuffix('.0')}" for v in plans.rejected["plan_id"].drop_nulls())


def select_options(policy: Policy, *, overrides: Overrides | None = None) -> "SelectOptions":
    """The selection's options from the typed policy (and the analyst's forced includes/excludes).

    Tracks with a ``fallback`` (人社部高研 → 精品) come first in the track priority.
    U1 applies to 研究所 (``institute``) across every track, as the notice's 院级资助项目.
    """
    from casplan.selection import SelectOptions

    overrides = overrides or Overrides()
    u1 = policy.rules["U1"]
    first = [t.id for t in policy.tracks if t.fallback]
    return SelectOptions(
        quotas={t.id: t.quota_spec for t in policy.tracks},   # one meaning: casplan.policy.Quota
        money_tracks=frozenset(t.id for t in policy.tracks if t.kind == "money"),
        budget_total=policy.budget_total,
        budget_per_track=dict(policy.budget_per_track),
        max_grant={t.id: t.max_grant for t in policy.tracks if t.max_grant is not None},
        one_per_unit=u1.enabled,
        one_per_unit_max=u1.max_per_institute or 1,
        max_per_unit={t.id: t.max_per_unit for t in policy.tracks if t.max_per_unit},
        track_priority=tuple(first + [t.id for t in policy.tracks if t.id not in first]),
        fallback={t.id: t.fallback for t in policy.tracks if t.fallback and t.fallback_when == "full"},
        forced_in=overrides.forced_in,
        forced_out=overrides.forced_out,
        track_names=policy.track_names,
    )


def candidates_of(scores: Scores, policy: Policy) -> "pl.DataFrame":
    """The selection's input: one row per eligible (application, track) with score and cost.

    ``cost`` is the 经费预算 on money tracks (capped later by ``max_grant``), 0 on support
    tracks; ``rank`` is the rank in the track by the policy's tie-break chain. The columns keep
    the names they have from intake on (``app_id``, ``train_name``, ``unit_kind``).
    """
    import polars as pl

    money = {t.id for t in policy.tracks if t.kind == "money"}
    t = scores.table
    return t.select(
        "app_id", "unit", pl.col("unit_kind").fill_null("other"), "track",
        pl.col("score").round(2).alias("score"),
        pl.when(pl.col("track").is_in(list(money))).then(pl.col("budget").fill_null(0.0)).otherwise(0.0)
        .cast(pl.Float64).alias("cost"),
        "train_name", pl.col("rank").cast(pl.Int64),
    ).sort("app_id", "track")


@dataclass(frozen=True)
class Shortlist:
    """What one setting of the knobs decides: the scores, the candidates they give, the options, the selection.

    The year's baseline (:attr:`Year.shortlist`), a what-if scenario (:attr:`casplan.whatif.Outcome.shortlist`)
    and the report (:attr:`casplan.report.ReportData.shortlist`) all carry one.
    """

    scores: Scores
    candidates: "pl.DataFrame"
    options: "SelectOptions"
    selection: "Selection"


class HasShortlist:
    """The shortlist's four parts read directly off the holder (``year.selection`` …)."""

    shortlist: Shortlist

    @property
    def scores(self) -> Scores:
        return self.shortlist.scores

    @property
    def candidates(self) -> "pl.DataFrame":
        return self.shortlist.candidates

    @property
    def options(self) -> "SelectOptions":
        return self.shortlist.options

    @property
    def selection(self) -> "Selection":
        return self.shortlist.selection


@dataclass(frozen=True)
class Year(HasShortlist):
    """Everything decided for a year: inputs read, eligibility, direction matches, and the baseline shortlist."""

    loaded: Loaded
    eligibility: Eligibility
    matches: "pl.DataFrame"
    shortlist: Shortlist


def run_year(inputs: Inputs | None = None, *, options: "SelectOptions | None" = None,
             loaded: Loaded | None = None) -> Year:
    """Load, check, score and select: the whole chain for one year's inputs (or already loaded ones)."""
    from casplan.selection import solve

    if loaded is None:
        if inputs is None:
            raise TypeError("run_year needs inputs or loaded")
        loaded = load(inputs)
    if loaded.errors:  # an input that cannot be read stops the chain: no decision on part of the year
        raise loaded.errors[0]
    eligibility = assess(loaded)
    matches = match_directions(eligibility.applications, loaded.policy)
    reviews = loaded.reviews.frame if loaded.reviews is not None and loaded.reviews.ok else None
    scores = score_year(eligibility, loaded.policy, matches=matches, reviews=reviews,
                        set_aside_ids=set_aside_ids(loaded.plans))
    cands = candidates_of(scores, loaded.policy)
    options = options or select_options(loaded.policy, overrides=loaded.overrides)
    selection = solve(cands, options=options)
    return Year(loaded=loaded, eligibility=eligibility, matches=matches,
                shortlist=Shortlist(scores=scores, candidates=cands, options=options, selection=selection))


def robustness_of(year: Year, *, n: int = 500, seed: int = 2023, shortlist: Shortlist | None = None,
                  weights: dict[str, dict[str, float]] | None = None) -> "pl.DataFrame":
    """Probability of each eligible pair being chosen when the criteria weights move (seeded Dirichlet).

    Around ``shortlist`` (a scenario's; the year's baseline when omitted) and ``weights`` (the
    scenario's, else the policy's); the expert reviews' share of a reviewed application's score is
    held fixed, so the base case is the selection itself.
    """
    shortlist = shortlist or year.shortlist
    import polars as pl

    from casplan.selection import robustness

    policy = year.loaded.policy
    crit = shortlist.scores.breakdown.select("app_id", "track", "criterion", "value")
    used = shortlist.scores.breakdown.group_by("track").agg(pl.col("criterion").unique())
    chosen = {t: (weights or {}).get(t) or policy.scoring.weights_for(t) for t in policy.track_ids}
    weights = {t: {c: chosen[t].get(c, 0.0) for c in cs} for t, cs in used.iter_rows()}
    reviewed = shortlist.scores.table.filter(pl.col("review").is_not_null()).select(
        "app_id", "track", pl.lit(policy.scoring.review_weight).alias("share"),
        (100 * pl.col("review")).alias("value"))
    return robustness(shortlist.candidates, crit, weights, options=shortlist.options, n=n, seed=seed, fixed=reviewed)
