"""The intake's schema checks run as polars expressions (fast, no pandas); pandera, on the same declared
schema, is the reference: on any frame both find the same failing cells (issue 19's kernel/wrapper split)."""

from __future__ import annotations

import math

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casplan.intake.schema import failures, failures_pandera, spec_for

EDGES = [0.0, -0.0, 1e-9, -1.0, 366.0, 366.0001, 100_000.0, 1e12, math.inf, -math.inf, math.nan, 3.5, 2000.0, 2100.0]
number = st.one_of(st.none(), st.sampled_from(EDGES), st.floats(allow_nan=True, allow_infinity=True))
text = st.one_of(st.none(), st.sampled_from(["", "物理所", "研修班", " "]))


def _key(frame: pl.DataFrame) -> list[tuple]:
    return sorted(frame.select("index", "column", "code").rows())


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(text, text, text, number, number, number, number, st.one_of(st.none(), st.integers(1990, 2110))),
                min_size=1, max_size=12))
def test_the_polars_checks_find_what_pandera_finds_in_plans(rows):
    frame = pl.DataFrame(
        [(u, n, c, d, t, b, h, y, "a.xlsx", None, i + 2) for i, (u, n, c, d, t, b, h, y) in enumerate(rows)],
        schema={"unit": pl.Utf8, "train_name": pl.Utf8, "category": pl.Utf8, "days": pl.Float64,
                "trainees": pl.Float64, "budget": pl.Float64, "lecture_hours": pl.Float64, "year": pl.Int64,
                "source_file": pl.Utf8, "source_sheet": pl.Utf8, "source_row": pl.Int64}, orient="row")
    assert _key(failures(frame, "plans")) == _key(failures_pandera(frame, "plans"))


@pytest.mark.parametrize("table", ["history", "reviews", "experts", "roster"])
def test_every_table_agrees_on_a_frame_of_edge_values(table):
    spec = spec_for(table)
    n = len(EDGES)
    data = {}
    for i, c in enumerate(spec.columns):
        if c.dtype == pl.Float64:
            data[c.name] = pl.Series(c.name, [EDGES[(i + j) % n] for j in range(n)], dtype=pl.Float64)
        elif c.dtype == pl.Int64:
            data[c.name] = pl.Series(c.name, [None if j % 5 == 0 else (j * 397) % 2200 - 50 for j in range(n)], dtype=pl.Int64)
        elif c.dtype == pl.Utf8:
            data[c.name] = pl.Series(c.name, [None if j % 4 == (i % 4) else "甲" for j in range(n)], dtype=pl.Utf8)
    frame = pl.DataFrame(data)
    got = failures(frame, table)
    assert _key(got) == _key(failures_pandera(frame, table))
    assert got.height > 0


def test_a_column_of_the_wrong_type_is_reported_in_chinese():
    frame = pl.DataFrame({"unit": ["甲", "乙"], "train_name": ["班", "班"], "category": ["研修班", "研修班"],
                          "days": ["3", "三天"], "source_file": ["a.xlsx"] * 2, "source_sheet": [None, None],
                          "source_row": [2, 3]}, schema_overrides={"source_sheet": pl.Utf8})
    got = failures(frame, "plans")
    assert got.select("index", "column", "code").rows() == [(1, "days", "I-TYPE")]
    assert got["expected"][0] == "应为数字"
    # pandera finds the same cell, but names the table (its schema-level coercion), not the column
    assert failures_pandera(frame, "plans").select("index", "code").rows() == [(1, "I-TYPE")]


def test_validate_and_check_start_without_scipy_pandas_pandera_or_hypothesis():
    import subprocess
    import sys

    from conftest import SAMPLES

    probe = ("import sys\nfrom casplan.cli.main import main\n"
             "code = main(sys.argv[1:])\n"
             "print('MODULES:' + ','.join(m for m in ('scipy', 'pandas', 'pandera', 'hypothesis', 'plotly', 'jinja2') "
             "if m in sys.modules), file=sys.__stderr__)")
    for argv in (["validate", str(SAMPLES / "plans.xlsx")],
                 ["check", str(SAMPLES / "plans.xlsx"), "--history", str(SAMPLES / "history.xlsx"),
                  "--roster", str(SAMPLES / "roster.xlsx")]):
        done = subprocess.run([sys.executable, "-c", probe, *argv], capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        loaded = next(line for line in done.stderr.splitlines() if line.startswith("MODULES:"))
        assert loaded == "MODULES:", (argv[0], loaded)
