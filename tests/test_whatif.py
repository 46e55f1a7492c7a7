"""The what-if engine and its controls, without a browser."""

from __future__ import annotations

from dataclasses import replace

import polars as pl
import pytest

from casplan.errors import InputError
from casplan.pipeline import run_year
from conftest import sample_inputs
from casplan.whatif import CHANGE_REASONS, Scenario, WhatIf, setting_changes


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
    assert left["reason"].is_in(list(CHANGE_REASONS)).all()
    # they left because the track has fewer places, or (a knock-on) their unit's place went to another project
    assert left["reason"].is_in(["W-QUOTA-DOWN", "W-UNIT-TAKEN"]).all() and (left["reason"] == "W-QUOTA-DOWN").sum() >= 5


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
    assert "当前为基线" in panel.settings.value and panel.reset_button.disabled
    panel.quota["duanqi"].value = 4
    assert 'data-track="duanqi">4<' in panel.fill.value
    assert "入选 4 / 名额 4" in panel.chart.value
    assert "落选" in panel.changes.value
    assert "名额 专项技术短期培训班 10→4" in panel.settings.value and not panel.reset_button.disabled
    assert panel.last_ms > 0
    panel.reset()
    assert f'data-track="duanqi">{whatif.policy.track("duanqi").quota}<' in panel.fill.value
    assert "当前为基线" in panel.settings.value


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


def test_an_unknown_forced_id_is_a_message_at_the_field(whatif):
    from casplan.whatif.panel import WhatIfPanel

    panel = WhatIfPanel(whatif)
    before, revision = panel.outcome, panel.revision
    panel.forced_in.value = "P2300000x, " + whatif.baseline.selection.chosen["app_id"][0]
    assert "不存在的申报编号「P2300000x」" in panel.forced_in_error.value
    assert panel.outcome is before and panel.revision > revision  # nothing re-solved, the view says it is current
    assert "没有入选项目" not in panel.shortlist.value
    panel.forced_in.value = ""
    assert panel.forced_in_error.value == ""


def test_knock_on_effects_name_the_other_project(whatif):
    """研修班 10 → 8: P2302150 leaves 研修班, so its institute's P2302156 may enter 精品 (U1) — the diff says so."""
    base = whatif.baseline.scenario
    o = whatif.evaluate(replace(base, quotas={**base.quotas, "yanxiu": 8}), full=False)
    d = {r["app_id"]: r for r in whatif.diff(o).iter_rows(named=True)}
    assert d["P2302150"]["reason"] == "W-QUOTA-DOWN" and "10→8" in d["P2302150"]["why"]
    entered = d["P2302156"]
    assert entered["change"] == "入选" and entered["reason"] == "W-UNIT-FREED"
    assert entered["others"] == ["P2302150"] and "P2302150" in entered["why"] and "每所一项" in entered["why"]
    assert "排名第" in entered["why"] and "低于本类别未入选最高分" not in entered["why"]
    pushed = [r for r in d.values() if r["change"] == "落选" and r["track"] == "jingpin"]
    assert pushed and all(r["reason"] == "W-PLACE-TAKEN" and "P2302156" in r["others"] for r in pushed)


def test_switches_and_forcing_are_their_own_reasons(whatif):
    base = whatif.baseline.scenario
    u1 = whatif.diff(whatif.evaluate(replace(base, rules={**base.rules, "U1": False}), full=False))
    assert set(u1.filter(pl.col("change") == "入选")["reason"]) == {"W-U1-OFF"}
    assert u1.filter(pl.col("change") == "入选")["others"].list.len().min() == 1
    left = whatif.baseline.selection.decisions.filter(~pl.col("chosen") & (pl.col("code") == "S-CUTOFF"))["app_id"][0]
    forced = whatif.diff(whatif.evaluate(replace(base, forced_in=(left,)), full=False))
    assert forced.filter(pl.col("app_id") == left)["reason"].to_list() == ["W-FORCED-IN"]
    assert forced["why"].str.len_chars().min() > 0 and forced["reason"].is_in(list(CHANGE_REASONS)).all()


def test_moves_without_tradeoff_resolves_choose_the_same(whatif):
    base = whatif.baseline.scenario
    s = replace(base, quotas={**base.quotas, "yanxiu": 7}, budget_total=700.0)
    fast, full = whatif.evaluate(s, full=False), whatif.evaluate(s)
    assert fast.selection.chosen.equals(full.selection.chosen)
    assert fast.selection.objective == full.selection.objective


def test_setting_changes_lists_every_knob(whatif):
    base = whatif.baseline.scenario
    w = {**base.weights, "yanxiu": {**base.weights["yanxiu"], "direction": base.weights["yanxiu"]["direction"] + 5}}
    s = replace(base, quotas={**base.quotas, "yanxiu": 8}, weights=w, budget_total=800.0,
                rules={"U1": False, "U2": True}, calibration="raw", forced_in=("P2300021",))
    parts = setting_changes(s, base, whatif.policy)
    assert parts[0] == "名额 专业技术研修班 10→8"
    assert any(p.startswith("权重 专业技术研修班：") for p in parts)
    assert "经费总额 900 万元→800 万元" in parts and "U1 关" in parts and "强制入选 P2300021" in parts
    assert any(p.startswith("评审校准 ") and p.endswith("→原始分") for p in parts)
    assert setting_changes(base, base, whatif.policy) == []


def test_the_baseline_is_the_reports_selection_byte_for_byte(tmp_path):
    """Same params file, with the guide's decisions file: the app's baseline serialises as the report's selection.json."""
    import json

    from conftest import ROOT, SAMPLES

    from casplan.pipeline import read_params
    from casplan.report import build, selection_record
    from casplan.report.runs import ReportData

    params = tmp_path / "参数.yaml"
    params.write_text("\n".join([
        "year: 2023", f"plans: {SAMPLES / 'plans.xlsx'}", f"history: {SAMPLES / 'history.xlsx'}",
        f"roster: {SAMPLES / 'roster.xlsx'}", f"reviews: {SAMPLES / 'reviews.csv'}",
        f"overrides: {ROOT / 'docs' / 'examples' / '人工决定示例.yaml'}", ""]), encoding="utf-8")
    settings = read_params(params)
    report = build(**{k: settings.get(k, "") for k in ("plans", "history", "roster", "policy", "overrides", "reviews")},
                   robustness_draws=0)
    app = WhatIf.from_params(params)
    as_report = ReportData(year=app.year, scenario_name=report.scenario_name, shortlist=app.baseline.shortlist)

    def dump(data) -> str:  # exactly as casplan.report.write_artifacts writes selection.json
        return json.dumps(selection_record(data), ensure_ascii=False, indent=2, sort_keys=True) + "\n"

    assert dump(as_report) == dump(report)
    assert app.baseline.selection.objective == report.selection.objective == 4331.36


def test_the_command_says_what_is_wrong_in_chinese(tmp_path, capsys):
    from casplan.cli import main

    assert main(["whatif", "--params", str(tmp_path / "无此文件.yaml")]) == 2
    assert "找不到参数文件" in capsys.readouterr().err
    bad = tmp_path / "bad.yaml"
    bad.write_text("plans: a.xlsx\nplanz: b.xlsx\n", encoding="utf-8")
    assert main(["whatif", "--params", str(bad)]) == 2
    assert "未知的键「planz」" in capsys.readouterr().err


def test_the_served_page_reads_the_params_file_and_says_what_is_wrong(tmp_path, monkeypatch):
    from conftest import ROOT, SAMPLES

    from casplan.whatif import ENV_CWD, ENV_PARAMS, ENV_SCENARIO, WhatIfPanel

    params = tmp_path / "参数.yaml"
    params.write_text("\n".join([
        f"plans: {SAMPLES / 'plans.xlsx'}", f"history: {SAMPLES / 'history.xlsx'}", f"roster: {SAMPLES / 'roster.xlsx'}",
        f"reviews: {SAMPLES / 'reviews.csv'}", f"scenario: {ROOT / 'docs' / 'examples' / '情景示例.yaml'}", ""]),
        encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(ENV_PARAMS, str(params))
    monkeypatch.setenv(ENV_CWD, str(tmp_path))
    monkeypatch.delenv(ENV_SCENARIO, raising=False)
    page = WhatIfPanel.served()

    def walk(x):
        yield x
        for c in getattr(x, "children", ()):
            yield from walk(c)

    line = next(x.value for x in walk(page) if "casplan-settings-line" in x._dom_classes)
    assert "名额 专业技术研修班 10→8" in line  # the params file's scenario is applied on opening
    monkeypatch.setenv(ENV_PARAMS, str(tmp_path / "无此文件.yaml"))
    message = WhatIfPanel.served().value
    assert "不能打开情景推演" in message and "Traceback" not in message


def _moves(whatif, *, n: int, seed: int):
    """The benchmark's seeded walk of panel moves (quotas, weights, budget, U1/U2, forcing, reset)."""
    import importlib.util

    from conftest import ROOT

    spec = importlib.util.spec_from_file_location("bench_steps", ROOT / "benchmarks" / "steps.py")
    steps = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(steps)
    return steps.changes(whatif, n=n, seed=seed)


@pytest.mark.parametrize("seed", [1, 2023])
def test_a_light_move_tells_the_same_as_a_full_evaluation(whatif, seed):
    """The panel's moves (``full=False``, warm-started from the move before) choose the same shortlist and
    give the same diff — every reason, sentence and named project — as evaluating the scenario in full."""
    previous = whatif.baseline
    for scenario in _moves(whatif, n=25, seed=seed):
        light = whatif.evaluate(scenario, hint=previous.selection, full=False)
        full = whatif.evaluate(scenario)
        assert light.selection.chosen.equals(full.selection.chosen), scenario.name
        assert light.selection.objective == full.selection.objective
        assert whatif.diff(light).equals(whatif.diff(full)), scenario.name
        previous = light
