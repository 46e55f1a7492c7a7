"""A 1× smoke run of the benchmark runner (``benchmarks/run.py --quick``); the full run is ``make bench``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RUNNER = ROOT / "benchmarks" / "run.py"
CHAIN = ("floor", "intake", "eligibility", "scoring", "selection", "end-to-end")


@pytest.fixture(scope="module")
def smoke(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench")
    md, js = out / "BENCHMARKS.md", out / "results.json"
    proc = subprocess.run([sys.executable, str(RUNNER), "--quick", "--scales", "1", "--runs", "1",
                           "--out-md", str(md), "--out-json", str(js)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(js.read_text(encoding="utf-8")), md.read_text(encoding="utf-8")


@pytest.mark.slow
def test_every_step_is_measured_with_positive_figures(smoke):
    res, _ = smoke
    one = res["scales"]["1"]
    assert one["data"]["plan_rows"] > 3000 and one["data"]["applications"] > 200
    for step in CHAIN:
        s = one["steps"][step]
        assert s["runs"] == 1 and s["median_s"] > 0 and s["peak_mib"] > 0, step
        assert s["min_s"] <= s["median_s"] <= s["max_s"]
        assert s["ratio_to_floor"] > 0
    # each step really did its work: rows read, applications checked, pairs scored, a selection made
    assert one["steps"]["floor"]["output"]["rows"]["plans"] == one["data"]["plan_rows"]
    assert one["steps"]["intake"]["output"]["rows"] == one["data"]["plan_rows"]
    assert one["steps"]["eligibility"]["output"]["applications"] > 0
    assert one["steps"]["scoring"]["output"]["pairs"] > 0
    assert one["steps"]["selection"]["output"]["status"] == "optimal"
    assert one["steps"]["end-to-end"]["output"]["status"] == "optimal"
    assert one["steps"]["end-to-end"]["output"]["chosen"] == one["steps"]["selection"]["output"]["chosen"] > 0
    assert set(one["steps"]["selection"]["stages_s"]) == {"import", "load", "assess", "match", "score", "solve"}
    w = one["whatif"]
    assert w["changes"] == 10 and 0 < w["p50_ms"] <= w["p95_ms"] <= w["max_ms"]
    assert sum(w["statuses"].values()) == 10
    r = res["report"]
    assert r["report"]["median_s"] > r["bare_papermill"]["median_s"] > 0
    assert r["report"]["peak_mib"] > 0 and r["manifest_timings_s"]["pdf_s"] > 0
    assert {t["id"] for t in res["targets"]} == {"e2e_1x", "whatif_1x", "report"}
    assert all(isinstance(t["met"], bool) and t["measured"] > 0 for t in res["targets"])


@pytest.mark.slow
def test_markdown_has_the_tables_from_the_same_figures(smoke):
    res, md = smoke
    assert "| step | scale | median s | min–max s | CPU s | peak MiB | × floor | others' load |" in md
    for step in CHAIN:
        assert f"| {step} | 1× |" in md
    assert "## What-if moves" in md and "## Report" in md and "## Targets" in md
    assert res["machine"]["cpu"] in md and f"polars {res['versions']['polars']}" in md
    e2e = res["scales"]["1"]["steps"]["end-to-end"]
    assert f"| end-to-end | 1× | {e2e['median_s']:.2f} | " in md
    assert e2e["cpu_median_s"] > 0 and 0 <= e2e["others_share"] <= 1
    assert "Quick run" in md


@pytest.mark.slow
def test_the_review_round_benchmark_measures_the_sample_and_writes_its_section(tmp_path):
    md = tmp_path / "BENCHMARKS.md"
    md.write_text("# Benchmarks\n\nthe runner's part\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "reviews.py"), "--scales", "1", "--runs", "1",
                           "--markdown", str(md), "--json", str(tmp_path / "reviews.json")],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads((tmp_path / "reviews.json").read_text(encoding="utf-8"))[0]
    assert result["applications"] == 230 and result["reviews"] == 3 * 230 and result["median_s"]["assign"] > 0
    text = md.read_text(encoding="utf-8")
    assert text.startswith("# Benchmarks\n\nthe runner's part") and text.count("## Review round") == 1
