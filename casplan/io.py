"""Reading the bureau's files and writing ours — the only module that touches files.

Every file is read **once**, as bytes: its SHA-256 is taken from those bytes
(:class:`Source`, the manifest's record of what was read) and the parsers work
on the same bytes, so a file replaced while a run goes on can never be hashed
in one version and used in another.

Readers return :class:`RawTable` objects: every cell as text (or null), the
header found wherever it stands (title rows and merged cells above it are
skipped), merged cells in the data filled from the workbook's own merge
records, the columns mapped to canonical names where known and kept under their
own header where not, and each row's source file, sheet and row number as Excel
shows it. Formats are told by the bytes, not the file name: an ``.xlsx`` that is
really CSV or HTML (platforms export such files) is read as what it is, with a
note. CSV encodings (UTF-8, UTF-8 with BOM, UTF-16, GB18030/GBK) are detected.

Hostile files are refused in bounded time and memory (:class:`Limits`): the zip
container's declared and actual uncompressed sizes, every sheet's declared
dimension and actual extent, and the longest cell are checked *before* the
spreadsheet reader allocates anything; binary formats (xls, xlsb, ods) are parsed
in a child process with a memory cap, so that a reader crash becomes an
:class:`~casplan.errors.UnreadableFileError` naming the file.

Every YAML file the workbook reads (policy, vocabulary, report parameters,
decisions, scenarios) goes through :func:`load_yaml`: no anchors or aliases, no
Python tags, no duplicate keys, bounded size and depth.

Writers are atomic: they write a temporary file beside the target and rename it,
so a failed run never leaves half a file where the last good one was.
"""

from __future__ import annotations

import csv
import hashlib
import html as _html
import io
import os
import posixpath
import re
import subprocess
import sys
import tempfile
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from casplan.errors import UnreadableFileError
from casplan.fields import FIELDS, IGNORED_PLAN_HEADERS, PROVENANCE, Field, header_key, match_header

__all__ = [
    "RawTable",
    "Source",
    "Limits",
    "DEFAULT_LIMITS",
    "read_source",
    "expand_paths",
    "read_tables",
    "read_file_tables",
    "excel_column",
    "write_atomic",
    "write_text_atomic",
    "write_frame",
    "write_workbook",
    "neutralise_formula",
    "one_line",
    "load_yaml",
    "read_yaml",
    "read_plain_table",
    "TABLE_SUFFIXES",
    "EXCEL_MAX_CELL",
]

TABLE_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods", ".csv", ".txt", ".tsv", ".htm", ".html")
HEADER_SCAN_ROWS = 30
MIN_HEADER_MATCHES = 3
EXCEL_MAX_CELL = 32_767  # Excel's own limit on the characters of one cell


@dataclass(frozen=True)
class Source:
    """One file as it was read: where, which kind of input, its size and the SHA-256 of its bytes.

    ``sha256`` is the plain digest of the file (``sha256sum`` prints the same).
    """

    path: str
    kind: str
    sha256: str
    size: int

    def to_dict(self) -> dict[str, object]:
        return {"path": self.path, "kind": self.kind, "sha256": self.sha256, "size": self.size}


@dataclass(frozen=True)
class Limits:
    """Bounds on what a file may hold before it is parsed (the policy's ``intake.limits``).

    ``max_cells`` bounds the dense grid the spreadsheet reader builds (about 32
    bytes a cell), so that no file can take the process over about 2 GB.
    """

    max_file_bytes: int = 200 * 1024 * 1024
    max_uncompressed_bytes: int = 200 * 1024 * 1024
    max_rows: int = 1_000_000
    max_columns: int = 16_384
    max_cells: int = 30_000_000
    max_cell_bytes: int = 1024 * 1024
    sandbox_memory_bytes: int = 3 * 1024 * 1024 * 1024
    sandbox_seconds: int = 120


DEFAULT_LIMITS = Limits()


def one_line(text: str) -> str:
    """A message on one line: newlines and runs of whitespace become one space (cron logs read by line)."""
    return " ".join(str(text).split())


def _refuse(name: str, what: str) -> UnreadableFileError:
    return UnreadableFileError(f"{name}：文件过大或结构异常（{what}），未读取；请在 Excel 中打开该文件、"
                               "删去多余的内容后另存为 .xlsx 再试", file=name)


def read_source(path: str | os.PathLike, *, kind: str, display: str | None = None,
                limits: Limits = DEFAULT_LIMITS) -> tuple[bytes, Source]:
    """The bytes of a file and its :class:`Source` (hashed from those bytes, once).

    Raises
    ------
    UnreadableFileError
        When the file does not exist, cannot be read, or is larger than ``limits.max_file_bytes``.
    """
    p = Path(path)
    name = display or str(path)
    try:
        info = p.stat()
    except FileNotFoundError:
        raise UnreadableFileError(f"找不到文件 {name}，请检查路径是否正确", file=name) from None
    except OSError as exc:
        raise UnreadableFileError(f"{name}：无法读取（{exc.strerror}）", file=name) from None
    _require_data_file(p, name, info)
    if info.st_size > limits.max_file_bytes:
        raise _refuse(name, f"{info.st_size / 1048576:.0f} MB，超过上限 {limits.max_file_bytes / 1048576:.0f} MB")
    try:
        with p.open("rb") as fh:
            data = fh.read(limits.max_file_bytes + 1)
    except FileNotFoundError:
        raise UnreadableFileError(f"找不到文件 {name}，请检查路径是否正确", file=name) from None
    except IsADirectoryError:
        raise UnreadableFileError(f"{name} 是文件夹，应为文件", file=name) from None
    except OSError as exc:
        raise UnreadableFileError(f"{name}：无法读取（{exc.strerror}）", file=name) from None
    if len(data) > limits.max_file_bytes:
        raise _refuse(name, f"超过上限 {limits.max_file_bytes / 1048576:.0f} MB")
    return data, Source(path=str(p.resolve()), kind=kind, sha256=hashlib.sha256(data).hexdigest(), size=len(data))


_SYSTEM_TREES = ("/proc", "/sys", "/dev")


def _require_data_file(p: Path, name: str, info: os.stat_result | None = None) -> None:
    """Refuse what is not an ordinary data file: a device, a pipe, a socket, a file of /proc, /sys or /dev."""
    import stat

    info = info or p.stat()
    if stat.S_ISDIR(info.st_mode):
        raise UnreadableFileError(f"{name} 是文件夹，应为文件", file=name)
    resolved = str(p.resolve())
    if not stat.S_ISREG(info.st_mode) or any(resolved == t or resolved.startswith(t + "/") for t in _SYSTEM_TREES):
        raise UnreadableFileError(f"{name}：不是普通的数据文件（而是设备、管道或系统文件），未读取；请给出导出的表格文件",
                                  file=name)


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


def expand_paths(paths: Iterable[str | os.PathLike], *, skipped: list[str] | None = None) -> list[Path]:
    """Files named, and the table files inside folders named (recursively, sorted).

    Excel's lock files (``~$…``) and hidden files are skipped. Inside a folder, an entry that is not an
    ordinary file (a named pipe, a device, a link to nowhere) is skipped and named in ``skipped``.
    A path that does not exist raises :class:`UnreadableFileError`.
    """
    import stat

    out: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found = []
            for f in sorted(p.rglob("*")):
                if f.suffix.lower() not in TABLE_SUFFIXES or f.name.startswith(("~$", ".")):
                    continue
                try:
                    mode = f.stat().st_mode
                except OSError:
                    mode = 0
                if stat.S_ISREG(mode):
                    found.append(f)
                elif not stat.S_ISDIR(mode) and skipped is not None:
                    skipped.append(f"跳过 {f.relative_to(p).as_posix()}：不是普通文件（管道、设备或失效的链接）")
            if not found:
                raise UnreadableFileError(f"文件夹 {p} 中没有可读取的表格文件（.xlsx、.xls、.csv）", file=str(p))
            out.extend(found)
        elif p.exists():
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


_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


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


# --- the zip container: sizes, extents and merges, before any parser allocates -----------------

_COLUMN_REF = re.compile(rb"<c\b[^>]*?\br=\"([A-Z]{1,4})([0-9]+)\"")
_ROW_REF = re.compile(rb"<row\b[^>]*?\br=\"([0-9]+)\"")
_DIMENSION = re.compile(rb"<dimension\b[^>]*?\bref=\"([A-Z]{1,4})?([0-9]{1,9})?(?::([A-Z]{1,4})([0-9]{1,9}))?\"")
_MERGE = re.compile(rb"<mergeCell\b[^>]*?\bref=\"([A-Z]{1,4})([0-9]{1,9}):([A-Z]{1,4})([0-9]{1,9})\"")
_SHEET_ENTRY = re.compile(rb"<(?:\w+:)?sheet\b([^>]*)/?>")
_ATTR = re.compile(rb"([\w:]+)=\"([^\"]*)\"")
_REL_ENTRY = re.compile(rb"<Relationship\b([^>]*)/?>")


def _column_index(letters: bytes | str) -> int:
    """0-based index of an Excel column name.

    >>> _column_index("A"), _column_index("Z"), _column_index("AA"), _column_index("XFD")
    (0, 25, 26, 16383)
    """
    if isinstance(letters, bytes):
        letters = letters.decode("ascii")
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - 64)
    return n - 1


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
        raise _refuse(name, f"压缩包内的 {info.filename} 声明解压后 {info.file_size / 1048576:.0f} MB")
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
                    raise _refuse(name, f"{info.filename} 解压后超过 {budget / 1048576:.0f} MB")
                chunks.append(piece)
        except zlib.error:
            raise corrupt from None
        out = b"".join(chunks)
    else:
        raise _refuse(name, f"压缩包内的 {info.filename} 使用了不支持的压缩方式")
    if len(out) > budget:
        raise _refuse(name, f"{info.filename} 超过 {budget / 1048576:.0f} MB")
    if len(out) != info.file_size or (zlib.crc32(out) & 0xFFFFFFFF) != info.CRC:
        raise corrupt
    return out


def _inspect_ooxml(data: bytes, name: str, limits: Limits) -> dict[str, _SheetInfo]:
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
        raise _refuse(name, f"压缩包内有 {len(infos)} 个文件")
    declared = sum(i.file_size for i in infos)
    if declared > limits.max_uncompressed_bytes:
        raise _refuse(name, f"解压后共 {declared / 1048576:.0f} MB，超过上限 {limits.max_uncompressed_bytes / 1048576:.0f} MB")
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
        _refuse_dtd(part, name)
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
    strings = members.get("xl/sharedStrings.xml")
    if strings is not None:
        text = _inflate(data, strings, name, budget)
        used += len(text)
        _refuse_dtd(text, name)
        if too_long.search(text):
            raise _refuse(name, f"有单元格的文字超过 {limits.max_cell_bytes // 1024} KB")
        head = _SST_HEAD.search(text, 0, 4096)
        if head:
            entries = text.count(b"<si>") + text.count(b"<si ")
            counts = [int(v) for v in _SST_COUNT.findall(head.group(0))]
            if any(c > entries * 2 + 1000 for c in counts):
                # the table's own count is advisory (Excel ignores it) but a reader may pre-size from it
                fixes["xl/sharedStrings.xml"] = (text[:head.start()] + _SST_COUNTS.sub(b"", head.group(0))
                                                 + text[head.end():])
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
        _refuse_dtd(xml, name)
        dim = _DIMENSION.search(xml, 0, 8192)
        if dim and dim.group(3):
            rows = int(dim.group(4))
            cols = _column_index(dim.group(3)) + 1
            if rows > limits.max_rows or cols > limits.max_columns or rows * cols > limits.max_cells:
                raise _refuse(name, f"{where}声明的范围到 {dim.group(3).decode()}{rows}，"
                                    f"超过上限（{limits.max_rows} 行、{limits.max_columns} 列、共 {limits.max_cells} 个单元格）")
        n_rows = xml.count(b"<row ") + xml.count(b"<row>") + xml.count(b"<row/>")
        n_cells = xml.count(b"<c ") + xml.count(b"<c>") + xml.count(b"<c/>")
        if n_rows > limits.max_rows or n_cells > limits.max_cells:
            raise _refuse(name, f"{where}有 {n_rows} 行、{n_cells} 个单元格，超过上限（{limits.max_rows} 行、"
                                f"共 {limits.max_cells} 个单元格）")
        if xml.count(b"<") > 50 * (n_cells + n_rows) + 100_000:
            raise _refuse(name, f"{where}中有大量与数据无关的内容")
        max_row, max_col = _check_cell_order(xml, name, where, limits)
        if (max_row > limits.max_rows or max_col > limits.max_columns or max_row * max_col > limits.max_cells):
            raise _refuse(name, f"{where}的数据到第 {max_row} 行、第 {max_col} 列，"
                                f"超过上限（{limits.max_rows} 行、{limits.max_columns} 列、共 {limits.max_cells} 个单元格）")
        if too_long.search(xml):
            raise _refuse(name, f"{where}有单元格的文字超过 {limits.max_cell_bytes // 1024} KB")
        merges = tuple((int(r1) - 1, _column_index(c1), int(r2) - 1, _column_index(c2))
                       for c1, r1, c2, r2 in _MERGE.findall(xml))
        out[sheet] = _SheetInfo(merges=merges)
    if fixes:
        out["\x00fixed"] = _SheetInfo(merges=(), replaced=_rebuilt(data, infos, fixes, name))
    return out


_SST_HEAD = re.compile(rb"<sst\b[^>]*>")
_SST_COUNT = re.compile(rb"\b(?:count|uniqueCount)=\"([0-9]+)\"")
_SST_COUNTS = re.compile(rb"\s(?:count|uniqueCount)=\"[0-9]+\"")


def _refuse_dtd(xml: bytes, name: str) -> None:
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
    last = (0, -1)
    for letters, row in _COLUMN_REF.findall(xml):
        key = (int(row), _column_index(letters))
        if key <= last:
            raise UnreadableFileError(f"{name}：{where}的单元格 {letters.decode()}{int(row)} 出现了不止一次（或顺序颠倒），"
                                      "文件已损坏或被改动；请在 Excel 中打开后另存再试", file=name)
        last = key
        max_row, max_col = max(max_row, key[0]), max(max_col, key[1] + 1)
    return max_row, max_col


def _rebuilt(data: bytes, infos: list[zipfile.ZipInfo], fixes: dict[str, bytes], name: str) -> bytes:
    """The workbook with some members replaced (their advisory attributes removed), in memory."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in infos:
            body = fixes.get(info.filename)
            if body is None:
                body = _inflate(data, info, name, len(data) * 1000 + (1 << 20))
            dst.writestr(info.filename, body)
    return buffer.getvalue()


# --- grids: every cell as text ---------------------------------------------------------------

@dataclass(frozen=True)
class _Grid:
    sheet: str | None
    frame: pl.DataFrame        # columns c0…cN, all Utf8; row i is Excel row i+1
    letters: tuple[str, ...]   # Excel letter of each column
    note: str | None = None
    merges: tuple[tuple[int, int, int, int], ...] = ()


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
            batch, cell_errors = loaded.to_arrow_with_errors()
            frame = pl.from_arrow(batch)
            absolute = [c.absolute_index for c in loaded.available_columns()]
            frame = _with_error_cells(frame, cell_errors.errors if cell_errors is not None else ())
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

    code = ("import sys; from casplan.io import _sandbox_main; sys.exit(_sandbox_main())")
    env = {**os.environ, "CASPLAN_SANDBOX_MEMORY": str(limits.sandbox_memory_bytes)}
    try:
        done = subprocess.run([sys.executable, "-c", code], input=data, capture_output=True,
                              timeout=limits.sandbox_seconds, env=env)
    except subprocess.TimeoutExpired:
        raise _refuse(name, f"读取超过 {limits.sandbox_seconds} 秒") from None
    if done.returncode == 3:
        raise UnreadableFileError(done.stderr.decode("utf-8", "replace").strip().replace("<文件>", name), file=name)
    if done.returncode != 0:
        raise _refuse(name, "读取时超出内存上限或读取程序出错")
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


def _sandbox_main() -> int:
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


def _excel_grids(data: bytes, name: str, kind: str, limits: Limits) -> Iterator[_Grid]:
    infos: dict[str, _SheetInfo] = {}
    ooxml = False
    if kind == "zip":
        infos = _inspect_ooxml(data, name, limits)
        ooxml = bool(infos) or b"xl/workbook.xml" in data[:1 << 16] or _has_member(data, "xl/workbook.xml")
        fixed = infos.pop("\x00fixed", None)
        if fixed is not None:
            data = fixed.replaced
    sheets = _calamine_sheets(data, name) if ooxml else _sandboxed_sheets(data, name, limits)
    for sheet, frame, absolute, visible in sheets:
        if frame is None:
            yield _Grid(sheet, pl.DataFrame(), (), note=f"工作表「{sheet}」为隐藏工作表，未读取")
            continue
        frame = frame.rename({c: f"c{i}" for i, c in enumerate(frame.columns)})
        info = infos.get(sheet)
        yield _Grid(sheet, frame, tuple(excel_column(i) for i in absolute),
                    merges=info.merges if info else ())


def _has_member(data: bytes, member: str) -> bool:
    try:
        return member in zipfile.ZipFile(io.BytesIO(data)).namelist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return False


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


_PRIVATE_USE = re.compile("[\ue000-\uf8ff]")


def _csv_grid(text: str, name: str, limits: Limits) -> _Grid:
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
                raise _refuse(name, f"第 {reader.line_num} 行有 {len(row)} 列，超过上限 {limits.max_columns} 列")
            if not any(row):
                rows.append(empty)  # a blank line keeps its place (Excel's row numbers), costs nothing
                if len(rows) > 10 * limits.max_rows:
                    raise _refuse(name, f"超过 {10 * limits.max_rows} 行")
                continue
            rows.append(row)
            filled += 1
            width = max(width, len(row))
            if filled > limits.max_rows:
                raise _refuse(name, f"超过 {limits.max_rows} 行")
            if filled * width > limits.max_cells:
                raise _refuse(name, f"超过 {limits.max_cells} 个单元格")
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise _refuse(name, f"第 {reader.line_num} 行有单元格超过 {limits.max_cell_bytes // 1024} KB") from None
        raise UnreadableFileError(f"{name}：第 {reader.line_num} 行无法按 CSV 读取（{exc}）", file=name) from None
    _check_quotes(text, sep, name)
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


def _grids(data: bytes, name: str, suffix: str, limits: Limits) -> tuple[list[_Grid], list[str]]:
    if not data.strip():
        raise UnreadableFileError(f"{name}：文件为空", file=name)
    kind = _sniff(data)
    notes: list[str] = []
    if kind == "encrypted":
        raise UnreadableFileError(
            f"{name}：工作簿设有打开密码，无法读取；请在 Excel 中取消密码（文件→信息→保护工作簿）后另存再试", file=name)
    if kind in ("zip", "xls"):
        return list(_excel_grids(data, name, kind, limits)), notes
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
    if _PRIVATE_USE.search(text):
        notes.append("文件中有无法显示的字符（私用区字符，多为编码混杂：一部分按 UTF-8、一部分按 GBK 保存），"
                     "含这些字符的行已搁置")
    return [_csv_grid(text, name, limits)], notes


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


def _fill_merges(body: pl.DataFrame, grid: _Grid, header_idx: int,
                 header: Sequence[str | None]) -> tuple[pl.DataFrame, str | None]:
    """Fill every merged range of the data area with its top-left value (Excel shows it on every row).

    ``body`` holds the rows below the header (row 0 = Excel row ``header_idx + 2``); ranges
    that touch the header or the rows above it are left alone.
    """
    if not grid.merges or body.height == 0:
        return body, None
    by_abs = {_column_index(letter): j for j, letter in enumerate(grid.letters)}
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
    grids, notes = _grids(data, name, p.suffix.lower(), limits)
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
        raise UnreadableFileError(f"无法写入 {target}：{_os_reason(exc)}", file=str(target)) from None
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
        raise UnreadableFileError(f"无法写入 {target}：{_os_reason(exc)}", file=str(target)) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def _os_reason(exc: OSError) -> str:
    import errno

    reasons = {errno.EACCES: "没有写入权限", errno.EROFS: "所在磁盘为只读", errno.ENOSPC: "磁盘空间不足",
               errno.ENOENT: "文件夹不存在（或是指向不存在位置的链接）", errno.ENOTDIR: "路径中有一段不是文件夹",
               errno.EEXIST: "同名文件已存在", errno.EISDIR: "目标是文件夹", errno.EPERM: "没有写入权限"}
    return reasons.get(exc.errno or 0, exc.strerror or type(exc).__name__)


def write_text_atomic(path: str | os.PathLike, text: str) -> Path:
    """Write UTF-8 text atomically."""
    return write_atomic(path, text.encode("utf-8"))


def _excel_bytes(sheets: dict[str, pl.DataFrame], *, number_formats: dict[str, str] | None = None,
                 notes: list[str] | None = None) -> bytes:
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
        ws.freeze_panes(1, 0)
        if frame.width:
            ws.autofilter(0, 0, max(frame.height, 1), frame.width - 1)
    wb.close()
    return buffer.getvalue()


def write_workbook(sheets: dict[str, pl.DataFrame], path: str | os.PathLike, *,
                   number_formats: dict[str, str] | None = None, notes: list[str] | None = None) -> Path:
    """Write several sheets into one xlsx atomically: bold frozen header, filters, widths, number formats.

    Text that a spreadsheet would take for a formula (``=``, ``+``, ``-``, ``@``, full-width ``＝`` …) is
    neutralised; a text longer than Excel's 32,767 characters is cut with a visible mark, and ``notes``
    (when given) receives one Chinese line per cut cell.
    """
    return write_atomic(path, _excel_bytes(sheets, number_formats=number_formats, notes=notes))


def write_frame(frame: pl.DataFrame, path: str | os.PathLike, *, sheet: str = "数据",
                notes: list[str] | None = None) -> Path:
    """Write a frame as CSV (UTF-8 with BOM, for Excel) or xlsx, by the file's ending, atomically.

    Booleans are written 是/否, dates YYYY-MM-DD, numbers as numbers; text that
    a spreadsheet would take for a formula is neutralised.
    """
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return write_atomic(target, _excel_bytes({sheet: frame}, notes=notes))
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


# --- YAML: one loader for every file the workbook reads ---------------------------------------

YAML_MAX_BYTES = 2 * 1024 * 1024
YAML_MAX_DEPTH = 64


def _yaml_loader():
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class _Loader(base):  # type: ignore[misc, valid-type]
        """Safe loading with duplicate keys refused."""

    def mapping(loader, node, deep=False):
        loader.flatten_mapping(node)
        seen: dict = {}
        for key_node, _value in node.value:
            key = loader.construct_object(key_node, deep=deep)
            try:
                hash(key)
            except TypeError:
                raise yaml.constructor.ConstructorError(None, None, f"键「{key!r}」不能用作键", key_node.start_mark)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"键「{key}」重复出现（第 {seen[key]} 行与第 {key_node.start_mark.line + 1} 行）",
                    key_node.start_mark)
            seen[key] = key_node.start_mark.line + 1
        return {loader.construct_object(k, deep=deep): loader.construct_object(v, deep=deep) for k, v in node.value}

    _Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, mapping)
    return base, _Loader


def load_yaml(text: str, *, source: str) -> object:
    """Parse YAML text safely: no anchors/aliases (&, *), no Python tags, no duplicate keys.

    Bounded: at most :data:`YAML_MAX_BYTES` and :data:`YAML_MAX_DEPTH` levels of nesting, so an
    alias bomb or a deep nest is refused in milliseconds.

    Raises
    ------
    UnreadableFileError
        With a Chinese message naming ``source`` and, where known, the line.

    >>> load_yaml("a: 1\\nb: [x, y]", source="t.yaml")
    {'a': 1, 'b': ['x', 'y']}
    >>> load_yaml("a: &x [1]\\nb: *x", source="t.yaml")
    Traceback (most recent call last):
    ...
    casplan.errors.UnreadableFileError: t.yaml 第 1 行使用了锚点或别名（& 或 *），本工作簿不接受；请把内容直接写出
    """
    import yaml

    if len(text.encode("utf-8")) > YAML_MAX_BYTES:
        raise UnreadableFileError(f"{source} 超过 {YAML_MAX_BYTES // 1048576} MB，不像是本工作簿的 YAML 文件", file=source)
    base, loader = _yaml_loader()

    def where(mark) -> str:
        return f" 第 {mark.line + 1} 行" if mark is not None else ""

    try:
        depth = 0
        for event in yaml.parse(text, Loader=base):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                raise UnreadableFileError(f"{source}{where(event.start_mark)}使用了锚点或别名（& 或 *），本工作簿不接受；"
                                          "请把内容直接写出", file=source)
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > YAML_MAX_DEPTH:
                    raise UnreadableFileError(f"{source}{where(event.start_mark)}嵌套超过 {YAML_MAX_DEPTH} 层，"
                                              "不像是本工作簿的 YAML 文件", file=source)
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
        return yaml.load(text, Loader=loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.constructor.ConstructorError as exc:
        problem = str(exc.problem or "")
        if "could not determine a constructor" in problem:
            tag = problem.split("tag", 1)[-1].strip(" '")
            raise UnreadableFileError(f"{source}{where(exc.problem_mark)}含有不允许的标签「{tag}」；"
                                      "本工作簿只读取普通的文字、数字、日期、列表和键值表", file=source) from None
        raise UnreadableFileError(f"{source}{where(exc.problem_mark)}：{problem}", file=source) from None
    except yaml.reader.ReaderError as exc:  # its message quotes the text around the character: never echoed
        raise UnreadableFileError(f"{source} 第 {text.count(chr(10), 0, exc.position) + 1} 行有 YAML 不允许的字符"
                                  f"（U+{exc.character:04X}，如空字符、控制字符）；请用文本编辑器删去后另存",
                                  file=source) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or type(exc).__name__
        raise UnreadableFileError(f"{source}{where(mark)}不是有效的 YAML：{one_line(problem)[:120]}", file=source) from None
    except (ValueError, RecursionError, OverflowError) as exc:  # 2023-02-30, !!int abc, nesting too deep
        raise UnreadableFileError(f"{source} 中有无法识别的值（{exc}）；请检查其中的日期是否存在（如 2023-02-30）"
                                  "以及方括号、花括号是否成对", file=source) from None


def read_yaml_source(path: str | os.PathLike, *, kind: str) -> tuple[object, Source]:
    """Read a YAML file (decisions, scenarios, report parameters …) once: its data and :class:`Source`."""
    p = Path(path)
    data, source = read_source(p, kind=kind, limits=Limits(max_file_bytes=YAML_MAX_BYTES))
    return load_yaml(decode_text(data, str(p)), source=str(p)), source


def decode_text(data: bytes, name: str) -> str:
    """A small text file (YAML): UTF-8 (with or without BOM), or UTF-16 with its BOM (Windows' “Unicode”)."""
    try:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            return data.decode("utf-16")
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UnreadableFileError(f"{name}：不是 UTF-8 编码的文字文件；请用文本编辑器另存为 UTF-8", file=name) from None


def read_yaml(path: str | os.PathLike) -> object:
    """Parse a small YAML file (overrides, scenarios); errors name the file and line."""
    return read_yaml_source(path, kind="yaml")[0]


def read_plain_table(path: str | os.PathLike, *, kind: str = "table") -> pl.DataFrame:
    """A small table whose header is its first non-blank row (overrides, reviews, score files): all text.

    Adds ``source_row`` (the row as Excel shows it).
    """
    return read_plain_table_source(path, kind=kind)[0]


def read_plain_table_source(path: str | os.PathLike, *, kind: str) -> tuple[pl.DataFrame, Source]:
    """:func:`read_plain_table` and the :class:`Source` read."""
    p = Path(path)
    data, source = read_source(p, kind=kind)
    grids, _ = _grids(data, str(p), p.suffix.lower(), DEFAULT_LIMITS)
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
