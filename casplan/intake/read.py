"""Intake: from the files the platform exports to the canonical plan table.

Every non-blank row read ends in exactly one of two places: ``plans`` (accepted,
normalised) or ``rejected`` (set aside, with each of its problems listed in
``set_aside``: file, sheet, Excel row, column, raw value, reason code and a
Chinese message). Rows read = rows accepted + rows set aside, per file.

>>> from casplan.intake import read_plans
>>> intake = read_plans(["导出/全院培训计划导出.xlsx"])   # doctest: +SKIP
>>> intake.rows_read == intake.rows_accepted + intake.rows_set_aside   # doctest: +SKIP
True
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from dataclasses import replace
from typing import TYPE_CHECKING

from casplan.errors import UnreadableFileError
from casplan.intake.fields import (FIELDS, HISTORY_FIELDS, KIND_DTYPES, PROVENANCE, REQUIRED_PLAN_FIELDS,
                            REVIEW_FIELDS, EXPERT_FIELDS, ROSTER_FIELDS, Field, match_header)
from casplan.io import RawTable, Source, expand_paths, read_file_tables
from casplan.intake.normalize import normalize_column, parse_bool, per_distinct
from casplan.policy import IntakeRules
from casplan.intake.schema import failures
from casplan.intake.units import unit_key

if TYPE_CHECKING:
    from casplan.io import Limits
    from casplan.eligibility.overrides import Overrides
    from casplan.policy import Policy

__all__ = [
    "Intake",
    "read_plans",
    "read_plans_raw",
    "read_history",
    "read_roster",
    "read_reviews",
    "read_experts",
    "PROBLEM_SCHEMA",
    "INTAKE_REASONS",
    "describe_place",
    "problem_message",
    "empty_problems",
    "cleaned_plans",
]

PROBLEM_SCHEMA = {
    "file": pl.Utf8, "sheet": pl.Utf8, "row": pl.Int64, "column": pl.Utf8, "value": pl.Utf8,
    "reason": pl.Utf8, "message": pl.Utf8,
}

# The message catalogue of intake (code → what it means, for the analysts' guide).
INTAKE_REASONS: dict[str, str] = {
    "I-REQUIRED": "必填列为空：单位名称（或主办单位）、培训名称、培训类别缺一不可，该行无法使用",
    "I-BOOL": "是/否列的值无法识别（可填 是/否、1/0、√/×）",
    "I-NUMBER": "数字列的值无法识别为数字",
    "I-NUMBER-RANGE": "数字列填写了范围（如 3-5天），请改为一个数字",
    "I-INT": "应为整数的列填写了小数或文字",
    "I-DATE": "日期无法识别或不存在（如 2023-02-30）",
    "I-RANGE": "数值超出可能的范围（如负的天数、十亿学员）",
    "I-DATE-ORDER": "培训结束时间早于开始时间",
    "I-CODE": "代码列（培训地点、培训对象级别、培训方式、精品项目）的值无法识别",
    "I-HEADER-REPEAT": "数据中间重复出现的表头行（常见于多个导出文件拼接）",
    "I-DUPLICATE": "重复的申报：计划ID相同，或同一单位、同名（不计括号、空格、全半角）、同年度的计划出现多次；只保留一行，其余搁置",
    "I-DUPLICATE-UNIT": "单位名册中同一单位出现多次（提示，采用第一次出现的一行）",
    "I-UNIT-UNKNOWN": "单位名称不在单位名册中（提示；单位类型按名称推断）",
    "I-UNIT-SIMILAR": "单位名称不在名册中，按名称相似度认作名册中的单位（提示，请核对）",
    "I-UNIT-AMBIGUOUS": "单位名称不在名册中，又与名册中的单位相近，无法确定是哪个单位（其申报暂不参加遴选）",
    "I-UNIT-TYPE": "未提供单位名册，单位类型按名称推断（提示）",
    "I-HIDDEN": "名称中含有看不见的字符（零宽字符、改变显示顺序的 U+202E 等），已去除（提示）",
    "I-UNIT": "数字列写了不相符的单位（如经费写成「3天」）",
    "I-UNIT-CONVERTED": "单元格写明了单位，已换算（如「8000元」按 0.8 万元、「120分钟」按 2 学时读取）",
    "I-MONEY-UNIT": "经费远超人均每日标准，可能把“元”填成了“万元”（提示）",
    "I-YEAR": "培训年度不是本次遴选的计划年度",
    "I-DATE-YEAR": "培训时间不在本计划年度内（政策文件允许前后若干天）",
    "I-DATE-SPAN": "天数多于培训起止日期所跨的天数",
    "I-STATUS": "平台上的状态为暂存、已撤销或未通过审核，不是正式报送的计划",
    "I-ENCODING": "文字中有无法显示的字符（文件混有两种编码），该行无法可靠使用",
    "I-ID-CONFLICT": "同一个计划ID出现在单位或名称不同的几行，无法判断哪一行是该项目，几行都搁置",
    "I-NOTE": "关于文件本身的说明：格式与扩展名不符、识别出的编码、重复的列名、未读取的工作表",
}

_CODE_MAPS: dict[str, dict[str, str]] = {
    "fee_level": {"0": "处级及以下", "1": "司局级", "2": "其他"},
    "train_way": {"1": "线下培训", "0": "线上培训", "2": "混合培训（线下+线上）",
                  "线下": "线下培训", "线上": "线上培训", "混合": "混合培训（线下+线上）"},
    "item_type": {"1": "一类", "2": "二类", "3": "三类"},
}
_STATIONS = {"1": "科研类", "2": "支撑类", "3": "管理类", "4": "成果转移转化类", "5": "领导类"}
_LOCAL = {"本地": True, "外埠": False, "1": True, "0": False, "京内": True, "京外": False}
_JINGPIN_TYPES = ("精品培训项目", "人社部高级研修项目", "人力资源社会保障部高级研修项目", "精品培训班", "人社部高研项目")


@dataclass(frozen=True)
class Intake:
    """The result of reading one kind of table (plans, history or roster) from files.

    Attributes
    ----------
    table : ``plans``, ``history`` or ``roster``.
    frame : accepted rows, normalised, with provenance columns.
    rejected : rows set aside, every cell as read (text), with provenance and ``reasons``.
    set_aside : one row per problem of a set-aside row (see :data:`PROBLEM_SCHEMA`).
    warnings : problems that do not set a row aside (duplicates, unknown units), same columns.
    files : per file and sheet: header row, rows read / accepted / set aside, blank rows,
        unknown columns, notes.
    errors : files that could not be read at all.
    sources : every file read (path, SHA-256 of the bytes read, size).
    """

    table: str
    frame: pl.DataFrame
    rejected: pl.DataFrame
    set_aside: pl.DataFrame
    warnings: pl.DataFrame
    files: pl.DataFrame
    errors: tuple[UnreadableFileError, ...] = field(default=())
    sources: tuple[Source, ...] = field(default=())

    @property
    def rows_read(self) -> int:
        return int(self.files["rows_read"].sum()) if self.files.height else 0

    @property
    def rows_accepted(self) -> int:
        return self.frame.height

    @property
    def rows_set_aside(self) -> int:
        return self.rejected.height

    @property
    def ok(self) -> bool:
        """True when every input could be read (rows may still be set aside)."""
        return not self.errors

    def summary(self) -> dict:
        """Counts and the set-aside problems as plain data (the CLI's ``--json``)."""
        reasons = (self.set_aside.group_by("reason").len().sort(["len", "reason"], descending=[True, False])
                   if self.set_aside.height else pl.DataFrame({"reason": [], "len": []}))
        return {
            "table": self.table,
            "files": self.files.to_dicts(),
            "rows_read": self.rows_read,
            "rows_accepted": self.rows_accepted,
            "rows_set_aside": self.rows_set_aside,
            "blank_rows": int(self.files["blank_rows"].sum()) if self.files.height else 0,
            "reasons": {r: int(n) for r, n in reasons.iter_rows()},
            "set_aside": self.set_aside.to_dicts(),
            "warnings": self.warnings.to_dicts(),
            "errors": [{"file": e.file, "message": str(e)} for e in self.errors],
        }


def describe_place(file: str, sheet: str | None, row: int | None, column: str | None = None) -> str:
    """Where a cell is, as the analyst would look for it.

    >>> describe_place("plans.xlsx", "计划", 12, "天数")
    'plans.xlsx（工作表「计划」）第 12 行「天数」'
    """
    place = file + (f"（工作表「{sheet}」）" if sheet else "")
    if row is not None:
        place += f"第 {row} 行"
    if column:
        place += f"「{column}」"
    return place


def problem_message(file: str, sheet: str | None, row: int, label: str, value: str | None, expected: str, code: str) -> str:
    where = describe_place(file, sheet, row, label)
    if code == "I-REQUIRED":
        return f"{where}为空，该列为必填"
    if code == "I-HEADER-REPEAT":
        return f"{file}{f'（工作表「{sheet}」）' if sheet else ''}第 {row} 行是重复的表头行，不是培训计划"
    shown = value if value is None or len(value) <= 60 else value[:60] + "…"
    if code == "I-ENCODING":
        return (f"{where}含有无法显示的字符（文件中混有另一种编码保存的文字），已搁置；请单位把整个文件"
                "另存为同一种编码（UTF-8 或 GBK）后重新导出")
    if code in _SENTENCE_CODES:  # ``expected`` is the rest of the sentence
        return f"{describe_place(file, sheet, row)}「{shown}」{expected}"
    return f"{where}为「{shown}」，应为{expected}"


# Problems that are not a badly written cell: the message says what happened, not what to write.
_SENTENCE_CODES = ("I-DUPLICATE", "I-STATUS", "I-ENCODING", "I-ID-CONFLICT")


def _shown(value: str | None) -> str | None:
    """A raw cell as the analyst saw it in Excel (calamine writes date cells with a midnight time)."""
    return value.removesuffix(" 00:00:00") if value is not None else None


def empty_problems() -> pl.DataFrame:
    return pl.DataFrame(schema=PROBLEM_SCHEMA)


def _normalise(raw: pl.DataFrame, fields: tuple[Field, ...], *, minutes_per_hour: float = 60.0
               ) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Parse every known column; return (typed frame, problems with ``index``, unit conversions with ``index``)."""
    columns: list[pl.Series] = []
    problems: list[pl.DataFrame] = []
    conversions: list[pl.DataFrame] = []
    index = pl.int_range(0, raw.height, eager=True).alias("index")
    for f in fields:
        if f.name not in raw.columns:
            continue
        series = raw.get_column(f.name)
        if f.name == "year":  # 培训年度 is often written 2023年 or 2023年度
            series = series.str.strip_chars().str.replace(r"年度?$", "")
        col = normalize_column(series, f.kind, minutes_per_hour=minutes_per_hour)
        columns.append(col.values)
        if col.about is not None:
            columns.append(col.about)
        if col.error_code.null_count() < raw.height:
            problems.append(pl.DataFrame([index, col.error_code.alias("code"), col.expected.alias("expected")])
                            .filter(pl.col("code").is_not_null())
                            .with_columns(pl.lit(f.name).alias("column")))
        if col.converted is not None and col.converted.null_count() < raw.height:
            conversions.append(pl.DataFrame([index, col.converted.alias("note")])
                               .filter(pl.col("note").is_not_null())
                               .with_columns(pl.lit(f.name).alias("column")))
    known = {f.name for f in fields}
    extra = [raw.get_column(c) for c in raw.columns if c not in known]
    frame = pl.DataFrame(columns + extra) if columns or extra else pl.DataFrame()
    if problems:
        found = pl.concat(problems).select("index", "column", "code", "expected")
    else:
        found = pl.DataFrame(schema={"index": pl.Int64, "column": pl.Utf8, "code": pl.Utf8, "expected": pl.Utf8})
    converted = (pl.concat(conversions).select(pl.col("index").cast(pl.Int64), "column", "note") if conversions else
                 pl.DataFrame(schema={"index": pl.Int64, "column": pl.Utf8, "note": pl.Utf8}))
    return frame, found.with_columns(pl.col("index").cast(pl.Int64)), converted


def _rows_where(values: pl.Series, bad: set) -> list[int]:
    """The 0-based rows whose value is one of ``bad``, in order."""
    return values.is_in(list(bad)).arg_true().to_list() if bad else []


def _code_column(frame: pl.DataFrame, name: str, mapping: dict[str, str], expected: str) -> tuple[pl.DataFrame, list]:
    """Replace platform codes (0/1/2 …) by their labels; unknown codes are problems."""
    if name not in frame.columns:
        return frame, []
    values = frame.get_column(name)
    known = set(mapping.values())
    unknown: set[str] = set()

    def label(v: str) -> str:
        if v in known:
            return v
        key = v.removesuffix(".0")
        if key in mapping:
            return mapping[key]
        if name in ("fee_level", "train_way") and any(v.startswith(k) for k in known):
            return next(k for k in known if v.startswith(k))
        if name == "fee_level":
            unknown.add(v)
        return v

    out = per_distinct(values, label, pl.Utf8)
    bad = [(i, name, "I-CODE", expected) for i in _rows_where(values, unknown)]
    return frame.with_columns(out.alias(name)), bad


def _plan_codes(frame: pl.DataFrame) -> tuple[pl.DataFrame, list]:
    """Platform code columns → labels and booleans (培训地点, 级别, 方式, 岗位, 精品项目)."""
    bad: list = []
    frame, b = _code_column(frame, "fee_level", _CODE_MAPS["fee_level"], "处级及以下、司局级或其他（或代码 0/1/2）")
    bad += b
    frame, _ = _code_column(frame, "train_way", _CODE_MAPS["train_way"], "")
    frame, _ = _code_column(frame, "item_type", _CODE_MAPS["item_type"], "")
    if "station" in frame.columns:
        frame = frame.with_columns(per_distinct(frame.get_column("station"), lambda s: "；".join(
            _STATIONS.get(p.strip().removesuffix(".0"), p.strip())
            for p in s.replace(";", "；").replace(",", "；").split("；") if p.strip()), pl.Utf8).alias("station"))
    if "local" in frame.columns:
        values = frame.get_column("local")
        unknown: set[str] = set()

        def local(v: str) -> bool | None:
            if v.removesuffix(".0") in _LOCAL:
                return _LOCAL[v.removesuffix(".0")]
            unknown.add(v)
            return None

        frame = frame.with_columns(per_distinct(values, local, pl.Boolean).alias("is_local"))
        bad += [(i, "local", "I-CODE", "本地或外埠（或代码 1/0）") for i in _rows_where(values, unknown)]
    if "jingpin" in frame.columns:
        values = frame.get_column("jingpin")
        parsed = {v: _parse_jingpin(v) for v in values.drop_nulls().unique(maintain_order=True).to_list()}
        unknown = {v for v, (flag, _) in parsed.items() if flag is None}
        frame = frame.with_columns(per_distinct(values, lambda v: parsed[v][0], pl.Boolean).alias("jingpin_flag"),
                                   per_distinct(values, lambda v: parsed[v][1], pl.Utf8).alias("jingpin_type"))
        bad += [(i, "jingpin", "I-CODE", "是或否，可带项目类型（如「是-精品培训项目」）")
                for i in _rows_where(values, unknown)]
    return frame, bad


def _parse_jingpin(value: str | None) -> tuple[bool | None, str | None]:
    """精品项目 column: 是/否 with an optional project type.

    >>> _parse_jingpin("是-人社部高级研修项目")
    (True, '人社部高级研修项目')
    >>> _parse_jingpin("否")
    (False, None)
    >>> _parse_jingpin("精品培训项目")
    (True, '精品培训项目')
    """
    if value is None:
        return None, None
    text = "".join(value.split())
    for t in _JINGPIN_TYPES:
        if t in text:
            negative = text.startswith(("否", "×", "0"))
            return (False, None) if negative else (True, t)
    try:
        return parse_bool(text), None
    except ValueError:
        return None, None


def _read_all(paths: Sequence[str | os.PathLike], fields: tuple[Field, ...], kind: str, limits: Limits
              ) -> tuple[list[RawTable], list[tuple[str, str]], list[UnreadableFileError], list[Source]]:
    skipped: list[str] = []
    try:
        files = expand_paths(paths, skipped=skipped)
    except UnreadableFileError as exc:
        return [], [], [exc], []
    tables: list[RawTable] = []
    notes: list[tuple[str, str]] = []
    errors: list[UnreadableFileError] = []
    sources: list[Source] = []
    root = _common_root(paths)
    for p in files:
        try:
            found, file_notes, source = read_file_tables(p, kind=kind, fields=fields, display_name=_display(p, root),
                                                         limits=limits)
        except UnreadableFileError as exc:
            errors.append(exc)
            continue
        sources.append(source)
        tables.extend(found)
        notes.extend((_display(p, root), n) for n in file_notes)
    notes.extend(("导出文件夹", n) for n in skipped)
    return tables, notes, errors, sources


def _display(path: Path, root: Path | None = None) -> str:
    """A short, stable name for a file in messages: relative to the folder the inputs share."""
    for base in (root, Path.cwd()):
        if base is None:
            continue
        try:
            return path.resolve().relative_to(base.resolve()).as_posix()
        except ValueError:
            continue
    return str(path)


def _common_root(paths: Sequence[str | os.PathLike]) -> Path | None:
    """The folder above all inputs (a folder input counts as its parent, so its name is kept)."""
    parents = [str(Path(p).resolve().parent) for p in paths]
    if not parents:
        return None
    try:
        return Path(os.path.commonpath(parents))
    except ValueError:
        return None


_STATUS_BAD = {"approve_status": {"1043": "未通过上级部门审核", "1048": "被驳回修改"}}
_STATUS_WORDS = ("未通过", "驳回", "撤销", "作废")


def _status_problems(frame: pl.DataFrame) -> list[tuple[int, str, str, str]]:
    """Rows the platform marks as not submitted: a draft (暂存), withdrawn (已撤销), rejected (驳回)."""
    bad: list[tuple[int, str, str, str]] = []
    for col, what in (("draft", "暂存（未正式报送）"), ("withdrawn", "已撤销")):
        if col not in frame.columns:
            continue
        for i, v in enumerate(frame.get_column(col).to_list()):
            if v is None:
                continue
            try:
                flagged = parse_bool(v)
            except ValueError:
                flagged = any(w in v for w in ("暂存", "撤销"))
            if flagged:
                bad.append((i, col, "I-STATUS", f"在平台上是{what}，不是正式报送的计划，已搁置"))
    if "approve_status" in frame.columns:
        for i, v in enumerate(frame.get_column("approve_status").to_list()):
            if v is None:
                continue
            key = v.removesuffix(".0")
            if key in _STATUS_BAD["approve_status"] or any(w in v for w in _STATUS_WORDS):
                why = _STATUS_BAD["approve_status"].get(key, v)
                bad.append((i, "approve_status", "I-STATUS", f"的审核状态为「{why}」，不是已通过审核的计划，已搁置"))
    return bad


_PRIVATE_USE = re.compile("[\ue000-\uf8ff]")


_NAME_COLUMNS = ("unit", "organizer", "train_name")


def _hidden_characters(raw: pl.DataFrame, fields: tuple[Field, ...]) -> pl.DataFrame:
    """Name cells that held invisible characters (removed by the cleaning): index, column, value, the code points."""
    from casplan.intake.normalize import IGNORABLE

    rows = []
    names = {f.name for f in fields}
    for col in _NAME_COLUMNS:
        if col not in raw.columns or col not in names:
            continue
        hit = raw.get_column(col).str.contains(IGNORABLE.pattern).fill_null(False)
        for i in hit.arg_true().to_list():
            value = raw[col][i]
            codes = "、".join(sorted({f"U+{ord(c):04X}" for c in IGNORABLE.findall(value)}))
            rows.append((i, col, value, codes))
    return pl.DataFrame(rows, schema={"index": pl.Int64, "column": pl.Utf8, "value": pl.Utf8, "codes": pl.Utf8},
                        orient="row")


def _garbled_text(frame: pl.DataFrame, fields: tuple[Field, ...]) -> list[tuple[int, str, str, str]]:
    """Text cells with private-use characters: bytes of one encoding read as another (UTF-8 pasted into GBK).

    Such a cell is never taken as a name: 中国科学院化学研究所 garbled is a "new unit" that escapes U2.
    """
    out = []
    for f in fields:
        if f.kind != "text" or f.name not in frame.columns:
            continue
        hit = frame.get_column(f.name).str.contains(_PRIVATE_USE.pattern).fill_null(False)
        out += [(i, f.name, "I-ENCODING", "") for i in hit.arg_true().to_list()]
    return out


def _read(table: str, paths: Sequence[str | os.PathLike], fields: tuple[Field, ...],
          required: tuple[str, ...], *, rules: IntakeRules | None = None) -> Intake:
    """Read, parse and check one kind of table: every row accepted or set aside, nothing year-specific yet."""
    rules = rules or IntakeRules()
    tables, notes, errors, sources = _read_all(paths, fields, table, rules.limits)
    usable: list[RawTable] = []
    for t in tables:
        names = set(t.frame.columns) | ({"unit"} if table == "plans" and "organizer" in t.frame.columns else set())
        missing = [r for r in required if r not in names]
        if missing:
            label = {f.name: f.label for f in fields}
            shown = "、".join(label.get(m, m) for m in missing)
            hint = "（或「主办单位」）" if table == "plans" and "unit" in missing else ""
            errors.append(UnreadableFileError(
                f"{describe_place(t.file, t.sheet, t.header_row)}的表头缺少必需的列：{shown}{hint}；"
                f"找到的列：{'、'.join(t.columns)}", file=t.file, sheet=t.sheet, row=t.header_row))
            continue
        usable.append(t)
    # All tables are processed as one frame: parsing and validation cost per column, not per file.
    raw = (pl.concat([t.frame.with_columns(pl.lit(k, pl.Int32).alias("_table")) for k, t in enumerate(usable)],
                     how="diagonal") if usable else pl.DataFrame(schema={"_table": pl.Int32}))
    if table == "plans" and "organizer" in raw.columns:
        raw = raw.with_columns((pl.coalesce("unit", "organizer") if "unit" in raw.columns
                                else pl.col("organizer")).alias("unit"))
    frame, found, converted = _normalise(raw, fields, minutes_per_hour=rules.minutes_per_class_hour)
    if table in ("plans", "history") and "unit" in raw.columns and raw.height:
        # the unit as written (invisible characters included): resolution reads both orders of a bidi override
        frame = frame.with_columns(raw.get_column("unit").alias("_unit_written"))
    extra: list = []
    if table == "plans" and raw.height:
        frame, extra = _plan_codes(frame)
        if "start_date" in frame.columns and "end_date" in frame.columns:
            order = frame.select((pl.col("end_date") < pl.col("start_date")).fill_null(False)).to_series()
            extra += [(i, "end_date", "I-DATE-ORDER", "不早于培训开始时间的日期") for i in order.arg_true().to_list()]
        names = raw.get_column("train_name")
        labels = {v: match_header(v) == "train_name" for v in names.drop_nulls().unique().to_list()}
        repeat = names.replace_strict(labels, default=False, return_dtype=pl.Boolean).fill_null(False)
        extra += [(i, "train_name", "I-HEADER-REPEAT", "") for i in repeat.arg_true().to_list()]
        extra += _status_problems(frame)
    extra += _garbled_text(frame, fields)
    checked = failures(frame, table) if raw.height else found.clear()
    if extra:
        checked = pl.concat([checked, pl.DataFrame(extra, schema=checked.schema, orient="row")])
    found = pl.concat([found, checked]).unique(subset=["index", "column"], keep="first", maintain_order=True)
    header_repeat = found.filter(pl.col("code") == "I-HEADER-REPEAT")["index"]
    found = found.filter(~pl.col("index").is_in(header_repeat.implode()) | (pl.col("code") == "I-HEADER-REPEAT"))
    bad_index = found["index"].unique()
    label_of = {f.name: f.label for f in fields}
    raw_idx = raw.with_row_index("index")
    set_aside = empty_problems()
    rejected_frame = pl.DataFrame(schema={**{c: pl.Utf8 for c in PROVENANCE[:2]}, "source_row": pl.Int64,
                                          "reasons": pl.Utf8})
    if found.height:
        located = found.join(raw_idx.select("index", *PROVENANCE), on="index", how="left")
        values = [_shown(raw_idx[c][i]) if c in raw_idx.columns else None
                  for i, c in zip(located["index"].to_list(), located["column"].to_list())]
        rows = []
        for (i, col, code, expected, file, sheet, row), value in zip(located.iter_rows(), values):
            label = label_of.get(col, col)
            rows.append((file, sheet, row, label, value, code, problem_message(file, sheet, row, label, value, expected, code)))
        set_aside = pl.DataFrame(rows, schema=PROBLEM_SCHEMA, orient="row").sort(
            "file", "sheet", "row", nulls_last=True, maintain_order=True)
        reasons = located.group_by("index").agg(pl.col("code").str.join("；").alias("reasons"))
        rejected_frame = (raw_idx.filter(pl.col("index").is_in(bad_index.implode()))
                          .join(reasons, on="index", how="left").drop("index", "_table")
                          .sort("source_file", "source_sheet", "source_row", nulls_last=True))
        # a table's unknown columns are null in the others' rows: keep only columns with something in them
        rejected_frame = rejected_frame.select([c for c in rejected_frame.columns
                                                if c in PROVENANCE or rejected_frame[c].null_count() < rejected_frame.height])
    keep = ~pl.int_range(0, pl.len()).is_in(bad_index.implode())
    good = frame.with_columns(raw.get_column("_table")).filter(keep)
    frame = _complete(good.drop("_table"), fields)
    warnings = empty_problems()
    hidden = _hidden_characters(raw, fields)
    if hidden.height:
        hidden = hidden.filter(~pl.col("index").is_in(bad_index.implode())).join(
            raw_idx.select("index", *PROVENANCE), on="index", how="left")
        rows = [(file, sheet, row, label_of.get(col, col), value, "I-HIDDEN",
                 f"{describe_place(file, sheet, row, label_of.get(col, col))}含有看不见的字符（{codes}），已去除；"
                 "请单位改正")
                for _i, col, value, codes, file, sheet, row in hidden.iter_rows()]
        warnings = pl.concat([warnings, pl.DataFrame(rows, schema=PROBLEM_SCHEMA, orient="row")])
    if converted.height:
        conv = (converted.filter(~pl.col("index").is_in(bad_index.implode()))
                .join(raw_idx.select("index", *PROVENANCE), on="index", how="left"))
        rows = [(file, sheet, row, label_of.get(col, col), None, "I-UNIT-CONVERTED",
                 f"{describe_place(file, sheet, row, label_of.get(col, col))}：{note}")
                for _i, col, note, file, sheet, row in conv.iter_rows()]
        warnings = pl.DataFrame(rows, schema=PROBLEM_SCHEMA, orient="row")
    if table == "roster" and frame.height:
        warnings = pl.concat([warnings, _roster_duplicates(frame)])
        errors.extend(_roster_alias_conflicts(frame))
    if notes:
        note_rows = pl.DataFrame([(f, None, None, None, None, "I-NOTE", f"{f}：{n}") for f, n in notes],
                                 schema=PROBLEM_SCHEMA, orient="row")
        warnings = pl.concat([warnings, note_rows])
    files = _file_counts(usable, frame, rejected_frame)
    return Intake(table=table, frame=frame, rejected=rejected_frame, set_aside=set_aside, warnings=warnings,
                  files=files, errors=tuple(errors), sources=tuple(sources))


_FILES_SCHEMA = {"file": pl.Utf8, "sheet": pl.Utf8, "header_row": pl.Int64, "rows_read": pl.Int64,
                 "rows_accepted": pl.Int64, "rows_set_aside": pl.Int64, "blank_rows": pl.Int64,
                 "unknown_columns": pl.Utf8, "notes": pl.Utf8}


def _file_counts(usable: Sequence[RawTable], accepted: pl.DataFrame, rejected: pl.DataFrame) -> pl.DataFrame:
    """Per file and sheet: rows read, accepted, set aside (read = accepted + set aside, always)."""
    def counts(frame: pl.DataFrame) -> dict[tuple, int]:
        if frame.height == 0 or "source_file" not in frame.columns:
            return {}
        return {(f, s): n for f, s, n in frame.group_by("source_file", "source_sheet").len().iter_rows()}

    ok, out = counts(accepted), counts(rejected)
    rows = []
    for t in usable:
        key = (t.file, t.sheet)
        rows.append({"file": t.file, "sheet": t.sheet, "header_row": t.header_row, "rows_read": t.frame.height,
                     "rows_accepted": ok.get(key, 0), "rows_set_aside": out.get(key, 0), "blank_rows": t.blank_rows,
                     "unknown_columns": "、".join(t.unknown_columns), "notes": "；".join(t.notes)})
    return pl.DataFrame(rows, schema=_FILES_SCHEMA)


def _complete(frame: pl.DataFrame, fields: tuple[Field, ...]) -> pl.DataFrame:
    """Give the accepted frame every canonical column (null where the export lacked it)."""
    missing = []
    for f in fields:
        if f.name not in frame.columns:
            missing.append(pl.lit(None, dtype=KIND_DTYPES[f.kind]).alias(f.name))
        if f.about and f"{f.name}_about" not in frame.columns:
            missing.append(pl.lit(None, dtype=pl.Boolean).alias(f"{f.name}_about"))
    for name in PROVENANCE:
        if name not in frame.columns:
            missing.append(pl.lit(None, dtype=pl.Int64 if name == "source_row" else pl.Utf8).alias(name))
    if missing:
        frame = frame.with_columns(missing) if frame.width else pl.select(missing).clear()
    return frame


def _roster_alias_conflicts(frame: pl.DataFrame) -> list[UnreadableFileError]:
    """An alias that belongs to two units, or that is another unit's name: the roster cannot say who is who."""
    names: dict[str, tuple] = {}
    for file, sheet, row, unit in frame.select(*PROVENANCE, "unit").iter_rows():
        names.setdefault(unit_key(unit), (unit, file, sheet, row))
    claimed: dict[str, tuple] = {}
    problems = []
    aliases = frame["aliases"] if "aliases" in frame.columns else pl.Series([None] * frame.height)
    for (file, sheet, row, unit), extra in zip(frame.select(*PROVENANCE, "unit").iter_rows(), aliases.to_list()):
        for alias in re.split(r"[；;,，、/]", extra or ""):
            alias = alias.strip()
            if not alias:
                continue
            key = unit_key(alias)
            owner = names.get(key)
            if owner and unit_key(owner[0]) != unit_key(unit):
                problems.append(UnreadableFileError(
                    f"单位名册{describe_place(file, sheet, row, '别名')}「{alias}」是另一个单位的名称"
                    f"（{describe_place(*owner[1:])}「{owner[0]}」）；一个单位的往年项目和名额会算到另一个单位上，"
                    "请改正名册后再运行", file=file, sheet=sheet, row=row, column="别名", value=alias))
            first = claimed.get(key)
            if first and unit_key(first[0]) != unit_key(unit):
                problems.append(UnreadableFileError(
                    f"单位名册中别名「{alias}」同时属于「{first[0]}」（{describe_place(*first[1:])}）和"
                    f"「{unit}」（{describe_place(file, sheet, row)}）；无法判断写成「{alias}」的是哪个单位，"
                    "请改正名册后再运行", file=file, sheet=sheet, row=row, column="别名", value=alias))
            claimed.setdefault(key, (unit, file, sheet, row))
    return problems


def _roster_duplicates(frame: pl.DataFrame) -> pl.DataFrame:
    """A warning for every roster row whose unit (folded) already appeared: the first row is the one used."""
    first: dict[str, tuple] = {}
    rows = []
    for file, sheet, row, unit in frame.select(*PROVENANCE, "unit").iter_rows():
        key = unit_key(unit)
        if key in first:
            rows.append((file, sheet, row, "单位名称", unit, "I-DUPLICATE-UNIT",
                         f"{describe_place(file, sheet, row, '单位名称')}「{unit}」在单位名册中重复出现"
                         f"（首次出现在{describe_place(*first[key])}），采用首次出现的一行；请删去多余的一行"))
        else:
            first[key] = (file, sheet, row)
    return pl.DataFrame(rows, schema=PROBLEM_SCHEMA, orient="row")


# --- identity and the year: what needs the roster, the policy and the analyst's decisions ---------


def read_plans(paths: Iterable[str | os.PathLike] | str | os.PathLike, *,
               roster: pl.DataFrame | None = None, policy: "Policy | None" = None,
               overrides: "Overrides | None" = None) -> Intake:
    """Read plan exports (files or folders) into the canonical plan table.

    Parameters
    ----------
    paths : files (xlsx, xls, csv …) or folders of per-unit files.
    roster : the accepted roster frame (:func:`read_roster`), to resolve unit names and
        aliases to the roster's names and attach 单位类型 and 所属分院.
    policy : the year's policy: how cells are read (学时 in minutes, file limits), this year's
        checks (plan year, dates) and the unit vocabulary. Without it only what needs no year is checked.
    overrides : the analyst's decisions about units (``unit_alias``, ``unit_distinct``, ``unit_type``).
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    raw = read_plans_raw(paths, rules=policy.intake if policy is not None else None)
    from casplan.intake.settling import settle

    return settle(raw, policy=policy, roster=roster, overrides=overrides)


def read_plans_raw(paths: Iterable[str | os.PathLike] | str | os.PathLike, *,
                   rules: IntakeRules | None = None) -> Intake:
    """Read plan exports without identity and year checks (:func:`settle` does those)."""
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    return _read("plans", list(paths), FIELDS, REQUIRED_PLAN_FIELDS, rules=rules)


def read_history(paths: Iterable[str | os.PathLike] | str | os.PathLike, *, policy: "Policy | None" = None,
                 roster: pl.DataFrame | None = None, overrides: "Overrides | None" = None) -> Intake:
    """Read the history of earlier years' 院级资助 / 精品 / 人社部 projects.

    With a roster, unit names are resolved as the plans' are (``unit_raw`` keeps what was written); with a
    policy, a 项目类别 that is none of the policy's ``history_categories`` is reported (eligibility reads
    the category into a track id).
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    intake = _read("history", list(paths), HISTORY_FIELDS, ("unit", "year", "train_name"),
                   rules=policy.intake if policy is not None else None)
    frame = intake.frame
    if frame.height and (roster is not None or policy is not None):
        from casplan.intake.settling import unit_index

        index = unit_index(roster, policy, overrides)
        written = frame["unit"].to_list()
        raw_written = frame["_unit_written"].to_list() if "_unit_written" in frame.columns else written
        frame = frame.drop([c for c in ("_unit_written",) if c in frame.columns]).with_columns(
            pl.Series("unit_raw", written, dtype=pl.Utf8),
            pl.Series("unit", [index.resolve(r if r is not None else w).unit for r, w in zip(raw_written, written)],
                      dtype=pl.Utf8))
    if policy is not None and frame.height:
        mapping = {raw: policy.history_track_of(raw) for raw in frame["track"].drop_nulls().unique().to_list()}
        unknown = sorted(k for k, v in mapping.items() if v is None)
        if unknown:
            rows = []
            for raw_track in unknown:
                first = frame.filter(pl.col("track") == raw_track).row(0, named=True)
                rows.append((first["source_file"], first["source_sheet"], first["source_row"], "项目类别", raw_track,
                             "I-CODE", f"{describe_place(first['source_file'], first['source_sheet'], first['source_row'], '项目类别')}"
                             f"为「{raw_track}」，不是政策文件 history_categories 中的类别写法；该项目不计为举办记录"))
            intake = replace(intake, warnings=pl.concat([intake.warnings, pl.DataFrame(rows, schema=PROBLEM_SCHEMA,
                                                                                        orient="row")]))
    if "_unit_written" in frame.columns:
        frame = frame.drop("_unit_written")
    return replace(intake, frame=frame)


def read_reviews(paths: Iterable[str | os.PathLike] | str | os.PathLike) -> Intake:
    """Read expert reviews (申报编号, 评审专家, 评分[, 把握程度])."""
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    return _read("reviews", list(paths), REVIEW_FIELDS, ("app_id", "reviewer", "score"))


def read_experts(paths: Iterable[str | os.PathLike] | str | os.PathLike) -> Intake:
    """Read the experts of the review round (专家编号, 专家姓名, 单位, 所属分院, 研究方向, 最多评审数, 回避单位)."""
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    return _read("experts", list(paths), EXPERT_FIELDS, ("name", "unit"))


def read_roster(paths: Iterable[str | os.PathLike] | str | os.PathLike) -> Intake:
    """Read the unit roster (单位名称, 单位类型, 所属分院, 别名)."""
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    return _read("roster", list(paths), ROSTER_FIELDS, ("unit",))


def cleaned_plans(frame: pl.DataFrame) -> pl.DataFrame:
    """The accepted plan rows headed with the canonical Chinese labels (the analysts' cleaned table).

    Columns: 申报编号, the canonical fields in their order (booleans stay booleans,
    the writer shows them 是/否), 单位类型, 所属分院, then the unknown columns as read,
    then 来源文件, 来源工作表, 来源行号.
    """
    labels = {f.name: f.label for f in FIELDS}
    canonical = ["app_id"] + [f.name for f in FIELDS if f.name in frame.columns]
    extra_known = [c for c in ("unit_type", "branch", "is_local", "jingpin_type", "duplicate_of") if c in frame.columns]
    derived = {c for c in frame.columns if c.endswith("_about")} | {"unit_raw", "jingpin_flag"}
    unknown = [c for c in frame.columns if c not in canonical and c not in extra_known and c not in derived
               and c not in PROVENANCE]
    names = {"app_id": "申报编号", "unit_type": "单位类型", "branch": "所属分院", "is_local": "是否本地",
             "jingpin_type": "精品项目类型", "duplicate_of": "疑似重复（首次出现的编号）",
             "source_file": "来源文件", "source_sheet": "来源工作表", "source_row": "来源行号"}
    cols = [c for c in canonical if c in frame.columns] + extra_known + unknown + list(PROVENANCE)
    out = frame.select([c for c in cols if c in frame.columns])
    return out.rename({c: names.get(c) or labels.get(c) or c for c in out.columns})
