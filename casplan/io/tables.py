"""Tables found in files: the header wherever it stands, merged cells filled, canonical columns, provenance."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from casplan.errors import UnreadableFileError
from casplan.intake.fields import FIELDS, IGNORED_PLAN_HEADERS, PROVENANCE, Field, header_key, match_header
from casplan.io.grid import Grid, column_index, excel_column
from casplan.io.sources import DEFAULT_LIMITS, Limits, Source, read_source
from casplan.io.text import HEADER_SCAN_ROWS, PRIVATE_USE, csv_grid, decode_table_text, html_grids
from casplan.io.workbook import excel_grids, sniff

__all__ = ["RawTable", "read_file_tables", "read_tables", "read_plain_table", "read_plain_table_source",
           "HEADER_SCAN_ROWS", "MIN_HEADER_MATCHES"]

MIN_HEADER_MATCHES = 3


@dataclass(frozen=True)
class RawTable:
    """One table found in a file: text cells under canonical or original column names.

    Attributes
    ----------
    file, sheet : where it came from (``sheet`` is None for CSV).
    header_row : the Excel row number of the header.
    frame : one row per non-blank data row; canonical columns, unknown columns under
        their own header, and the provenance columns ``source_file``, ``source_sheet``,
        ``source_row`` (the row number as Excel shows it).
    columns : header text → (canonical name or None, Excel column letter).
    unknown_columns : headers that were kept but are not part of the canonical table.
    blank_rows : data rows that were entirely empty (not counted as rows read).
    notes : Chinese notes for the analyst about this table (format, duplicated labels…).
    """

    file: str
    sheet: str | None
    header_row: int
    frame: pl.DataFrame
    columns: dict[str, tuple[str | None, str]]
    unknown_columns: tuple[str, ...]
    blank_rows: int
    notes: tuple[str, ...] = field(default=())


def grids_of(data: bytes, name: str, suffix: str, limits: Limits) -> tuple[list[Grid], list[str]]:
    if not data.strip():
        raise UnreadableFileError(f"{name}：文件为空", file=name)
    kind = sniff(data)
    notes: list[str] = []
    if kind == "encrypted":
        raise UnreadableFileError(
            f"{name}：工作簿设有打开密码，无法读取；请在 Excel 中取消密码（文件→信息→保护工作簿）后另存再试", file=name)
    if kind in ("zip", "xls"):
        return list(excel_grids(data, name, kind, limits)), notes
    excel_suffix = suffix in (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")
    if kind == "html":
        if excel_suffix:
            notes.append(f"文件扩展名为 {suffix}，但内容是网页（HTML）表格，已按网页表格读取")
        text, _ = decode_table_text(data, name)
        return list(html_grids(text, name)), notes
    text, encoding = decode_table_text(data, name)
    if excel_suffix:
        notes.append(f"文件扩展名为 {suffix}，但内容是文本（CSV），已按 CSV 读取（编码 {encoding}）")
    elif encoding != "UTF-8":
        notes.append(f"CSV 编码识别为 {encoding}")
    if PRIVATE_USE.search(text):
        notes.append("文件中有无法显示的字符（私用区字符，多为编码混杂：一部分按 UTF-8、一部分按 GBK 保存），"
                     "含这些字符的行已搁置")
    return [csv_grid(text, name, limits)], notes


# --- header detection ------------------------------------------------------------------------

def _header_candidates(frame: pl.DataFrame, fields: tuple[Field, ...]) -> tuple[int, int]:
    """(row index of the best header row, number of recognised labels in it)."""
    best = (-1, 0)
    for i, row in enumerate(frame.head(HEADER_SCAN_ROWS).iter_rows()):
        names = {match_header(v, fields) for v in row if v is not None and str(v).strip()}
        names.discard(None)
        if len(names) > best[1]:
            best = (i, len(names))
    return best


def _is_blank(values: Sequence[str | None]) -> bool:
    return all(v is None or not str(v).strip() for v in values)


def _blank_mask(frame: pl.DataFrame) -> pl.Series:
    """True for rows in which every cell is empty or whitespace (anchored: long cells stop early)."""
    if frame.width == 0:
        return pl.Series([True] * frame.height, dtype=pl.Boolean)
    return frame.select(pl.all_horizontal(
        [pl.col(c).is_null() | pl.col(c).str.contains(r"^[\s\u3000\u00a0\u200b\ufeff]*$")
         for c in frame.columns])).to_series()


def _fill_merges(body: pl.DataFrame, grid: Grid, header_idx: int,
                 header: Sequence[str | None]) -> tuple[pl.DataFrame, str | None]:
    """Fill every merged range of the data area with its top-left value (Excel shows it on every row).

    ``body`` holds the rows below the header (row 0 = Excel row ``header_idx + 2``); ranges
    that touch the header or the rows above it are left alone.
    """
    if not grid.merges or body.height == 0:
        return body, None
    by_abs = {column_index(letter): j for j, letter in enumerate(grid.letters)}
    columns: dict[str, list] = {}
    filled: list[str] = []
    cells = 0
    for r1, c1, r2, c2 in grid.merges:
        if r1 <= header_idx:
            continue
        top = r1 - header_idx - 1
        if top >= body.height:
            continue
        j0 = by_abs.get(c1)
        if j0 is None:
            continue
        name0 = f"c{j0}"
        if name0 not in columns:
            columns[name0] = body.get_column(name0).to_list()
        value = columns[name0][top]
        if value is None:
            continue
        last = min(r2 - header_idx - 1, body.height - 1)
        for c in range(c1, c2 + 1):
            j = by_abs.get(c)
            if j is None:
                continue
            name = f"c{j}"
            if name not in columns:
                columns[name] = body.get_column(name).to_list()
            col = columns[name]
            for i in range(top, last + 1):
                if (i, c) != (top, c1) and col[i] is None:
                    col[i] = value
                    cells += 1
        if last > top or c2 > c1:
            label = header[j0] if j0 < len(header) and header[j0] else grid.letters[j0]
            filled.append(f"「{' '.join(str(label).split())}」{excel_column(c1)}{r1 + 1}:{excel_column(c2)}{r2 + 1}")
    if not cells:
        return body, None
    out = body.with_columns([pl.Series(k, v, dtype=pl.Utf8) for k, v in columns.items()])
    where = f"工作表「{grid.sheet}」" if grid.sheet else ""
    shown = "、".join(filled[:3]) + ("等" if len(filled) > 3 else "")
    return out, (f"{where}有 {len(filled)} 处合并单元格（{shown}），已按合并区域的值逐行填入（共 {cells} 个单元格）")


_IGNORED_KEYS = frozenset(header_key(h) for h in IGNORED_PLAN_HEADERS)


def _table_from_grid(grid: Grid, name: str, fields: tuple[Field, ...], notes: list[str],
                     min_matches: int | None = None) -> RawTable | None:
    frame = grid.frame
    if frame.height == 0 or frame.width == 0:
        return None
    header_idx, matched = _header_candidates(frame, fields)
    if matched < (min_matches or min(MIN_HEADER_MATCHES, max(2, len(fields) // 2))):
        return None
    header = frame.row(header_idx)
    where = f"工作表「{grid.sheet}」" if grid.sheet else ""
    table_notes = list(notes)
    columns: dict[str, tuple[str | None, str]] = {}
    rename: dict[str, str] = {}
    taken: dict[str, str] = {}
    unknown: list[str] = []
    body = frame.slice(header_idx + 1)
    for j, cell in enumerate(header):
        letter = grid.letters[j] if j < len(grid.letters) else excel_column(j)
        text = "" if cell is None else " ".join(str(cell).split())
        canonical = match_header(text, fields) if text else None
        if canonical and canonical in taken:
            kept = f"{text}（重复列 {letter}）"
            table_notes.append(
                f"{where}第 {header_idx + 1} 行表头「{text}」与第 {taken[canonical]} 列重复，"
                f"采用第 {taken[canonical]} 列，第 {letter} 列原样保留为「{kept}」")
            canonical, text = None, kept
        if canonical:
            taken[canonical] = letter
            rename[f"c{j}"] = canonical
            columns[text] = (canonical, letter)
        else:
            col = body.get_column(f"c{j}")
            if not text:
                if col.null_count() == len(col) or col.str.strip_chars().eq("").all():
                    continue
                text = f"未命名列 {letter}"
            while text in columns or text in {f.name for f in fields}:
                text = f"{text}（{letter}）"
            rename[f"c{j}"] = text
            columns[text] = (None, letter)
            if header_key(text) not in _IGNORED_KEYS:
                unknown.append(text)
    filled, merge_note = _fill_merges(body, grid, header_idx, header)
    if merge_note:
        table_notes.append(merge_note)
    was_blank = _blank_mask(body.select(list(rename)))
    body = filled.select(list(rename)).rename(rename)
    rows = pl.int_range(header_idx + 2, header_idx + 2 + body.height, eager=True)
    body = body.with_columns(
        pl.lit(name).alias("source_file"),
        pl.lit(grid.sheet, dtype=pl.Utf8).alias("source_sheet"),
        rows.cast(pl.Int64).alias("source_row"),
    )
    data_cols = [c for c in body.columns if c not in PROVENANCE]
    if data_cols:
        # a row whose only content came from a merged cell above it is as blank as Excel shows it
        blank = was_blank | _blank_mask(body.select(data_cols))
        blank_rows = int(blank.sum())
        body = body.filter(~blank)
    else:
        blank_rows = body.height
        body = body.clear()
    return RawTable(
        file=name, sheet=grid.sheet, header_row=header_idx + 1, frame=body, columns=columns,
        unknown_columns=tuple(unknown), blank_rows=blank_rows, notes=tuple(table_notes),
    )


def read_file_tables(path: str | os.PathLike, *, kind: str, fields: tuple[Field, ...] = FIELDS,
                     display_name: str | None = None, min_matches: int | None = None,
                     limits: Limits = DEFAULT_LIMITS) -> tuple[list[RawTable], list[str], Source]:
    """Every table of ``fields`` in a file (all sheets), file-level notes, and the :class:`Source` read.

    ``kind`` names the input (``plans``, ``history`` …) in the source record;
    ``min_matches``: how many known labels make a header row (default 3, or 2 for small field sets).

    Raises
    ------
    UnreadableFileError
        When the file is missing, empty, too large or malformed (:class:`Limits`), corrupt,
        encrypted, undecodable, or holds no sheet with a recognisable header.
    """
    p = Path(path)
    name = display_name or str(path)
    data, source = read_source(p, kind=kind, display=name, limits=limits)
    grids, notes = grids_of(data, name, p.suffix.lower(), limits)
    del data
    tables: list[RawTable] = []
    skipped: list[str] = []
    for grid in grids:
        if grid.note:
            notes.append(grid.note)
            continue
        table = _table_from_grid(grid, name, fields, notes if not tables else [], min_matches)
        if table is None:
            if grid.sheet is not None:
                skipped.append(grid.sheet)
            continue
        tables.append(table)
    if not tables:
        labels = "、".join(f.label for f in fields[:6])
        need = min_matches or MIN_HEADER_MATCHES
        raise UnreadableFileError(
            f"{name}：找不到可识别的表头（前 {HEADER_SCAN_ROWS} 行中没有一行含至少 {need} 个已知列名，"
            f"如 {labels}）", file=name)
    for sheet in skipped:
        notes.append(f"工作表「{sheet}」中没有可识别的表头，未读取")
    return tables, notes, source


def read_tables(path: str | os.PathLike, *, fields: tuple[Field, ...] = FIELDS,
                display_name: str | None = None, min_matches: int | None = None,
                limits: Limits = DEFAULT_LIMITS) -> tuple[list[RawTable], list[str]]:
    """:func:`read_file_tables` without the source record (kind ``table``)."""
    tables, notes, _ = read_file_tables(path, kind="table", fields=fields, display_name=display_name,
                                        min_matches=min_matches, limits=limits)
    return tables, notes


def read_plain_table(path: str | os.PathLike, *, kind: str = "table") -> pl.DataFrame:
    """A small table whose header is its first non-blank row (overrides, reviews, score files): all text.

    Adds ``source_row`` (the row as Excel shows it).
    """
    return read_plain_table_source(path, kind=kind)[0]


def read_plain_table_source(path: str | os.PathLike, *, kind: str) -> tuple[pl.DataFrame, Source]:
    """:func:`read_plain_table` and the :class:`Source` read."""
    p = Path(path)
    data, source = read_source(p, kind=kind)
    grids, _ = grids_of(data, str(p), p.suffix.lower(), DEFAULT_LIMITS)
    for grid in grids:
        frame = grid.frame
        if grid.note or frame.height == 0:
            continue
        rows = frame.iter_rows()
        for i, row in enumerate(rows):
            if not _is_blank(row):
                header = [" ".join(str(v).split()) if v is not None else f"未命名列 {grid.letters[j]}"
                          for j, v in enumerate(row)]
                body = frame.slice(i + 1).rename(dict(zip(frame.columns, header)))
                body = body.with_columns(pl.int_range(i + 2, i + 2 + body.height).alias("source_row"))
                keep = pl.any_horizontal([pl.col(c).is_not_null() for c in header])
                return body.filter(keep), source
    raise UnreadableFileError(f"{p}：没有可读取的表格", file=str(p))
