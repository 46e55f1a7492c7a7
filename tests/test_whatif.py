"""The what-if engine and its controls, without a browser."""

from __future__ import annotations

from dataclasses import replace

import polars as pl
import pytest

from casplan.errors import InputError
from casplan.pipeline import run_year
from conftest import sample_inputs
from casplan.whatif import Scenario, WhatIf


@pytest.fixture(scope="module")
def whatif():
    from conftest import SAMPLES

    return WhatIf(run_year(sample_inputs(SAMPLES)))


def n_chosen(outcome, track: str) -> int:
    return outcome.selection.chosen.filter(pl.col("track") == track).height


def test_baseline_is_the_pipelines_selection(whatif):
    assert sorted(whatif.baseline.selection.chosen["app_id"]) == sorted(whatif.year.selection.chosen["app_id"])


def test_moving_a_quota_moves_the_track_and_the_diff_says_who(whatif):
    base = whatif.baseline.scenario
    more = whatif.evaluate(replace(base, quotas={**base.quotas, "yanxiu": base.quotas["yanxiu"] + 2}))
    assert n_chosen(more, "yanxiu") == base.quotas["yanxiu"] + 2
    d = whatif.diff(more)
    entered = d.filter(pl.col("change") == "入选")
    assert entered.filter(pl.col("track") == "yanxiu").height >= 2
    assert entered["why"].str.contains("入选").all()
    fewer = whatif.evaluate(replace(base, quotas={**base.quotas, "yanxiu": 3}))
    assert n_chosen(fewer, "yanxiu") == 3
    left = whatif.diff(fewer).filter((pl.col("change") == "落选") & (pl.col("track") == "yanxiu"))
    assert left.height == base.quotas["yanxiu"] - 3
    assert left["reason"].is_in(["S-CUTOFF", "S-UNIT", "S-BUDGET", "S-TIE", "S-TRADEOFF"]).all()


def test_soft_rules_switch(whatif):
    base = whatif.baseline.scenario
    u2_off = whatif.evaluate(replace(base, rules={**base.rules, "U2": False}))
    assert u2_off.candidates.height > whatif.baseline.candidates.height
    u1_off = whatif.evaluate(replace(base, rules={**base.rules, "U1": False}))
    per_unit = u1_off.selection.chosen.group_by("unit").len()
    assert per_unit["len"].max() >= 1
    assert u1_off.selection.objective >= whatif.baseline.selection.objective - 1e-6


def test_weights_and_budget_change_the_outcome(whatif):
    base = whatif.baseline.scenario
    heavy = {**base.weights, "yanxiu": {**base.weights["yanxiu"], "direction": 100.0, "cost": 0.0}}
    o = whatif.evaluate(replace(base, weights=heavy))
    s0 = whatif.baseline.scores.table.filter(pl.col("track") == "yanxiu").sort("app_id")["score"]
    s1 = o.scores.table.filter(pl.col("track") == "yanxiu").sort("app_id")["score"]
    assert not s0.equals(s1)
    poor = whatif.evaluate(replace(base, budget_total=100.0))
    assert poor.selection.budget_spent <= 100.0 + 1e-6


def test_forced_include_and_exclude(whatif):
    base = whatif.baseline.scenario
    out_id = whatif.baseline.selection.chosen["app_id"][0]
    left = whatif.baseline.selection.decisions.filter(~pl.col("chosen"))["app_id"][0]
    o = whatif.evaluate(replace(base, forced_out=(out_id,), forced_in=(left,)))
    assert out_id not in o.selection.chosen["app_id"].to_list()
    assert left in o.selection.chosen["app_id"].to_list()


def test_scenario_round_trip_and_errors(whatif, tmp_path):
    base = whatif.baseline.scenario
    s = replace(base, name="多两个研修班", quotas={**base.quotas, "yanxiu": 12}, rules={"U1": False, "U2": True})
    path = s.save(tmp_path / "s.yaml")
    back = Scenario.load(path, policy=whatif.policy)
    assert back == s
    (tmp_path / "bad.yaml").write_text("quotas: {yanxiuu: 3}\n", encoding="utf-8")
    with pytest.raises(InputError, match="yanxiuu"):
        Scenario.load(tmp_path / "bad.yaml", policy=whatif.policy)
    (tmp_path / "bad2.yaml").write_text("weights: {yanxiu: {dirction: 3}}\n", encoding="utf-8")
    with pytest.raises(InputError, match="dirction"):
        Scenario.load(tmp_path / "bad2.yaml", policy=whatif.policy)


def test_panel_reacts_to_a_slider(whatif):
    from casplan.whatif.panel import WhatIfPanel

    panel = WhatIfPanel(whatif)
    panel.quota["duanqi"].value = 4
    assert 'data-track="duanqi">4<' in panel.fill.value
    chosen_trace = next(t for t in panel.chart.data if t.name == "入选")
    assert list(chosen_trace.y)[1] == 4
    assert "落选" in panel.changes.value
    assert panel.last_ms > 0
    panel.reset()
    assert f'data-track="duanqi">{whatif.policy.track("duanqi").quota}<' in panel.fill.value


def test_the_report_can_use_a_saved_scenario(whatif, tmp_path):
    from conftest import SAMPLES

    from casplan.report import build

    base = whatif.baseline.scenario
    path = replace(base, name="研修班减为4个", quotas={**base.quotas, "yanxiu": 4}).save(tmp_path / "s.yaml")
    data = build(plans=str(SAMPLES / "plans.xlsx"), history=str(SAMPLES / "history.xlsx"),
                 roster=str(SAMPLES / "roster.xlsx"), reviews=str(SAMPLES / "reviews.csv"), scenario=str(path),
                 robustness_draws=0)
    assert "研修班减为4个" in data.scenario_name
    assert data.selection.chosen.filter(pl.col("track") == "yanxiu").height == 4


def test_robustness_base_case_is_the_selection_itself(whatif):
    """Reviews are held fixed while the criteria weights move, so the unperturbed case is the shortlist."""
    from casplan.pipeline import robustness_of

    year = whatif.year
    r = robustness_of(year, n=40)
    base = set(r.filter(pl.col("base_chosen")).select("app_id", "track").iter_rows())
    assert base == set(year.selection.chosen.select("app_id", "track").iter_rows())
    assert r["p_selected"].is_between(0, 1).all()
    assert r.equals(robustness_of(year, n=40))  # seeded
