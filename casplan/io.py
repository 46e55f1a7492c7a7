"""Reading the bureau's files and writing ours — the only module that touches files.

Readers return :class:`RawTable` objects: every cell as text (or null), the
header found wherever it stands (title rows and merged cells above it are
skipped), the columns mapped to canonical names where known and kept under their
own header where not, and each row's source file, sheet and row number as Excel
shows it. Formats are told by the bytes, not the file name: an ``.xlsx`` that is
really CSV or HTML (platforms export such files) is read as what it is, with a
note. CSV encodings (UTF-8, UTF-8 with BOM, UTF-16, GB18030/GBK) are detected.

Writers are atomic: they write a temporary file beside the target and rename it,
so a failed run never leaves half a file where the last good one was.
"""

from __future__ import annotations

import csv
import io
import os
import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from casplan.errors import UnreadableFileError
from casplan.fields import FIELDS, PROVENANCE, Field, match_header

__all__ = [
    "RawTable",
    "expand_paths",
    "read_tables",
    "excel_column",
    "write_atomic",
    "write_text_atomic",
    "write_frame",
    "write_workbook",
    "neutralise_formula",
    "TABLE_SUFFIXES",
]

TABLE_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods", ".csv", ".txt", ".tsv", ".htm", ".html")
HEADER_SCAN_ROWS = 30
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


def excel_column(index: int) -> str:
    """Excel's letter for a 0-based column index.

    >>> excel_column(0), excel_column(25), excel_column(26), excel_column(701)
    ('A', 'Z', 'AA', 'ZZ')
    """
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def expand_paths(paths: Iterable[str | os.PathLike]) -> list[Path]:
    """Files named, and the table files inside folders named (recursively, sorted).

    Excel's lock files (``~$…``) and hidden files are skipped. A path that does
    not exist raises :class:`UnreadableFileError`.
    """
    out: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found = sorted(
                f for f in p.rglob("*")
                if f.is_file() and f.suffix.lower() in TABLE_SUFFIXES
                and not f.name.startswith(("~$", ".")) and f.name not in ("EXPECTED.json",)
            )
            if not found:
                raise UnreadableFileError(f"文件夹 {p} 中没有可读取的表格文件（.xlsx、.xls、.csv）", file=str(p))
            out.extend(found)
        elif p.is_file():
            out.append(p)
        else:
            raise UnreadableFileError(f"找不到文件 {p}，请检查路径是否正确", file=str(p))
    seen: set[Path] = set()
    unique = []
    for p in out:
        key = p.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(p)
    return unique


# --- format detection ------------------------------------------------------------------------

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_MARK = "EncryptionInfo".encode("utf-16-le")


def _sniff(data: bytes) -> str:
    if data.startswith(b"PK\x03\x04"):
        return "zip"
    if data.startswith(_OLE_MAGIC):
        return "encrypted" if _ENCRYPTED_MARK in data else "xls"
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<!doctype html", b"<html", b"<table", b"<?xml", b"<meta", b"<head", b"<body")) \
            or (head.startswith(b"<") and b"<table" in data[:65536].lower()):
        return "html"
    return "text"


def _decode(data: bytes, name: str) -> tuple[str, str]:
    """Decode CSV bytes; return (text, encoding label)."""
    lying_bom = False
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "UTF-8（带 BOM）"
        except UnicodeDecodeError:
            data, lying_bom = data[3:], True  # GBK text behind a UTF-8 BOM: the BOM would garble the first header
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError:
            pass
    for codec, label in (("utf-8", "UTF-8"), ("gb18030", "GB18030/GBK")):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        # Control bytes other than tab/newline mean binary data, whatever decoded.
        if any(ch in text for ch in "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0e\x0f\x10\x1a\x1b"):
            break
        return text, label + ("（文件开头的 UTF-8 标记与内容不符，已忽略）" if lying_bom else "")
    raise UnreadableFileError(
        f"{name}：无法识别文件编码（已尝试 UTF-8、UTF-8 带 BOM、UTF-16、GB18030/GBK），"
        "请在 Excel 中另存为“CSV UTF-8”或 .xlsx 后再试", file=name)


# --- grids: every cell as text ---------------------------------------------------------------

@dataclass(frozen=True)
class _Grid:
    sheet: str | None
    frame: pl.DataFrame        # columns c0…cN, all Utf8; row i is Excel row i+1
    letters: tuple[str, ...]   # Excel letter of each column
    note: str | None = None


# Excel's error values as Excel shows them (calamine's names): a formula that failed is not a blank cell.
_EXCEL_ERRORS = {"Div0": "#DIV/0!", "NA": "#N/A", "Name": "#NAME?", "Null": "#NULL!", "Num": "#NUM!",
                 "Ref": "#REF!", "Value": "#VALUE!", "GettingData": "#GETTING_DATA"}
_ERROR_DETAIL = re.compile(r"Error\((\w+)\)")


def _with_error_cells(frame: pl.DataFrame, errors: Sequence) -> pl.DataFrame:
    """Put back the cells the reader turned into nulls (#DIV/0!, #REF! …), so they are set aside, not lost."""
    if not errors:
        return frame
    columns = {name: frame.get_column(name).to_list() for name in frame.columns}
    names = frame.columns
    for error in errors:
        row, col = error.offset_position
        if 0 <= row < frame.height and 0 <= col < len(names):
            found = _ERROR_DETAIL.search(str(error.detail))
            kind = found.group(1) if found else ""
            columns[names[col]][row] = _EXCEL_ERRORS.get(kind, f"#{kind or 'ERROR'}")
    return pl.DataFrame(columns, schema={name: pl.Utf8 for name in names})


def _excel_grids(path: Path, name: str) -> Iterator[_Grid]:
    import fastexcel

    try:
        reader = fastexcel.read_excel(str(path))
        sheet_names = list(reader.sheet_names)
    except Exception as exc:  # fastexcel raises its own tree; all mean "cannot open"
        raise UnreadableFileError(
            f"{name}：无法作为 Excel 工作簿打开（文件可能已损坏或不是 Excel 文件；{type(exc).__name__}）",
            file=name) from None
    for sheet in sheet_names:
        try:
            loaded = reader.load_sheet(sheet, header_row=None, dtypes="string", skip_rows=0)
            batch, cell_errors = loaded.to_arrow_with_errors()
            frame = pl.from_arrow(batch)
            absolute = [c.absolute_index for c in loaded.available_columns()]
            frame = _with_error_cells(frame, cell_errors.errors if cell_errors is not None else ())
            visible = getattr(loaded, "visible", "visible")
        except Exception as exc:
            raise UnreadableFileError(
                f"{name} 工作表「{sheet}」：无法读取（{type(exc).__name__}: {exc}）", file=name, sheet=sheet) from None
        if str(visible).lower() not in ("visible", "true", "1"):
            yield _Grid(sheet, pl.DataFrame(), (), note=f"工作表「{sheet}」为隐藏工作表，未读取")
            continue
        frame = frame.rename({c: f"c{i}" for i, c in enumerate(frame.columns)})
        yield _Grid(sheet, frame, tuple(excel_column(i) for i in absolute))


def _check_quotes(text: str, sep: str, name: str) -> None:
    """Refuse a CSV whose last quoted cell never closes: it would swallow every line after it."""
    if '"' not in text:
        return
    try:
        for _ in csv.reader(io.StringIO(text, newline=""), delimiter=sep, strict=True):
            pass
    except csv.Error as exc:
        if "unexpected end of data" not in str(exc):
            return  # other slips (text after a closing quote) are read as Excel reads them
        total = len(io.StringIO(text, newline="").readlines())
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
        start = 1
        for _ in reader:
            if reader.line_num < total:  # the last row read is the one the open quote swallowed
                start = reader.line_num + 1
        after = total - start
        raise UnreadableFileError(
            f"{name}：第 {start} 行有一个引号（\"）没有闭合，其后 {after} 行都会被读进同一个单元格、无法分清各行；"
            "请在该行补上闭合的引号后再试", file=name) from None


def _csv_grid(text: str, name: str) -> _Grid:
    sample = "\n".join(text.splitlines()[:HEADER_SCAN_ROWS])
    counts = {sep: sample.count(sep) for sep in (",", "\t", ";", "|")}
    sep = max(counts, key=lambda s: (counts[s], s == ","))
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=sep))
    _check_quotes(text, sep, name)
    width = max((len(r) for r in rows), default=0)
    if width == 0:
        return _Grid(None, pl.DataFrame(), ())
    columns = {f"c{j}": [r[j] if j < len(r) and r[j] != "" else None for r in rows] for j in range(width)}
    frame = pl.DataFrame(columns, schema={c: pl.Utf8 for c in columns})
    return _Grid(None, frame, tuple(excel_column(j) for j in range(width)))


class _TableParser:
    """Collects the cells of every <table> of an HTML page (stdlib parser, no lxml)."""

    def __init__(self) -> None:
        from html.parser import HTMLParser

        outer = self
        self.tables: list[list[list[str | None]]] = []
        self._stack: list[list[list[str | None]]] = []
        self._cell: list[str] | None = None

        class _P(HTMLParser):
            def handle_starttag(self, tag, attrs):
                outer._start(tag)

            def handle_endtag(self, tag):
                outer._end(tag)

            def handle_data(self, data):
                if outer._cell is not None:
                    outer._cell.append(data)

        self.parser = _P(convert_charrefs=True)

    def _start(self, tag: str) -> None:
        if tag == "table":
            self._stack.append([])
        elif tag == "tr" and self._stack:
            self._stack[-1].append([])
        elif tag in ("td", "th") and self._stack:
            if not self._stack[-1]:
                self._stack[-1].append([])
            self._cell = []
        elif tag == "br" and self._cell is not None:
            self._cell.append("\n")

    def _end(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._stack:
            text = "".join(self._cell).strip()
            self._stack[-1][-1].append(text or None)
            self._cell = None
        elif tag == "table" and self._stack:
            self.tables.append(self._stack.pop())


def _html_grids(text: str, name: str) -> Iterator[_Grid]:
    collector = _TableParser()
    collector.parser.feed(text)
    collector.parser.close()
    tables = [t for t in collector.tables if any(t)]
    if not tables:
        raise UnreadableFileError(f"{name}：是网页（HTML）文件，但其中没有可读取的表格", file=name)
    for k, rows in enumerate(tables, start=1):
        width = max(len(r) for r in rows)
        columns = {f"c{j}": [r[j] if j < len(r) else None for r in rows] for j in range(width)}
        frame = pl.DataFrame(columns, schema={c: pl.Utf8 for c in columns})
        yield _Grid(f"表格{k}", frame, tuple(excel_column(j) for j in range(width)))


def _grids(path: Path, name: str) -> tuple[list[_Grid], list[str]]:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise UnreadableFileError(f"找不到文件 {name}", file=name) from None
    except OSError as exc:
        raise UnreadableFileError(f"{name}：无法读取（{exc.strerror}）", file=name) from None
    if not data.strip():
        raise UnreadableFileError(f"{name}：文件为空", file=name)
    kind = _sniff(data)
    suffix = path.suffix.lower()
    notes: list[str] = []
    if kind == "encrypted":
        raise UnreadableFileError(
            f"{name}：工作簿设有打开密码，无法读取；请在 Excel 中取消密码（文件→信息→保护工作簿）后另存再试", file=name)
    if kind in ("zip", "xls"):
        return list(_excel_grids(path, name)), notes
    excel_suffix = suffix in (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")
    if kind == "html":
        if excel_suffix:
            notes.append(f"文件扩展名为 {suffix}，但内容是网页（HTML）表格，已按网页表格读取")
        text, _ = _decode(data, name)
        return list(_html_grids(text, name)), notes
    text, encoding = _decode(data, name)
    if excel_suffix:
        notes.append(f"文件扩展名为 {suffix}，但内容是文本（CSV），已按 CSV 读取（编码 {encoding}）")
    elif encoding != "UTF-8":
        notes.append(f"CSV 编码识别为 {encoding}")
    return [_csv_grid(text, name)], notes


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


def _table_from_grid(grid: _Grid, name: str, fields: tuple[Field, ...], notes: list[str],
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
            unknown.append(text)
    body = body.select(list(rename)).rename(rename)
    rows = pl.int_range(header_idx + 2, header_idx + 2 + body.height, eager=True)
    body = body.with_columns(
        pl.lit(name).alias("source_file"),
        pl.lit(grid.sheet, dtype=pl.Utf8).alias("source_sheet"),
        rows.cast(pl.Int64).alias("source_row"),
    )
    data_cols = [c for c in body.columns if c not in PROVENANCE]
    if data_cols:
        blank = pl.all_horizontal(  # anchored: stops at the first visible character of long cells
            [pl.col(c).is_null() | pl.col(c).str.contains(r"^[\s\u3000\u00a0\u200b\ufeff]*$") for c in data_cols])
        blank_rows = int(body.select(blank.sum()).item())
        body = body.filter(~blank)
    else:
        blank_rows = body.height
        body = body.clear()
    return RawTable(
        file=name, sheet=grid.sheet, header_row=header_idx + 1, frame=body, columns=columns,
        unknown_columns=tuple(unknown), blank_rows=blank_rows, notes=tuple(table_notes),
    )


def read_tables(path: str | os.PathLike, *, fields: tuple[Field, ...] = FIELDS,
                display_name: str | None = None, min_matches: int | None = None) -> tuple[list[RawTable], list[str]]:
    """Every table of ``fields`` in a file (all sheets), and file-level notes.

    ``min_matches``: how many known labels make a header row (default 3, or 2 for small field sets).

    Raises
    ------
    UnreadableFileError
        When the file is missing, empty, corrupt, encrypted, undecodable, or holds
        no sheet with a recognisable header.
    """
    p = Path(path)
    name = display_name or str(path)
    grids, notes = _grids(p, name)
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
    return tables, notes


# --- writing ---------------------------------------------------------------------------------

_FORMULA_START = re.compile(r"^[=+\-@\t\r]")


def neutralise_formula(text: str) -> str:
    """Make a text cell inert for spreadsheet programs (no formula, no DDE).

    >>> neutralise_formula("=SUM(A1:A3)")
    "'=SUM(A1:A3)"
    >>> neutralise_formula("量子信息")
    '量子信息'
    """
    return "'" + text if _FORMULA_START.match(text) else text


def write_atomic(path: str | os.PathLike, data: bytes) -> Path:
    """Write bytes to ``path`` through a temporary file and a rename."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; reports are shared files
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def write_text_atomic(path: str | os.PathLike, text: str) -> Path:
    """Write UTF-8 text atomically."""
    return write_atomic(path, text.encode("utf-8"))


def _excel_bytes(sheets: dict[str, pl.DataFrame], *, number_formats: dict[str, str] | None = None) -> bytes:
    import datetime as dt

    import xlsxwriter

    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                      "strings_to_numbers": False, "strings_to_urls": False})
    wb.set_properties({"created": dt.datetime(2000, 1, 1)})
    head = wb.add_format({"bold": True, "bg_color": "#DDE7F0", "border": 1, "text_wrap": True, "valign": "top"})
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    number_fmt = {k: wb.add_format({"num_format": v}) for k, v in (number_formats or {}).items()}
    for sheet_name, frame in sheets.items():
        ws = wb.add_worksheet(sheet_name[:31])
        for j, col in enumerate(frame.columns):
            ws.write_string(0, j, col, head)
            dtype = frame.schema[col]
            values = frame.get_column(col).to_list()
            width = max([len(col) * 2] + [len(str(v)) * (2 if any(ord(c) > 255 for c in str(v)) else 1)
                                          for v in values[:200] if v is not None])
            ws.set_column(j, j, min(max(width + 2, 8), 60), number_fmt.get(col))
            for i, v in enumerate(values, start=1):
                if v is None:
                    continue
                if isinstance(v, bool):
                    ws.write_string(i, j, "是" if v else "否")
                elif dtype.is_numeric():
                    ws.write_number(i, j, v)
                elif isinstance(v, dt.date):
                    ws.write_datetime(i, j, dt.datetime(v.year, v.month, v.day), date_fmt)
                else:
                    ws.write_string(i, j, neutralise_formula(str(v)))
        ws.freeze_panes(1, 0)
        if frame.width:
            ws.autofilter(0, 0, max(frame.height, 1), frame.width - 1)
    wb.close()
    return buffer.getvalue()


def write_workbook(sheets: dict[str, pl.DataFrame], path: str | os.PathLike, *,
                   number_formats: dict[str, str] | None = None) -> Path:
    """Write several sheets into one xlsx atomically: bold frozen header, filters, widths, number formats.

    Text that a spreadsheet would take for a formula (``=``, ``+``, ``-``, ``@``) is neutralised.
    """
    return write_atomic(path, _excel_bytes(sheets, number_formats=number_formats))


def write_frame(frame: pl.DataFrame, path: str | os.PathLike, *, sheet: str = "数据") -> Path:
    """Write a frame as CSV (UTF-8 with BOM, for Excel) or xlsx, by the file's ending, atomically.

    Booleans are written 是/否, dates YYYY-MM-DD, numbers as numbers; text that
    a spreadsheet would take for a formula is neutralised.
    """
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return write_atomic(target, _excel_bytes({sheet: frame}))
    if suffix not in (".csv", ".txt"):
        raise UnreadableFileError(f"无法写出 {target}：只支持 .csv 和 .xlsx", file=str(target))
    out = frame.with_columns(
        [pl.when(pl.col(c)).then(pl.lit("是")).when(~pl.col(c)).then(pl.lit("否")).alias(c)
         for c, t in frame.schema.items() if t == pl.Boolean]
        + [pl.col(c).map_elements(neutralise_formula, return_dtype=pl.Utf8).alias(c)
           for c, t in frame.schema.items() if t == pl.Utf8]
    )
    text = out.write_csv(date_format="%Y-%m-%d")
    return write_atomic(target, b"\xef\xbb\xbf" + text.encode("utf-8"))


def read_yaml(path: str | os.PathLike) -> object:
    """Parse a small YAML file (overrides, scenarios); errors name the file and line."""
    import yaml

    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise UnreadableFileError(f"找不到文件 {p}", file=str(p)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UnreadableFileError(f"{p}：无法读取（{exc}）", file=str(p)) from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"第 {mark.line + 1} 行" if mark else ""
        raise UnreadableFileError(f"{p} {where}不是有效的 YAML：{getattr(exc, 'problem', exc)}", file=str(p)) from None
    except (ValueError, RecursionError) as exc:  # the constructors' own: 2023-02-30, !!int abc, nesting too deep
        raise UnreadableFileError(f"{p} 中有无法识别的值（{exc}）；请检查其中的日期是否存在（如 2023-02-30）"
                                  "以及方括号、花括号是否成对", file=str(p)) from None


def read_plain_table(path: str | os.PathLike) -> pl.DataFrame:
    """A small table whose header is its first non-blank row (overrides, reviews, score files): all text.

    Adds ``source_row`` (the row as Excel shows it).
    """
    p = Path(path)
    grids, _ = _grids(p, str(p))
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
                return body.filter(keep)
    raise UnreadableFileError(f"{p}：没有可读取的表格", file=str(p))
