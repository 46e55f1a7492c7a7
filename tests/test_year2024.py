"""A second year with no code change (issue 15.2): the 2024 test policy renames a track, adds one with
its own minimum days, trainees and quota, changes two thresholds and switches rules off; check, select,
the what-if and the report all follow it, and the new track appears in every output.

The data are the sample year's files moved one year on (``tests/year2024.py``).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import polars as pl
import pytest

import year2024
from casplan import Inputs, Scenario, WhatIf, load, load_policy, reason_texts, rule_texts, run_year
from casplan.cli import main
from casplan.whatif.panel import slider_range

POLICY = load_policy(year2024.POLICY)
NEW, RENAMED = "kepu", "zhuanxiang"


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    return year2024.build(tmp_path_factory.mktemp("y2024"))


@pytest.fixture(scope="module")
def year(files):
    loaded = load(Inputs.of(files["plans"], history=files["history"], roster=files["roster"],
                            reviews=files["reviews"], policy=year2024.POLICY))
    return run_year(loaded=loaded)


def _args(files, *extra):
    return [str(files["plans"]), "--history", str(files["history"]), "--roster", str(files["roster"]),
            "--policy", str(year2024.POLICY), *extra]


def test_the_policy_says_what_changed():
    assert POLICY.year == 2024 and POLICY.history.funded_year == 2023
    assert [t.id for t in POLICY.tracks] == ["yanxiu", RENAMED, "jiangtan", "jingpin", "mohrss", "guanli", NEW]
    new = POLICY.track(NEW)
    assert (new.name, new.rule, new.min_days, new.min_trainees, new.quota, new.quota_about) == (
        "科学传播培训班", "K1", 2, 40, 4, (3, 5))
    assert POLICY.track(RENAMED).name == "专项技术培训班" and POLICY.track("yanxiu").min_days == 4
    assert not POLICY.track("yanxiu").uses("audience")
    assert POLICY.history.min_execution_rate == 0.6 and not POLICY.rules["U1"].enabled
    texts = rule_texts(POLICY)
    assert texts["K1"].startswith("科学传播培训班：") and "不少于 2 天" in texts["K1"] and "学员不少于 40 人" in texts["K1"]
    assert texts["Z1"].startswith("专项技术培训班：") and "Y2" not in texts
    assert texts["U2"] == "2023年度院级资助项目未实施或经费执行率低于60%的单位原则上不予资助"
    assert texts["P1"].startswith("按时报送（2023年11月14日前）")
    assert reason_texts(POLICY)["K1-TRAINEES"] == "科学传播培训班学员人数不足"


def test_policy_check_lists_the_new_track(capsys):
    assert main(["policy", "check", str(year2024.POLICY)]) == 0
    out = capsys.readouterr().out
    assert "2024 年度" in out and "科学传播培训班（名额 4±1）" in out and "专项技术培训班（名额 10±2）" in out


def test_check_follows_the_new_rules(files, capsys):
    assert main(["check", *_args(files), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    per_track: dict[str, list[dict]] = {}
    for app in data["applications"]:
        for name, v in app["tracks"].items():
            per_track.setdefault(v["id"], []).append(v)
    assert len(per_track[NEW]) == year2024.KEPU_ROWS
    assert any(v["eligible"] for v in per_track[NEW]) and not all(v["eligible"] for v in per_track[NEW])
    codes = {c for vs in per_track.values() for v in vs for c in v["reasons"] + v["warnings"]}
    assert {"K1-TRAINEES"} <= codes and not any(c.startswith(("Y2-", "U1-", "Y1-AUDIENCE")) for c in codes)
    assert any(c.startswith("Z1-") for c in codes)
    for v in per_track["yanxiu"]:
        for m in v["messages"]:
            if "天数" in m and "少于" in m:
                assert "最低 4 天" in m
    low = [m for vs in per_track.values() for v in vs for m in v["messages"] if "执行率" in m and "低于" in m]
    assert low and all("低于 60%" in m and "2023年度" in m for m in low)


def test_a_higher_execution_threshold_fails_more_units(files):
    from conftest import SAMPLES

    from casplan.eligibility import check
    from casplan.pipeline import assess

    def failing(loaded):
        units = assess(loaded).units
        return set(units.filter(pl.col("u2_code") == "U2-LOW-RATE")["unit"])

    before = failing(load(Inputs.of(SAMPLES / "plans.xlsx", history=SAMPLES / "history.xlsx",
                                    roster=SAMPLES / "roster.xlsx")))
    after = failing(load(Inputs.of(files["plans"], history=files["history"], roster=files["roster"],
                                   policy=year2024.POLICY)))
    assert before < after, (sorted(before), sorted(after))
    assert check  # the checker itself is the one the pipeline runs


def test_select_fills_the_new_track_within_its_quota(files, capsys):
    assert main(["select", *_args(files), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    tracks = [r["track"] for r in data["selected"]]
    assert 0 < tracks.count(NEW) <= 4 and RENAMED in tracks and "duanqi" not in tracks
    assert main(["select", *_args(files), "--quota", "科普班=2", "--json"]) == 0
    assert [r["track"] for r in json.loads(capsys.readouterr().out)["selected"]].count(NEW) <= 2


def test_u1_off_lets_an_institute_have_two(year):
    chosen = year.selection.chosen
    assert chosen.filter(pl.col("track") == NEW).height > 0
    kinds = year.eligibility.applications.select("unit", "unit_kind").unique()
    per_unit = chosen.join(kinds, on="unit").filter(pl.col("unit_kind") == "institute").group_by("unit").len()
    assert per_unit["len"].max() >= 2, "with U1 switched off some institute has two projects chosen"


def test_the_whatif_moves_the_new_track(year):
    w = WhatIf(year)
    base = w.baseline
    assert base.scenario.quotas[NEW] == 4 and slider_range(POLICY.track(NEW)) == (0, 5)
    n = base.selection.chosen.filter(pl.col("track") == NEW).height
    fewer = w.evaluate(Scenario.from_dict({"name": "科普少一个", "quotas": {"科学传播培训班": n - 1}}, policy=POLICY))
    assert fewer.selection.chosen.filter(pl.col("track") == NEW).height == n - 1
    left = w.diff(fewer)
    assert left.filter(pl.col("change") == "落选").height >= 1
    assert POLICY.quota_warnings({NEW: 7}) == ["科学传播培训班名额设为 7，超出政策文件“4个左右”允许调整的范围 3–5"]


@pytest.mark.slow
def test_the_report_of_2024(files, tmp_path):
    out = tmp_path / "reports"
    proc = subprocess.run([sys.executable, "-m", "casplan", "report", "--plans", str(files["plans"]),
                           "--history", str(files["history"]), "--roster", str(files["roster"]),
                           "--reviews", str(files["reviews"]), "--policy", str(year2024.POLICY),
                           "--robustness-draws", "0", "--out", str(out)],
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    latest = out / "2024" / "latest"
    html = (latest / "report.html").read_text(encoding="utf-8")
    annex = (latest / "附件.html").read_text(encoding="utf-8")  # the per-unit table lives in the annex (issue 16)
    assert "中国科学院2024年度继续教育与培训" in html and "院级资助项目遴选报告" in html
    assert "### 科学传播培训班" not in html  # rendered, not raw Markdown
    for text in ("科学传播培训班（拟入选", "专项技术培训班（拟入选", "2023年度院级资助项目未实施或经费执行率低于60%"):
        assert text in html, text
    assert "2023执行情况" in annex and "科学传播培训班：候补" in annex
    assert "2022执行情况" not in html + annex and "专项技术短期培训班（拟入选" not in html
    selection = json.loads((latest / "selection.json").read_text(encoding="utf-8"))
    assert NEW in {r["track"] for r in selection["selected"]}
    wb = openpyxl.load_workbook(latest / "遴选名单.xlsx", read_only=True)
    cells = {str(c) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for c in row if c}
    assert "科学传播培训班" in cells and "专项技术培训班" in cells
