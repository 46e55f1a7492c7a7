"""Intake: from the files the platform exports to the canonical plan table.

Every non-blank row read ends in exactly one of two places: ``plans`` (accepted,
normalised) or ``rejected`` (set aside, with each of its problems listed in
``set_aside``: file, sheet, Excel row, column, raw value, reason code and a
Chinese message). Rows read = rows accepted + rows set aside, per file.

>>> from casplan.intake import read_plans
>>> intake = read_plans(["data/samples/2023/plans.xlsx"])   # doctest: +SKIP
>>> intake.rows_read == intake.rows_accepted + intake.rows_set_aside   # doctest: +SKIP
True
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from casplan.errors import UnreadableFileError
from casplan.fields import (FIELDS, FIELDS_BY_NAME, HISTORY_FIELDS, PROVENANCE, REQUIRED_PLAN_FIELDS,
                            REVIEW_FIELDS, ROSTER_FIELDS, Field, match_header)
from casplan.io import RawTable, expand_paths, read_tables
from casplan.normalize import normalize_column, normalize_name, parse_bool, stable_id
from casplan.schema import failures

__all__ = [
    "Intake",
    "read_plans",
    "read_history",
    "read_roster",
    "read_reviews",
    "PROBLEM_SCHEMA",
    "INTAKE_REASONS",
    "describe_place",
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
    "I-DUPLICATE": "同一单位同名的培训计划出现多次（提示，不剔除）",
    "I-DUPLICATE-UNIT": "单位名册中同一单位出现多次（提示，采用第一次出现的一行）",
    "I-UNIT-UNKNOWN": "单位名称不在单位名册中（提示）",
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
    """

    table: str
    frame: pl.DataFrame
    rejected: pl.DataFrame
    set_aside: pl.DataFrame
    warnings: pl.DataFrame
    files: pl.DataFrame
    errors: tuple[UnreadableFileError, ...] = field(default=())

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


def _message(file: str, sheet: str | None, row: int, label: str, value: str | None, expected: str, code: str) -> str:
    where = describe_place(file, sheet, row, label)
    if code == "I-REQUIRED":
        return f"{where}为空，该列为必填"
    if code == "I-HEADER-REPEAT":
        return f"{file}{f'（工作表「{sheet}」）' if sheet else ''}第 {row} 行是重复的表头行，不是培训计划"
    shown = value if value is None or len(value) <= 60 else value[:60] + "…"
    return f"{where}为「{shown}」，应为{expected}"


def _shown(value: str | None) -> str | None:
    """A raw cell as the analyst saw it in Excel (calamine writes date cells with a midnight time)."""
    return value.removesuffix(" 00:00:00") if value is not None else None


def _empty_problems() -> pl.DataFrame:
    return pl.DataFrame(schema=PROBLEM_SCHEMA)


def _normalise(raw: pl.DataFrame, fields: tuple[Field, ...]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Parse every known column; return (typed frame, problems with ``index``)."""
    columns: list[pl.Series] = []
    problems: list[pl.DataFrame] = []
    index = pl.int_range(0, raw.height, eager=True).alias("index")
    for f in fields:
        if f.name not in raw.columns:
            continue
        series = raw.get_column(f.name)
        if f.name == "year":  # 培训年度 is often written 2023年 or 2023年度
            series = series.str.strip_chars().str.replace(r"年度?$", "")
        col = normalize_column(series, f.kind)
        columns.append(col.values)
        if col.about is not None:
            columns.append(col.about)
        if col.error_code.null_count() < raw.height:
            problems.append(pl.DataFrame([index, col.error_code.alias("code"), col.expected.alias("expected")])
                            .filter(pl.col("code").is_not_null())
                            .with_columns(pl.lit(f.name).alias("column")))
    known = {f.name for f in fields}
    extra = [raw.get_column(c) for c in raw.columns if c not in known]
    frame = pl.DataFrame(columns + extra) if columns or extra else pl.DataFrame()
    if problems:
        found = pl.concat(problems).select("index", "column", "code", "expected")
    else:
        found = pl.DataFrame(schema={"index": pl.Int64, "column": pl.Utf8, "code": pl.Utf8, "expected": pl.Utf8})
    return frame, found.with_columns(pl.col("index").cast(pl.Int64))


def _code_column(frame: pl.DataFrame, name: str, mapping: dict[str, str], expected: str) -> tuple[pl.DataFrame, list]:
    """Replace platform codes (0/1/2 …) by their labels; unknown codes are problems."""
    if name not in frame.columns:
        return frame, []
    values = frame.get_column(name)
    known = set(mapping.values())
    out, bad = [], []
    for i, v in enumerate(values.to_list()):
        if v is None or v in known:
            out.append(v)
            continue
        key = v.removesuffix(".0")
        if key in mapping:
            out.append(mapping[key])
        elif name in ("fee_level", "train_way") and any(v.startswith(k) for k in known):
            out.append(next(k for k in known if v.startswith(k)))
        else:
            out.append(v)
            if name == "fee_level":
                bad.append((i, name, "I-CODE", expected))
    return frame.with_columns(pl.Series(name, out, dtype=pl.Utf8)), bad


def _plan_codes(frame: pl.DataFrame) -> tuple[pl.DataFrame, list]:
    """Platform code columns → labels and booleans (培训地点, 级别, 方式, 岗位, 精品项目)."""
    bad: list = []
    frame, b = _code_column(frame, "fee_level", _CODE_MAPS["fee_level"], "处级及以下、司局级或其他（或代码 0/1/2）")
    bad += b
    frame, _ = _code_column(frame, "train_way", _CODE_MAPS["train_way"], "")
    frame, _ = _code_column(frame, "item_type", _CODE_MAPS["item_type"], "")
    if "station" in frame.columns:
        frame = frame.with_columns(pl.col("station").map_elements(
            lambda s: "；".join(_STATIONS.get(p.strip().removesuffix(".0"), p.strip())
                               for p in s.replace(";", "；").replace(",", "；").split("；") if p.strip()),
            return_dtype=pl.Utf8))
    if "local" in frame.columns:
        is_local = []
        for i, v in enumerate(frame.get_column("local").to_list()):
            if v is None:
                is_local.append(None)
            elif v.removesuffix(".0") in _LOCAL:
                is_local.append(_LOCAL[v.removesuffix(".0")])
            else:
                is_local.append(None)
                bad.append((i, "local", "I-CODE", "本地或外埠（或代码 1/0）"))
        frame = frame.with_columns(pl.Series("is_local", is_local, dtype=pl.Boolean))
    if "jingpin" in frame.columns:
        flags, types = [], []
        for i, v in enumerate(frame.get_column("jingpin").to_list()):
            flag, kind = _parse_jingpin(v)
            if flag is None and v is not None:
                bad.append((i, "jingpin", "I-CODE", "是或否，可带项目类型（如「是-精品培训项目」）"))
            flags.append(flag)
            types.append(kind)
        frame = frame.with_columns(pl.Series("jingpin_flag", flags, dtype=pl.Boolean),
                                   pl.Series("jingpin_type", types, dtype=pl.Utf8))
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


def _roster_index(roster: pl.DataFrame | None) -> dict[str, str]:
    index: dict[str, str] = {}
    if roster is None or roster.height == 0:
        return index
    for unit, aliases in roster.select("unit", pl.col("aliases") if "aliases" in roster.columns
                                       else pl.lit(None, pl.Utf8)).iter_rows():
        keys = [unit] + [a for a in (aliases or "").replace(";", "；").replace("，", "；").replace(",", "；").split("；")
                         if a.strip()]
        for k in keys:
            key = normalize_name(k)
            index.setdefault(key, unit)
            if key.startswith("中国科学院"):
                index.setdefault(key.removeprefix("中国科学院"), unit)
    return index


def _read_all(paths: Sequence[str | os.PathLike], fields: tuple[Field, ...]
              ) -> tuple[list[RawTable], list[tuple[str, str]], list[UnreadableFileError]]:
    try:
        files = expand_paths(paths)
    except UnreadableFileError as exc:
        return [], [], [exc]
    tables: list[RawTable] = []
    notes: list[tuple[str, str]] = []
    errors: list[UnreadableFileError] = []
    root = _common_root(paths)
    for p in files:
        try:
            found, file_notes = read_tables(p, fields=fields, display_name=_display(p, root))
        except UnreadableFileError as exc:
            errors.append(exc)
            continue
        tables.extend(found)
        notes.extend((_display(p, root), n) for n in file_notes)
    return tables, notes, errors


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


def _read(table: str, paths: Sequence[str | os.PathLike], fields: tuple[Field, ...],
          required: tuple[str, ...], *, roster: pl.DataFrame | None = None) -> Intake:
    tables, notes, errors = _read_all(paths, fields)
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
    frame, found = _normalise(raw, fields)
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
    checked = failures(frame, table) if raw.height else found.clear()
    if extra:
        checked = pl.concat([checked, pl.DataFrame(extra, schema=checked.schema, orient="row")])
    found = pl.concat([found, checked]).unique(subset=["index", "column"], keep="first", maintain_order=True)
    header_repeat = found.filter(pl.col("code") == "I-HEADER-REPEAT")["index"]
    found = found.filter(~pl.col("index").is_in(header_repeat.implode()) | (pl.col("code") == "I-HEADER-REPEAT"))
    bad_index = found["index"].unique()
    label_of = {f.name: f.label for f in fields}
    raw_idx = raw.with_row_index("index")
    set_aside = _empty_problems()
    rejected_frame = pl.DataFrame(schema={**{c: pl.Utf8 for c in PROVENANCE[:2]}, "source_row": pl.Int64,
                                          "reasons": pl.Utf8})
    if found.height:
        located = found.join(raw_idx.select("index", *PROVENANCE), on="index", how="left")
        values = [_shown(raw_idx[c][i]) if c in raw_idx.columns else None
                  for i, c in zip(located["index"].to_list(), located["column"].to_list())]
        rows = []
        for (i, col, code, expected, file, sheet, row), value in zip(located.iter_rows(), values):
            label = label_of.get(col, col)
            rows.append((file, sheet, row, label, value, code, _message(file, sheet, row, label, value, expected, code)))
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
    per_table = dict(good.group_by("_table").len().iter_rows())
    file_rows = []
    for k, t in enumerate(usable):
        accepted_n = per_table.get(k, 0)
        file_rows.append({
            "file": t.file, "sheet": t.sheet, "header_row": t.header_row,
            "rows_read": t.frame.height, "rows_accepted": accepted_n, "rows_set_aside": t.frame.height - accepted_n,
            "blank_rows": t.blank_rows, "unknown_columns": "、".join(t.unknown_columns),
            "notes": "；".join(t.notes),
        })
    frame = _complete(good.drop("_table"), fields)
    files = pl.DataFrame(file_rows, schema={
        "file": pl.Utf8, "sheet": pl.Utf8, "header_row": pl.Int64, "rows_read": pl.Int64,
        "rows_accepted": pl.Int64, "rows_set_aside": pl.Int64, "blank_rows": pl.Int64,
        "unknown_columns": pl.Utf8, "notes": pl.Utf8})
    warnings = _empty_problems()
    if table == "plans" and frame.height:
        frame, warnings = _plan_identity(frame, roster)
    elif table == "roster" and frame.height:
        warnings = _roster_duplicates(frame)
    elif table == "plans":  # nothing accepted: still the full shape, so every later stage runs on it
        frame = frame.with_columns([pl.lit(None, dtype=pl.Utf8).alias(c) for c in
                                    ("app_id", "unit_raw", "unit_type", "branch", "duplicate_of")])
    if notes:
        note_rows = pl.DataFrame([(f, None, None, None, None, "I-NOTE", f"{f}：{n}") for f, n in notes],
                                 schema=PROBLEM_SCHEMA, orient="row")
        warnings = pl.concat([warnings, note_rows])
    return Intake(table=table, frame=frame, rejected=rejected_frame, set_aside=set_aside, warnings=warnings,
                  files=files, errors=tuple(errors))


def _complete(frame: pl.DataFrame, fields: tuple[Field, ...]) -> pl.DataFrame:
    """Give the accepted frame every canonical column (null where the export lacked it)."""
    from casplan.schema import _DTYPES

    missing = []
    for f in fields:
        if f.name not in frame.columns:
            missing.append(pl.lit(None, dtype=_DTYPES[f.kind]).alias(f.name))
        if f.about and f"{f.name}_about" not in frame.columns:
            missing.append(pl.lit(None, dtype=pl.Boolean).alias(f"{f.name}_about"))
    for name in PROVENANCE:
        if name not in frame.columns:
            missing.append(pl.lit(None, dtype=pl.Int64 if name == "source_row" else pl.Utf8).alias(name))
    if missing:
        frame = frame.with_columns(missing) if frame.width else pl.select(missing).clear()
    return frame


def _roster_duplicates(frame: pl.DataFrame) -> pl.DataFrame:
    """A warning for every roster row whose unit (folded) already appeared: the first row is the one used."""
    first: dict[str, tuple] = {}
    rows = []
    for file, sheet, row, unit in frame.select(*PROVENANCE, "unit").iter_rows():
        key = normalize_name(unit)
        if key in first:
            rows.append((file, sheet, row, "单位名称", unit, "I-DUPLICATE-UNIT",
                         f"{describe_place(file, sheet, row, '单位名称')}「{unit}」在单位名册中重复出现"
                         f"（首次出现在{describe_place(*first[key])}），采用首次出现的一行；请删去多余的一行"))
        else:
            first[key] = (file, sheet, row)
    return pl.DataFrame(rows, schema=PROBLEM_SCHEMA, orient="row")


def _plan_identity(frame: pl.DataFrame, roster: pl.DataFrame | None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Map units to the roster, give every row a stable ``app_id``, flag duplicates."""
    warnings: list[tuple] = []
    index = _roster_index(roster)
    if index:
        raw_units = frame.get_column("unit").to_list()
        mapped = []
        for unit in raw_units:
            key = normalize_name(unit)
            mapped.append(index.get(key) or index.get(key.removeprefix("中国科学院")) or unit)
        frame = frame.with_columns(pl.Series("unit_raw", raw_units, dtype=pl.Utf8),
                                   pl.Series("unit", mapped, dtype=pl.Utf8))
        known = set(index.values())
        for file, sheet, row, unit in frame.filter(~pl.col("unit").is_in(list(known))).select(
                *PROVENANCE, "unit").iter_rows():
            warnings.append((file, sheet, row, "单位名称", unit, "I-UNIT-UNKNOWN",
                             f"{describe_place(file, sheet, row, '单位名称')}「{unit}」不在单位名册中，"
                             "请核对名称或在名册「别名」列中补充"))
        info = roster.select("unit", *(c for c in ("unit_type", "branch") if c in roster.columns))
        frame = frame.drop([c for c in ("unit_type", "branch") if c in frame.columns]).join(
            info.unique("unit", keep="first"), on="unit", how="left")
    else:
        frame = frame.with_columns(pl.col("unit").alias("unit_raw"))
    for name in ("unit_type", "branch"):
        if name not in frame.columns:
            frame = frame.with_columns(pl.lit(None, dtype=pl.Utf8).alias(name))
    frame = frame.sort("source_file", "source_sheet", "source_row", nulls_last=True)
    keys = [normalize_name(u) + "|" + normalize_name(n) for u, n in zip(frame["unit"], frame["train_name"])]
    ids: list[str] = []
    dup_of: list[str | None] = []
    first: dict[str, tuple[str, tuple]] = {}
    used: set[str] = set()
    rows = frame.select(*PROVENANCE, "plan_id", "unit", "train_name", "year").iter_rows()
    for key, (file, sheet, row, plan_id, unit, name, year) in zip(keys, rows):
        base = f"P{plan_id.removesuffix('.0')}" if plan_id else stable_id(unit, name, year)
        app_id, k = base, 2
        while app_id in used:
            app_id, k = f"{base}-{k}", k + 1
        used.add(app_id)
        ids.append(app_id)
        if key in first:
            first_id, place = first[key]
            dup_of.append(first_id)
            warnings.append((file, sheet, row, "培训名称", name, "I-DUPLICATE",
                             f"{describe_place(file, sheet, row)}「{unit}」的「{name}」与 "
                             f"{describe_place(*place)}（{first_id}）同名，请核对是否重复申报"))
        else:
            first[key] = (app_id, (file, sheet, row))
            dup_of.append(None)
    frame = frame.with_columns(pl.Series("app_id", ids, dtype=pl.Utf8),
                               pl.Series("duplicate_of", dup_of, dtype=pl.Utf8))
    frame = frame.select("app_id", *[c for c in frame.columns if c != "app_id"])
    return frame, pl.DataFrame(warnings, schema=PROBLEM_SCHEMA, orient="row")


def read_plans(paths: Iterable[str | os.PathLike] | str | os.PathLike, *,
               roster: pl.DataFrame | None = None) -> Intake:
    """Read plan exports (files or folders) into the canonical plan table.

    Parameters
    ----------
    paths : files (xlsx, xls, csv …) or folders of per-unit files.
    roster : the accepted roster frame (:func:`read_roster`), to map unit names and
        aliases to the roster's names and attach 单位类型 and 所属分院.
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    return _read("plans", list(paths), FIELDS, REQUIRED_PLAN_FIELDS, roster=roster)


def read_history(paths: Iterable[str | os.PathLike] | str | os.PathLike) -> Intake:
    """Read the history of earlier years' 院级资助 / 精品 / 人社部 projects."""
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    intake = _read("history", list(paths), HISTORY_FIELDS, ("unit", "year", "train_name"))
    return intake


def read_reviews(paths: Iterable[str | os.PathLike] | str | os.PathLike) -> Intake:
    """Read expert reviews (申报编号, 评审专家, 评分[, 把握程度])."""
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    return _read("reviews", list(paths), REVIEW_FIELDS, ("app_id", "reviewer", "score"))


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
