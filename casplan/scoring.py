"""Scoring and ranking: every criterion normalised to [0, 1], weighted per track, explained.

The kernel :func:`criteria_table` turns eligible (application, track) pairs into
one row per criterion with the raw value, the normalised value, the weight and
the contribution; :func:`score` checks its inputs, adds expert reviews, sums to a
0–100 score and ranks each track by the policy's named tie-break chain.

Criteria (all in [0, 1]; higher is better):

``direction``
    Best match of the application's texts to the track's 重点支持方向 (the matcher's score).
    A track without directions in the vocabulary (管理类) drops this criterion.
``scale``
    Trainees against the track's reference (its minimum or "about" size; 40 otherwise):
    ``min(1, trainees / (2 × reference))``; a track with a minimum of lectures (学术讲坛) uses
    lectures against 2 × that minimum.
``duration``
    Days against twice the track's minimum days (``min(1, days / (2 × min))``); for a track with
    an "about" size (人社部, 5天左右) ``1 − |days − about| / about``; a lecture series: hours per
    lecture against twice the minimum.
``openness``
    培训公开范围 scored by the policy's ``open_scope`` table (2023: 不对外/本单位 0.2, 社会/全国/公开 1,
    全院/院内 0.8, 分院 0.5); a value the table does not know, or a blank, is 0.
``joint``
    1 when 联合举办单位 names a partner (联合施训 is encouraged), else 0.
``track_record``
    Earlier runs found in the history: ``min(1, 0.25 × runs + 0.5 × [an earlier 精品 or 人社部 run])``.
``attachments``
    Share of the policy's full attachment list (``attachments.full``) present.
``cost``
    Thrift: ``1 − (经费 per trainee-day) / (the cap of its 培训对象级别)``, clipped to [0, 1].
``unit_rank``
    The unit's own 资助推荐排序: ``1 / rank`` (rank 1 → 1, rank 2 → 0.5 …), 0 when not ranked.

With expert reviews, the final score is ``(1 − review_weight) × criteria score + review_weight ×
100 × calibrated review`` for the applications that were reviewed. The calibrated review is the mean,
over the application's reviewers, of one of (the policy's ``scoring.calibration``, or the what-if's
switch — :data:`CALIBRATIONS`):

``percentile`` (default)
    the score's percentile among all the scores of the same expert (a strict expert's best is 1);
``z``
    the expert's z-score of the score, put on [0, 1] by the normal distribution (Φ(z));
``raw``
    the raw score, min–max scaled over the whole reviews file (no per-expert correction).
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from casplan.errors import InputError
from casplan.policy import CALIBRATIONS, CRITERIA, Policy

__all__ = ["CRITERIA", "CRITERION_LABELS", "CALIBRATIONS", "Scores", "criteria_table", "score", "rank",
           "calibrate_reviews", "review_values", "SCORING_REASONS"]

CRITERION_LABELS = {
    "direction": "方向匹配", "scale": "规模", "duration": "时长", "openness": "开放程度", "joint": "联合施训",
    "track_record": "举办基础", "attachments": "附件完整", "cost": "经费节约", "unit_rank": "单位推荐排序",
    "review": "专家评审",
}
SCORING_REASONS = {
    "R-TIE": "按全部排序规则仍并列，只能按申报编号区分",
    "R-REVIEW-UNKNOWN": "评审文件中的申报编号不存在",
    "R-REVIEWER-ONE": "评审专家只评了 1 项，无法校准（按原始分的百分位处理）",
}
_DEFAULT_REFERENCE_TRAINEES = 40.0


@dataclass(frozen=True)
class Scores:
    """Scores per eligible (application, track), their breakdown, and the rank per track.

    Attributes
    ----------
    table : one row per (app_id, track): score, criteria score, review score, rank, tie flag,
        best direction and its matched words.
    breakdown : one row per (app_id, track, criterion): raw, value, weight (normalised), contribution.
    reviews : the calibrated expert reviews (per reviewer and application), empty without reviews.
    warnings : Chinese messages (ties left after the chain, review problems).
    calibration : the review calibration used (a key of :data:`CALIBRATIONS`).
    """

    table: pl.DataFrame
    breakdown: pl.DataFrame
    reviews: pl.DataFrame
    warnings: tuple[str, ...] = ()
    calibration: str = "percentile"


def _clip(x: float) -> float:
    return max(0.0, min(1.0, x))


def _g(x: pl.Expr) -> pl.Expr:
    """A number as Python's ``f"{x:g}"`` writes the values the intake lets through (six significant digits;
    whole numbers without a decimal point)."""
    r = x.round_sig_figs(6)
    return (pl.when(r == r.round(0)).then(r.cast(pl.Int64, strict=False).cast(pl.String))
            .otherwise(r.cast(pl.String)))


def _clipped(x: pl.Expr) -> pl.Expr:
    """``max(0, min(1, x))`` (NaN gives 1, as the Python expression does)."""
    return pl.when(x.is_nan()).then(1.0).otherwise(x.clip(0.0, 1.0))


_CRITERION_ORDER = {c: i for i, c in enumerate(CRITERIA)}


def criteria_table(pairs: pl.DataFrame, *, policy: Policy, directions: pl.DataFrame | None = None,
                   history_matches: pl.DataFrame | None = None, tracks_with_directions: set[str] | None = None) -> pl.DataFrame:
    """The kernel: long table (app_id, track, criterion, raw, value) for eligible pairs.

    ``pairs`` holds the applications' columns plus ``track``; ``directions`` the
    matcher's best score per (app_id, track) with ``terms``; ``history_matches`` the
    eligibility's history matches. Polars expressions over the whole frame, one criterion at a time
    (rows in the order of ``pairs``, criteria in the order of :data:`CRITERIA`).
    """
    def col(name: str, dtype) -> pl.Expr:
        return pl.col(name) if name in pairs.columns else pl.lit(None, dtype)

    tracks = pl.DataFrame(
        [(t.id, t.min_lectures is not None, float(t.min_lectures or 0), float(t.min_lecture_hours or 2),
          float(t.min_trainees or t.trainees_about or _DEFAULT_REFERENCE_TRAINEES), float(t.days_about or 0),
          float(t.min_days or 3), tracks_with_directions is None or t.id in tracks_with_directions)
         for t in policy.tracks],
        schema={"track": pl.String, "_lecture": pl.Boolean, "_min_lectures": pl.Float64, "_min_hours": pl.Float64,
                "_ref": pl.Float64, "_about": pl.Float64, "_min_days": pl.Float64, "_dirs": pl.Boolean}, orient="row")
    base = pairs.select(pl.int_range(pl.len(), dtype=pl.Int64).alias("_i"), "app_id", "track",
                        col("trainees", pl.Float64).cast(pl.Float64).alias("trainees"),
                        col("days", pl.Float64).cast(pl.Float64).alias("days"),
                        col("lectures", pl.Float64).cast(pl.Float64).alias("lectures"),
                        col("lecture_hours", pl.Float64).cast(pl.Float64).alias("lecture_hours"),
                        col("open_scope", pl.String).alias("open_scope"), col("joint_units", pl.String).alias("joint"),
                        col("attachments", pl.String).fill_null("").alias("files"),
                        col("budget", pl.Float64).cast(pl.Float64).alias("budget"),
                        col("fee_level", pl.String).alias("fee_level"),
                        col("support_rank", pl.Int64).alias("support_rank"))
    unknown = sorted(set(base["track"].unique().to_list()) - set(tracks["track"].to_list()))
    if unknown:
        policy.track(unknown[0])  # raises the policy's own message for an unknown track
    base = base.join(tracks, on="track", how="left")
    # a materialised column, not a literal: polars turns ÷ a scalar into × its reciprocal (5/6 ≠ 5 × (1/6))
    base = base.with_columns(pl.Series("_n_full", [float(len(policy.attachments.full))] * base.height, dtype=pl.Float64))
    if directions is not None and directions.height:
        best = directions.select("app_id", "track", pl.col("score").alias("_s"), pl.col("direction").alias("_d"),
                                 pl.col("terms").cast(pl.String).alias("_t"))
        base = base.join(best, on=["app_id", "track"], how="left")
    else:
        base = base.with_columns(pl.lit(None, pl.Float64).alias("_s"), pl.lit(None, pl.String).alias("_d"),
                                 pl.lit(None, pl.String).alias("_t"))
    special_tracks = sorted({p for t in policy.tracks for p in t.prior_tracks})
    shorts = {t.id: (t.aliases[0] if t.aliases else t.name) for t in policy.tracks}
    special_text = "（含" + "/".join(shorts[p] for p in special_tracks) + "）"
    if history_matches is not None and history_matches.height:
        runs = (history_matches.filter(pl.col("decided") != "rejected").group_by("app_id")
                .agg(pl.len().cast(pl.Int64).alias("_runs"), pl.col("history_track").is_in(special_tracks).any()
                     .alias("_special")))
        base = base.join(runs, on="app_id", how="left")
    else:
        base = base.with_columns(pl.lit(None, pl.Int64).alias("_runs"), pl.lit(None, pl.Boolean).alias("_special"))
    scopes = {}
    for scope in base["open_scope"].drop_nulls().unique().to_list():
        entry = policy.openness(scope)
        scopes[scope] = (scope if entry is not None or not scope else f"{scope}（不在政策文件的写法中，按不公开计）",
                         entry.score if entry is not None else 0.0)
    caps = policy.platform.fee_caps
    default_cap = caps.get("", caps.get("处级及以下", 550))
    full = policy.attachments.full
    zero = lambda x: x.fill_null(0.0)  # noqa: E731  (``x or 0``)
    runs, special = pl.col("_runs").fill_null(0), pl.col("_special").fill_null(False)
    trainees, days = pl.col("trainees"), pl.col("days")
    cap = pl.col("fee_level").replace_strict({k: float(v) for k, v in caps.items()}, default=float(default_cap),
                                             return_dtype=pl.Float64)
    per_day = pl.col("budget") * 10000 / (trainees * days)
    has_cost = pl.col("budget").is_not_null() & (zero(trainees) != 0) & (zero(days) != 0)
    lecture = pl.col("_lecture")
    have = pl.sum_horizontal([pl.col("files").str.contains(n, literal=True).cast(pl.Int64) for n in full]) \
        if full else pl.lit(0, pl.Int64)
    scope_raw = pl.col("open_scope").replace_strict({k: v[0] for k, v in scopes.items()}, default=None,
                                                    return_dtype=pl.String)
    scope_value = pl.col("open_scope").replace_strict({k: v[1] for k, v in scopes.items()}, default=0.0,
                                                      return_dtype=pl.Float64)
    criteria = {
        "direction": (pl.when(pl.col("_d").is_not_null())
                      .then(pl.col("_d") + "：" + pl.col("_t").fill_null("None")).otherwise(pl.lit("无匹配方向")),
                      zero(pl.col("_s")), pl.col("_dirs")),
        "scale": (pl.when(lecture).then(_g(zero(pl.col("lectures"))) + " 场")
                  .when(trainees.is_not_null()).then(_g(trainees) + " 人").otherwise(pl.lit("未填")),
                  pl.when(lecture).then(_clipped(zero(pl.col("lectures")) / (2 * pl.col("_min_lectures"))))
                  .otherwise(_clipped(zero(trainees) / (2 * pl.col("_ref")))), None),
        "duration": (pl.when(lecture).then("单场 " + _g(zero(pl.col("lecture_hours"))) + " 学时")
                     .when(days.is_not_null()).then(_g(days) + " 天").otherwise(pl.lit("未填")),
                     pl.when(lecture).then(_clipped(zero(pl.col("lecture_hours")) / (2 * pl.col("_min_hours"))))
                     .when(pl.col("_about") != 0)
                     .then(_clipped(1 - (zero(days) - pl.col("_about")).abs() / pl.col("_about")))
                     .otherwise(_clipped(zero(days) / (2 * pl.col("_min_days")))), None),
        "openness": (pl.when(pl.col("open_scope").is_null() | (pl.col("open_scope") == "")).then(pl.lit("未填"))
                     .otherwise(scope_raw), scope_value, None),
        "joint": (pl.when(pl.col("joint").is_null() | (pl.col("joint") == "")).then(pl.lit("无")).otherwise(pl.col("joint")),
                  pl.when(pl.col("joint").is_null() | (pl.col("joint") == "")).then(0.0).otherwise(1.0), None),
        "track_record": ("往年 " + runs.cast(pl.String) + " 次" + pl.when(special).then(pl.lit(special_text)).otherwise(pl.lit("")),
                         _clipped(0.25 * runs + pl.when(special).then(0.5).otherwise(0.0)), None),
        "attachments": (have.cast(pl.String) + f"/{len(full)} 项",
                        (have.cast(pl.Float64) / pl.col("_n_full")) if full else pl.lit(0.0), None),
        "cost": (pl.when(has_cost).then("人均每日 " + per_day.round(0, mode="half_to_even").cast(pl.Int64).cast(pl.String)
                                        + " 元（标准 " + _g(cap) + " 元）").otherwise(pl.lit("经费或人数、天数未填")),
                 pl.when(has_cost).then(_clipped(1 - per_day / cap)).otherwise(0.0), None),
        "unit_rank": (pl.when(zero(pl.col("support_rank")) != 0).then("第 " + pl.col("support_rank").cast(pl.String) + " 位")
                      .otherwise(pl.lit("未排序")),
                      pl.when(zero(pl.col("support_rank")) != 0).then(1.0 / pl.col("support_rank")).otherwise(0.0), None),
    }
    parts = []
    for name, (raw, value, keep) in criteria.items():
        part = base if keep is None else base.filter(keep)
        parts.append(part.select("_i", "app_id", "track", pl.lit(name).alias("criterion"),
                                 raw.cast(pl.String).alias("raw"), value.cast(pl.Float64).alias("value"),
                                 pl.lit(_CRITERION_ORDER[name], pl.Int64).alias("_c")))
    return (pl.concat(parts).sort("_i", "_c").drop("_i", "_c")
            .select("app_id", "track", "criterion", "raw", "value"))


def _weights(policy: Policy, track: str, present: set[str], overrides: dict[str, dict[str, float]] | None) -> dict[str, float]:
    w = dict((overrides or {}).get(track) or policy.scoring.weights_for(track))
    w = {c: v for c, v in w.items() if c in present}
    total = sum(w.values())
    return {c: v / total for c, v in w.items()} if total > 0 else {c: 1 / len(w) for c in w} if w else {}


def calibrate_reviews(reviews: pl.DataFrame, *, app_ids: set[str]) -> tuple[pl.DataFrame, list[str]]:
    """Per reviewer: z-score and percentile of each score (raw kept). Unknown ids are errors.

    Returns the calibrated table and warnings (reviewers with a single score).
    """
    unknown = sorted(set(reviews["app_id"]) - app_ids)
    if unknown:
        raise InputError(f"评审文件中的申报编号不存在：{'、'.join(unknown[:10])}" + ("……" if len(unknown) > 10 else "")
                         + "；请核对编号（申报编号见资格审查结果）", column="申报编号", value=unknown[0])
    counts = reviews.group_by("reviewer", maintain_order=True).len()
    warnings = [f"评审专家「{r}」只评了 1 项，无法按专家校准，按 0.5 计"
                for r in counts.filter(pl.col("len") == 1)["reviewer"].to_list()]
    score = pl.col("score").cast(pl.Float64)
    n = pl.len().over("reviewer")
    sd = score.std().over("reviewer")  # sample standard deviation (n − 1)
    # percentile = (values below + ½·(equal values − 1)) / (n − 1) = (average rank − 1) / (n − 1)
    pct = (score.rank("average").over("reviewer") - 1) / (n - 1)
    table = reviews.select(
        pl.col("app_id").cast(pl.Utf8), pl.col("reviewer").cast(pl.Utf8), score.alias("raw"),
        pl.when(sd > 0).then((score - score.mean().over("reviewer")) / sd).otherwise(0.0).alias("z"),
        pl.when(n > 1).then(pct).otherwise(0.5).alias("percentile"),
    )
    return table, warnings


def rank(table: pl.DataFrame, *, policy: Policy) -> tuple[pl.DataFrame, list[str]]:
    """Rank each track by the tie-break chain of the policy; flag ties that survive it."""
    chain = policy.scoring.tie_break
    descending = {"score": True, "direction": True, "support_rank": False, "submitted_at": False, "app_id": False}
    cols = [c for c in chain if c in table.columns]
    ranked = table.sort(["track", *cols], descending=[False, *[descending.get(c, False) for c in cols]],
                        nulls_last=True)
    ranked = ranked.with_columns(pl.int_range(1, pl.len() + 1).over("track").alias("rank"))
    before_id = [c for c in cols if c != "app_id"]
    ranked = ranked.with_columns(
        (pl.struct(before_id).is_duplicated().over("track") if before_id else pl.lit(False)).alias("tied"))
    warnings = []
    for (track,), part in ranked.filter(pl.col("tied")).group_by("track", maintain_order=True):
        warnings.append(f"{policy.track(track).name}：{'、'.join(part['app_id'])} 按全部排序规则（"
                        f"{' → '.join(chain)}）仍并列，只能按申报编号区分")
    return ranked, warnings


def score(pairs: pl.DataFrame, *, policy: Policy, directions: pl.DataFrame | None = None,
          history_matches: pl.DataFrame | None = None, reviews: pl.DataFrame | None = None,
          weights: dict[str, dict[str, float]] | None = None, tracks_with_directions: set[str] | None = None,
          application_ids: set[str] | None = None, criteria: pl.DataFrame | None = None,
          calibrated: pl.DataFrame | None = None, calibration: str | None = None,
          uncalibrated_rank: bool = True) -> Scores:
    """Score and rank eligible (application, track) pairs.

    Parameters
    ----------
    pairs : eligible pairs with the applications' columns (``Eligibility.eligible_pairs()``).
    directions : best direction per (app_id, track): ``score``, ``direction``, ``terms``.
    reviews : expert reviews (app_id, reviewer, score[, confidence]), optional.
    weights : per-track weights replacing the policy's (the what-if); missing tracks keep the policy's.
    application_ids : every application of the year (eligible or not): reviews may name any of them,
        and each reviewer is calibrated over all their scores. Default: the ids in ``pairs``.
    criteria, calibrated : precomputed :func:`criteria_table` (a superset of ``pairs`` is fine) and
        :func:`calibrate_reviews` results; the what-if passes them so that a weight change only
        re-weights.
    calibration : one of :data:`CALIBRATIONS` (``percentile``, ``z``, ``raw``); default the policy's.
    uncalibrated_rank : False leaves out ``rank_uncalibrated`` (the rank with raw review scores, a second
        ranking): the what-if's moves never show it.
    """
    for col in ("app_id", "track", "unit"):
        if col not in pairs.columns:
            raise InputError(f"评分需要列「{col}」", column=col)
    if criteria is None:
        crit = criteria_table(pairs, policy=policy, directions=directions, history_matches=history_matches,
                              tracks_with_directions=tracks_with_directions)
    else:
        crit = criteria.join(pairs.select("app_id", "track"), on=["app_id", "track"], how="semi")
    weight_rows = []
    present_by_track = {t: set(c) for t, c in crit.group_by("track").agg(pl.col("criterion").unique()).iter_rows()}
    for track in sorted(present_by_track):
        for c, w in _weights(policy, track, present_by_track[track], weights).items():
            weight_rows.append((track, c, w))
    wt = pl.DataFrame(weight_rows, schema={"track": pl.Utf8, "criterion": pl.Utf8, "weight": pl.Float64}, orient="row")
    breakdown = crit.join(wt, on=["track", "criterion"], how="left").with_columns(pl.col("weight").fill_null(0.0))
    breakdown = breakdown.with_columns((100 * pl.col("weight") * pl.col("value")).alias("contribution"))
    table = breakdown.group_by("app_id", "track").agg(pl.col("contribution").sum().alias("criteria_score"))
    warnings: list[str] = []
    rw = policy.scoring.review_weight
    if calibrated is not None and calibrated.height:
        pass  # precomputed by the caller
    elif reviews is not None and reviews.height:
        calibrated, w = calibrate_reviews(reviews, app_ids=application_ids or set(pairs["app_id"]))
        warnings += w
    else:
        calibrated = pl.DataFrame(schema={"app_id": pl.Utf8, "reviewer": pl.Utf8, "raw": pl.Float64,
                                          "z": pl.Float64, "percentile": pl.Float64})
    method = calibration or policy.scoring.calibration
    if method not in CALIBRATIONS:
        raise InputError(f"评审校准方法「{method}」不存在（可用：{'、'.join(f'{k}（{v}）' for k, v in CALIBRATIONS.items())}）",
                         value=method)
    if calibrated.height:
        per_app = (calibrated.with_columns(review_values(calibrated, method).alias("_value"))
                   .group_by("app_id").agg(pl.col("_value").mean().alias("review"),
                                           pl.col("raw").mean().alias("review_raw")))
        table = table.join(per_app, on="app_id", how="left")
    else:
        table = table.with_columns(pl.lit(None, pl.Float64).alias("review"), pl.lit(None, pl.Float64).alias("review_raw"))
    table = table.with_columns(
        pl.when(pl.col("review").is_not_null())
        .then((1 - rw) * pl.col("criteria_score") + rw * 100 * pl.col("review"))
        .otherwise(pl.col("criteria_score")).round(4).alias("score"))
    best = (directions.select("app_id", "track", pl.col("direction").alias("best_direction"),
                              pl.col("terms").alias("matched_terms"), pl.col("score").alias("direction"))
            if directions is not None and directions.height else
            pl.DataFrame(schema={"app_id": pl.Utf8, "track": pl.Utf8, "best_direction": pl.Utf8,
                                 "matched_terms": pl.Utf8, "direction": pl.Float64}))
    cols = [c for c in ("unit", "unit_kind", "train_name", "support_rank", "submitted_at", "budget") if c in pairs.columns]
    table = (table.join(pairs.select("app_id", "track", *cols), on=["app_id", "track"], how="left")
             .join(best, on=["app_id", "track"], how="left")
             .with_columns(pl.col("direction").fill_null(0.0)))
    table, tie_warnings = rank(table, policy=policy)
    if calibrated.height and uncalibrated_rank:
        # What the ranks would be with raw (uncalibrated) review scores, min–max scaled over the file.
        raw = (calibrated.with_columns(review_values(calibrated, "raw").alias("_value"))
               .group_by("app_id").agg(pl.col("_value").mean().alias("_raw_review")))
        uncal = table.join(raw, on="app_id", how="left").with_columns(
            pl.when(pl.col("_raw_review").is_not_null())
            .then((1 - rw) * pl.col("criteria_score") + rw * 100 * pl.col("_raw_review"))
            .otherwise(pl.col("criteria_score")).alias("score")).drop("_raw_review")
        uncal, _ = rank(uncal, policy=policy)
        table = table.join(uncal.select("app_id", "track", pl.col("rank").alias("rank_uncalibrated")),
                           on=["app_id", "track"], how="left")
    return Scores(table=table, breakdown=breakdown.sort("app_id", "track", "criterion"), reviews=calibrated,
                  warnings=tuple(warnings + tie_warnings), calibration=method)


def review_values(calibrated: pl.DataFrame, method: str) -> pl.Series:
    """Each review's value in [0, 1] under a calibration method (see the module's docstring)."""
    if method == "percentile":
        return calibrated["percentile"]
    if method == "z":
        import math

        return pl.Series([0.5 * (1 + math.erf(z / math.sqrt(2))) for z in calibrated["z"].to_list()], dtype=pl.Float64)
    if method == "raw":
        lo, hi = calibrated["raw"].min(), calibrated["raw"].max()
        span = (hi - lo) or 1.0
        return (calibrated["raw"] - lo) / span
    raise InputError(f"评审校准方法「{method}」不存在（可用：{'、'.join(CALIBRATIONS)}）", value=method)
