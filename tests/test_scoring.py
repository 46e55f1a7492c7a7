"""Scores explain themselves: criteria in [0, 1], weights per track, contributions that add up, named ties."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casplan.errors import InputError
from casplan.policy import load_policy
from casplan.scoring import CRITERIA, score

POLICY = load_policy()
from casplan.policy import default_policy_path  # noqa: E402

POLICY_PATH = default_policy_path(2023)


def pair(app_id: str, track: str = "yanxiu", **over) -> dict:
    row = {"app_id": app_id, "track": track, "unit": f"单位{app_id}", "unit_kind": "institute", "train_name": f"班{app_id}",
           "trainees": 80.0, "days": 3.0, "lectures": None, "lecture_hours": None, "open_scope": "全院",
           "joint_units": None, "attachments": None, "budget": 10.0, "fee_level": "处级及以下", "support_rank": 1,
           "submitted_at": dt.date(2022, 11, 10)}
    row.update(over)
    return row


def frame(rows: list[dict]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema_overrides={"lectures": pl.Float64, "lecture_hours": pl.Float64,
                                                "joint_units": pl.Utf8, "attachments": pl.Utf8})


def directions(rows: list[tuple[str, str, float]]) -> pl.DataFrame:
    return pl.DataFrame([(a, t, s, "关键核心技术攻关任务", "卡脖子(培训名称)") for a, t, s in rows],
                        schema={"app_id": pl.Utf8, "track": pl.Utf8, "score": pl.Float64, "direction": pl.Utf8,
                                "terms": pl.Utf8}, orient="row")


def test_breakdown_adds_up_and_weights_are_normalised():
    pairs = frame([pair("A1", joint_units="化学所"), pair("A2", trainees=200.0, support_rank=2)])
    s = score(pairs, policy=POLICY, directions=directions([("A1", "yanxiu", 0.9), ("A2", "yanxiu", 0.2)]))
    b = s.breakdown
    assert set(b["criterion"]) == set(CRITERIA)
    assert b["value"].is_between(0, 1).all()
    sums = b.group_by("app_id").agg(pl.col("weight").sum(), pl.col("contribution").sum())
    assert all(abs(w - 1) < 1e-9 for w in sums["weight"])
    joined = s.table.join(sums, on="app_id")
    assert all(abs(a - c) < 1e-3 for a, c in zip(joined["score"], joined["contribution"]))
    assert s.table.filter(pl.col("app_id") == "A1")["rank"][0] == 1
    assert s.table.filter(pl.col("app_id") == "A1")["matched_terms"][0] == "卡脖子(培训名称)"


def test_tie_break_chain_and_surviving_ties_are_named():
    pairs = frame([pair("A2"), pair("A1"), pair("A3", support_rank=2)])
    s = score(pairs, policy=POLICY, directions=directions([("A1", "yanxiu", 0.5), ("A2", "yanxiu", 0.5),
                                                            ("A3", "yanxiu", 0.5)]))
    t = s.table.sort("rank")
    assert t["app_id"].to_list() == ["A1", "A2", "A3"]
    assert t["tied"].to_list() == [True, True, False]
    assert any("A1、A2" in w and "仍并列" in w for w in s.warnings)


def test_management_track_without_directions_drops_the_criterion():
    pairs = frame([pair("M1", track="guanli", unit_kind="branch")])
    s = score(pairs, policy=POLICY, tracks_with_directions={"yanxiu"})
    assert "direction" not in set(s.breakdown["criterion"])
    assert abs(s.breakdown["weight"].sum() - 1) < 1e-9


def test_reviews_are_calibrated_per_reviewer_and_move_ranks():
    pairs = frame([pair(f"A{i}") for i in range(1, 5)])
    # a harsh reviewer scores A1/A2, a lenient one A3/A4: calibration puts each reviewer's best on a par
    reviews = pl.DataFrame({"app_id": ["A1", "A2", "A3", "A4"], "reviewer": ["严", "严", "宽", "宽"],
                            "score": [60.0, 50.0, 95.0, 90.0]})
    s = score(pairs, policy=POLICY, reviews=reviews)
    t = {r["app_id"]: r for r in s.table.to_dicts()}
    assert t["A1"]["review"] == t["A3"]["review"] == 1.0
    assert t["A1"]["rank"] < t["A4"]["rank"]
    assert t["A1"]["rank_uncalibrated"] > t["A4"]["rank_uncalibrated"]
    assert set(s.reviews.columns) >= {"raw", "z", "percentile"}


def test_calibration_methods_raw_z_percentile():
    """raw: no per-expert correction (the lenient expert's projects win); z and percentile: each expert's
    best is on a par; the policy's choice is the default and a scenario may name another, by id or in Chinese."""
    import math
    from dataclasses import replace

    from casplan.policy import CALIBRATIONS, parse_policy
    from casplan.errors import PolicyError
    import yaml

    pairs = frame([pair(f"A{i}") for i in range(1, 7)])
    reviews = pl.DataFrame({"app_id": ["A1", "A2", "A3", "A4", "A5", "A6"],
                            "reviewer": ["严", "严", "严", "宽", "宽", "宽"],
                            "score": [60.0, 50.0, 40.0, 95.0, 90.0, 85.0]})
    by = {m: {r["app_id"]: r for r in score(pairs, policy=POLICY, reviews=reviews, calibration=m).table.to_dicts()}
          for m in CALIBRATIONS}
    assert score(pairs, policy=POLICY, reviews=reviews).calibration == POLICY.scoring.calibration == "percentile"
    assert by["raw"]["A1"]["review"] == pytest.approx((60 - 40) / (95 - 40))
    assert by["raw"]["A4"]["review"] == 1.0 and by["raw"]["A4"]["rank"] < by["raw"]["A1"]["rank"]
    assert by["percentile"]["A1"]["review"] == by["percentile"]["A4"]["review"] == 1.0
    assert by["z"]["A1"]["review"] == pytest.approx(by["z"]["A4"]["review"])
    assert by["z"]["A1"]["review"] == pytest.approx(0.5 * (1 + math.erf(1 / math.sqrt(2))))
    assert by["z"]["A2"]["review"] == pytest.approx(0.5)
    with pytest.raises(InputError, match="校准方法"):
        score(pairs, policy=POLICY, reviews=reviews, calibration="median")
    raw = yaml.safe_load(POLICY_PATH.read_text(encoding="utf-8"))
    raw["scoring"]["calibration"] = "原始分"
    assert parse_policy(raw).scoring.calibration == "raw"
    raw["scoring"]["calibration"] = "中位数"
    with pytest.raises(PolicyError, match="scoring.calibration"):
        parse_policy(raw)
    from casplan.whatif import Scenario

    s = Scenario.from_dict({"calibration": "按专家标准分"}, policy=POLICY)
    assert s.calibration == "z" and Scenario.from_dict(s.to_dict(), policy=POLICY) == s
    assert Scenario.baseline(replace(POLICY, scoring=replace(POLICY.scoring, calibration="raw"))).calibration == "raw"
    with pytest.raises(InputError, match="calibration"):
        Scenario.from_dict({"calibration": "中位数"}, policy=POLICY)


def test_review_problems_are_clear():
    pairs = frame([pair("A1"), pair("A2")])
    with pytest.raises(InputError, match="A9"):
        score(pairs, policy=POLICY, reviews=pl.DataFrame({"app_id": ["A9"], "reviewer": ["张"], "score": [80.0]}))
    s = score(pairs, policy=POLICY, reviews=pl.DataFrame({"app_id": ["A1"], "reviewer": ["张"], "score": [80.0]}))
    assert any("只评了 1 项" in w for w in s.warnings)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.floats(1, 500), st.floats(0.5, 30), st.floats(0, 200), st.integers(1, 5),
                          st.floats(0, 1)), min_size=1, max_size=12))
def test_scores_are_bounded_and_shuffle_invariant(rows):
    pairs = frame([pair(f"A{i:02d}", trainees=t, days=d, budget=b, support_rank=r) for i, (t, d, b, r, _) in enumerate(rows)])
    dirs = directions([(f"A{i:02d}", "yanxiu", m) for i, (*_, m) in enumerate(rows)])
    s1 = score(pairs, policy=POLICY, directions=dirs)
    s2 = score(pairs.reverse(), policy=POLICY, directions=dirs.reverse())
    assert s1.table["score"].is_between(0, 100).all()
    cols = ["app_id", "rank", "score"]
    assert s1.table.sort("app_id").select(cols).equals(s2.table.sort("app_id").select(cols))
