"""The criteria kernel (polars expressions over the whole frame) against the row-by-row definition it
replaced (kept here as the oracle): the same rows, in the same order, with the same raw texts and values —
on the sample year and on generated applications (issue 19: vectorised kernel, behaviour unchanged)."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casplan.policy import load_policy
from casplan.scoring import _DEFAULT_REFERENCE_TRAINEES, _clip, criteria_table

POLICY = load_policy()


def criteria_rows(pairs: pl.DataFrame, *, policy: Policy, directions: pl.DataFrame | None = None,
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



def _same(pairs, **kw):
    new = criteria_table(pairs, policy=POLICY, **kw)
    old = criteria_rows(pairs, policy=POLICY, **kw)
    assert new.columns == old.columns
    assert new.select("app_id", "track", "criterion", "raw").rows() == old.select("app_id", "track", "criterion", "raw").rows()
    assert new["value"].to_list() == pytest.approx(old["value"].to_list(), abs=0, rel=1e-15)
    assert new["value"].to_list() == old["value"].to_list()


def test_the_sample_year_gives_the_same_criteria_as_the_row_by_row_definition():
    from conftest import SAMPLES

    from casplan.directions import best_direction
    from casplan.pipeline import Inputs, assess, load, match_directions, vocabulary_of

    loaded = load(Inputs.of(SAMPLES / "plans.xlsx", history=SAMPLES / "history.xlsx", roster=SAMPLES / "roster.xlsx"))
    e = assess(loaded)
    matches = match_directions(e.applications, loaded.policy)
    best = best_direction(matches, by_track=True)
    with_dirs = {t.id for t in vocabulary_of(loaded.policy).tracks if t.directions}
    pairs = e.summary.select("app_id", "track").join(e.applications, on="app_id", how="left")
    _same(pairs, directions=best, history_matches=e.history_matches, tracks_with_directions=with_dirs)


numbers = st.one_of(st.none(), st.sampled_from([0.0, 0.5, 1.0, 2.0, 3.0, 3.5, 5.0, 40.0, 80.0, 2.333333, 1e-3]),
                    st.floats(0.01, 5000, allow_nan=False))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from([t.id for t in POLICY.tracks]), numbers, numbers, numbers, numbers,
                          st.sampled_from([None, "", "全院", "社会", "本单位", "分院内", "火星"]),
                          st.sampled_from([None, "", "化学所"]), st.sampled_from([None, "", "培训方案", "培训方案、师资名单"]),
                          numbers, st.sampled_from([None, "", "处级及以下", "司局级", "院士"]),
                          st.one_of(st.none(), st.integers(0, 4))), min_size=1, max_size=10))
def test_generated_applications_give_the_same_criteria(rows):
    frame = pl.DataFrame(
        [{"app_id": f"A{i}", "track": t, "unit": "甲", "trainees": tr, "days": d, "lectures": le, "lecture_hours": lh,
          "open_scope": sc, "joint_units": j, "attachments": at, "budget": b, "fee_level": fl, "support_rank": r,
          "submitted_at": dt.date(2022, 11, 1)}
         for i, (t, tr, d, le, lh, sc, j, at, b, fl, r) in enumerate(rows)],
        schema={"app_id": pl.String, "track": pl.String, "unit": pl.String, "trainees": pl.Float64, "days": pl.Float64,
                "lectures": pl.Float64, "lecture_hours": pl.Float64, "open_scope": pl.String, "joint_units": pl.String,
                "attachments": pl.String, "budget": pl.Float64, "fee_level": pl.String, "support_rank": pl.Int64,
                "submitted_at": pl.Date})
    directions = pl.DataFrame({"app_id": ["A0", "A1"], "track": [rows[0][0], "yanxiu"], "score": [0.8, 0.0],
                               "direction": ["关键核心技术攻关任务", None], "terms": ["卡脖子(培训名称)", None]},
                              schema_overrides={"score": pl.Float64})
    history = pl.DataFrame({"app_id": ["A0", "A0", "A1"], "decided": ["auto", "rejected", "auto"],
                            "history_track": ["jingpin", "yanxiu", "yanxiu"]})
    _same(frame, directions=directions, history_matches=history, tracks_with_directions={"yanxiu", "jingpin"})
    _same(frame)

