"""The review round end to end: from the year's eligible applications and the experts file to the
assignment and the packets, and from the returned packets to the reviews table.

The pure steps live in :mod:`casplan.reviews.assignment`, :mod:`casplan.reviews.packets` and
:mod:`casplan.reviews.collecting`; here they are joined, and the files written through :mod:`casplan.io`.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import polars as pl

__all__ = ["ASSIGNMENT_BOOK", "ASSIGNMENT_RECORD", "PACKETS_DIR", "RoundPlan", "eligible_once", "review_applications",
           "plan_round", "write_round", "read_record"]

ASSIGNMENT_BOOK = "评审分配.xlsx"
ASSIGNMENT_RECORD = "评审分配.json"  # what was sent to whom: the collector checks every returned file against it
PACKETS_DIR = "评审表"


@dataclass(frozen=True)
class RoundPlan:
    assignment: object
    applications: pl.DataFrame
    experts_read: object  # the experts file's Intake (set-aside rows shown to the analyst)


def eligible_once(eligibility, policy) -> pl.DataFrame:
    """Each application eligible in some track, once: ``app_id`` and its first such track in the policy's order."""
    order = {t.id: i for i, t in enumerate(policy.tracks)}
    return (eligibility.summary.filter(pl.col("eligible"))
            .with_columns(pl.col("track").replace_strict(order, default=len(order)).alias("_o"))
            .sort("app_id", "_o").unique("app_id", keep="first", maintain_order=True).select("app_id", "track"))


def review_applications(loaded, eligibility, matches: pl.DataFrame) -> pl.DataFrame:
    """The applications to review: every application eligible in some track (its first such track in the
    policy's order), with the texts the experts read and the directions it matched."""
    policy = loaded.policy
    eligible = eligible_once(eligibility, policy)
    apps = eligibility.applications
    text = [c for c in ("goal", "content", "branch") if c in apps.columns]
    dirs = (matches.filter(pl.col("is_match")).join(eligible, on=["app_id", "track"], how="semi")
            .sort("app_id", "score", descending=[False, True]).group_by("app_id", maintain_order=True)
            .agg(pl.col("direction").str.join("；").alias("directions")))
    out = (eligible.join(apps.select("app_id", "unit", "train_name", *text), on="app_id", how="left")
           .join(dirs, on="app_id", how="left")
           .with_columns(pl.col("track").replace_strict(policy.track_names, default=pl.col("track")).alias("track_name"),
                         pl.col("directions").fill_null("")))
    for c in ("goal", "content", "branch"):
        if c not in out.columns:
            out = out.with_columns(pl.lit(None, pl.String).alias(c))
    return out.sort("app_id")


def plan_round(loaded, eligibility, matches: pl.DataFrame, experts_path: str | os.PathLike) -> RoundPlan:
    """Read the experts, match them to the applications and assign (raises with the reasons when impossible)."""
    from casplan.intake import read_experts, unit_index
    from casplan.reviews.assignment import assign, expert_table, fit_table

    policy = loaded.policy
    rr = policy.review_round
    intake = read_experts(experts_path)
    if intake.errors:
        raise intake.errors[0]
    experts = expert_table(intake.frame, max_load=rr.max_load)
    index = unit_index(getattr(loaded.roster, "frame", None), policy, loaded.overrides)
    resolve = lambda name: index.resolve(name).unit if name else name  # noqa: E731
    apps = review_applications(loaded, eligibility, matches)
    fits = fit_table(apps, matches, experts, policy.vocabulary, threshold=policy.scoring.match_threshold)
    assignment = assign(apps, experts, fits, per_application=rr.per_application,
                        avoid_same_branch=rr.avoid_same_branch, resolve=resolve)
    return RoundPlan(assignment=assignment, applications=apps, experts_read=intake)


def write_round(plan: RoundPlan, policy, out_dir: str | os.PathLike, *, deadline: str = "") -> list[Path]:
    """Write 评审分配.xlsx, 评审分配.json and one packet per expert into ``out_dir``."""
    from casplan.io import write_atomic, write_json, write_workbook
    from casplan.reviews.packets import assignment_sheets, packet_bytes, packet_name

    out = Path(out_dir)
    a = plan.assignment
    rr = policy.review_round
    written = [write_workbook(assignment_sheets(a, plan.applications), out / ASSIGNMENT_BOOK)]
    experts = []
    for e in a.experts.sort("expert_id").iter_rows(named=True):
        mine = a.pairs.filter(pl.col("expert_id") == e["expert_id"]).select("app_id")
        rows = mine.join(plan.applications, on="app_id", how="left").sort("app_id")
        if not rows.height:
            continue
        name = packet_name(e)
        written.append(write_atomic(out / PACKETS_DIR / name, packet_bytes(
            e, rows, year=policy.year, criteria=rr.criteria, scale=rr.scale, deadline=deadline)))
        experts.append({"expert_id": e["expert_id"], "name": e["name"], "unit": e["unit"], "packet": name,
                        "rows": [[r, t] for r, t in rows.select("app_id", "train_name").iter_rows()]})
    record = {"year": policy.year, "per_application": rr.per_application, "criteria": list(rr.criteria),
              "scale": list(rr.scale), "experts": experts,
              "applications": [{"app_id": x, "train_name": t} for x, t in
                               plan.applications.select("app_id", "train_name").iter_rows()]}
    written.append(write_json(out / ASSIGNMENT_RECORD, record))
    return written


def read_record(path: str | os.PathLike) -> dict:
    """评审分配.json as written by :func:`write_round` (a clear error when it is not one)."""
    from casplan.errors import InputError
    from casplan.io import read_json

    record = read_json(path, kind="评审分配")[0]
    if not isinstance(record, dict) or not {"experts", "applications", "criteria", "scale"} <= set(record):
        raise InputError(f"{path} 不是 casplan reviews assign 写出的评审分配记录", file=str(path))
    return record
