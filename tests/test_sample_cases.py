"""The sample year's deliberate cases (data/samples/2023/CASES.json) get the verdicts the notice gives them."""

from __future__ import annotations

import json

import polars as pl
import pytest

from casplan.pipeline import assess, load
from conftest import sample_inputs

RULE_PREFIX = {"R-PLACE": "PF-PLACE", "R-FEE": "PF-FEE", "R-HOURS": "PF-HOURS", "R-STAFF": "PF-STAFF",
               "R-TEXT": "PF-TEXT"}


@pytest.fixture(scope="module")
def year(samples_dir=None):
    from conftest import SAMPLES

    loaded = load(sample_inputs(SAMPLES))
    return loaded, assess(loaded), json.loads((SAMPLES / "CASES.json").read_text(encoding="utf-8"))


def test_application_cases(year):
    _, result, cases = year
    summary = {(r["app_id"], r["track"]): r for r in result.summary.to_dicts()}
    verdicts = result.verdicts
    problems = []
    pairs = [c for c in cases["cases"] if c["case"] == "mohrss_two_per_unit"]
    if pairs:
        # 每单位最多一项: the unit's first choice (资助推荐排序) stays, the other fails G1-PER-UNIT.
        rows = [summary[(f"P{c['plan_id']}", "mohrss")] for c in pairs]
        assert sorted(r["eligible"] for r in rows) == [False, True]
        assert "G1-PER-UNIT" in next(r for r in rows if not r["eligible"])["reasons"]
    for case in cases["cases"]:
        app_id = f"P{case['plan_id']}"
        if case["case"] == "mohrss_two_per_unit":
            continue
        if case["expect"] in ("eligible", "ineligible"):
            row = summary.get((app_id, case["track"]))
            if row is None:
                problems.append(f"{case['case']} {app_id}: does not enter {case['track']}")
            elif row["eligible"] != (case["expect"] == "eligible"):
                problems.append(f"{case['case']} {app_id} {case['track']}: {row['reasons']} {row['messages']}")
            elif case["expect"] == "ineligible" and not any(r.startswith(case["rule"]) for r in row["reasons"]):
                problems.append(f"{case['case']} {app_id}: failed for {row['reasons']}, not {case['rule']}")
        elif case["rule"] in RULE_PREFIX and case["track"]:
            hit = verdicts.filter((pl.col("app_id") == app_id) & (pl.col("code") == RULE_PREFIX[case["rule"]])
                                  & pl.col("status").is_in(["fail", "warn"]))
            if hit.height == 0:
                problems.append(f"{case['case']} {app_id}: no {RULE_PREFIX[case['rule']]} verdict")
    assert not problems, "\n".join(problems)


def test_unit_cases(year):
    _, result, cases = year
    units = {u["unit"]: u for u in result.units.to_dicts()}
    for case in cases["unit_cases"]:
        u = units[case["unit"]]
        if case["case"] == "missing":
            assert u["submitted"] is False, case
        elif case["case"] == "late":
            assert u["late"] is True, case
        elif case["case"] == "deadline_day":
            assert u["late"] is False, case
        elif case["case"] == "no_p2":
            assert u["has_p2"] is False, case
        elif case["case"] in ("exec_below_50", "not_implemented_2022"):
            assert u["u2_code"] is not None, case
        elif case["case"] in ("exec_exactly_50", "exec_just_above_50"):
            assert u["u2_code"] is None, case
