"""Writing ours: every output through one atomic writer (bytes, text, JSON, xlsx, csv)."""

from __future__ import annotations

import io
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from casplan.errors import UnreadableFileError

__all__ = ["EXCEL_MAX_CELL", "SheetTitle", "neutralise_formula", "write_atomic", "write_text_atomic", "write_json", "write_frame",
           "write_workbook", "excel_bytes", "os_reason"]

EXCEL_MAX_CELL = 32_767  # Excel's own limit on the characters of one cell


@dataclass(frozen=True)
class SheetTitle:
    """Rows printed above a sheet's table (a document's title and its date line); the table follows them."""

    title: str
    lines: tuple[str, ...] = ()
    landscape: bool = False


# --- writing ---------------------------------------------------------------------------------
# --- writing ---------------------------------------------------------------------------------

# = + - @ start a formula in Excel and LibreOffice; tab and CR can hide one; the full-width forms
# (＝ ＋ － ＠) are turned into formulas by Chinese and Japanese input methods.
_FORMULA_START = re.compile("^[=+\\-@\t\r\n\uff1d\uff0b\uff0d\uff20]")


def neutralise_formula(text: str) -> str:
    """Make a text cell inert for spreadsheet programs (no formula, no DDE).

    >>> neutralise_formula("=SUM(A1:A3)"), neutralise_formula("＝1+1"), neutralise_formula("\\t=1")
    ("'=SUM(A1:A3)", "'＝1+1", "'\\t=1")
    >>> neutralise_formula("量子信息")
    '量子信息'
    """
    return "'" + text if _FORMULA_START.match(text) else text


def write_atomic(path: str | os.PathLike, data: bytes) -> Path:
    """Write bytes to ``path`` through a temporary file and a rename.

    Raises
    ------
    UnreadableFileError
        When the folder cannot be created or written (read-only, a dangling link, a file in the way).
    """
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise UnreadableFileError(f"无法写入 {target}：{os_reason(exc)}", file=str(target)) from None
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; reports are shared files
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise UnreadableFileError(f"无法写入 {target}：{os_reason(exc)}", file=str(target)) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def os_reason(exc: OSError) -> str:
    import errno

    reasons = {errno.EACCES: "没有写入权限", errno.EROFS: "所在磁盘为只读", errno.ENOSPC: "磁盘空间不足",
               errno.ENOENT: "文件夹不存在（或是指向不存在位置的链接）", errno.ENOTDIR: "路径中有一段不是文件夹",
               errno.EEXIST: "同名文件已存在", errno.EISDIR: "目标是文件夹", errno.EPERM: "没有写入权限"}
    return reasons.get(exc.errno or 0, exc.strerror or type(exc).__name__)


def write_text_atomic(path: str | os.PathLike, text: str) -> Path:
    """Write UTF-8 text atomically."""
    return write_atomic(path, text.encode("utf-8"))


def excel_bytes(sheets: dict[str, pl.DataFrame], *, number_formats: dict[str, str] | None = None,
                 notes: list[str] | None = None, titles: dict[str, SheetTitle] | None = None) -> bytes:
    """The xlsx bytes of ``sheets``; every sheet is set up to print on A4: the header row repeated on each
    page, the width fitted to one page, 「第 x 页，共 y 页」 in the footer; ``titles`` puts a title above a
    sheet's table."""
    import datetime as dt

    import xlsxwriter

    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                      "strings_to_numbers": False, "strings_to_urls": False})
    wb.set_properties({"created": dt.datetime(2000, 1, 1)})
    head = wb.add_format({"bold": True, "bg_color": "#DDE7F0", "border": 1, "text_wrap": True, "valign": "top"})
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    number_fmt = {k: wb.add_format({"num_format": v}) for k, v in (number_formats or {}).items()}
    title_fmt = wb.add_format({"bold": True, "font_size": 14})
    for sheet_name, frame in sheets.items():
        ws = wb.add_worksheet(sheet_name[:31])
        top = (titles or {}).get(sheet_name)
        h = 0
        if top is not None:
            ws.write_string(0, 0, neutralise_formula(top.title), title_fmt)
            for k, line in enumerate(top.lines, start=1):
                ws.write_string(k, 0, neutralise_formula(line))
            h = 1 + len(top.lines)
        ws.set_paper(9)  # A4
        if top is None or top.landscape:
            ws.set_landscape()
        ws.repeat_rows(h)
        ws.fit_to_pages(1, 0)
        ws.set_footer("&C第 &P 页，共 &N 页")
        for j, col in enumerate(frame.columns):
            ws.write_string(h, j, col, head)
            dtype = frame.schema[col]
            values = frame.get_column(col).to_list()
            width = max([len(col) * 2] + [len(str(v)) * (2 if any(ord(c) > 255 for c in str(v)) else 1)
                                          for v in values[:200] if v is not None])
            ws.set_column(j, j, min(max(width + 2, 8), 60), number_fmt.get(col))
            for i, v in enumerate(values, start=h + 1):
                if v is None:
                    continue
                if isinstance(v, bool):
                    ws.write_string(i, j, "是" if v else "否")
                elif dtype.is_numeric():
                    if isinstance(v, float) and not (v == v and abs(v) != float("inf")):
                        continue  # NaN and infinity have no cell value in Excel
                    ws.write_number(i, j, v)
                elif isinstance(v, dt.date):
                    ws.write_datetime(i, j, dt.datetime(v.year, v.month, v.day), date_fmt)
                else:
                    text = neutralise_formula(str(v))
                    if len(text) > EXCEL_MAX_CELL:
                        mark = f"……（已截断：原文 {len(text)} 字，Excel 单元格最多 {EXCEL_MAX_CELL} 字）"
                        text = text[:EXCEL_MAX_CELL - len(mark)] + mark
                        if notes is not None:
                            notes.append(f"工作表「{sheet_name[:31]}」第 {i + 1} 行「{col}」有 {len(str(v))} 字，"
                                         f"超过 Excel 单元格的上限 {EXCEL_MAX_CELL} 字，已截断并注明；全文请写出 .csv 查看")
                    ws.write_string(i, j, text)
        ws.freeze_panes(h + 1, 0)
        if frame.width:
            ws.autofilter(h, 0, h + max(frame.height, 1), frame.width - 1)
    wb.close()
    return buffer.getvalue()


def write_workbook(sheets: dict[str, pl.DataFrame], path: str | os.PathLike, *,
                   number_formats: dict[str, str] | None = None, notes: list[str] | None = None,
                   titles: dict[str, SheetTitle] | None = None) -> Path:
    """Write several sheets into one xlsx atomically: bold frozen header, filters, widths, number formats.

    Text that a spreadsheet would take for a formula (``=``, ``+``, ``-``, ``@``, full-width ``＝`` …) is
    neutralised; a text longer than Excel's 32,767 characters is cut with a visible mark, and ``notes``
    (when given) receives one Chinese line per cut cell.
    """
    return write_atomic(path, excel_bytes(sheets, number_formats=number_formats, notes=notes, titles=titles))


def write_frame(frame: pl.DataFrame, path: str | os.PathLike, *, sheet: str = "数据",
                notes: list[str] | None = None) -> Path:
    """Write a frame as CSV (UTF-8 with BOM, for Excel) or xlsx, by the file's ending, atomically.

    Booleans are written 是/否, dates YYYY-MM-DD, numbers as numbers; text that
    a spreadsheet would take for a formula is neutralised.
    """
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return write_atomic(target, excel_bytes({sheet: frame}, notes=notes))
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


def write_json(path: str | os.PathLike, data: object, *, sort_keys: bool = True) -> Path:
    """JSON (UTF-8, Chinese kept, indented) written atomically."""
    import json

    return write_text_atomic(path, json.dumps(data, ensure_ascii=False, indent=2, sort_keys=sort_keys) + "\n")
