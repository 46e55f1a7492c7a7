"""Shared fixtures: seeded factories that write small plan exports the way units do."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
import xlsxwriter
from hypothesis import settings

# In CI the property tests draw the same examples every run (a failure there reproduces exactly);
# locally they explore new examples each time.
# No deadline: speed is measured in the benchmarks, never asserted by a timed test (a loaded machine
# must not turn a slow example into a failure).
settings.register_profile("ci", derandomize=True, print_blob=True, deadline=None)
settings.register_profile("local", deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "local")

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "samples" / "2023"

HEADER = ["单位名称", "培训名称", "培训类别", "培训开始时间", "培训结束时间", "学时", "天数",
          "学员计划参加人数", "经费预算(万元)", "是否申请资助"]


def plan_row(**over):
    """One clean plan row (as the cells a unit would type), overridable by label."""
    row = {"单位名称": "中国科学院物理研究所", "培训名称": "先进光源技术研修班", "培训类别": "专业技术研修班",
           "培训开始时间": "2023-05-08", "培训结束时间": "2023-05-10", "学时": 24, "天数": 3,
           "学员计划参加人数": 80, "经费预算(万元)": 10, "是否申请资助": "是"}
    row.update(over)
    return row


def write_xlsx(path: Path, rows: list[dict], *, header: list[str] | None = None, title_rows: int = 0,
               sheet: str = "培训计划", extra_sheets: dict[str, list[list]] | None = None) -> Path:
    """Write rows under a header, below ``title_rows`` merged title lines; returns the path."""
    header = header or list(rows[0]) if rows else header or HEADER
    wb = xlsxwriter.Workbook(str(path))
    wb.set_properties({"created": dt.datetime(2022, 11, 30)})
    ws = wb.add_worksheet(sheet)
    r = 0
    for k in range(title_rows):
        ws.merge_range(r, 0, r, max(len(header) - 1, 1), f"标题行{k + 1}：中国科学院2023年度培训计划")
        r += 1
    ws.write_row(r, 0, header)
    for row in rows:
        r += 1
        if row is None:
            continue
        for j, label in enumerate(header):
            v = row.get(label)
            if v is None:
                continue
            if isinstance(v, (int, float)):
                ws.write_number(r, j, v)
            else:
                ws.write_string(r, j, str(v))
    for name, grid in (extra_sheets or {}).items():
        other = wb.add_worksheet(name)
        for i, line in enumerate(grid):
            other.write_row(i, 0, line)
    wb.close()
    return path


def write_csv(path: Path, rows: list[dict], *, encoding: str = "utf-8", header: list[str] | None = None) -> Path:
    header = header or list(rows[0])
    lines = [",".join(header)]
    for row in rows:
        lines.append(",".join("" if row.get(h) is None else str(row.get(h)) for h in header))
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def sample_inputs(root: Path = SAMPLES, *, dirty: bool = False):
    """The shipped sample year's inputs, named one by one (tests only: the package never falls back to them)."""
    from casplan.pipeline import Inputs

    base = Path(root)
    return Inputs.of(base / ("dirty" if dirty else "plans.xlsx"), history=base / "history.xlsx",
                     roster=base / "roster.xlsx", reviews=base / "reviews.csv")


@pytest.fixture
def samples() -> Path:
    if not (SAMPLES / "plans.xlsx").exists():
        pytest.fail(f"sample data missing under {SAMPLES}; run `casplan sample`")
    return SAMPLES
