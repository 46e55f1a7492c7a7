"""The whole chain from files to decisions, as plain functions: load → check → (score → select).

The CLI, the notebooks and the report call these, so they all read the same
inputs the same way.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from casplan.eligibility import Eligibility, check
from casplan.errors import InputError
from casplan.intake import Intake, read_history, read_plans, read_reviews, read_roster
from casplan.overrides import Overrides, read_overrides
from casplan.policy import Policy, load_policy
from casplan.scoring import Scores, score

if TYPE_CHECKING:
    import polars as pl

    from casplan.directions import Vocabulary
    from casplan.select import Selection, SelectOptions

__all__ = ["Inputs", "Loaded", "Year", "load", "assess", "sample_inputs", "vocabulary_of", "match_directions",
           "score_year", "select_options", "candidates_of", "run_year", "robustness_of"]


@dataclass(frozen=True)
class Inputs:
    """Where the year's inputs are. Only ``plans`` is required."""

    plans: tuple[Path, ...]
    history: Path | None = None
    roster: Path | None = None
    policy: Path | None = None
    overrides: Path | None = None
    reviews: Path | None = None

    @classmethod
    def of(cls, plans: Sequence[str | os.PathLike] | str | os.PathLike, **paths: str | os.PathLike | None) -> "Inputs":
        if isinstance(plans, (str, os.PathLike)):
            plans = [plans]
        return cls(plans=tuple(Path(p) for p in plans),
                   **{k: (Path(v) if v else None) for k, v in paths.items()})

    def files(self) -> list[Path]:
        """Every input path named (for hashing in the manifest)."""
        return [*self.plans, *(p for p in (self.history, self.roster, self.policy, self.overrides, self.reviews) if p)]


@dataclass(frozen=True)
class Loaded:
    """Every input read. ``errors`` lists the files that could not be read at all."""

    policy: Policy
    plans: Intake
    roster: Intake | None
    history: Intake | None
    overrides: Overrides
    reviews: Intake | None = None
    errors: tuple[InputError, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return not self.errors


def sample_inputs(root: str | os.PathLike = "data/samples/2023", *, dirty: bool = False) -> Inputs:
    """The shipped sample year (clean ``plans.xlsx``, or the ``dirty/`` export)."""
    base = Path(root)
    return Inputs.of(base / ("dirty" if dirty else "plans.xlsx"), history=base / "history.xlsx",
                     roster=base / "roster.xlsx", reviews=base / "reviews.csv")


def load(inputs: Inputs) -> Loaded:
    """Read the policy, roster, history, plans and overrides.

    A policy or overrides file that is wrong raises (nothing sensible can run
    without them); unreadable data files are collected in ``errors``.
    """
    policy = load_policy(inputs.policy)
    errors: list[InputError] = []
    roster = read_roster([inputs.roster]) if inputs.roster else None
    history = read_history([inputs.history]) if inputs.history else None
    reviews = read_reviews([inputs.reviews]) if inputs.reviews else None
    for part in (roster, history, reviews):
        if part is not None:
            errors.extend(part.errors)
    plans = read_plans(list(inputs.plans), roster=roster.frame if roster is not None and roster.ok else None)
    errors.extend(plans.errors)
    overrides = read_overrides(inputs.overrides)
    return Loaded(policy=policy, plans=plans, roster=roster, history=history, overrides=overrides,
                  reviews=reviews, errors=tuple(errors))


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
    """The direction vocabulary the policy names (read once per process)."""
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
    from casplan.select import QuotaSpec, SelectOptions

    overrides = overrides or Overrides()
    u1 = policy.rules["U1"]
    first = [t.id for t in policy.tracks if t.fallback]
    return SelectOptions(
        # ceiling: at most `quota` (左右 is the what-if's range); band: quota ± tolerance, both bounds binding
        quotas={t.id: QuotaSpec(t.quota, t.tolerance if t.quota_mode == "band" else 0, t.quota_mode)
                for t in policy.tracks},
        money_tracks=frozenset(t.id for t in policy.tracks if t.kind == "money"),
        budget_total=policy.budget_total,
        budget_per_track=dict(policy.budget_per_track),
        max_grant={t.id: t.max_grant for t in policy.tracks if t.max_grant is not None},
        one_per_unit=u1.enabled,
        one_per_unit_max=u1.max_per_institute or 1,
        max_per_unit={t.id: t.max_per_unit for t in policy.tracks if t.max_per_unit},
        track_priority=tuple(first + [t.id for t in policy.tracks if t.id not in first]),
        forced_in=overrides.forced_in,
        forced_out=overrides.forced_out,
        track_names=policy.track_names,
    )


def candidates_of(scores: Scores, policy: Policy) -> "pl.DataFrame":
    """The selection's input: one row per eligible (application, track) with score and cost.

    ``cost`` is the 经费预算 on money tracks (capped later by ``max_grant``), 0 on support
    tracks; ``tiebreak`` is the rank in the track by the policy's tie-break chain.
    """
    import polars as pl

    money = {t.id for t in policy.tracks if t.kind == "money"}
    t = scores.table
    return t.select(
        pl.col("app_id").alias("id"), "unit",
        pl.col("unit_kind").fill_null("other").alias("unit_type"), "track",
        pl.col("score").round(2).alias("score"),
        pl.when(pl.col("track").is_in(list(money))).then(pl.col("budget").fill_null(0.0)).otherwise(0.0)
        .cast(pl.Float64).alias("cost"),
        pl.col("train_name").alias("name"),
        pl.col("rank").cast(pl.Int64).alias("tiebreak"),
    ).sort("id", "track")


@dataclass(frozen=True)
class Year:
    """Everything decided for a year: inputs read, eligibility, direction matches, scores, selection."""

    loaded: Loaded
    eligibility: Eligibility
    matches: "pl.DataFrame"
    scores: Scores
    candidates: "pl.DataFrame"
    options: "SelectOptions"
    selection: "Selection"


def run_year(inputs: Inputs | None = None, *, options: "SelectOptions | None" = None,
             loaded: Loaded | None = None) -> Year:
    """Load, check, score and select: the whole chain for one year's inputs (or already loaded ones)."""
    from casplan.select import solve

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
    return Year(loaded=loaded, eligibility=eligibility, matches=matches, scores=scores, candidates=cands,
                options=options, selection=selection)


def robustness_of(year: Year, *, n: int = 500, seed: int = 2023,
                  weights: dict[str, dict[str, float]] | None = None) -> "pl.DataFrame":
    """Probability of each eligible pair being chosen when the criteria weights move (seeded Dirichlet).

    The weights move around ``weights`` (a scenario's) or the policy's; the expert reviews'
    share of a reviewed application's score is held fixed, so the base case is the selection itself.
    """
    import polars as pl

    from casplan.select import robustness

    policy = year.loaded.policy
    crit = year.scores.breakdown.select(pl.col("app_id").alias("id"), "track", "criterion", "value")
    used = year.scores.breakdown.group_by("track").agg(pl.col("criterion").unique())
    chosen = {t: (weights or {}).get(t) or policy.scoring.weights_for(t) for t in policy.track_ids}
    weights = {t: {c: chosen[t].get(c, 0.0) for c in cs} for t, cs in used.iter_rows()}
    reviewed = year.scores.table.filter(pl.col("review").is_not_null()).select(
        pl.col("app_id").alias("id"), "track", pl.lit(policy.scoring.review_weight).alias("share"),
        (100 * pl.col("review")).alias("value"))
    return robustness(year.candidates, crit, weights, options=year.options, n=n, seed=seed, fixed=reviewed)
