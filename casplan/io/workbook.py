"""Workbooks (xlsx, xls, xlsb, ods): told by their bytes, checked before calamine sees them, read as text grids.

An xlsx/xlsm is inspected first — the zip's declared and actual sizes, CRCs and names, every sheet's
dimension, extent and cell order, the longest cell, DTDs and links out of the package — and refused
(「文件过大或结构异常」) before anything is allocated; its merged ranges are kept for the table reader.
Binary formats are read in a child process with a memory cap.
"""

from __future__ import annotations

import html as _html
import io
import os
import posixpath
import re
import subprocess
import sys
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import polars as pl

from casplan.errors import UnreadableFileError
from casplan.io.grid import Grid, column_index, excel_column
from casplan.io.sources import DEFAULT_LIMITS, Limits, one_line, refusal

__all__ = ["sniff", "inspect_ooxml", "excel_grids", "sandbox_main", "return_freed_memory"]

# --- format detection ------------------------------------------------------------------------

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_MARK = "EncryptionInfo".encode("utf-16-le")


def sniff(data: bytes) -> str:
    if data.startswith(b"PK\x03\x04"):
        return "zip"
    if data.startswith(_OLE_MAGIC):
        return "encrypted" if _ENCRYPTED_MARK in data else "xls"
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<!doctype html", b"<html", b"<table", b"<?xml", b"<meta", b"<head", b"<body")) \
            or (head.startswith(b"<") and b"<table" in data[:65536].lower()):
        return "html"
    return "text"



# --- the zip container: sizes, extents and merges, before any parser allocates -----------------

_COLUMN_REF = re.compile(rb"<c\b[^>]*?\br=\"([A-Z]{1,4})([0-9]+)\"")
_ROW_REF = re.compile(rb"<row\b[^>]*?\br=\"([0-9]+)\"")
_DIMENSION = re.compile(rb"<dimension\b[^>]*?\bref=\"([A-Z]{1,4})?([0-9]{1,9})?(?::([A-Z]{1,4})([0-9]{1,9}))?\"")
_MERGE = re.compile(rb"<mergeCell\b[^>]*?\bref=\"([A-Z]{1,4})([0-9]{1,9}):([A-Z]{1,4})([0-9]{1,9})\"")
_SHEET_ENTRY = re.compile(rb"<(?:\w+:)?sheet\b([^>]*)/?>")
_ATTR = re.compile(rb"([\w:]+)=\"([^\"]*)\"")
_REL_ENTRY = re.compile(rb"<Relationship\b([^>]*)/?>")


@dataclass(frozen=True)
class _SheetInfo:
    merges: tuple[tuple[int, int, int, int], ...]  # 0-based (first row, first col, last row, last col)
    replaced: bytes | None = None  # the workbook rebuilt without a misleading attribute


def _inflate(data: bytes, info: zipfile.ZipInfo, name: str, budget: int) -> bytes:
    """A member's bytes, decompressed from the raw stream and checked against its record.

    Refused as soon as more than ``budget`` bytes come out, whatever the header declares; a member whose
    local header names another file, that is encrypted, or whose size or CRC differs from its record is
    a damaged (or doctored) workbook.
    """
    if info.file_size > budget:
        raise refusal(name, f"压缩包内的 {info.filename} 声明解压后 {info.file_size / 1048576:.0f} MB")
    corrupt = UnreadableFileError(f"{name}：压缩包已损坏或被改动（{info.filename}），请在 Excel 中打开后另存再试",
                                  file=name)
    if info.flag_bits & 0x1:
        raise UnreadableFileError(f"{name}：工作簿内的文件设有密码（{info.filename}），无法读取；请取消密码后另存再试",
                                  file=name)
    offset = info.header_offset
    if data[offset:offset + 4] != b"PK\x03\x04" or len(data) < offset + 30:
        raise corrupt
    name_len = int.from_bytes(data[offset + 26:offset + 28], "little")
    extra_len = int.from_bytes(data[offset + 28:offset + 30], "little")
    local_name = data[offset + 30:offset + 30 + name_len]
    if local_name not in (info.orig_filename.encode("utf-8"), info.orig_filename.encode("cp437", "replace")):
        raise corrupt
    start = offset + 30 + name_len + extra_len
    if info.compress_type == zipfile.ZIP_STORED:
        out = data[start:start + info.compress_size]
    elif info.compress_type == zipfile.ZIP_DEFLATED:
        inflater = zlib.decompressobj(-15)
        chunks: list[bytes] = []
        total = 0
        pos = start
        step = 1 << 16
        try:
            while not inflater.eof:
                if inflater.unconsumed_tail:
                    piece = inflater.decompress(inflater.unconsumed_tail, 1 << 20)
                else:
                    if pos >= len(data):
                        raise corrupt
                    piece = inflater.decompress(data[pos:pos + step], 1 << 20)
                    pos += step
                total += len(piece)
                if total > budget:
                    raise refusal(name, f"{info.filename} 解压后超过 {budget / 1048576:.0f} MB")
                chunks.append(piece)
        except zlib.error:
            raise corrupt from None
        out = b"".join(chunks)
    else:
        raise refusal(name, f"压缩包内的 {info.filename} 使用了不支持的压缩方式")
    if len(out) > budget:
        raise refusal(name, f"{info.filename} 超过 {budget / 1048576:.0f} MB")
    if len(out) != info.file_size or (zlib.crc32(out) & 0xFFFFFFFF) != info.CRC:
        raise corrupt
    return out


def inspect_ooxml(data: bytes, name: str, limits: Limits) -> dict[str, _SheetInfo]:
    """Check an xlsx/xlsm before calamine sees it; return each sheet's merged ranges.

    Refuses (``文件过大或结构异常``) a container whose members declare or produce
    more than ``max_uncompressed_bytes``, a sheet whose declared dimension or
    actual cell references reach beyond ``max_rows`` × ``max_columns`` or
    ``max_cells``, and any single text longer than ``max_cell_bytes``.
    """
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as exc:
        raise UnreadableFileError(f"{name}：无法作为 Excel 工作簿打开（压缩包已损坏：{exc}）", file=name) from None
    if len(infos) > 10_000:
        raise refusal(name, f"压缩包内有 {len(infos)} 个文件")
    declared = sum(i.file_size for i in infos)
    if declared > limits.max_uncompressed_bytes:
        raise refusal(name, f"解压后共 {declared / 1048576:.0f} MB，超过上限 {limits.max_uncompressed_bytes / 1048576:.0f} MB")
    names = [i.filename for i in infos]
    if len(set(names)) != len(names):
        twice = sorted({n for n in names if names.count(n) > 1})
        raise UnreadableFileError(f"{name}：压缩包内有同名的文件（{'、'.join(twice[:3])}），读哪一个都不可靠；"
                                  "请在 Excel 中打开后另存再试", file=name)
    members = {i.filename: i for i in infos}
    if "xl/workbook.xml" not in members:
        return {}
    budget = limits.max_uncompressed_bytes
    workbook = _inflate(data, members["xl/workbook.xml"], name, min(budget, 16 << 20))
    rels_info = members.get("xl/_rels/workbook.xml.rels")
    rels = _inflate(data, rels_info, name, min(budget, 16 << 20)) if rels_info else b""
    for part in (workbook, rels):
        refuse_dtd(part, name)
    targets = {}
    for m in _REL_ENTRY.finditer(rels):
        attrs = dict(_ATTR.findall(m.group(1)))
        if b"Id" not in attrs or b"Target" not in attrs:
            continue
        target = attrs[b"Target"].decode("utf-8", "replace")
        if attrs.get(b"TargetMode", b"").lower() == b"external":
            if b"worksheet" in attrs.get(b"Type", b""):
                raise UnreadableFileError(f"{name}：工作表指向压缩包以外的位置（外部链接），未读取；"
                                          "请在 Excel 中打开后另存再试", file=name)
            continue
        resolved = posixpath.normpath(posixpath.join("xl", target.lstrip("/")) if not target.startswith("/")
                                      else target.lstrip("/"))
        if resolved.startswith(".."):
            raise UnreadableFileError(f"{name}：工作表的引用指向压缩包以外（{target[:80]}），未读取", file=name)
        targets[attrs[b"Id"].decode()] = resolved
    too_long = re.compile(rb">[^<]{%d}" % (limits.max_cell_bytes + 1))
    used = 0
    out: dict[str, _SheetInfo] = {}
    fixes: dict[str, bytes] = {}
    sst_entries, sst_counts, all_cells = 0, {}, 0
    strings = members.get("xl/sharedStrings.xml")
    if strings is not None:
        text = _inflate(data, strings, name, budget)
        used += len(text)
        refuse_dtd(text, name)
        if too_long.search(text):
            raise refusal(name, f"有单元格的文字超过 {limits.max_cell_bytes // 1024} KB")
        head = _SST_HEAD.search(text, 0, 4096)
        if head:
            sst_entries = text.count(b"<si>") + text.count(b"<si ")
            sst_counts = {k.decode(): int(v) for k, v in _SST_COUNT.findall(head.group(0))}
        del text
    for m in _SHEET_ENTRY.finditer(workbook):
        attrs = dict(_ATTR.findall(m.group(1)))
        sheet = _html.unescape(attrs.get(b"name", b"").decode("utf-8", "replace"))
        rid = next((v.decode() for k, v in attrs.items() if k.endswith(b":id")), None)
        member = members.get(targets.get(rid or "", ""))
        if member is None:
            continue
        xml = _inflate(data, member, name, max(budget - used, 0))
        used += len(xml)
        where = f"工作表「{sheet}」"
        refuse_dtd(xml, name)
        dim = _DIMENSION.search(xml, 0, 8192)
        if dim and dim.group(3):
            rows = int(dim.group(4))
            cols = column_index(dim.group(3)) + 1
            if rows > limits.max_rows or cols > limits.max_columns or rows * cols > limits.max_cells:
                raise refusal(name, f"{where}声明的范围到 {dim.group(3).decode()}{rows}，"
                                    f"超过上限（{limits.max_rows} 行、{limits.max_columns} 列、共 {limits.max_cells} 个单元格）")
        n_rows = xml.count(b"<row ") + xml.count(b"<row>") + xml.count(b"<row/>")
        n_cells = xml.count(b"<c ") + xml.count(b"<c>") + xml.count(b"<c/>")
        if n_rows > limits.max_rows or n_cells > limits.max_cells:
            raise refusal(name, f"{where}有 {n_rows} 行、{n_cells} 个单元格，超过上限（{limits.max_rows} 行、"
                                f"共 {limits.max_cells} 个单元格）")
        all_cells += n_cells
        if xml.count(b"<") > 50 * (n_cells + n_rows) + 100_000:
            raise refusal(name, f"{where}中有大量与数据无关的内容")
        max_row, max_col = _check_cell_order(xml, name, where, limits)
        if (max_row > limits.max_rows or max_col > limits.max_columns or max_row * max_col > limits.max_cells):
            raise refusal(name, f"{where}的数据到第 {max_row} 行、第 {max_col} 列，"
                                f"超过上限（{limits.max_rows} 行、{limits.max_columns} 列、共 {limits.max_cells} 个单元格）")
        if too_long.search(xml):
            raise refusal(name, f"{where}有单元格的文字超过 {limits.max_cell_bytes // 1024} KB")
        merges = tuple((int(r1) - 1, column_index(c1), int(r2) - 1, column_index(c2))
                       for c1, r1, c2, r2 in _MERGE.findall(xml))
        out[sheet] = _SheetInfo(merges=merges)
    # The table's own counts are advisory (Excel ignores them) but a reader may pre-size from them: a
    # uniqueCount beyond the entries, or a count (string cells, repeats included) beyond the sheets' cells,
    # is removed. A count above the entries is normal — every repeated text counts again.
    if (sst_counts.get("uniqueCount", 0) > sst_entries * 2 + 1000
            or sst_counts.get("count", 0) > all_cells + sst_entries * 2 + 1000):
        text = _inflate(data, strings, name, budget)
        head = _SST_HEAD.search(text, 0, 4096)
        fixes["xl/sharedStrings.xml"] = text[:head.start()] + _SST_COUNTS.sub(b"", head.group(0)) + text[head.end():]
    if fixes:
        out["\x00fixed"] = _SheetInfo(merges=(), replaced=_rebuilt(data, infos, fixes, name))
    return out


_SST_HEAD = re.compile(rb"<sst\b[^>]*>")
_SST_COUNT = re.compile(rb"\b(count|uniqueCount)=\"([0-9]+)\"")
_SST_COUNTS = re.compile(rb"\s(?:count|uniqueCount)=\"[0-9]+\"")


def refuse_dtd(xml: bytes, name: str) -> None:
    """OOXML parts have no DTD: a DOCTYPE or ENTITY declaration is an attack (entity bombs, external files)."""
    if b"<!DOCTYPE" in xml[:65536] or b"<!ENTITY" in xml[:65536]:
        raise UnreadableFileError(f"{name}：工作簿中含有文档类型或实体定义（Excel 文件不应有），未读取；"
                                  "请在 Excel 中打开后另存再试", file=name)


def _check_cell_order(xml: bytes, name: str, where: str, limits: Limits) -> tuple[int, int]:
    """The sheet's extent from its cell references; a reference given twice (or going backwards) is refused.

    Excel writes rows in increasing order and cells left to right; a cell given twice lets two readers
    see two different values (one of them the attacker's).
    """
    max_row = max_col = 0
    last_row = 0
    for m in _ROW_REF.finditer(xml):
        r = int(m.group(1))
        if r <= last_row:
            raise UnreadableFileError(f"{name}：{where}的第 {r} 行出现了不止一次（或顺序颠倒），文件已损坏或被改动；"
                                      "请在 Excel 中打开后另存再试", file=name)
        last_row = r
        max_row = max(max_row, r)
        if max_row > limits.max_rows:
            return max_row, max_col
    import numpy as np

    index: dict[bytes, int] = {}  # a sheet has few distinct column names: each converted once
    last = -1  # the key of the last cell seen
    start = 0
    while start < len(xml):
        # a piece of ~8 MB ending where a row starts (no reference straddles it): the references of a whole
        # 100× sheet as Python objects took more memory than everything else of the run
        end = xml.find(b"<row", start + _CELL_CHUNK)
        end = len(xml) if end < 0 else end
        found = _plain_references(xml[start:end])
        if found is None:  # a writer that puts other attributes before r=: the general pattern
            refs = _COLUMN_REF.findall(xml, start, end)
            far = next((f"{c.decode()}{r.decode()[:20]}" for c, r in refs if len(r) > 12), None)
            if far:  # beyond any sheet (and beyond int64)
                raise refusal(name, f"{where}的单元格引用 {far}… 超过上限（{limits.max_rows} 行）")
            cols = np.fromiter((index[c] if c in index else index.setdefault(c, column_index(c)) for c, _ in refs),
                               dtype=np.int64, count=len(refs))
            rows = np.fromiter((int(r) for _, r in refs), dtype=np.int64, count=len(refs))
        else:
            rows, cols = found
        start = end
        if not rows.size:
            continue
        key = rows * (1 << 20) + cols               # row-major order, as Excel writes cells
        back = np.flatnonzero(np.diff(np.concatenate([[last], key])) <= 0)
        if back.size:
            from casplan.io.grid import excel_column

            k = int(back[0])
            raise UnreadableFileError(f"{name}：{where}的单元格 {excel_column(int(cols[k]))}{int(rows[k])} 出现了不止一次"
                                      "（或顺序颠倒），文件已损坏或被改动；请在 Excel 中打开后另存再试", file=name)
        last = int(key[-1])
        max_row, max_col = max(max_row, int(rows.max())), max(max_col, int(cols.max()) + 1)
    return max_row, max_col


_CELL_CHUNK = 8 << 20
_REF_WIDTH = 16  # bytes read after ``<c r="``: 4 letters, 11 digits and the closing quote at most


def _plain_references(piece: bytes):
    """(rows, 0-based columns) of every cell of ``piece`` when each cell is written ``<c r="A1"…`` — how Excel,
    WPS, xlsxwriter and openpyxl write them — read with numpy over the bytes, ~6× faster than the pattern;
    ``None`` when any ``<c`` tag is written otherwise (or a reference is not letters, digits, quote), for the
    pattern to read. Both give the same references: the pattern's first ``r="…"`` of such a tag is this one."""
    import numpy as np

    a = np.frombuffer(piece, dtype=np.uint8)
    if a.size < 8:
        return None
    opens = np.flatnonzero((a[:-2] == 0x3C) & (a[1:-1] == 0x63))  # "<c"
    after = a[np.minimum(opens + 2, a.size - 1)]
    word = (((after | 0x20) >= 0x61) & ((after | 0x20) <= 0x7A)) | ((after >= 0x30) & (after <= 0x39)) | (after == 0x5F)
    tags = opens[~word & (opens + 2 < a.size)]  # "<c" then not a name character: a cell tag (not "<col")
    if not tags.size:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    if int(tags[-1]) + 6 + _REF_WIDTH > a.size:
        return None
    head = a[tags[:, None] + np.arange(2, 6)]
    if not (head == np.frombuffer(b' r="', dtype=np.uint8)).all():
        return None
    w = a[tags[:, None] + 6 + np.arange(_REF_WIDTH)]  # the bytes after r=", one row per cell
    letter = (w >= 0x41) & (w <= 0x5A)
    digit = (w >= 0x30) & (w <= 0x39)
    pos = np.arange(_REF_WIDTH)
    n_let = np.argmin(letter, axis=1)  # letters first …
    rest = digit | (pos < n_let[:, None])
    n_all = np.argmin(rest, axis=1)  # … then digits, then the quote (argmin is 0 when all are digits)
    ok = (n_let >= 1) & (n_let <= 4) & (n_all > n_let) & (w[np.arange(len(w)), n_all] == 0x22)
    if not ok.all():
        return None
    cols = np.zeros(len(w), dtype=np.int64)  # Horner over the letters (A = 1), then over the digits
    for i in range(4):
        cols = np.where(i < n_let, cols * 26 + w[:, i].astype(np.int64) - 0x40, cols)
    rows = np.zeros(len(w), dtype=np.int64)
    for i in range(1, _REF_WIDTH - 1):
        rows = np.where((i >= n_let) & (i < n_all), rows * 10 + w[:, i].astype(np.int64) - 0x30, rows)
    return rows, cols - 1


def _rebuilt(data: bytes, infos: list[zipfile.ZipInfo], fixes: dict[str, bytes], name: str) -> bytes:
    """The workbook with some members replaced (their advisory attributes removed), in memory."""
    buffer = io.BytesIO()
    # stored, not deflated: the copy lives in memory only, for the reader; compressing it again is wasted time
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as dst:
        for info in infos:
            body = fixes.get(info.filename)
            if body is None:
                body = _inflate(data, info, name, len(data) * 1000 + (1 << 20))
            dst.writestr(info.filename, body)
    return buffer.getvalue()


# --- grids: every cell as text ---------------------------------------------------------------

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


def _calamine_sheets(data: bytes, name: str) -> list[tuple[str, pl.DataFrame | None, list[int], str]]:
    """Every sheet as (name, text frame or None when hidden, absolute column indices, visibility)."""
    import fastexcel

    try:
        reader = fastexcel.read_excel(data)
        sheet_names = list(reader.sheet_names)
    except BaseException as exc:  # fastexcel raises its own tree, a panic is a BaseException: all mean "cannot open"
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
        raise UnreadableFileError(
            f"{name}：无法作为 Excel 工作簿打开（文件可能已损坏或不是 Excel 文件；{type(exc).__name__}）",
            file=name) from None
    out = []
    for sheet in sheet_names:
        try:
            loaded = reader.load_sheet(sheet, header_row=None, dtypes="string", skip_rows=0)
            visible = str(getattr(loaded, "visible", "visible")).lower()
            if visible not in ("visible", "true", "1"):
                out.append((sheet, None, [], visible))
                continue
            absolute = [c.absolute_index for c in loaded.available_columns()]
            batch, cell_errors = loaded.to_arrow_with_errors()
            errors = cell_errors.errors if cell_errors is not None else ()
            del loaded, cell_errors  # the reader's cells go before polars copies the batch (the 100× peak)
            frame = pl.from_arrow(batch)
            del batch
            frame = _with_error_cells(frame, errors)
        except BaseException as exc:
            if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                raise
            raise UnreadableFileError(
                f"{name} 工作表「{sheet}」：无法读取，文件可能已损坏（{type(exc).__name__}: {one_line(str(exc))[:160]}）；"
                "请在 Excel 中打开后另存再试", file=name, sheet=sheet) from None
        out.append((sheet, frame, absolute, visible))
    return out


def _sandboxed_sheets(data: bytes, name: str, limits: Limits) -> list[tuple[str, pl.DataFrame | None, list[int], str]]:
    """:func:`_calamine_sheets` in a child process with a memory cap and a time limit.

    Binary formats (xls, xlsb) and ods cannot be checked before parsing the way an
    xlsx can; a reader that runs out of memory or crashes there takes down only
    the child, and the analyst gets one line naming the file.
    """
    import json

    code = "import sys; from casplan.io.workbook import sandbox_main; sys.exit(sandbox_main())"
    env = {**os.environ, "CASPLAN_SANDBOX_MEMORY": str(limits.sandbox_memory_bytes)}
    try:
        done = subprocess.run([sys.executable, "-c", code], input=data, capture_output=True,
                              timeout=limits.sandbox_seconds, env=env)
    except subprocess.TimeoutExpired:
        raise refusal(name, f"读取超过 {limits.sandbox_seconds} 秒") from None
    if done.returncode == 3:
        raise UnreadableFileError(done.stderr.decode("utf-8", "replace").strip().replace("<文件>", name), file=name)
    if done.returncode != 0:
        raise refusal(name, "读取时超出内存上限或读取程序出错")
    out = []
    buffer = io.BytesIO(done.stdout)
    header = json.loads(buffer.readline())
    for entry in header:
        frame = None
        if entry["frame"]:
            size = int(buffer.readline())
            frame = pl.read_ipc(io.BytesIO(buffer.read(size)))
        out.append((entry["sheet"], frame, entry["absolute"], entry["visible"]))
    return out


def sandbox_main() -> int:
    """The child of :func:`_sandboxed_sheets`: workbook bytes on stdin, sheets as Arrow IPC on stdout."""
    import json
    import resource

    cap = int(os.environ.get("CASPLAN_SANDBOX_MEMORY", str(DEFAULT_LIMITS.sandbox_memory_bytes)))
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    data = sys.stdin.buffer.read()
    try:
        sheets = _calamine_sheets(data, "<文件>")
    except UnreadableFileError as exc:
        sys.stderr.write(str(exc))
        return 3
    out = sys.stdout.buffer
    out.write(json.dumps([{"sheet": s, "absolute": a, "visible": v, "frame": f is not None}
                          for s, f, a, v in sheets], ensure_ascii=False).encode("utf-8") + b"\n")
    for _s, frame, _a, _v in sheets:
        if frame is None:
            continue
        blob = io.BytesIO()
        frame.write_ipc(blob)
        out.write(f"{len(blob.getvalue())}\n".encode())
        out.write(blob.getvalue())
    out.flush()
    return 0


_TRIM_FROM = 4 << 20  # a workbook this large leaves hundreds of MB freed but kept by the C allocator


def return_freed_memory() -> None:
    """Hand the memory the C allocator keeps after a large read back to the system (glibc's ``malloc_trim``).

    Reading a 100× workbook passes through the zip, its XML and the reader's cells — about 1 GB freed
    again, of which glibc kept ~540 MB in its arenas (the Rust readers' threads allocate there); every
    later stage then started from that. A no-op where there is no glibc."""
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.malloc_trim(0)
    except (OSError, AttributeError):
        pass


def excel_grids(data: bytes, name: str, kind: str, limits: Limits) -> Iterator[Grid]:
    infos: dict[str, _SheetInfo] = {}
    ooxml = False
    if kind == "zip":
        infos = inspect_ooxml(data, name, limits)
        ooxml = bool(infos) or b"xl/workbook.xml" in data[:1 << 16] or _has_member(data, "xl/workbook.xml")
        fixed = infos.pop("\x00fixed", None)
        if fixed is not None:
            data = fixed.replaced
    sheets = _calamine_sheets(data, name) if ooxml else _sandboxed_sheets(data, name, limits)
    if len(data) >= _TRIM_FROM:
        return_freed_memory()
    for sheet, frame, absolute, visible in sheets:
        if frame is None:
            yield Grid(sheet, pl.DataFrame(), (), note=f"工作表「{sheet}」为隐藏工作表，未读取")
            continue
        frame = frame.rename({c: f"c{i}" for i, c in enumerate(frame.columns)})
        info = infos.get(sheet)
        yield Grid(sheet, frame, tuple(excel_column(i) for i in absolute),
                    merges=info.merges if info else ())


def _has_member(data: bytes, member: str) -> bool:
    try:
        return member in zipfile.ZipFile(io.BytesIO(data)).namelist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return False
