"""Pure per-value normalisers for raw plan cells, and a column-wise wrapper.

The intake reads every cell as a raw string (or ``None``): calamine gives dates
as ``2023-03-01 00:00:00`` and numbers as ``3``, ``12.5`` or ``44986`` (an Excel
serial), and CSV files give whatever the unit typed (``３天``, ``约100人``, ``是``,
``√``). Each parser here takes one such value and either returns the canonical
Python value or raises :class:`~casplan.errors.ValueFormatError`, whose
``code`` is a reason code and whose ``expected`` says in Chinese what would have
been right. :func:`normalize_column` applies a parser to the *unique* values of
a polars column once and maps the results back, so a 300,000-row export with a
few thousand distinct values costs milliseconds.

Identity helpers live here too: :func:`normalize_name` folds a project or unit
name into a comparison key, :func:`stable_id` derives an application id that
survives a fresh export, and :func:`name_similarity` scores a project title
against earlier years' titles that drift (第三届 → 第四届, 2022 → 2023).

>>> parse_number("约100人")
(100.0, True)
>>> parse_bool("√")
True
>>> parse_date("2023年3月1日")
datetime.date(2023, 3, 1)
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import math
import re
import string
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

import polars as pl

from casplan.errors import ValueFormatError
from casplan.intake.fields import KIND_DTYPES

__all__ = [
    "ColumnKind",
    "NormalizedColumn",
    "clean_text",
    "parse_bool",
    "per_distinct",
    "parse_number",
    "parse_number_unit",
    "parse_money",
    "parse_hours",
    "parse_rate",
    "parse_int",
    "strip_invisible",
    "IGNORABLE",
    "displayed",
    "parse_date",
    "normalize_name",
    "stable_id",
    "name_similarity",
    "normalize_column",
    "EXPECTED_BOOL",
    "EXPECTED_NUMBER",
    "EXPECTED_NUMBER_RANGE",
    "EXPECTED_INT",
    "EXPECTED_DATE",
    "DATE_MIN",
    "DATE_MAX",
]

ColumnKind = Literal["text", "bool", "number", "int", "date", "money", "hours", "rate"]

# What the analyst is told would have been right (the ``expected`` of the error).
EXPECTED_BOOL = "是或否（也可填 1/0、√/×）"
EXPECTED_NUMBER = "数字（如 3.5）"
EXPECTED_NUMBER_RANGE = "一个数字（如 3.5），不要填范围"
EXPECTED_INT = "整数"
EXPECTED_DATE = "日期（如 2023-03-01）"

# ---------------------------------------------------------------------------
# Text
# ---------------------------------------------------------------------------

# Unicode's default-ignorable code points: invisible, they carry no text but can make two names differ
# (zero-width space and joiners, soft hyphen, variation selectors U+FE00–FE0F and U+E0100–E01EF,
# bidirectional controls such as U+202E that reorder what the reader sees, tags, fillers).
_IGNORABLE = ("\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
              "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8\U0001bca0-\U0001bca3"
              "\U0001d173-\U0001d17a\U000e0000-\U000e0fff")
IGNORABLE = re.compile(f"[{_IGNORABLE}]")
# Control characters (C0 but tab and newlines, DEL, C1) carry no text either: an escape sequence pasted from
# a terminal leaves its printable part ("[31m"), never the ESC that would act on a terminal.
_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
# A run of whitespace (Python's definition covers NBSP and U+3000) and invisible characters.
_SPACE_RUN = re.compile(f"[\\s{_IGNORABLE}]+")


def _collapse_run(match: re.Match[str]) -> str:
    # A run made only of invisible characters vanishes; any real space makes it one space.
    return "" if IGNORABLE.sub("", match.group()) == "" else " "


_RLO, _PDF = "\u202e", "\u202c"


def displayed(text: str) -> str:
    """The order a reader sees: a right-to-left override (U+202E … U+202C) shows its characters reversed.

    >>> displayed("\u202e所究研学化院学科国中\u202c")
    '中国科学院化学研究所'
    """
    out, i = [], 0
    while i < len(text):
        if text[i] == _RLO:
            end = text.find(_PDF, i + 1)
            end = len(text) if end < 0 else end
            out.append(text[i + 1:end][::-1])
            i = end + 1
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def strip_invisible(text: str) -> str:
    """Remove Unicode's default-ignorable code points (bidi controls, variation selectors, zero widths).

    >>> strip_invisible("中国科学院\u202e化学\ufe0f研究所\u200b")
    '中国科学院化学研究所'
    """
    return IGNORABLE.sub("", text)


def clean_text(value: str | None) -> str | None:
    """Trim and collapse whitespace; blank becomes ``None``.

    Leading and trailing ordinary spaces, tabs, newlines, full-width spaces
    (U+3000), no-break spaces and invisible characters are removed. Inside the
    text, every run of whitespace (including newlines and full-width spaces)
    becomes one ASCII space, and Unicode's default-ignorable code points (zero
    widths, variation selectors, bidirectional controls such as U+202E) are
    dropped: they cannot be seen, so they must not change what a name means or
    how it is shown. Nothing else is changed (a leading apostrophe typed to
    force text in Excel is kept).

    Parameters
    ----------
    value : str or None
        The raw cell. A non-string is converted with ``str`` first.

    Returns
    -------
    str or None
        The cleaned text, or ``None`` when nothing but whitespace was there.

    Examples
    --------
    >>> clean_text("\\u3000量子信息\\n\\n高级研修班\\xa0")
    '量子信息 高级研修班'
    >>> clean_text(" \\u200b ") is None
    True
    >>> clean_text("化学\\u202e研究所\\ufe0f")
    '化学研究所'

    """
    if value is None:
        return None
    text = _SPACE_RUN.sub(_collapse_run, _CONTROL_RE.sub("", str(value))).strip(" ")
    return text or None


def _fold(value: object) -> str | None:
    """Clean, NFKC-fold (full-width digits and letters to ASCII) and lower-case."""
    text = clean_text(value if isinstance(value, str) else str(value))
    if text is None:
        return None
    return unicodedata.normalize("NFKC", text).lower()


# ---------------------------------------------------------------------------
# Booleans
# ---------------------------------------------------------------------------

_TRUE = frozenset({"是", "y", "yes", "true", "1", "√", "✓", "✔", "☑", "✅", "有", "申请"})
_FALSE = frozenset({"否", "n", "no", "false", "0", "×", "✗", "✘", "✕", "✖", "❌", "无", "不申请"})
# "是（已举办两届）", "是-专业技术类", "否：自筹": the answer, then a separator and a remark.
_BOOL_PREFIX = re.compile(r"(不申请|申请|是|否|有|无)\s*[(\[【〔<《\-—–―~:;,、/\s]")
_ONE_ZERO = re.compile(r"[+]?([01])(?:\.0*)?")


def parse_bool(value: object) -> bool | None:
    """Read a yes/no cell.

    Accepted for yes: 是, Y/Yes, 1 (or ``1.0``), √ ✓ ✔, true, 有, 申请;
    for no: 否, N/No, 0 (or ``0.0``), × ✗ ✘, false, 无, 不申请 (letters in any
    case, full-width forms too). 是/否/有/无/申请/不申请 followed by a bracket,
    dash, colon or comma and a remark count as the answer alone
    (``是（已举办两届）`` is yes). 对/错 are not accepted.

    Parameters
    ----------
    value : str, bool, int, float or None
        The raw cell.

    Returns
    -------
    bool or None
        ``None`` for a blank cell.

    Raises
    ------
    ValueFormatError
        ``code="I-BOOL"`` for anything else.

    Examples
    --------
    >>> parse_bool("是（已举办两届）"), parse_bool("N"), parse_bool("1.0"), parse_bool("  ")
    (True, False, True, None)
    """
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        if value == 1:
            return True
        if value == 0:
            return False
        raise ValueFormatError(value, EXPECTED_BOOL, code="I-BOOL")
    token = _fold(value)
    if token is None:
        return None
    if token in _TRUE:
        return True
    if token in _FALSE:
        return False
    one_zero = _ONE_ZERO.fullmatch(token)
    if one_zero:
        return one_zero.group(1) == "1"
    prefix = _BOOL_PREFIX.match(token)
    if prefix:
        return prefix.group(1) in _TRUE
    raise ValueFormatError(value, EXPECTED_BOOL, code="I-BOOL")


# ---------------------------------------------------------------------------
# Numbers
# ---------------------------------------------------------------------------

# Units stripped after a number (longest first so 人次 wins over 人, 万元 over 万).
_UNITS = ("人次", "学时", "课时", "小时", "分钟", "万元", "千元", "天", "日", "人", "名", "min", "h", "场", "次",
          "万", "元", "个", "期")
_UNIT = "(?:" + "|".join(re.escape(u) for u in _UNITS) + ")"
_ABOUT_PREFIXES = ("大约", "大概", "约", "approx.", "approx", "ca.", "~", "≈", "〜")
_ABOUT_SUFFIX = "(?:左右|上下|余|多)"
_CN_DIGITS = "零〇一二两三四五六七八九"
_CN_CHARS = _CN_DIGITS + "十百千"
_ARABIC = r"[+-]?(?:(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]*)?|\.[0-9]+)(?:e[+-]?[0-9]+)?"
# A Chinese number: integer part, optionally 点 and digits (三点五).
_CHINESE = f"[{_CN_CHARS}]+(?:点[{_CN_DIGITS}]+)?"
# number, unit, 半, unit, 约-suffix, unit: "100人左右", "三天半", "三个半小时", "半天", "100余人".
_NUMBER_FORM = re.compile(
    f"(?P<num>{_ARABIC}|{_CHINESE})?(?P<u1>{_UNIT})?(?P<half>半)?(?P<u2>{_UNIT})?"
    f"(?P<about>{_ABOUT_SUFFIX})?(?P<u3>{_UNIT})?",
    re.ASCII,
)
# Whitespace is removed except between two digits ("1 200" stays wrong).
_SPACE_NOT_BETWEEN_DIGITS = re.compile(r"(?<![0-9])\s+|\s+(?![0-9])")
_RANGE_SEPARATORS = re.compile(r"[-~〜—–―至到]")
_CN_VALUE = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0, "两": 2}
_CN_TERM = "[一二两三四五六七八九]"
_CN_STRUCTURED = re.compile(
    f"(?:(?P<q>{_CN_TERM})千)?"
    f"(?:(?P<z1>零)?(?P<b>{_CN_TERM})百)?"
    f"(?:(?P<z2>零)?(?P<s>{_CN_TERM})?(?P<ten>十))?"
    "(?:(?P<z3>零)?(?P<g>[一二三四五六七八九]))?"
)


def _chinese_integer(text: str) -> int | None:
    """``十二`` → 12, ``一百零五`` → 105, ``二〇二三`` → 2023; ``None`` when malformed."""
    if not any(c in "十百千" for c in text):
        if text == "两":
            return 2
        if "两" in text:
            return None
        return int("".join(str(_CN_VALUE[c]) for c in text))
    m = _CN_STRUCTURED.fullmatch(text)
    if m is None:
        return None
    q, b, s, ten, g = (m.group(k) for k in ("q", "b", "s", "ten", "g"))
    higher = q is not None or b is not None
    z1, z2, z3 = m.group("z1", "z2", "z3")
    if (z1 and q is None) or (z2 and not higher) or (z3 and not higher and ten is None):
        return None  # a 零 before the first term ("零一百")
    if ten is None and g is not None and higher and m.group("z3") is None:
        return None  # 二百五 is ambiguous (205 or 250)
    if ten is not None and s is None and higher and m.group("z2") is None and b is None:
        return None  # 一千十 without 零
    total = 0
    for digit, weight in ((q, 1000), (b, 100)):
        if digit is not None:
            total += _CN_VALUE[digit] * weight
    if ten is not None:
        total += (_CN_VALUE[s] if s is not None else 1) * 10
    if g is not None:
        total += _CN_VALUE[g]
    return total


def _number_value(token: str) -> float | None:
    """The value of an Arabic or Chinese number token; ``None`` when malformed."""
    if token[0] in _CN_CHARS:
        whole, _, frac = token.partition("点")
        integer = _chinese_integer(whole)
        if integer is None:
            return None
        if frac:
            return float(f"{integer}.{''.join(str(_CN_VALUE[c]) for c in frac)}")
        return float(integer)
    return float(token.replace(",", ""))


def _strip_about_prefix(text: str) -> tuple[str, bool]:
    for prefix in _ABOUT_PREFIXES:
        if text.startswith(prefix):
            return text[len(prefix):], True
    return text, False


def _parse_single(text: str) -> tuple[float, bool] | None:
    """Parse one number with units and 约 markers (already folded); ``None`` if not one."""
    parsed = _parse_single_unit(text)
    return None if parsed is None else parsed[:2]


def _parse_single_unit(text: str) -> tuple[float, bool, str | None] | None:
    """:func:`_parse_single` and the unit written after the number (``None`` when bare)."""
    text, about = _strip_about_prefix(text)
    m = _NUMBER_FORM.fullmatch(text)
    if m is None or not text:
        return None
    num, u1, half, u2, suffix, u3 = m.group("num", "u1", "half", "u2", "about", "u3")
    if num is None and half is None:
        return None
    if u2 is not None and half is None:
        return None  # two units in a row ("天天")
    if u3 is not None and (u1 is not None or u2 is not None):
        return None  # a unit on both sides of 左右
    value = 0.0 if num is None else _number_value(num)
    if value is None:
        return None
    if half is not None:
        if num is not None and (u1 is None or not value.is_integer()):
            return None  # "三半", "3.5天半"
        value = value - 0.5 if num is not None and num.startswith("-") else value + 0.5
    if not math.isfinite(value):
        return None
    return value, about or suffix is not None, u1 or u2 or u3


def _is_range(text: str) -> bool:
    """Whether ``text`` is two numbers joined by a dash, tilde, 至 or 到."""
    for count, sep in enumerate(_RANGE_SEPARATORS.finditer(text, 1)):
        if count == 4:  # a cell is not a range of numbers with this many dashes
            break
        left, right = text[: sep.start()], text[sep.end():]
        if right and _parse_single(left) is not None and _parse_single(right) is not None:
            return True
    return False


def parse_number(value: object) -> tuple[float | None, bool]:
    """Read a number written the way units write numbers.

    Accepted: ``3``, ``3.5``, ``-3``, ``1e-05``, full-width digits (``３．５``),
    thousands separators (``1,200``, ``1，200``), Chinese numerals with 十/百/千,
    两, 零/〇 and 半 (``十二``, ``一百二十``, ``三天半`` → 3.5, ``半天`` → 0.5,
    ``三点五``), a trailing unit (天 日 人 人次 名 学时 课时 小时 h 场 次 万元 万 元
    个 期: stripped, never converted, so ``2万`` is 2), and the markers of an
    estimate: 约/大约/大概/``~``/≈ before the number, 左右/上下/余/多 after it.

    Parameters
    ----------
    value : str, int, float or None
        The raw cell.

    Returns
    -------
    tuple of (float or None, bool)
        The number, and whether it was marked as approximate (``about``).
        A blank cell gives ``(None, False)``.

    Raises
    ------
    ValueFormatError
        ``code="I-NUMBER-RANGE"`` for a range such as ``3-5天`` or ``80~100人``
        (never averaged silently); ``code="I-NUMBER"`` for anything else,
        including NaN and infinity.

    Examples
    --------
    >>> parse_number("１００人左右"), parse_number("三天半"), parse_number("1，200")
    ((100.0, True), (3.5, False), (1200.0, False))
    >>> parse_number("3-5天")
    Traceback (most recent call last):
    ...
    casplan.errors.ValueFormatError: 「3-5天」不是有效的值，应为一个数字（如 3.5），不要填范围
    """
    if value is None:
        return None, False
    if isinstance(value, bool):
        raise ValueFormatError(value, EXPECTED_NUMBER, code="I-NUMBER")
    if isinstance(value, (int, float)):
        try:
            number = float(value)
        except OverflowError:  # an int beyond any float (10**400)
            raise ValueFormatError(value, EXPECTED_NUMBER, code="I-NUMBER") from None
        if not math.isfinite(number):
            raise ValueFormatError(value, EXPECTED_NUMBER, code="I-NUMBER")
        return number, False
    text = _fold(value)
    if text is None:
        return None, False
    text = _SPACE_NOT_BETWEEN_DIGITS.sub("", text)
    parsed = _parse_single(text)
    if parsed is not None:
        return parsed
    if _is_range(_strip_about_prefix(text)[0]):
        raise ValueFormatError(value, EXPECTED_NUMBER_RANGE, code="I-NUMBER-RANGE")
    raise ValueFormatError(value, EXPECTED_NUMBER, code="I-NUMBER")


def parse_int(value: object) -> int | None:
    """Read a whole number (a year, a rank) with :func:`parse_number`.

    The ``about`` marker is dropped.

    Raises
    ------
    ValueFormatError
        ``code="I-INT"`` for a fractional number or any text that is not a
        number; ``code="I-NUMBER-RANGE"`` for a range.

    Examples
    --------
    >>> parse_int("３"), parse_int("2023.0"), parse_int(None)
    (3, 2023, None)
    >>> parse_int("2.5")
    Traceback (most recent call last):
    ...
    casplan.errors.ValueFormatError: 「2.5」不是有效的值，应为整数
    """
    try:
        number, _about = parse_number(value)
    except ValueFormatError as error:
        if error.code == "I-NUMBER-RANGE":
            raise
        raise ValueFormatError(value, EXPECTED_INT, code="I-INT") from error
    if number is None:
        return None
    if not number.is_integer() or abs(number) >= 2**63:
        # beyond a 64-bit integer nothing in a plan (a year, a rank) can be meant
        raise ValueFormatError(value, EXPECTED_INT, code="I-INT")
    return int(number)


def parse_number_unit(value: object) -> tuple[float | None, bool, str | None]:
    """:func:`parse_number`, and the unit the cell wrote after the number.

    >>> parse_number_unit("8000元"), parse_number_unit("1.2万元"), parse_number_unit("120分钟")
    ((8000.0, False, '元'), (1.2, False, '万元'), (120.0, False, '分钟'))
    >>> parse_number_unit(3.5)
    (3.5, False, None)
    """
    if value is None or isinstance(value, (bool, int, float)):
        number, about = parse_number(value)
        return number, about, None
    text = _fold(value)
    if text is None:
        return None, False, None
    parsed = _parse_single_unit(_SPACE_NOT_BETWEEN_DIGITS.sub("", text))
    if parsed is None:
        number, about = parse_number(value)  # raises the right error
        return number, about, None
    return parsed


# Units a money column (万元) understands, and the factor to 万元.
MONEY_UNITS: dict[str | None, float] = {None: 1.0, "万元": 1.0, "万": 1.0, "元": 1e-4, "千元": 0.1}
EXPECTED_MONEY = "金额（万元，如 1.5；写明单位的也可，如「15000元」）"
# Units an hours column (学时) understands; 分钟 is converted by the policy's minutes per 学时.
HOUR_UNITS = (None, "学时", "课时", "小时", "h")
MINUTE_UNITS = ("分钟", "min")
EXPECTED_HOURS = "学时数（如 16；写成分钟的也可，如「120分钟」）"


def parse_money(value: object) -> tuple[float | None, bool, str | None]:
    """A 万元 amount; a cell that names another money unit is converted, never misread.

    Returns (万元, about, note) where ``note`` says what was converted (``None`` when nothing was).

    >>> parse_money("8000元"), parse_money("1.2万元"), parse_money("15")
    ((0.8, False, '「8000元」按 0.8 万元读取'), (1.2, False, None), (15.0, False, None))
    >>> parse_money("3天")
    Traceback (most recent call last):
    ...
    casplan.errors.ValueFormatError: 「3天」不是有效的值，应为金额（万元，如 1.5；写明单位的也可，如「15000元」）
    """
    number, about, unit = parse_number_unit(value)
    if number is None:
        return None, about, None
    if unit not in MONEY_UNITS:
        raise ValueFormatError(value, EXPECTED_MONEY, code="I-UNIT")
    factor = MONEY_UNITS[unit]
    if factor == 1.0:
        return number, about, None
    converted = round(number * factor, 6)
    return converted, about, f"「{value}」按 {converted:g} 万元读取"


def parse_hours(value: object, *, minutes_per_hour: float = 60.0) -> tuple[float | None, bool, str | None]:
    """A number of 学时; minutes are converted with the policy's length of one 学时.

    >>> parse_hours("120分钟"), parse_hours("16学时"), parse_hours("90分钟", minutes_per_hour=45)
    ((2.0, False, '「120分钟」按 2 学时读取（1 学时 = 60 分钟）'), (16.0, False, None), (2.0, False, '「90分钟」按 2 学时读取（1 学时 = 45 分钟）'))
    """
    number, about, unit = parse_number_unit(value)
    if number is None:
        return None, about, None
    if unit in MINUTE_UNITS:
        hours = round(number / minutes_per_hour, 4)
        return hours, about, f"「{value}」按 {hours:g} 学时读取（1 学时 = {minutes_per_hour:g} 分钟）"
    if unit not in HOUR_UNITS:
        raise ValueFormatError(value, EXPECTED_HOURS, code="I-UNIT")
    return number, about, None


EXPECTED_RATE = "执行率（如 50%、0.5 或 50）"


def parse_rate(value: object) -> tuple[float | None, bool, str | None]:
    """An execution rate as a fraction: ``50%``, ``0.5`` and ``50`` are all one half.

    A bare number above 1 is read as a percentage (with a note); above 100 % it is an error.

    >>> parse_rate("50%"), parse_rate("0.5"), parse_rate("45")
    ((0.5, False, None), (0.5, False, None), (0.45, False, '「45」按 45% 读取'))
    """
    if value is None:
        return None, False, None
    text = _fold(value) if not isinstance(value, (int, float)) else str(value)
    if text is None:
        return None, False, None
    percent = text.endswith(("%", "％"))
    try:
        number, about = parse_number(text.rstrip("%％") if percent else text)
    except ValueFormatError:
        raise ValueFormatError(value, EXPECTED_RATE, code="I-NUMBER") from None
    if number is None:
        return None, about, None
    note = None
    if percent:
        number = number / 100
    elif number > 1:
        note = f"「{value}」按 {number:g}% 读取"
        number = number / 100
    if not 0 <= number <= 1.5:
        raise ValueFormatError(value, "0%–150% 之间的执行率", code="I-RANGE")
    return round(number, 6), about, note


# ---------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------

# Excel's 1900 date system counts days from 1899-12-30 (it believes 1900 was a leap year;
# that only shifts serials before 1900-03-01, far outside the accepted window).
_EXCEL_EPOCH = _dt.date(1899, 12, 30)
# Bare numbers (serials, 20230301) are dates only inside this window.
DATE_MIN = _dt.date(1990, 1, 1)
DATE_MAX = _dt.date(2100, 12, 31)
# Written-out dates need a four-digit year in this range (0023-03-01 is a typo, not a date).
_YEAR_MIN, _YEAR_MAX = 1900, 2100
_TIME = r"(?:[ t]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_DATE_FORMS = (
    re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})" + _TIME, re.ASCII),
    re.compile(r"(\d{4})年()(\d{1,2})月(\d{1,2})[日号]?" + _TIME, re.ASCII),
)
_SERIAL = re.compile(r"(\d{5})(?:\.\d*)?", re.ASCII)
_MONTH_ONLY = re.compile(r"(\d{4})\s*(?:年|[-/.])\s*(\d{1,2})\s*(?:月(?:份)?(?:上旬|中旬|下旬|初|底|末)?)?", re.ASCII)
EXPECTED_DATE_DAY = "具体到日的日期（如 {year}-{month:02d}-01）；只写了月份的，请与单位确认开始和结束的日期"
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})", re.ASCII)


_SERIAL_MIN = (DATE_MIN - _EXCEL_EPOCH).days
_SERIAL_MAX = (DATE_MAX - _EXCEL_EPOCH).days


def _from_serial(serial: float) -> _dt.date | None:
    """The date of an Excel serial (its fraction is the time of day), inside the window."""
    if not _SERIAL_MIN <= serial < _SERIAL_MAX + 1:  # also false for NaN
        return None
    return _EXCEL_EPOCH + _dt.timedelta(days=int(serial))


def parse_date(value: object) -> _dt.date | None:
    """Read a date cell.

    Accepted: ``2023-03-01``, ``2023/3/1``, ``2023.3.1`` (an optional time part
    such as ``00:00:00`` is ignored), ``2023年3月1日``, ``20230301``, full-width
    digits, Excel serials as numbers or text (1900 date system: ``44986`` is
    2023-03-01), and ``datetime.date``/``datetime.datetime`` objects. Serials and
    8-digit numbers are read as dates only between 1990-01-01 and 2100-12-31;
    written-out dates need a year from 1900 to 2100 and must exist (narrower
    range checks are the schema's job).

    Raises
    ------
    ValueFormatError
        ``code="I-DATE"`` for anything else, including dates that do not exist
        (``2023-02-30``).

    Examples
    --------
    >>> parse_date("2023-03-01 00:00:00"), parse_date("44986"), parse_date("２０２３/3/1")
    (datetime.date(2023, 3, 1), datetime.date(2023, 3, 1), datetime.date(2023, 3, 1))
    """
    if value is None:
        return None
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        day = _from_serial(float(value)) if abs(value) < 1e300 else None  # float() of 10**400 overflows
        if day is None:
            raise ValueFormatError(value, EXPECTED_DATE, code="I-DATE")
        return day
    text = _fold(value)
    if text is None:
        return None
    for form in _DATE_FORMS:
        m = form.fullmatch(text)
        if m:
            if _YEAR_MIN <= int(m.group(1)) <= _YEAR_MAX:
                try:
                    return _dt.date(int(m.group(1)), int(m.group(3)), int(m.group(4)))
                except ValueError:
                    pass
            break
    else:
        if _SERIAL.fullmatch(text):
            day = _from_serial(float(text))
            if day is not None:
                return day
        elif m := _COMPACT.fullmatch(text):
            try:
                day = _dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                day = None
            if day is not None and DATE_MIN <= day <= DATE_MAX:
                return day
    month = _MONTH_ONLY.fullmatch(text)
    if month and 1 <= int(month.group(2)) <= 12:
        raise ValueFormatError(value, EXPECTED_DATE_DAY.format(year=int(month.group(1)), month=int(month.group(2))),
                               code="I-DATE")
    raise ValueFormatError(value, EXPECTED_DATE, code="I-DATE")


# ---------------------------------------------------------------------------
# Names and identity
# ---------------------------------------------------------------------------

_ASCII_PUNCTUATION = frozenset(string.punctuation)


@lru_cache(maxsize=None)
def _drop_char(char: str) -> bool:
    if char in _ASCII_PUNCTUATION or char.isspace():
        return True
    category = unicodedata.category(char)
    # P*: punctuation (《》“”（）【】，。、：·—…); Z*: separators; Cc/Cf: controls, zero-width.
    return category[0] in "PZ" or category in ("Cc", "Cf")


@lru_cache(maxsize=1 << 17)
def normalize_name(value: str) -> str:
    """Fold a project or unit name into its identity key.

    NFKC (full-width to half-width), lower case, and every whitespace,
    punctuation (Chinese and ASCII), control and invisible character (variation
    selectors, bidirectional controls, zero widths) removed.
    The result is a fixed point: folding it again changes nothing.

    Examples
    --------
    >>> normalize_name(" 《量子信息》高级研修班（第三期） ")
    '量子信息高级研修班第三期'
    >>> normalize_name("ＡＩ for Science——大模型")
    'aiforscience大模型'
    """
    text = strip_invisible(str(value))
    for _ in range(8):  # removing a character can let NFKC compose its neighbours
        folded = unicodedata.normalize("NFKC", text).lower()
        folded = "".join(c for c in folded if not _drop_char(c))
        if folded == text:
            break
        text = folded
    return text


def stable_id(unit: str, name: str, year: int | None) -> str:
    """A stable application id: ``A<yy>-`` and 10 hex digits of a SHA-1.

    The digest is over ``normalize_name(unit) | normalize_name(name) | year``, so
    it survives a fresh export, whitespace, punctuation and full-width variants,
    and is the same in every process (no ``hash()``).

    Examples
    --------
    >>> stable_id("物理研究所", "量子信息高级研修班", 2023)
    'A23-3fb21f2ed6'
    >>> stable_id(" 物理研究所", "《量子信息》高级研修班", 2023)
    'A23-3fb21f2ed6'
    """
    key = f"{normalize_name(unit)}|{normalize_name(name)}|{year}"
    digest = hashlib.sha1(key.encode("utf-8")).hexdigest()[:10]
    return f"A{str(year or 0)[-2:]}-{digest}"


_ORDINAL = re.compile(r"第[一二三四五六七八九十百零〇两0-9]+[届期次轮]")
_YEAR = re.compile(r"(?<![0-9])(?:19|20)[0-9]{2}(?![0-9])(?:年度|年)?|年度")
# Words that say what kind of course it is, not what it is about.
_GENERIC = re.compile(
    "高级研修班|专业技术研修班|研修班|专项技术短期培训班|短期培训班|短期班|培训班|讲习班|学习班|"
    "训练营|暑期学校|学术讲坛|讲坛|研讨班|研讨会|专题培训|培训"
)
_SUBTITLE = re.compile(r"\s*(?:[—―]+|–+|-{2,}|[:：])\s*")
_MAIN_WEIGHT = 0.8


@lru_cache(maxsize=65536)
def _title_key(text: str) -> str:
    """Name key without ordinals, years and generic course words."""
    text = unicodedata.normalize("NFKC", text)
    text = _ORDINAL.sub("", text)
    text = _YEAR.sub("", text)
    folded = _ORDINAL.sub("", normalize_name(text))  # again: "第 三 届" only joins up here
    key = _GENERIC.sub("", folded)
    return key or folded or normalize_name(text)


@lru_cache(maxsize=65536)
def _bigrams(key: str) -> Counter[str]:
    if len(key) < 2:
        return Counter(key)
    return Counter(key[i : i + 2] for i in range(len(key) - 1))


def _dice(a: str, b: str) -> float:
    if a == b:
        return 1.0
    if not a or not b:
        return 0.0
    grams_a, grams_b = _bigrams(a), _bigrams(b)
    shared = sum((grams_a & grams_b).values())
    return 2.0 * shared / (sum(grams_a.values()) + sum(grams_b.values()))


def name_similarity(a: str, b: str) -> float:
    """How alike two project titles are, in [0, 1], ignoring the usual drift.

    Both titles are folded with :func:`normalize_name` after removing ordinal
    markers (``第三届``, ``第2期``), years (``2022``, ``2022年度``) and the generic
    words that name the kind of course (研修班, 培训班, 学术讲坛 …); the folded
    titles are compared by the Sørensen–Dice coefficient of their character
    bigrams (multisets; single characters for one-character keys). When both
    titles carry a subtitle after a dash (``——``) or a colon, the main titles
    count for 0.8 and the subtitles for 0.2; the score is the larger of that and
    the whole-title comparison, so an odd split never lowers it. A title with
    nothing left after the removals is compared in full.

    Examples
    --------
    >>> name_similarity("第三届先进光源技术研修班", "第四届先进光源技术研修班")
    1.0
    >>> name_similarity("先进光源技术研修班", "植物分类学短期培训班")
    0.0
    """
    whole = _dice(_title_key(str(a)), _title_key(str(b)))
    parts_a = _SUBTITLE.split(unicodedata.normalize("NFKC", str(a)).strip(), maxsplit=1)
    parts_b = _SUBTITLE.split(unicodedata.normalize("NFKC", str(b)).strip(), maxsplit=1)
    if len(parts_a) == 2 and len(parts_b) == 2 and all(parts_a + parts_b):
        main = _dice(_title_key(parts_a[0]), _title_key(parts_b[0]))
        sub = _dice(_title_key(parts_a[1]), _title_key(parts_b[1]))
        return max(whole, _MAIN_WEIGHT * main + (1 - _MAIN_WEIGHT) * sub)
    if len(parts_a) == 2 or len(parts_b) == 2:
        # A subtitle added or dropped says little: compare the main titles.
        main = _dice(_title_key(parts_a[0] or str(a)), _title_key(parts_b[0] or str(b)))
        return max(whole, main)
    return whole


# ---------------------------------------------------------------------------
# Columns
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class NormalizedColumn:
    """One raw column after parsing, row-aligned with the input.

    Attributes
    ----------
    values : pl.Series
        The parsed values, null where the cell was blank or did not parse.
        dtype String (text), Boolean (bool), Float64 (number, money, hours), Int64 (int), Date (date).
    about : pl.Series or None
        For numeric kinds only: Boolean, true where the cell said 约/左右;
        false for blank cells; null where the cell did not parse. ``None`` otherwise.
    error_code : pl.Series
        String: the reason code (``I-NUMBER`` …) where the cell did not parse, else null.
    expected : pl.Series
        String: what would have been right, in Chinese, where the cell did not parse.
    converted : pl.Series or None
        For ``money`` and ``hours``: String, what was converted (「8000元」按 0.8 万元读取), else null.
    """

    values: pl.Series
    about: pl.Series | None
    error_code: pl.Series
    expected: pl.Series
    converted: pl.Series | None = None

    @property
    def ok(self) -> pl.Series:
        """Boolean: true where the cell parsed (blank cells included)."""
        return self.error_code.is_null().alias(f"{self.values.name}_ok")


def per_distinct(values: pl.Series, fn, dtype) -> pl.Series:
    """``fn`` of each row's value, called once per distinct non-null value and mapped back (nulls stay null):
    the platform's code columns and the unit names hold a few thousand values over 300k rows.

    >>> per_distinct(pl.Series(["1", None, "2", "1"]), lambda v: int(v) * 10, pl.Int64).to_list()
    [10, None, 20, 10]
    """
    distinct = values.drop_nulls().unique(maintain_order=True)
    return values.replace_strict(distinct, pl.Series([fn(v) for v in distinct.to_list()], dtype=dtype),
                                 return_dtype=dtype)


_NUMERIC_KINDS = ("number", "money", "hours", "rate")


def normalize_column(series: pl.Series, kind: ColumnKind, *, minutes_per_hour: float = 60.0) -> NormalizedColumn:
    """Parse a raw column, calling the scalar parser once per distinct value.

    Parameters
    ----------
    series : pl.Series
        The raw cells, normally String; any other dtype is cast to String first.
    kind : {"text", "bool", "number", "int", "date", "money", "hours"}
        Which parser to apply: :func:`clean_text`, :func:`parse_bool`, :func:`parse_number`,
        :func:`parse_int`, :func:`parse_date`, :func:`parse_money` (万元, other money units
        converted) or :func:`parse_hours` (学时, minutes converted with ``minutes_per_hour``).

    Returns
    -------
    NormalizedColumn
        Row-aligned series named ``<name>``, ``<name>_about``,
        ``<name>_error_code`` and ``<name>_expected``.

    Examples
    --------
    >>> col = normalize_column(pl.Series("days", ["3天", "约5", None, "三天半", "3-5天"]), "number")
    >>> col.values.to_list(), col.about.to_list()
    ([3.0, 5.0, None, 3.5, None], [False, True, False, False, None])
    >>> col.error_code.to_list()
    [None, None, None, None, 'I-NUMBER-RANGE']
    >>> normalize_column(pl.Series("budget", ["8000元", "2"]), "money").values.to_list()
    [0.8, 2.0]
    """
    parsers: dict[str, Callable[[Any], Any]] = {
        "text": clean_text, "bool": parse_bool, "number": parse_number, "int": parse_int, "date": parse_date,
        "money": parse_money, "hours": lambda v: parse_hours(v, minutes_per_hour=minutes_per_hour),
        "rate": parse_rate,
    }
    if kind not in parsers:
        raise ValueError(f"unknown column kind {kind!r}; expected one of {sorted(parsers)}")
    name = series.name
    raw = series if series.dtype == pl.String else series.cast(pl.String)
    parse = parsers[kind]
    numeric = kind in _NUMERIC_KINDS
    keys: list[str] = []
    values: list[Any] = []
    abouts: list[bool | None] = []
    codes: list[str | None] = []
    expected: list[str | None] = []
    notes: list[str | None] = []
    for key in raw.drop_nulls().unique().to_list():
        keys.append(key)
        try:
            result = parse(key)
        except ValueFormatError as error:
            values.append(None)
            abouts.append(None)
            codes.append(error.code)
            expected.append(error.expected)
            notes.append(None)
            continue
        if numeric:
            values.append(result[0])
            abouts.append(result[1])
            notes.append(result[2] if len(result) > 2 else None)
        else:
            values.append(result)
            notes.append(None)
        codes.append(None)
        expected.append(None)
    lookup = pl.DataFrame(
        {
            "raw": pl.Series(keys, dtype=pl.String),
            "value": pl.Series(values, dtype=KIND_DTYPES[kind]),
            "about": pl.Series(abouts if numeric else [None] * len(keys), dtype=pl.Boolean),
            "code": pl.Series(codes, dtype=pl.String),
            "expected": pl.Series(expected, dtype=pl.String),
            "note": pl.Series(notes, dtype=pl.String),
        }
    )
    joined = raw.rename("raw").to_frame().join(lookup, on="raw", how="left", maintain_order="left")
    about = None
    if numeric:
        # A blank cell is "not approximate", as parse_number(None) says.
        about = joined.select(
            pl.when(pl.col("raw").is_null()).then(pl.lit(False)).otherwise(pl.col("about"))
        ).to_series().alias(f"{name}_about")
    return NormalizedColumn(
        values=joined["value"].alias(name),
        about=about,
        error_code=joined["code"].alias(f"{name}_error_code"),
        expected=joined["expected"].alias(f"{name}_expected"),
        converted=joined["note"].alias(f"{name}_converted") if kind in ("money", "hours", "rate") else None,
    )
