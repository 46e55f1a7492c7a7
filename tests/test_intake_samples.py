"""The shipped sample year: the clean table and the dirty platform export read to the same plans."""

from __future__ import annotations

import json

import polars as pl
import pytest

from casplan.intake import read_plans, read_roster


@pytest.fixture(scope="module")
def both():
    from conftest import SAMPLES

    roster = read_roster(SAMPLES / "roster.xlsx").frame
    clean = read_plans(SAMPLES / "plans.xlsx", roster=roster)
    dirty = read_plans(SAMPLES / "dirty", roster=roster)
    expected = json.loads((SAMPLES / "dirty" / "EXPECTED.json").read_text(encoding="utf-8"))
    return clean, dirty, expected


def test_every_row_is_accounted_for(both):
    clean, dirty, expected = both
    for intake in (clean, dirty):
        assert intake.ok
        assert intake.rows_read == intake.rows_accepted + intake.rows_set_aside
        files = intake.files
        assert (files["rows_read"] == files["rows_accepted"] + files["rows_set_aside"]).all()
    assert dirty.rows_read == expected["rows_total"] == clean.rows_read
    assert int(dirty.files["blank_rows"].sum()) == expected["blank_rows"]


def test_the_bad_rows_and_only_they_are_set_aside(both):
    _, dirty, expected = both
    want = {(b["file"].split("/")[-1], b["row"]) for b in expected["bad_rows"]}
    got = {(f.split("/")[-1], r) for f, r in dirty.rejected.select("source_file", "source_row").iter_rows()}
    assert got == want
    for bad in expected["bad_rows"]:
        hits = dirty.set_aside.filter(pl.col("file").str.ends_with(bad["file"].split("/")[-1])
                                      & (pl.col("row") == bad["row"]))
        assert hits.height >= 1
        assert bad["file"].split("/")[-1] in hits["message"][0] and f"第 {bad['row']} 行" in hits["message"][0]


def test_dirty_export_says_what_the_clean_table_says(both):
    clean, dirty, _ = both
    cols = ["app_id", "unit", "train_name", "category", "days", "trainees", "class_hours", "budget", "start_date",
            "end_date", "apply_funding", "apply_support", "mohrss", "support_rank"]
    a = clean.frame.select(cols).sort("app_id")
    b = dirty.frame.select(cols).sort("app_id")
    assert b.height == a.height - 10
    joined = b.join(a, on="app_id", suffix="_clean")
    assert joined.height == b.height
    for c in cols[1:]:
        diff = joined.filter(~pl.col(c).eq_missing(pl.col(f"{c}_clean")))
        assert diff.height == 0, (c, diff.select("app_id", c, f"{c}_clean").head(5))
