"""A 2024 year for the tests: the sample's files moved one year on, under the 2024 test policy.

The policy (``tests/data/year2024/2024.yaml``) renames a track, adds one, changes two thresholds
and switches rules off; nothing in ``casplan/`` knows it. The data are the sample year's own
files with every date and year moved on by one and the first ``KEPU_ROWS`` funded 短期班
applications rewritten as 科学传播培训班 (the new track's new category), so that the new track
has applications to check, score and select.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "samples" / "2023"
POLICY_DIR = ROOT / "tests" / "data" / "year2024"
POLICY = POLICY_DIR / "2024.yaml"
KEPU_ROWS = 12


def _later(value):
    if isinstance(value, dt.datetime):
        return value.replace(year=value.year + 1)
    if isinstance(value, dt.date):
        return value.replace(year=value.year + 1)
    return value


def build(out: Path) -> dict[str, Path]:
    """Write plans.xlsx, history.xlsx, roster.xlsx and reviews.csv of 2024 into ``out``; return their paths."""
    out.mkdir(parents=True, exist_ok=True)
    wb = openpyxl.load_workbook(SAMPLES / "plans.xlsx")
    ws = wb.worksheets[0]
    head = [c.value for c in ws[1]]
    col = {name: i for i, name in enumerate(head)}
    converted = 0
    for row in ws.iter_rows(min_row=2):
        for c in row:
            c.value = _later(c.value)
        if row[col["培训年度"]].value == 2023:
            row[col["培训年度"]].value = 2024
        if (converted < KEPU_ROWS and row[col["培训类别"]].value == "专项技术短期培训班"
                and row[col["是否申请资助"]].value == "是" and row[col["精品项目"]].value == "否"
                and row[col["同时申报人社部高研项目"]].value == "否"):
            row[col["培训类别"]].value = "科学传播培训班"
            row[col["培训名称"]].value = f"科学传播与科普能力提升培训班（{row[col['培训名称']].value}）"
            converted += 1
    assert converted == KEPU_ROWS, converted
    wb.save(out / "plans.xlsx")
    wb = openpyxl.load_workbook(SAMPLES / "history.xlsx")
    ws = wb.worksheets[0]
    head = [c.value for c in ws[1]]
    year = head.index("年度")
    for row in ws.iter_rows(min_row=2):
        for c in row:
            c.value = _later(c.value)
        if isinstance(row[year].value, int):
            row[year].value += 1
    wb.save(out / "history.xlsx")
    (out / "roster.xlsx").write_bytes((SAMPLES / "roster.xlsx").read_bytes())
    (out / "reviews.csv").write_bytes((SAMPLES / "reviews.csv").read_bytes())
    return {k: out / f for k, f in (("plans", "plans.xlsx"), ("history", "history.xlsx"),
                                      ("roster", "roster.xlsx"), ("reviews", "reviews.csv"))}
