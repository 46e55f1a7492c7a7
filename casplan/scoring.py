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


def criteria_table(pairs: pl.DataFrame, *, policy: Policy, directions: pl.DataFrame | None = None,
                   history_matches: pl.DataFrame | None = None, tracks_with_directions: set[str] | None = None) -> pl.DataFrame:
    """The kernel: long table (app_id, track, criterion, raw, value) for eligible pairs.

    ``pairs`` holds the applications' columns plus ``track``; ``directions`` the
    matcher's best score per (app_id, track) with ``terms``; ``history_matches`` the
    eligibility's history matches.
    """
    best = {}
    if directions is not None and directions.height:
        for app_id, track, s, direction, terms in directions.select(
                "app_id", "track", "score", "direction", "terms").iter_rows():
            best[(app_id, track)] = (s, direction, terms)
    runs: dict[str, tuple[int, bool]] = {}
    # an earlier run in a track some track requires as its prior run (精品, 人社部高研) weighs more
    special_tracks = sorted({p for t in policy.tracks for p in t.prior_tracks})
    shorts = {t.id: (t.aliases[0] if t.aliases else t.name) for t in policy.tracks}
    special_text = "（含" + "/".join(shorts[p] for p in special_tracks) + "）"
    if history_matches is not None and history_matches.height:
        kept = history_matches.filter(pl.col("decided") != "rejected")
        for app_id, part in kept.group_by("app_id"):
            special = part["history_track"].is_in(special_tracks).any()
            runs[app_id[0]] = (part.height, bool(special))
    full = policy.attachments.full
    rows = []
    for a in pairs.iter_rows(named=True):
        t = policy.track(a["track"])
        key = (a["app_id"], a["track"])
        trainees, days = a.get("trainees"), a.get("days")
        if tracks_with_directions is None or t.id in tracks_with_directions:
            s, direction, terms = best.get(key, (0.0, None, None))
            rows.append((key, "direction", f"{direction}：{terms}" if direction else "无匹配方向", s))
        if t.min_lectures is not None:   # a lecture series (学术讲坛): lectures and hours per lecture
            n = a.get("lectures") or 0
            rows.append((key, "scale", f"{n:g} 场", _clip(n / (2 * t.min_lectures))))
            h = a.get("lecture_hours") or 0
            rows.append((key, "duration", f"单场 {h:g} 学时", _clip(h / (2 * (t.min_lecture_hours or 2)))))
        else:
            ref = t.min_trainees or t.trainees_about or _DEFAULT_REFERENCE_TRAINEES
            rows.append((key, "scale", f"{trainees:g} 人" if trainees is not None else "未填",
                         _clip((trainees or 0) / (2 * ref))))
            if t.days_about:
                v = _clip(1 - abs((days or 0) - t.days_about) / t.days_about)
            else:
                v = _clip((days or 0) / (2 * (t.min_days or 3)))
            rows.append((key, "duration", f"{days:g} 天" if days is not None else "未填", v))
        scope = a.get("open_scope")
        entry = policy.openness(scope)
        raw_scope = scope or "未填"
        if scope and entry is None:
            raw_scope = f"{scope}（不在政策文件的写法中，按不公开计）"
        rows.append((key, "openness", raw_scope, entry.score if entry is not None else 0.0))
        joint = a.get("joint_units")
        rows.append((key, "joint", joint or "无", 1.0 if joint else 0.0))
        n_runs, special = runs.get(a["app_id"], (0, False))
        rows.append((key, "track_record", f"往年 {n_runs} 次" + (special_text if special else ""),
                     _clip(0.25 * n_runs + (0.5 if special else 0.0))))
        files = a.get("attachments") or ""
        have = sum(1 for n in full if n in files)
        rows.append((key, "attachments", f"{have}/{len(full)} 项", have / len(full)))
        budget, level = a.get("budget"), a.get("fee_level")
        cap = policy.platform.fee_caps.get(level or "", policy.platform.fee_caps.get("处级及以下", 550))
        if budget is not None and trainees and days:
            per_day = budget * 10000 / (trainees * days)
            rows.append((key, "cost", f"人均每日 {per_day:.0f} 元（标准 {cap:g} 元）", _clip(1 - per_day / cap)))
        else:
            rows.append((key, "cost", "经费或人数、天数未填", 0.0))
        r = a.get("support_rank")
        rows.append((key, "unit_rank", f"第 {r} 位" if r else "未排序", 1.0 / r if r else 0.0))
    return pl.DataFrame(
        [(k[0], k[1], c, raw, float(v)) for k, c, raw, v in rows],
        schema={"app_id": pl.Utf8, "track": pl.Utf8, "criterion": pl.Utf8, "raw": pl.Utf8, "value": pl.Float64},
        orient="row")


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
          calibrated: pl.DataFrame | None = None, calibration: str | None = None) -> Scores:
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
    if calibrated.height:
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
