"""What the committee should know about the expert reviews: coverage, each expert's leniency, disagreements.

Pure frames over the calibrated reviews (:func:`casplan.scoring.calibrate_reviews`: one row per
application and reviewer with ``raw``, ``z`` and ``percentile``); the report, the annex and
``casplan reviews status`` read them.

Leniency is measured against the co-reviewers: for every review, the expert's value minus the mean of
the other experts' values **on the same application**; an expert's leniency is the mean of those
differences. It is given twice, on the same 0–100 scale of the review's share in the score:

* before calibration — the raw score min–max scaled over the file (the ``raw`` method), and
* after — the value under the calibration in use (``percentile`` by default).

An expert who is simply assigned better projects does not look lenient (the comparison is on the same
applications); a strict expert's values rise to their co-reviewers' after calibration, which is what
calibration is for. Applications reviewed by one expert only give no comparison and are left out.
"""

from __future__ import annotations

import polars as pl

__all__ = ["review_coverage", "expert_leniency", "review_disagreements"]


def review_coverage(counts: pl.DataFrame, applications: pl.DataFrame, *, per_application: int) -> pl.DataFrame:
    """The applications to review with fewer than ``per_application`` valid reviews.

    ``counts``: ``app_id``, ``n_reviews``; ``applications``: the applications that should be reviewed
    (``app_id`` and any columns to show). Adds ``n_reviews`` (0 when none) and ``missing``.
    """
    out = (applications.join(counts.select("app_id", "n_reviews"), on="app_id", how="left")
           .with_columns(pl.col("n_reviews").fill_null(0).cast(pl.Int64)))
    return (out.filter(pl.col("n_reviews") < per_application)
            .with_columns((per_application - pl.col("n_reviews")).alias("missing"))
            .sort("n_reviews", "app_id"))


def expert_leniency(calibrated: pl.DataFrame, *, method: str) -> pl.DataFrame:
    """Per expert: reviews, raw mean, and leniency before and after calibration (points of 100).

    Columns: ``reviewer``, ``n_reviews``, ``n_compared`` (reviews with co-reviewers), ``raw_mean``,
    ``before``, ``after``; sorted from the most lenient (before) to the strictest, then by name.
    """
    from casplan.scoring import review_values

    schema = {"reviewer": pl.String, "n_reviews": pl.UInt32, "n_compared": pl.UInt32, "raw_mean": pl.Float64,
              "before": pl.Float64, "after": pl.Float64}
    if calibrated.is_empty():
        return pl.DataFrame(schema=schema)
    values = calibrated.with_columns((100 * review_values(calibrated, "raw")).alias("_before"),
                                     (100 * review_values(calibrated, method)).alias("_after"))

    def against_others(col: str) -> pl.Expr:
        n = pl.len().over("app_id")
        others = (pl.col(col).sum().over("app_id") - pl.col(col)) / (n - 1)
        return pl.when(n > 1).then(pl.col(col) - others).otherwise(None)

    values = values.with_columns(against_others("_before").alias("_d_before"), against_others("_after").alias("_d_after"))
    out = values.group_by("reviewer").agg(
        pl.len().alias("n_reviews"), pl.col("_d_before").count().alias("n_compared"), pl.col("raw").mean().alias("raw_mean"),
        pl.col("_d_before").mean().alias("before"), pl.col("_d_after").mean().alias("after"))
    return out.select(list(schema)).cast(schema).sort(["before", "reviewer"], descending=[True, False], nulls_last=True)


def review_disagreements(calibrated: pl.DataFrame, *, points: float) -> pl.DataFrame:
    """Applications whose raw scores are more than ``points`` apart: ``app_id``, ``spread``, ``scores``
    (「专家 分」 joined by 「；」, highest first)."""
    schema = {"app_id": pl.String, "n_reviews": pl.UInt32, "low": pl.Float64, "high": pl.Float64,
              "spread": pl.Float64, "scores": pl.String}
    if calibrated.is_empty():
        return pl.DataFrame(schema=schema)
    out = (calibrated.sort("app_id", "raw", "reviewer", descending=[False, True, False])
           .group_by("app_id", maintain_order=True)
           .agg(pl.len().alias("n_reviews"), pl.col("raw").min().alias("low"), pl.col("raw").max().alias("high"),
                (pl.col("reviewer") + " " + pl.col("raw").round(1).cast(pl.String).str.replace(r"\.0$", ""))
                .str.join("；").alias("scores"))
           .with_columns((pl.col("high") - pl.col("low")).alias("spread"))
           .filter(pl.col("spread") > points))
    return out.select(list(schema)).cast(schema).sort(["spread", "app_id"], descending=[True, False])
