"""议题 14: one project counted once, one institute however it is written, absurd values refused, runs safe."""

from __future__ import annotations

import concurrent.futures
import hashlib
import json
import os
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from conftest import SAMPLES, plan_row, write_xlsx
from hypothesis import given, settings
from hypothesis import strategies as st

from casplan.cli import main
from casplan.intake import read_plans
from casplan.io import neutralise_formula, read_source, write_frame
from casplan.pipeline import Inputs, run_year
from casplan.policy import load_policy

POLICY = load_policy()
GOAL = "提高科研人员的专业能力与创新水平。"
CHEM = "中国科学院化学研究所"
PHYS = "中国科学院物理研究所"


def _year(tmp_path: Path, rows: list[dict], *, history_rate: float = 0.3):
    """A tiny year: 化学所 (2022 rate 30 %, so U2) and 物理所, a roster with short names, a history."""
    roster = write_xlsx(tmp_path / "roster.xlsx", [
        {"单位名称": CHEM, "单位类型": "研究所", "所属分院": "北京分院", "别名": "化学所"},
        {"单位名称": PHYS, "单位类型": "研究所", "所属分院": "北京分院", "别名": "物理所"},
        {"单位名称": "中国科学院合肥物质科学研究院", "单位类型": "研究所", "所属分院": "合肥分院", "别名": "合肥研究院"},
    ])
    history = write_xlsx(tmp_path / "history.xlsx", [
        {"单位名称": CHEM, "年度": 2022, "培训名称": "催化化学研修班", "项目类别": "专业技术研修班", "是否举办": "是",
         "是否院级资助": "是", "是否实施": "是", "是否完成": "否", "资助金额(万元)": 10,
         "已支出(万元)": round(10 * history_rate, 2)}])
    plans = write_xlsx(tmp_path / "plans.xlsx", rows)
    return run_year(Inputs.of(plans, roster=roster, history=history))


def _row(unit: str, name: str, **over) -> dict:
    return plan_row(**{"单位名称": unit, "培训名称": name, "培训目的": GOAL, "培训内容": GOAL, "培训年度": 2023, **over})


# --- one institute however it is written -----------------------------------------------------------

_INVISIBLE = st.sampled_from(["\u200b", "\ufe0f", "\ufe00", "\u202e", "\u00a0", "\u3000", "\u2060", "\u200d", " "])


def _rewrite(name: str, draw) -> str:
    """A spelling of ``name`` that normalisation folds: short forms, traditional, invisible characters."""
    forms = [name, name.replace("中国科学院", "中科院"), name.replace("研究所", "所"),
             name.replace("中国科学院", "中科院").replace("研究所", "所"),
             name.replace("中国科学院", "中國科學院").replace("化学", "化學").replace("物理", "物理"),
             name + "人事处", "\uff08" + name + "\uff09"]
    text = draw(st.sampled_from(forms))
    for _ in range(draw(st.integers(0, 3))):
        k = draw(st.integers(0, len(text)))
        text = text[:k] + draw(_INVISIBLE) + text[k:]
    return text


@settings(max_examples=25, deadline=None)
@given(st.data())
def test_u1_and_u2_hold_under_any_rewriting_of_the_name(tmp_path_factory, data):
    tmp = tmp_path_factory.mktemp("identity")
    chem = _rewrite(CHEM, data.draw)
    phys_a, phys_b = _rewrite(PHYS, data.draw), _rewrite(PHYS, data.draw)
    rows = [_row(chem, "化学安全技术研修班"),
            _row(phys_a, "先进光源技术研修班", 资助推荐排序=1),
            _row(phys_b, "量子精密测量研修班", 资助推荐排序=2)]
    year = _year(tmp, rows)
    units = set(year.eligibility.applications["unit"])
    assert units == {CHEM, PHYS}, (chem, phys_a, phys_b, units)
    chosen = year.selection.chosen
    assert chosen.filter(pl.col("unit") == CHEM).height == 0  # U2 (30 %) whatever the spelling
    assert chosen.filter(pl.col("unit") == PHYS).height == 1  # U1: one per institute


def test_a_similar_name_is_taken_and_shown_a_distinct_one_is_an_unknown_unit_in_the_report(tmp_path):
    year = _year(tmp_path, [_row("中国科学院化学研究院", "化学安全技术研修班")])  # one character off
    warns = year.loaded.plans.warnings
    similar = warns.filter(pl.col("reason") == "I-UNIT-SIMILAR")["message"].to_list()
    assert similar and "中国科学院化学研究所" in similar[0] and "相似度" in similar[0]
    assert year.selection.chosen.height == 0  # still 化学所: still U2


# --- one project counted once ----------------------------------------------------------------------

def test_the_same_project_three_times_is_one_application(tmp_path):
    rows = [_row("中国科学院北京分院", "院机关财务管理培训班（2023）", 培训类别="管理类培训", ID=2300507),
            _row("中国科学院北京分院", "院机关财务管理培训班(2023) ", 培训类别="管理类培训", ID=2399507),
            _row("中国科学院北京分院", "院机关财务管理培训班（2023）", 培训类别="管理类培训", ID=2300507)]
    year = _year(tmp_path, rows)
    assert year.eligibility.applications.height == 1
    assert year.selection.chosen.height == 1
    assert year.loaded.plans.set_aside.filter(pl.col("reason") == "I-DUPLICATE").height == 2


# --- absurd values ---------------------------------------------------------------------------------

@pytest.mark.parametrize("over, code", [
    ({"培训年度": 2099, "培训开始时间": "2099-05-08", "培训结束时间": "2099-05-10"}, "I-YEAR"),
    ({"培训开始时间": "1900-05-08", "培训结束时间": "1900-05-10"}, "I-DATE-YEAR"),
    ({"培训开始时间": "2023-03-01", "培训结束时间": "2025-03-01", "天数": 3}, "I-DATE-YEAR"),
    ({"培训开始时间": "2023-03-01", "培训结束时间": "2023-03-02", "天数": 5}, "I-DATE-SPAN"),
])
def test_absurd_years_and_dates_are_set_aside(tmp_path, over, code):
    year = _year(tmp_path, [_row(PHYS, "先进光源技术研修班", **over), _row(PHYS, "党的二十大精神学习", 是否申请资助="否")])
    problems = year.loaded.plans.set_aside
    assert code in problems["reason"].to_list()
    assert year.selection.chosen.height == 0


def test_a_funded_application_needs_a_positive_budget(tmp_path):
    year = _year(tmp_path, [_row(PHYS, "先进光源技术研修班", **{"经费预算(万元)": 0})])
    s = year.eligibility.summary.row(0, named=True)
    assert not s["eligible"] and s["reasons"] == ["B1-AMOUNT"]
    assert year.selection.chosen.height == 0


def test_money_written_in_yuan_is_converted_and_an_absurd_amount_flagged(tmp_path):
    intake = read_plans(write_xlsx(tmp_path / "p.xlsx", [
        _row(PHYS, "甲班", **{"经费预算(万元)": "8000元", "学员计划参加人数": 50, "天数": 3}),
        _row(PHYS, "乙班", **{"经费预算(万元)": 8000, "学员计划参加人数": 50, "天数": 3})]), policy=POLICY)
    assert intake.frame["budget"].to_list() == [0.8, 8000.0]
    reasons = intake.warnings["reason"].to_list()
    assert "I-UNIT-CONVERTED" in reasons and "I-MONEY-UNIT" in reasons


# --- hostile files refused in bounded time ---------------------------------------------------------

def test_yaml_alias_bombs_are_refused_in_milliseconds(tmp_path, capsys):
    import time

    bomb = tmp_path / "情景.yaml"
    bomb.write_text("a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
                    "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n", encoding="utf-8")
    started = time.perf_counter()
    assert main(["policy", "check", str(bomb)]) == 2
    assert time.perf_counter() - started < 1.0
    assert "锚点或别名" in capsys.readouterr().err


def test_the_manifest_hash_is_the_plain_sha256_of_the_bytes_read(tmp_path):
    data, source = read_source(SAMPLES / "plans.xlsx", kind="plans")
    assert source.sha256 == hashlib.sha256((SAMPLES / "plans.xlsx").read_bytes()).hexdigest() == \
        hashlib.sha256(data).hexdigest()


# --- writers ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", "＝1+1", "＋1", "－1", "＠A1"])
def test_every_writer_neutralises_formula_starts(tmp_path, text):
    assert neutralise_formula(text).startswith("'")
    frame = pl.DataFrame({"名称": [text]})
    write_frame(frame, tmp_path / "a.xlsx")
    cell = openpyxl.load_workbook(tmp_path / "a.xlsx")["数据"]["A2"]
    assert cell.data_type == "s" and str(cell.value).startswith("'")
    write_frame(frame, tmp_path / "a.csv")
    assert (tmp_path / "a.csv").read_text(encoding="utf-8-sig").splitlines()[1].lstrip('"').startswith("'")


def test_a_cell_longer_than_excel_allows_is_cut_visibly_and_said(tmp_path):
    notes: list[str] = []
    write_frame(pl.DataFrame({"培训内容": ["长" * 40_000]}), tmp_path / "a.xlsx", notes=notes)
    value = openpyxl.load_workbook(tmp_path / "a.xlsx")["数据"]["A2"].value
    assert len(value) <= 32_767 and "已截断" in value
    assert notes and "32767" in notes[0]


def test_bidi_controls_and_escapes_never_reach_the_terminal(tmp_path, capsys):
    p = write_xlsx(tmp_path / "p.xlsx", [_row("中国科学院\u202e所究研理物", "光源\x1b[2J班", 天数="\x1b[31m三到五天"),
                                          _row(PHYS, "先进光源技术研修班")])
    main(["validate", str(p)])
    out = capsys.readouterr()
    text = out.out + out.err
    assert "\x1b" not in text and "\u202e" not in text
    assert "<U+001B>" in text


def test_out_that_cannot_be_written_is_one_chinese_line(tmp_path, capsys):
    p = write_xlsx(tmp_path / "p.xlsx", [_row(PHYS, "先进光源技术研修班")])
    dangling = tmp_path / "链接.xlsx"
    dangling.symlink_to(tmp_path / "不存在" / "x.xlsx")
    assert main(["validate", str(p), "--out", str(dangling)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "链接" in err[0]
    assert main(["validate", str(p), "--out", str(p)]) == 2
    assert "输入文件只读不写" in capsys.readouterr().err
    blocker = tmp_path / "文件"
    blocker.write_text("x")
    assert main(["validate", str(p), "--out", str(blocker / "x.xlsx")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "无法写入" in err[0] and "Traceback" not in err[0]


def test_render_refuses_a_yaml_tag_in_a_parameter(tmp_path, capsys):
    assert main(["render", "notebooks/01_intake.ipynb", "--out", str(tmp_path / "x.html"), "-p", "params_file",
                 "!!python/object/apply:os.system [echo hi]"]) == 2
    err = capsys.readouterr().err
    assert "不允许的标签" in err and "Traceback" not in err


# --- runs and the record ---------------------------------------------------------------------------

@pytest.mark.slow
def test_two_reports_at_once_both_land_and_latest_is_a_real_folder_moved_aside(tmp_path):
    from casplan.report import render_report

    root = tmp_path / "reports"
    (root / "2023" / "latest").mkdir(parents=True)
    (root / "2023" / "latest" / "report.html").write_text("<p>上次的报告</p>", encoding="utf-8")
    params = {"plans": str(SAMPLES / "plans.xlsx"), "history": str(SAMPLES / "history.xlsx"),
              "roster": str(SAMPLES / "roster.xlsx"), "robustness_draws": 0}
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        runs = list(pool.map(lambda _: render_report(params, out_root=root, progress=False), range(2)))
    assert runs[0] != runs[1] and all(r.is_dir() for r in runs)
    latest = root / "2023" / "latest"
    assert latest.is_symlink() and latest.resolve() in {r.resolve() for r in runs}
    aside = [p for p in (root / "2023").iterdir() if p.name.startswith("latest-备份-")]
    assert len(aside) == 1 and (aside[0] / "report.html").read_text(encoding="utf-8") == "<p>上次的报告</p>"
    manifest = json.loads((runs[0] / "manifest.json").read_text(encoding="utf-8"))
    key = f"plans:{(SAMPLES / 'plans.xlsx').resolve()}"
    assert manifest["inputs"][key] == hashlib.sha256((SAMPLES / "plans.xlsx").read_bytes()).hexdigest()
    assert os.readlink(latest) in {r.name for r in runs}


_CELL_TAGS = st.one_of(
    st.tuples(st.text("ABCDEFXZ", min_size=1, max_size=5), st.text("0123456789", min_size=1, max_size=16)).map(
        lambda t: f'<c r="{t[0]}{t[1]}" t="s"><v>1</v></c>'),                       # as Excel writes them
    st.tuples(st.text("ABZ", min_size=1, max_size=3), st.integers(1, 999)).map(
        lambda t: f'<c s="2" r="{t[0]}{t[1]}"/>'),                                    # r= not first
    st.sampled_from(['<c r="a1"/>', '<c r="A"/>', '<c r="1"/>', '<c r="A1 "/>', '<c>', '<c/>', '<col r="A1"/>',
                     '<c\tr="B2"/>', '<cx r="A1"/>', '<c r="A1" t="inlineStr"><is><t>ABC</t></is></c>',
                     '<c r="XFD1048576"/>', '<c r=\'A1\'/>', '<row r="3">', '</row>', '<c']),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_CELL_TAGS, max_size=12))
def test_the_fast_reading_of_cell_references_agrees_with_the_pattern(tags):
    """The numpy reading of ``<c r="…"`` is used only when it reads what the pattern reads; otherwise it
    hands the piece to the pattern (None). Checked on the mixed tags and on the Excel-form ones alone."""
    import re

    import numpy as np

    import casplan.io.workbook as wb

    excel = re.compile(r'<c r="[A-Z]{1,4}[0-9]{1,11}"')  # the width the fast reading looks at
    for part in (tags, [t for t in tags if excel.match(t)]):
        piece = ("<sheetData>" + "".join(part) + "</sheetData>" + " " * 24).encode()
        fast = wb._plain_references(piece)
        cells = [t for t in part if re.match(r"<c(?![A-Za-z0-9_])", t)]
        if all(excel.match(t) for t in cells):
            assert fast is not None  # the form Excel writes is read fast
        if fast is None:
            continue
        refs = wb._COLUMN_REF.findall(piece)
        rows, cols = fast
        assert rows.tolist() == [int(r) for _, r in refs]
        assert cols.tolist() == [wb.column_index(c) for c, _ in refs]
        assert rows.dtype == np.int64 and cols.dtype == np.int64


@pytest.mark.parametrize("chunk", [1 << 23, 64, 7])
def test_the_cell_order_check_reads_a_sheet_piece_by_piece_and_misses_nothing(monkeypatch, chunk):
    """The cell references of a sheet are checked in pieces cut where a row starts (a 100× sheet at once was
    most of the run's memory): the extent is the whole sheet's, and a cell given twice or going back is
    refused wherever the pieces are cut."""
    import casplan.io.workbook as wb
    from casplan.errors import UnreadableFileError
    from casplan.io.sources import DEFAULT_LIMITS

    monkeypatch.setattr(wb, "_CELL_CHUNK", chunk)

    def sheet(cells: list[list[str]]) -> bytes:
        rows = "".join(f'<row r="{i + 1}">' + "".join(f'<c r="{c}{i + 1}" t="s"><v>0</v></c>' for c in row) + "</row>"
                       for i, row in enumerate(cells))
        return f"<worksheet><sheetData>{rows}</sheetData></worksheet>".encode()

    good = sheet([["A", "B", "C"], ["A", "C"], ["B", "AA"], ["A"]])
    assert wb._check_cell_order(good, "x.xlsx", "表1", DEFAULT_LIMITS) == (4, 27)
    twice = sheet([["A", "B"], ["A", "B", "B"], ["A"]])
    with pytest.raises(UnreadableFileError, match="单元格 B2 出现了不止一次"):
        wb._check_cell_order(twice, "x.xlsx", "表1", DEFAULT_LIMITS)
    back = good.replace(b'<row r="3"><c r="B3"', b'<row r="3"><c r="B1"')
    with pytest.raises(UnreadableFileError, match="单元格 B1 出现了不止一次"):
        wb._check_cell_order(back, "x.xlsx", "表1", DEFAULT_LIMITS)


@pytest.mark.parametrize("cell", ['<c r="A99999999999999999999"/>', '<c s="1" r="A99999999999999999999"/>'])
def test_a_cell_reference_beyond_any_sheet_is_refused_in_chinese(cell):
    """A row number longer than int64 was an OverflowError (a traceback) in the pattern's reading."""
    import casplan.io.workbook as wb
    from casplan.errors import UnreadableFileError
    from casplan.io.sources import DEFAULT_LIMITS

    xml = f'<worksheet><sheetData><row r="1">{cell}</row></sheetData></worksheet>'.encode() + b" " * 32
    with pytest.raises(UnreadableFileError, match="超过上限"):
        wb._check_cell_order(xml, "x.xlsx", "表1", DEFAULT_LIMITS)


def test_repeated_texts_are_not_taken_for_a_lying_string_table(tmp_path):
    """A shared-string table's ``count`` counts every string cell, repeats included: a plan list where the
    same 类别 comes back thousands of times is normal and read as it is (it was copied into a rebuilt
    workbook, at every size). A ``count`` beyond the sheets' cells, or a ``uniqueCount`` beyond the entries,
    is still removed before calamine reads the table."""
    import io
    import re
    import zipfile

    import xlsxwriter

    import casplan.io.workbook as wb
    from casplan.io.sources import DEFAULT_LIMITS

    path = tmp_path / "plans.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("培训计划")
    for r in range(1500):
        sheet.write_string(r, 0, "专业技术研修班")
        sheet.write_string(r, 1, "管理类培训")
    book.close()
    data = path.read_bytes()
    head = re.search(rb"<sst\b[^>]*>", zipfile.ZipFile(path).read("xl/sharedStrings.xml")).group(0)
    assert b'count="3000"' in head and b'uniqueCount="2"' in head
    assert "\x00fixed" not in wb.inspect_ooxml(data, "plans.xlsx", DEFAULT_LIMITS)

    def lying(attrs: bytes) -> bytes:
        src, buffer = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as dst:
            for info in src.infolist():
                body = src.read(info.filename)
                if info.filename == "xl/sharedStrings.xml":
                    body = body.replace(head, re.sub(rb'\s(?:count|uniqueCount)="[0-9]+"', b"", head)[:-1] + attrs + b">")
                dst.writestr(info.filename, body)
        return buffer.getvalue()

    for attrs in (b' count="4294967295" uniqueCount="2"', b' count="3000" uniqueCount="4294967295"'):
        fixed = wb.inspect_ooxml(lying(attrs), "plans.xlsx", DEFAULT_LIMITS).get("\x00fixed")
        assert fixed is not None, attrs
        table = zipfile.ZipFile(io.BytesIO(fixed.replaced)).read("xl/sharedStrings.xml")
        assert b"4294967295" not in table and table.count(b"<si>") == 2
