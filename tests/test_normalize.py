"""Tests for casplan.intake.normalize: table-driven cases for every accepted and rejected
form, the boundaries of the date window, and Hypothesis properties."""

from __future__ import annotations

import datetime as dt
import math
import os
import subprocess
import sys
import time
from collections.abc import Callable

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casplan.errors import ValueFormatError
from casplan.intake.normalize import (
    ColumnKind,
    EXPECTED_BOOL,
    EXPECTED_DATE,
    EXPECTED_INT,
    EXPECTED_NUMBER,
    EXPECTED_NUMBER_RANGE,
    NormalizedColumn,
    clean_text,
    name_similarity,
    normalize_column,
    normalize_name,
    parse_bool,
    parse_date,
    parse_int,
    parse_number,
    stable_id,
)

FULL_WIDTH = str.maketrans({chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)} | {" ": "\u3000"})


def to_full_width(text: str) -> str:
    return text.translate(FULL_WIDTH)


# ---------------------------------------------------------------------------
# clean_text
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("量子信息", "量子信息"),
        ("  量子信息  ", "量子信息"),
        ("\u3000量子信息\u3000", "量子信息"),
        ("\xa0量子信息\xa0", "量子信息"),
        ("\u200b量子信息\ufeff", "量子信息"),
        ("\t量子信息\r\n", "量子信息"),
        ("量子 信息", "量子 信息"),
        ("量子   信息", "量子 信息"),
        ("量子\n\n信息", "量子 信息"),
        ("量子 \t\n 信息", "量子 信息"),
        ("量子\u3000信息", "量子 信息"),
        ("量子\u200b信息", "量子信息"),
        ("量子 \u200b 信息", "量子 信息"),
        ("'0101", "'0101"),
        ("（第三期）", "（第三期）"),
        ("", None),
        ("   ", None),
        ("\u3000\xa0\u200b\n", None),
        (None, None),
    ],
)
def test_clean_text(raw: str | None, expected: str | None) -> None:
    assert clean_text(raw) == expected


@given(st.text())
def test_clean_text_is_idempotent_and_trimmed(text: str) -> None:
    once = clean_text(text)
    assert clean_text(once) == once
    if once is not None:
        assert once == once.strip()
        assert "  " not in once
        assert "\n" not in once


# ---------------------------------------------------------------------------
# parse_bool
# ---------------------------------------------------------------------------

TRUE_FORMS = ["是", "Y", "y", "Yes", "YES", "yes", "1", "1.0", "1.00", "√", "✓", "✔", "true", "TRUE",
              "True", "有", "申请", " 是 ", "Ｙ", "是（已举办两届）", "是(精品)", "是-专业技术类", "是—",
              "是：院级资助", "有（2019年）", "申请（技术支持）", 1, 1.0, True]
FALSE_FORMS = ["否", "N", "n", "No", "NO", "0", "0.0", "×", "✗", "✘", "false", "FALSE", "无",
               "不申请", "\u3000否\u3000", "Ｎ", "否（自筹）", "否-未举办", "不申请（自筹经费）", 0, 0.0, False]
BAD_BOOLS = ["对", "错", "是否", "2", "-1", "0.5", "yes please", "Y1", "ok", "x", "是的", "√√", 2, 0.5]


@pytest.mark.parametrize("raw", TRUE_FORMS)
def test_parse_bool_true(raw: object) -> None:
    assert parse_bool(raw) is True


@pytest.mark.parametrize("raw", FALSE_FORMS)
def test_parse_bool_false(raw: object) -> None:
    assert parse_bool(raw) is False


@pytest.mark.parametrize("raw", [None, "", "  ", "\u3000", "\u200b"])
def test_parse_bool_blank(raw: str | None) -> None:
    assert parse_bool(raw) is None


@pytest.mark.parametrize("raw", BAD_BOOLS)
def test_parse_bool_rejects(raw: object) -> None:
    with pytest.raises(ValueFormatError) as info:
        parse_bool(raw)
    assert info.value.code == "I-BOOL"
    assert info.value.expected == EXPECTED_BOOL
    assert info.value.value == raw
    assert str(raw) in str(info.value)


# ---------------------------------------------------------------------------
# parse_number and parse_int
# ---------------------------------------------------------------------------

NUMBERS = [
    ("3", 3.0, False),
    ("3.5", 3.5, False),
    ("0", 0.0, False),
    ("-3", -3.0, False),
    ("+3", 3.0, False),
    ("-0.5", -0.5, False),
    (".5", 0.5, False),
    ("3.", 3.0, False),
    ("1e-05", 1e-05, False),
    ("1.5E+20", 1.5e20, False),
    ("３", 3.0, False),
    ("３．５", 3.5, False),
    ("－３", -3.0, False),
    ("3天", 3.0, False),
    ("3 天", 3.0, False),
    ("3.5天", 3.5, False),
    ("5日", 5.0, False),
    ("100人", 100.0, False),
    ("100人次", 100.0, False),
    ("70名", 70.0, False),
    ("24学时", 24.0, False),
    ("24课时", 24.0, False),
    ("2小时", 2.0, False),
    ("2h", 2.0, False),
    ("2H", 2.0, False),
    ("6场", 6.0, False),
    ("6次", 6.0, False),
    ("15万元", 15.0, False),
    ("2万", 2.0, False),
    ("3000元", 3000.0, False),
    ("3个", 3.0, False),
    ("3期", 3.0, False),
    ("1,200", 1200.0, False),
    ("1，200", 1200.0, False),
    ("1,234,567.5", 1234567.5, False),
    ("约100人", 100.0, True),
    ("大约100", 100.0, True),
    ("大概 5 天", 5.0, True),
    ("100人左右", 100.0, True),
    ("100左右", 100.0, True),
    ("100 左右", 100.0, True),
    ("5天上下", 5.0, True),
    ("100余人", 100.0, True),
    ("~100", 100.0, True),
    ("～100人", 100.0, True),
    ("≈100", 100.0, True),
    ("approx. 100", 100.0, True),
    ("约３．５天", 3.5, True),
    ("三", 3.0, False),
    ("两天", 2.0, False),
    ("十", 10.0, False),
    ("十二", 12.0, False),
    ("二十", 20.0, False),
    ("一百二十", 120.0, False),
    ("一百零五", 105.0, False),
    ("两百", 200.0, False),
    ("一千零五十", 1050.0, False),
    ("三千", 3000.0, False),
    ("零", 0.0, False),
    ("〇", 0.0, False),
    ("二〇二三", 2023.0, False),
    ("半天", 0.5, False),
    ("三天半", 3.5, False),
    ("3天半", 3.5, False),
    ("一个半小时", 1.5, False),
    ("三点五天", 3.5, False),
    ("约一百人", 100.0, True),
    ("十多人", 10.0, True),
    (" 5 ", 5.0, False),
]


@pytest.mark.parametrize(("raw", "value", "about"), NUMBERS)
def test_parse_number_accepts(raw: str, value: float, about: bool) -> None:
    assert parse_number(raw) == (value, about)


@pytest.mark.parametrize(("raw", "value"), [(3, 3.0), (3.5, 3.5), (-2, -2.0), (44986, 44986.0)])
def test_parse_number_accepts_python_numbers(raw: float, value: float) -> None:
    assert parse_number(raw) == (value, False)


@pytest.mark.parametrize("raw", [None, "", "   ", "\u3000"])
def test_parse_number_blank(raw: str | None) -> None:
    assert parse_number(raw) == (None, False)


@pytest.mark.parametrize("raw", ["3-5天", "3~5", "80~100人", "80～100人", "3至5天", "3到5天", "3天-5天",
                                 "3—5", "约80-100人", "三至五天", "-3-5", "3 - 5"])
def test_parse_number_rejects_ranges(raw: str) -> None:
    with pytest.raises(ValueFormatError) as info:
        parse_number(raw)
    assert (info.value.code, info.value.expected) == ("I-NUMBER-RANGE", EXPECTED_NUMBER_RANGE)


@pytest.mark.parametrize(
    "raw",
    ["abc", "nan", "NaN", "inf", "-inf", "Infinity", "1e400", "1 200", "1,2", "1,2345", "3。5", "3..5",
     "三半", "二百五", "一千五", "十两", "零一百", "零十", "零一千", "3天天", "约", "左右", "天", "半半", "3.5天半", "待定", "不详",
     "100人以上", "3天（含报到）", "一二两", "1_000", "0x10", "٣", "3-", "-", "3%",
     float("nan"), float("inf"), True],
)
def test_parse_number_rejects(raw: object) -> None:
    with pytest.raises(ValueFormatError) as info:
        parse_number(raw)
    assert (info.value.code, info.value.expected) == ("I-NUMBER", EXPECTED_NUMBER)
    assert info.value.value is raw


@pytest.mark.parametrize(("raw", "value"), [("3", 3), ("３", 3), ("2023", 2023), ("2023.0", 2023),
                                            ("-1", -1), ("十二", 12), ("约5", 5), (7, 7), (None, None), ("", None)])
def test_parse_int_accepts(raw: object, value: int | None) -> None:
    result = parse_int(raw)
    assert result == value
    assert result is None or type(result) is int


@pytest.mark.parametrize(("raw", "code"), [("2.5", "I-INT"), ("三天半", "I-INT"), ("abc", "I-INT"),
                                          ("1e-05", "I-INT"), ("3-5", "I-NUMBER-RANGE")])
def test_parse_int_rejects(raw: str, code: str) -> None:
    with pytest.raises(ValueFormatError) as info:
        parse_int(raw)
    assert info.value.code == code
    if code == "I-INT":
        assert info.value.expected == EXPECTED_INT


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_parse_number_round_trips_str_of_float(number: float) -> None:
    assert parse_number(str(number)) == (number, False)
    assert parse_number(repr(number)) == (number, False)
    assert parse_number(to_full_width(str(number))) == (number, False)
    assert parse_number(f"约{number}天") == (number, True)


@given(st.integers(min_value=-(2**53), max_value=2**53))
def test_parse_int_round_trips(number: int) -> None:
    assert parse_int(str(number)) == number
    assert parse_int(f"{number}.0") == number
    if number >= 0:
        assert parse_int(f"{number:,}") == number


@given(st.integers(min_value=0, max_value=9999))
def test_chinese_numerals_agree_with_arabic(number: int) -> None:
    digits = "零一二三四五六七八九"
    thousands, hundreds, tens, units = (number // 1000, number // 100 % 10, number // 10 % 10, number % 10)
    # The standard reading: 一千零五, 三百二十, 十二, 一百一十.
    parts: list[str] = []
    for digit, mark in ((thousands, "千"), (hundreds, "百"), (tens, "十")):
        if digit:
            parts.append(("" if (mark == "十" and not parts and digit == 1) else digits[digit]) + mark)
        elif parts and any((hundreds, tens, units)[("千", "百", "十").index(mark):]):
            if parts[-1] != "零":
                parts.append("零")
    if units:
        parts.append(digits[units])
    text = "".join(parts).rstrip("零") or "零"
    assert parse_number(text) == (float(number), False), text


# ---------------------------------------------------------------------------
# parse_date
# ---------------------------------------------------------------------------

MARCH_1 = dt.date(2023, 3, 1)


@pytest.mark.parametrize(
    "raw",
    ["2023-03-01", "2023-3-1", "2023-03-01 00:00:00", "2023-03-01 09:30", "2023-03-01T00:00:00",
     "2023-03-01 00:00:00.000", "2023/3/1", "2023/03/01", "2023/3/1 0:00", "2023.3.1", "2023.03.01",
     "2023年3月1日", "2023年03月01日", "2023年3月1", "2023年3月1号", "20230301", "２０２３－０３－０１",
     "２０２３年３月１日", " 2023-03-01 ", "44986", "44986.0", "44986.75", 44986, 44986.0,
     MARCH_1, dt.datetime(2023, 3, 1, 17, 30)],
)
def test_parse_date_accepts(raw: object) -> None:
    assert parse_date(raw) == MARCH_1


@pytest.mark.parametrize("raw", [None, "", "  ", "\u3000"])
def test_parse_date_blank(raw: str | None) -> None:
    assert parse_date(raw) is None


@pytest.mark.parametrize(
    ("raw", "value"),
    [("32874", dt.date(1990, 1, 1)), ("73415", dt.date(2100, 12, 31)), ("19900101", dt.date(1990, 1, 1)),
     ("21001231", dt.date(2100, 12, 31)), ("2024-02-29", dt.date(2024, 2, 29)),
     ("1900-01-01", dt.date(1900, 1, 1)), ("1989-12-31", dt.date(1989, 12, 31))],
)
def test_parse_date_boundaries_accepted(raw: str, value: dt.date) -> None:
    assert parse_date(raw) == value


@pytest.mark.parametrize(
    "raw",
    ["32873", "73416", "19891231", "21010101", "2023-02-30", "2023-02-29", "2023-13-01", "2023-00-10",
     "2023-3/1", "2023年2月30日", "20230230", "0023-03-01", "2101-01-01", "23-3-1", "3/1/2023",
     "2023", "abc", "待定", "2023-03-01 到 2023-03-05", "4498", "449860", "44986.5.1", 3, -44986, True,
     float("nan"), 1e300],
)
def test_parse_date_rejects(raw: object) -> None:
    with pytest.raises(ValueFormatError) as info:
        parse_date(raw)
    assert (info.value.code, info.value.expected) == ("I-DATE", EXPECTED_DATE)


@pytest.mark.parametrize("raw", ["2023-03", "2024年4月", "2024年4月上旬", "２０２４年４月份"])
def test_parse_date_month_only_says_what_to_write(raw: str) -> None:
    with pytest.raises(ValueFormatError) as info:
        parse_date(raw)
    assert info.value.code == "I-DATE"
    assert "具体到日的日期" in info.value.expected and "-01" in info.value.expected


@given(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_parse_date_round_trips_every_form(day: dt.date) -> None:
    serial = (day - dt.date(1899, 12, 30)).days
    forms = [day.isoformat(), f"{day.isoformat()} 00:00:00", f"{day.year}/{day.month}/{day.day}",
             f"{day.year}.{day.month}.{day.day}", f"{day.year}年{day.month}月{day.day}日",
             day.strftime("%Y%m%d"), str(serial), f"{serial}.0", serial, to_full_width(day.isoformat())]
    for form in forms:
        assert parse_date(form) == day, form


# ---------------------------------------------------------------------------
# Every parser raises only ValueFormatError on arbitrary text
# ---------------------------------------------------------------------------

# Characters that reach deep into the number and date grammars.
NUMBERISH = st.text(alphabet="0123456789.,，-~～+eE 约左右余多半天人次万元个一二两三十百千零〇点年月日号/:：Tt（）是否√×",
                    max_size=14)


@pytest.mark.parametrize("parse", [parse_bool, parse_number, parse_int, parse_date])
@given(text=st.one_of(st.text(), NUMBERISH))
def test_parsers_raise_only_value_format_error(parse: Callable[[object], object], text: str) -> None:
    try:
        parse(text)
    except ValueFormatError as error:
        assert error.value == text
        assert error.code.startswith("I-")
        assert error.expected


# ---------------------------------------------------------------------------
# normalize_name, stable_id, name_similarity
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(" 《量子信息》高级研修班（第三期） ", "量子信息高级研修班第三期"),
     ("“双碳”目标下的·能源转型", "双碳目标下的能源转型"),
     ("【精品】植物分类学——短期培训班", "精品植物分类学短期培训班"),
     ("ＡＩ for Science：大模型", "aiforscience大模型"),
     ("中国科学院 物理研究所", "中国科学院物理研究所"),
     ("C++/Python 编程", "cpython编程"),
     ("量子\u200b信息、通信；计算", "量子信息通信计算"),
     ("「先进光源」_技术-研修班!", "先进光源技术研修班")],
)
def test_normalize_name(raw: str, expected: str) -> None:
    assert normalize_name(raw) == expected


@given(st.text())
def test_normalize_name_is_idempotent(text: str) -> None:
    once = normalize_name(text)
    assert normalize_name(once) == once
    assert not any(c.isspace() for c in once)


def test_stable_id_format() -> None:
    app_id = stable_id("物理研究所", "量子信息高级研修班", 2023)
    assert app_id.startswith("A23-")
    assert len(app_id) == 14
    int(app_id[4:], 16)
    assert stable_id("物理研究所", "量子信息高级研修班", None).startswith("A0-")
    assert stable_id("物理研究所", "量子信息高级研修班", 2024) != app_id
    assert stable_id("化学研究所", "量子信息高级研修班", 2023) != app_id
    assert stable_id("物理研究所", "量子信息研修班", 2023) != app_id


def test_stable_id_is_the_same_in_another_process() -> None:
    code = "from casplan.intake.normalize import stable_id; print(stable_id('物理研究所', '《量子信息》研修班', 2023))"
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.strip() == stable_id("物理研究所", "《量子信息》研修班", 2023)


NAME_CHARS = st.text(alphabet=st.sampled_from(list("量子信息先进光源技术研修班物理所abcXYZ0123")), min_size=1, max_size=20)
NOISE = st.sampled_from([" ", "\u3000", "\xa0", "\u200b", "\n", "《", "》", "（", "）", "(", ")", "“", "”",
                         "·", "-", "—", "_", "，", "、", "：", ";", "【", "】", "「", "」", "."])


@given(unit=NAME_CHARS, name=NAME_CHARS, year=st.one_of(st.none(), st.integers(1990, 2100)),
       noise=st.lists(st.tuples(st.integers(0, 30), NOISE), max_size=6), full_width=st.booleans())
def test_stable_id_ignores_whitespace_punctuation_and_width(unit: str, name: str, year: int | None,
                                                            noise: list[tuple[int, str]], full_width: bool) -> None:
    noisy = name
    for position, char in noise:
        position = min(position, len(noisy))
        noisy = noisy[:position] + char + noisy[position:]
    if full_width:
        noisy = to_full_width(noisy)
    noisy_unit = f" {to_full_width(unit)}\u3000"
    assert stable_id(noisy_unit, noisy, year) == stable_id(unit, name, year)
    assert stable_id(unit, name, year) == stable_id(unit, name, year)


@pytest.mark.parametrize(
    ("a", "b"),
    [("第三届先进光源技术研修班", "第四届先进光源技术研修班"),
     ("2021年量子信息前沿高级研修班", "2022年度量子信息前沿高级研修班"),
     ("先进光源技术研修班（第3期）", "先进光源技术研修班（第4期）"),
     ("第二届脑科学与类脑智能短期培训班", "第三届 脑科学与类脑智能 短期培训班"),
     ("量子信息前沿研修班——聚焦量子计算", "量子信息前沿研修班"),
     ("2022年度黑土地保护利用技术培训班", "2023年度黑土地保护利用技术研修班")],
)
def test_name_similarity_survives_drift(a: str, b: str) -> None:
    assert name_similarity(a, b) >= 0.9
    assert name_similarity(b, a) == name_similarity(a, b)


@pytest.mark.parametrize(
    ("a", "b"),
    [("先进光源技术研修班", "植物分类学短期培训班"),
     ("先进光源技术研修班", "量子信息技术研修班"),
     ("第三届先进光源技术研修班", "第三届青藏高原生态保护短期培训班"),
     ("2023年人工智能前沿学术讲坛", "2023年海洋科学学术讲坛")],
)
def test_name_similarity_tells_unrelated_titles_apart(a: str, b: str) -> None:
    assert name_similarity(a, b) < 0.4


def test_name_similarity_weighs_the_main_title_over_the_subtitle() -> None:
    same_main = name_similarity("量子信息前沿研修班——聚焦量子计算", "量子信息前沿研修班——量子通信网络")
    same_sub = name_similarity("量子信息前沿研修班——聚焦量子计算", "植物分类学培训班——聚焦量子计算")
    assert same_main >= 0.8
    assert same_sub < same_main
    assert same_sub <= 0.5


@given(st.text(max_size=30), st.text(max_size=30))
def test_name_similarity_is_a_symmetric_score(a: str, b: str) -> None:
    score = name_similarity(a, b)
    assert 0.0 <= score <= 1.0
    assert math.isclose(score, name_similarity(b, a))
    assert name_similarity(a, a) == 1.0


# ---------------------------------------------------------------------------
# normalize_column
# ---------------------------------------------------------------------------


def test_normalize_column_number() -> None:
    raw = pl.Series("days", ["3天", "约5", None, "三天半", "3-5天", "abc", "3天", "  "])
    col = normalize_column(raw, "number")
    assert isinstance(col, NormalizedColumn)
    assert col.values.dtype == pl.Float64
    assert col.values.name == "days"
    assert col.values.to_list() == [3.0, 5.0, None, 3.5, None, None, 3.0, None]
    assert col.about is not None
    assert col.about.name == "days_about"
    assert col.about.to_list() == [False, True, False, False, None, None, False, False]
    assert col.error_code.name == "days_error_code"
    assert col.error_code.to_list() == [None, None, None, None, "I-NUMBER-RANGE", "I-NUMBER", None, None]
    assert col.expected.to_list() == [None] * 4 + [EXPECTED_NUMBER_RANGE, EXPECTED_NUMBER, None, None]
    assert col.ok.to_list() == [True, True, True, True, False, False, True, True]


@pytest.mark.parametrize(
    ("kind", "raw", "dtype", "values", "codes"),
    [("text", [" a ", None, "b\n\nc", "  "], pl.String, ["a", None, "b c", None], [None] * 4),
     ("bool", ["是", "×", None, "对"], pl.Boolean, [True, False, None, None], [None, None, None, "I-BOOL"]),
     ("int", ["3", "2.5", None, "十二"], pl.Int64, [3, None, None, 12], [None, "I-INT", None, None]),
     ("date", ["44986", "2023年3月1日", None, "2023-02-30"], pl.Date,
      [MARCH_1, MARCH_1, None, None], [None, None, None, "I-DATE"])],
)
def test_normalize_column_kinds(kind: ColumnKind, raw: list[str | None], dtype: pl.DataType,
                                values: list[object], codes: list[str | None]) -> None:
    col = normalize_column(pl.Series("x", raw, dtype=pl.String), kind)
    assert col.values.dtype == dtype
    assert col.values.to_list() == values
    assert col.error_code.to_list() == codes
    assert col.about is None
    assert col.expected.dtype == pl.String


def test_normalize_column_casts_non_string_input() -> None:
    col = normalize_column(pl.Series("start", [44986, None, 3]), "date")
    assert col.values.to_list() == [MARCH_1, None, None]
    assert col.error_code.to_list() == [None, None, "I-DATE"]
    assert normalize_column(pl.Series("n", [1.5, None]), "number").values.to_list() == [1.5, None]


@pytest.mark.parametrize("kind", ["text", "bool", "number", "int", "date"])
def test_normalize_column_empty_and_all_null(kind: str) -> None:
    for raw in (pl.Series("x", [], dtype=pl.String), pl.Series("x", [None, None], dtype=pl.String)):
        col = normalize_column(raw, kind)  # type: ignore[arg-type]
        assert col.values.len() == raw.len()
        assert col.values.null_count() == raw.len()
        assert col.error_code.null_count() == raw.len()


def test_normalize_column_rejects_unknown_kind() -> None:
    with pytest.raises(ValueError, match="unknown column kind"):
        normalize_column(pl.Series("x", ["1"]), "currency")  # type: ignore[arg-type]


MIXED_CELLS = st.one_of(
    st.none(),
    st.sampled_from([n[0] for n in NUMBERS] + TRUE_FORMS[:20] + FALSE_FORMS[:19] + ["3-5天", "abc", "44986",
                                                                                    "2023-03-01", "2023-02-30"]),
    NUMBERISH,
    st.text(max_size=8),
)


@pytest.mark.parametrize("kind", ["text", "bool", "number", "int", "date"])
@given(cells=st.lists(MIXED_CELLS, max_size=30))
@settings(max_examples=40)
def test_normalize_column_agrees_with_the_scalar_parser(kind: str, cells: list[str | None]) -> None:
    parse = {"text": clean_text, "bool": parse_bool, "number": parse_number, "int": parse_int,
             "date": parse_date}[kind]
    col = normalize_column(pl.Series("c", cells, dtype=pl.String), kind)  # type: ignore[arg-type]
    assert col.values.len() == len(cells)
    for i, cell in enumerate(cells):
        try:
            expected = parse(cell)
        except ValueFormatError as error:
            assert col.values[i] is None
            assert (col.error_code[i], col.expected[i]) == (error.code, error.expected)
            if col.about is not None:
                assert col.about[i] is None
            continue
        assert col.error_code[i] is None and col.expected[i] is None
        if kind == "number":
            assert col.values[i] == expected[0] or (col.values[i] is None and expected[0] is None)
            assert col.about is not None and col.about[i] == expected[1]
        else:
            assert col.values[i] == expected


def test_normalize_column_is_fast_on_a_large_export() -> None:
    uniques = [f"{i % 400}天" if i % 3 else f"约{i}人" for i in range(1_990)] + ["3-5天"] * 5 + ["abc"] * 5
    raw = pl.Series("days", uniques * 150, dtype=pl.String)
    assert raw.len() == 300_000
    timings = []
    for _ in range(3):
        start = time.perf_counter()
        col = normalize_column(raw, "number")
        timings.append(time.perf_counter() - start)
    assert col.error_code.null_count() == 300_000 - 10 * 150
    assert min(timings) < 0.5, timings
