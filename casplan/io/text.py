"""Text tables: CSV in any of the encodings units use, and the HTML tables platforms export as “.xls”."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator

import polars as pl

from casplan.errors import UnreadableFileError
from casplan.io.grid import Grid, excel_column
from casplan.io.sources import Limits, refusal

__all__ = ["decode_table_text", "csv_grid", "html_grids", "HEADER_SCAN_ROWS", "PRIVATE_USE"]

HEADER_SCAN_ROWS = 30


_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def decode_table_text(data: bytes, name: str) -> tuple[str, str]:
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
    nul = data.count(b"\x00")
    if nul and nul * 1000 < len(data):  # a stray NUL in a text file (pasted from a C program): dropped, said
        data = data.replace(b"\x00", b"")
    for codec, label in (("utf-8", "UTF-8"), ("gb18030", "GB18030/GBK")):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        # Many control bytes other than tab/newline mean binary data, whatever decoded; a few (an escape
        # sequence pasted from a terminal) are text with junk in it, shown escaped wherever it is echoed.
        controls = len(_CONTROLS.findall(text, 0, 1 << 20))
        if controls and (controls > 0.01 * min(len(text), 1 << 20) or "\x00" in text):
            break
        label += "（文件开头的 UTF-8 标记与内容不符，已忽略）" if lying_bom else ""
        label += f"（文件中有 {nul} 个空字符 NUL，已去除）" if nul else ""
        return text, label
    raise UnreadableFileError(
        f"{name}：无法识别文件编码（已尝试 UTF-8、UTF-8 带 BOM、UTF-16、GB18030/GBK），"
        "请在 Excel 中另存为“CSV UTF-8”或 .xlsx 后再试", file=name)


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


PRIVATE_USE = re.compile("[\ue000-\uf8ff]")  # characters of a mixed-up encoding


def csv_grid(text: str, name: str, limits: Limits) -> Grid:
    sample = "\n".join(text[:1 << 20].splitlines()[:HEADER_SCAN_ROWS])
    counts = {sep: sample.count(sep) for sep in (",", "\t", ";", "|")}
    sep = max(counts, key=lambda s: (counts[s], s == ","))
    csv.field_size_limit(max(limits.max_cell_bytes, 1))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    rows: list[list[str]] = []
    width = 0
    filled = 0
    empty: list[str] = []
    try:
        for row in reader:
            if len(row) > limits.max_columns:
                raise refusal(name, f"第 {reader.line_num} 行有 {len(row)} 列，超过上限 {limits.max_columns} 列")
            if not any(row):
                rows.append(empty)  # a blank line keeps its place (Excel's row numbers), costs nothing
                if len(rows) > 10 * limits.max_rows:
                    raise refusal(name, f"超过 {10 * limits.max_rows} 行")
                continue
            rows.append(row)
            filled += 1
            width = max(width, len(row))
            if filled > limits.max_rows:
                raise refusal(name, f"超过 {limits.max_rows} 行")
            if filled * width > limits.max_cells:
                raise refusal(name, f"超过 {limits.max_cells} 个单元格")
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise refusal(name, f"第 {reader.line_num} 行有单元格超过 {limits.max_cell_bytes // 1024} KB") from None
        raise UnreadableFileError(f"{name}：第 {reader.line_num} 行无法按 CSV 读取（{exc}）", file=name) from None
    _check_quotes(text, sep, name)
    if width == 0:
        return Grid(None, pl.DataFrame(), ())
    columns = {f"c{j}": [r[j] if j < len(r) and r[j] != "" else None for r in rows] for j in range(width)}
    frame = pl.DataFrame(columns, schema={c: pl.Utf8 for c in columns})
    return Grid(None, frame, tuple(excel_column(j) for j in range(width)))


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


def html_grids(text: str, name: str) -> Iterator[Grid]:
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
        yield Grid(f"表格{k}", frame, tuple(excel_column(j) for j in range(width)))
