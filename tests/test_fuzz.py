"""Fuzzing the readers and normalisers (Hypothesis): whatever arrives, only the project's own errors leave.

* arbitrary bytes, near-valid workbooks and random grids through :func:`casplan.intake.read_plans`: it
  collects unreadable files in ``errors`` and must not raise at all; every row after the header is
  either read (accepted or set aside) or a blank row;
* arbitrary header rows through the header detection: found exactly when a row holds enough known labels;
* arbitrary Python values through every parser (only ``ValueFormatError``) and arbitrary columns of any
  dtype through :func:`casplan.intake.normalize.normalize_column` (nothing at all);
* random edits of the real policy and random override entries: only ``CasplanError`` subclasses.

Bounded (a fixed number of examples, no example database) so the file runs in well under a minute.
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
import importlib.resources
import io
import tempfile
from pathlib import Path

import polars as pl
import pytest
import xlsxwriter
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from casplan.errors import CasplanError, OverrideError, PolicyError, UnreadableFileError, ValueFormatError
from casplan.intake.fields import FIELDS, match_header
from casplan.intake import read_history, read_plans, read_reviews, read_roster
from casplan.io import HEADER_SCAN_ROWS, MIN_HEADER_MATCHES, read_tables, read_yaml
from casplan.intake.normalize import (clean_text, name_similarity, normalize_column, normalize_name, parse_bool, parse_date,
                               parse_int, parse_number, stable_id)
from casplan.eligibility.overrides import check_overrides, parse_overrides, read_overrides
from casplan.policy import parse_policy

_BASE = settings(deadline=None, database=None, derandomize=True,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def fuzz(examples: int) -> settings:
    """Hypothesis settings: ``examples`` cases, derandomised (the same cases every run), no database."""
    return settings(_BASE, max_examples=examples)

LABELS = sorted({h for f in FIELDS for h in (f.label, *f.aliases)})
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
PREFIXES = (b"", b"PK\x03\x04", OLE, OLE + "EncryptionInfo".encode("utf-16-le"), b"\xef\xbb\xbf", b"\xff\xfe",
            b"\xfe\xff", b"<html><table><tr><td>", b"<table>", "单位名称,培训名称,培训类别\n".encode("utf-8"),
            "单位名称,培训名称,培训类别\n".encode("gb18030"))
# Cells that reach into the number, date, bool and code grammars, and some plain nasties.
CELL_WORDS = st.sampled_from(["是", "否", "√", "×", "1", "0", "3天", "三天半", "约100人", "3-5天", "2023-02-30",
                              "2023年3月1日", "44986", "1e308", "-0", "nan", "inf", "本地", "外埠", "部级",
                              "是-精品培训项目", "否-人社部高级研修项目", "=1+1", "#DIV/0!", "　", "\u200b",
                              "培训名称", "单位名称", "研修班", "茶话会", '"', "'", "\n", "\r\n", "，"])
CELLS = st.one_of(st.none(), CELL_WORDS, st.text(max_size=12),
                  st.text(alphabet="0123456789.,-+e约天人万元半一二三十百", max_size=8))
SAFE_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=10)


def _balanced(intake) -> None:
    assert intake.rows_read == intake.rows_accepted + intake.rows_set_aside
    assert intake.frame.height + intake.rejected.height == intake.rows_read
    for f in intake.files.iter_rows(named=True):
        assert f["rows_read"] == f["rows_accepted"] + f["rows_set_aside"], f
    assert all(isinstance(e, UnreadableFileError) for e in intake.errors)
    assert all(str(e) for e in intake.errors)


def _small_workbook() -> bytes:
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True})
    wb.set_properties({"created": dt.datetime(2022, 11, 30)})
    ws = wb.add_worksheet("培训计划")
    ws.write_row(0, 0, ["单位名称", "培训名称", "培训类别", "天数", "是否申请资助", "培训开始时间"])
    ws.write_row(1, 0, ["中国科学院物理研究所", "先进光源技术研修班", "专业技术研修班", 3, "是", "2023-05-08"])
    ws.write_row(2, 0, ["中国科学院化学研究所", "质谱短期培训班", "专项技术短期培训班", "三天半", "否", "44986"])
    wb.close()
    return buffer.getvalue()


WORKBOOK = _small_workbook()


# --- readers -----------------------------------------------------------------------------------

@fuzz(150)
@given(prefix=st.sampled_from(PREFIXES), body=st.binary(max_size=2048),
       suffix=st.sampled_from([".csv", ".xlsx", ".txt", ".xls", ".html"]))
def test_arbitrary_bytes_never_raise(prefix: bytes, body: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        p = Path(tmp) / f"计划{suffix}"
        p.write_bytes(prefix + body)
        intake = read_plans([p])
    _balanced(intake)
    event("unreadable" if intake.errors else "read")


@fuzz(120)
@given(cut=st.one_of(st.none(), st.integers(0, len(WORKBOOK))),
       flips=st.lists(st.tuples(st.integers(0, len(WORKBOOK) - 1), st.integers(0, 255)), max_size=6))
def test_damaged_workbooks_never_raise(cut: int | None, flips: list[tuple[int, int]]) -> None:
    """A real workbook, truncated and with bytes overwritten: calamine must fail politely."""
    data = bytearray(WORKBOOK)
    for at, byte in flips:
        data[at] = byte
    with tempfile.TemporaryDirectory() as tmp:
        p = Path(tmp) / "plans.xlsx"
        p.write_bytes(bytes(data[:cut]))
        intake = read_plans([p])
    _balanced(intake)
    event("unreadable" if intake.errors else f"read {intake.rows_read} rows")


def _header_row() -> st.SearchStrategy[list[str]]:
    """Mostly a usable header (the required labels first), then random known labels and noise."""
    extra = st.lists(st.one_of(st.sampled_from(LABELS), SAFE_TEXT), min_size=1, max_size=10)
    return st.tuples(st.integers(0, 3), extra).map(
        lambda t: (["单位名称", "培训名称", "培训类别"] if t[0] else []) + t[1])


@fuzz(120)
@given(title_rows=st.integers(0, 3), header=_header_row(),
       body=st.lists(st.lists(CELLS, max_size=12), max_size=8),
       form=st.sampled_from(["xlsx", "utf-8", "utf-8-sig", "gb18030", "utf-16"]))
def test_random_grids_every_row_is_accounted_for(title_rows: int, header: list[str], body: list[list],
                                                 form: str) -> None:
    """Rows after the header = rows read + blank rows; read = accepted + set aside; nothing raises."""
    grid: list[list] = [["中国科学院2023年度培训计划"]] * title_rows + [header] + body
    with tempfile.TemporaryDirectory() as tmp:
        if form == "xlsx":
            p = Path(tmp) / "plans.xlsx"
            wb = xlsxwriter.Workbook(str(p), {"strings_to_numbers": False, "strings_to_formulas": False,
                                              "strings_to_urls": False})
            ws = wb.add_worksheet("s")
            for i, line in enumerate(grid):
                for j, v in enumerate(line):
                    if v is not None and v != "":
                        ws.write_string(i, j, v)
            wb.close()
            filled = [i for i, line in enumerate(grid) if any(v not in (None, "") for v in line)]
            total = (filled[-1] + 1) if filled else 0
        else:
            p = Path(tmp) / "plans.csv"
            text = io.StringIO(newline="")
            csv.writer(text).writerows([["" if v is None else v for v in line] for line in grid])
            try:
                p.write_bytes(text.getvalue().encode(form))
            except UnicodeEncodeError:
                p.write_bytes(text.getvalue().encode("utf-8"))
            total = len(list(csv.reader(io.StringIO(text.getvalue(), newline=""))))
        intake = read_plans([p])
    _balanced(intake)
    event("unreadable" if intake.errors else ("rows set aside" if intake.rows_set_aside else "read"))
    for f in intake.files.iter_rows(named=True):
        assert f["rows_read"] + f["blank_rows"] == total - f["header_row"], (f, total)


@fuzz(120)
@given(labels=st.lists(st.sampled_from(LABELS), max_size=8), noise=st.lists(SAFE_TEXT, max_size=8),
       order=st.randoms(use_true_random=False), above=st.integers(0, HEADER_SCAN_ROWS + 3))
def test_header_detection_finds_the_row_with_enough_labels(labels: list[str], noise: list[str], order,
                                                           above: int) -> None:
    """The header is found exactly when it sits in the scan window and names enough distinct columns."""
    header = labels + noise
    order.shuffle(header)
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False,
                                      "strings_to_urls": False})
    ws = wb.add_worksheet("s")
    for i in range(above):
        ws.write_string(i, 0, f"标题 {i}")
    for j, v in enumerate(header):
        if v.strip():
            ws.write_string(above, j, v)
    ws.write_row(above + 1, 0, ["2023"] * max(len(header), 1))
    wb.close()
    distinct = {match_header(" ".join(v.split())) for v in header if v.strip()} - {None}
    with tempfile.TemporaryDirectory() as tmp:
        p = Path(tmp) / "h.xlsx"
        p.write_bytes(buffer.getvalue())
        if len(distinct) >= MIN_HEADER_MATCHES and above < HEADER_SCAN_ROWS:
            tables, _ = read_tables(p)
            assert [t.header_row for t in tables] == [above + 1]
        else:
            with pytest.raises(UnreadableFileError):
                read_tables(p)


@fuzz(60)
@given(body=st.binary(max_size=600), kind=st.sampled_from(["history", "roster", "reviews"]),
       prefix=st.sampled_from(PREFIXES))
def test_companion_readers_never_raise(body: bytes, kind: str, prefix: bytes) -> None:
    reader = {"history": read_history, "roster": read_roster, "reviews": read_reviews}[kind]
    with tempfile.TemporaryDirectory() as tmp:
        p = Path(tmp) / f"{kind}.csv"
        p.write_bytes(prefix + body)
        _balanced(reader([p]))


# --- normalisers ---------------------------------------------------------------------------------

ANY_VALUE = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(), st.dates(), st.datetimes(),
                      st.sampled_from([10 ** 400, -(10 ** 400), 2 ** 63, float("nan"), float("-inf"), "1e999",
                                       "九千九百九十九万", "１" * 400, "0x1F", "1_000", "٣", "²", "Ⅻ"]))


@pytest.mark.parametrize("parse", [parse_bool, parse_number, parse_int, parse_date])
@fuzz(150)
@given(value=ANY_VALUE)
def test_parsers_raise_only_value_format_error_on_any_value(parse, value) -> None:
    try:
        parse(value)
    except ValueFormatError as error:
        assert error.code.startswith("I-") and error.expected


@fuzz(150)
@given(a=st.text(), b=st.text(), year=st.one_of(st.none(), st.integers()))
def test_text_helpers_never_raise(a: str, b: str, year: int | None) -> None:
    clean_text(a)
    assert normalize_name(normalize_name(a)) == normalize_name(a)
    assert stable_id(a, b, year).startswith("A")
    assert 0.0 <= name_similarity(a, b) <= 1.0


COLUMNS = st.one_of(
    st.lists(st.one_of(st.none(), st.text()), max_size=20).map(lambda v: pl.Series("c", v, dtype=pl.String)),
    st.lists(st.one_of(st.none(), st.integers(-(2 ** 63), 2 ** 63 - 1)), max_size=20).map(
        lambda v: pl.Series("c", v, dtype=pl.Int64)),
    st.lists(st.one_of(st.none(), st.floats()), max_size=20).map(lambda v: pl.Series("c", v, dtype=pl.Float64)),
    st.lists(st.one_of(st.none(), st.booleans()), max_size=20).map(lambda v: pl.Series("c", v, dtype=pl.Boolean)),
    st.lists(st.one_of(st.none(), st.dates()), max_size=20).map(lambda v: pl.Series("c", v, dtype=pl.Date)),
)


@pytest.mark.parametrize("kind", ["text", "bool", "number", "int", "date"])
@fuzz(60)
@given(series=COLUMNS)
def test_normalize_column_never_raises(kind: str, series: pl.Series) -> None:
    col = normalize_column(series, kind)
    assert col.values.len() == col.error_code.len() == series.len()
    assert ((col.error_code.is_null()) | col.values.is_null()).all()


# --- policy and overrides ------------------------------------------------------------------------

RAW_POLICY = yaml.safe_load(importlib.resources.files("casplan").joinpath("policy/2023.yaml").read_text("utf-8"))
YAMLISH = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-5, 10 ** 6), st.floats(), st.text(max_size=8), st.dates()),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.one_of(st.text(max_size=6),
                                                                                   st.integers(0, 3)),
                                                                         inner, max_size=3)),
    max_leaves=6)


def _paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, (*prefix, i))


POLICY_PATHS = [p for p in _paths(RAW_POLICY) if p]


@fuzz(250)
@given(edits=st.lists(st.tuples(st.sampled_from(POLICY_PATHS), st.sampled_from(["replace", "delete", "add"]),
                                YAMLISH, st.text(max_size=6)), min_size=1, max_size=3))
def test_edited_policies_raise_only_policy_errors(edits) -> None:
    raw = copy.deepcopy(RAW_POLICY)
    for path, op, value, key in edits:
        parent = raw
        try:
            for step in path[:-1]:
                parent = parent[step]
            if op == "replace":
                parent[path[-1]] = value
            elif op == "delete":
                del parent[path[-1]]
            elif isinstance(parent[path[-1]], dict):
                parent[path[-1]][key] = value
        except (KeyError, IndexError, TypeError):
            continue  # an earlier edit removed or replaced the way there
    try:
        parse_policy(raw, source="fuzz.yaml")
    except PolicyError as error:
        assert str(error).startswith("政策文件 fuzz.yaml")


@fuzz(100)
@given(raw=YAMLISH)
def test_any_yaml_value_as_policy(raw) -> None:
    with pytest.raises(PolicyError):
        parse_policy(raw)


OVERRIDE_KEYS = st.sampled_from(["action", "app", "unit", "rule", "track", "history", "reason", "author", "操作",
                                 "申报编号", "理由", "经办人", "备注"])
ENTRY = st.dictionaries(st.one_of(OVERRIDE_KEYS, st.text(max_size=4)),
                        st.one_of(st.sampled_from(["waive", "force_include", "force_exclude", "confirm_history",
                                                   "reject_history", "P2300021", "U2", "J1-DAYS", "yanxiu", "刘杨"]),
                                  YAMLISH), max_size=8)


@fuzz(200)
@given(entries=st.one_of(st.lists(st.one_of(ENTRY, YAMLISH), max_size=4), YAMLISH,
                         st.builds(lambda e: {"overrides": e}, st.lists(ENTRY, max_size=3))))
def test_override_entries_raise_only_override_errors(entries) -> None:
    try:
        overrides = parse_overrides(entries, source="fuzz.yaml")
    except OverrideError as error:
        assert "fuzz.yaml" in str(error)
        return
    try:
        check_overrides(overrides, app_ids={"P2300021"}, units={"中国科学院物理研究所"}, tracks={"yanxiu"},
                        rules={"U2", "J1"}, history_ids=set())
    except OverrideError as error:
        assert str(error)


@fuzz(100)
@given(body=st.one_of(st.binary(max_size=300), st.text(max_size=300).map(lambda t: t.encode("utf-8")),
                      st.sampled_from([b"a: 2023-02-30", b"- {action: waive, date: 2022-13-01}", b"[" * 3000,
                                       b"!!int abc", b"a: &x [*x]", b"- !!python/object:os.system x"])),
       suffix=st.sampled_from([".yaml", ".csv", ".xlsx"]))
def test_override_files_raise_only_casplan_errors(body: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        p = Path(tmp) / f"overrides{suffix}"
        p.write_bytes(body)
        try:
            read_overrides(p)
        except CasplanError as error:
            assert str(error)
        if suffix == ".yaml":
            try:
                read_yaml(p)
            except UnreadableFileError as error:
                assert str(error)
