"""Closing the loop (issue 16.7): this year's selection becomes next year's history, with no hand-copying.

The 2023 sample's selection is written in the history format, the units' spending report fills it in
(one unit spends 20 %, the others 90 %), ``casplan history append`` joins it to the history file, and
the 2024 test year (policy fixture: U2 at 60 %, funded year 2023) reads it: the low spender fails U2,
the others do not. Inputs are never changed; a second append of the same rows is refused.
"""

from __future__ import annotations

import datetime as dt
import hashlib

import polars as pl
import pytest
import year2024
from conftest import SAMPLES

from casplan.cli import main
from casplan.io import write_workbook
from casplan.pipeline import Inputs, assess, load
from casplan.report import build, content

pytestmark = pytest.mark.slow


def _sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def loop(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("loop")
    data = build(plans=str(SAMPLES / "plans.xlsx"), history=str(SAMPLES / "history.xlsx"),
                 roster=str(SAMPLES / "roster.xlsx"), reviews=str(SAMPLES / "reviews.csv"), robustness_draws=0)
    rows = content.history_rows(data)
    added = write_workbook({"往年项目": rows}, tmp / "本年度资助项目.xlsx")
    money = rows.filter(pl.col("是否院级资助"))
    low = money.sort("单位名称")["单位名称"][0]
    spending = money.with_columns(
        pl.lit(True).alias("是否举办"), pl.lit(True).alias("是否实施"), pl.lit(True).alias("是否完成"),
        (pl.col("资助金额(万元)") * pl.when(pl.col("单位名称") == low).then(0.2).otherwise(0.9)).round(2)
        .alias("已支出(万元)"), pl.lit(dt.date(2023, 11, 30)).alias("统计截止日期"))
    spent = write_workbook({"执行情况": spending}, tmp / "执行情况.xlsx")
    return tmp, data, added, spent, low, money


def test_the_report_rows_are_the_selection(loop):
    _, data, _, _, _, _ = loop
    rows = content.history_rows(data)
    assert rows.height == data.selection.chosen.height
    assert set(rows["年度"]) == {2023}
    assert list(rows.columns) == list(content.HISTORY_COLUMNS.values())
    granted = rows.filter(pl.col("是否院级资助"))["资助金额(万元)"].sum()
    assert round(granted, 2) == round(data.selection.budget_spent, 2)


def test_append_then_next_years_check_reads_the_spending(loop, capsys):
    tmp, _, added, spent, low, money = loop
    before = {p: _sha(p) for p in (SAMPLES / "history.xlsx", added, spent)}
    out = tmp / "往年项目-2023.xlsx"
    code = main(["history", "append", "--history", str(SAMPLES / "history.xlsx"), "--add", str(added),
                 "--spending", str(spent), "--out", str(out)])
    said = capsys.readouterr()
    assert code == 0, said.err
    assert "已写入" in said.out
    assert {p: _sha(p) for p in before} == before  # inputs untouched
    files = year2024.build(tmp / "y2024")
    units = assess(load(Inputs.of(files["plans"], history=out, roster=files["roster"],
                                  policy=year2024.POLICY))).units
    codes = dict(units.select("unit", "u2_code").iter_rows())
    assert codes[low] == "U2-LOW-RATE"
    others = [u for u in set(money["单位名称"]) if u != low and u in codes]
    assert others and all(codes[u] != "U2-LOW-RATE" for u in others)


def test_the_same_rows_are_not_appended_twice(loop, capsys):
    tmp, _, added, _, _, _ = loop
    once = tmp / "一次.xlsx"
    assert main(["history", "append", "--history", str(SAMPLES / "history.xlsx"), "--add", str(added),
                 "--out", str(once)]) == 0
    capsys.readouterr()
    assert main(["history", "append", "--history", str(once), "--add", str(added), "--out", str(tmp / "两次.xlsx")]) == 2
    assert "不重复并入" in capsys.readouterr().err
    assert main(["history", "append", "--history", str(once), "--add", str(added), "--out", str(once)]) == 2
    assert "输入文件不被修改" in capsys.readouterr().err


def test_a_spending_row_of_no_project_is_refused(loop, tmp_path, capsys):
    _, _, added, _, _, _ = loop
    stray = write_workbook({"执行情况": pl.DataFrame({"单位名称": ["中国科学院不存在研究所"], "年度": [2023],
                                                  "培训名称": ["没有这个班"], "已支出(万元)": [1.0]})},
                           tmp_path / "执行情况.xlsx")
    assert main(["history", "append", "--add", str(added), "--spending", str(stray),
                 "--out", str(tmp_path / "out.xlsx")]) == 2
    assert "找不到" in capsys.readouterr().err
