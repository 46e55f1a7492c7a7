"""Where bytes come from: every file read once, hashed from the bytes read, bounded, ordinary files only."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from casplan.errors import UnreadableFileError

__all__ = ["Source", "Limits", "DEFAULT_LIMITS", "TABLE_SUFFIXES", "read_source", "expand_paths", "one_line",
           "refusal", "require_data_file"]

TABLE_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods", ".csv", ".txt", ".tsv", ".htm", ".html")


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


def refusal(name: str, what: str) -> UnreadableFileError:
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
    require_data_file(p, name, info)
    if info.st_size > limits.max_file_bytes:
        raise refusal(name, f"{info.st_size / 1048576:.0f} MB，超过上限 {limits.max_file_bytes / 1048576:.0f} MB")
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
        raise refusal(name, f"超过上限 {limits.max_file_bytes / 1048576:.0f} MB")
    return data, Source(path=str(p.resolve()), kind=kind, sha256=hashlib.sha256(data).hexdigest(), size=len(data))


_SYSTEM_TREES = ("/proc", "/sys", "/dev")


def require_data_file(p: Path, name: str, info: os.stat_result | None = None) -> None:
    """Refuse what is not an ordinary data file: a device, a pipe, a socket, a file of /proc, /sys or /dev."""
    import stat

    info = info or p.stat()
    if stat.S_ISDIR(info.st_mode):
        raise UnreadableFileError(f"{name} 是文件夹，应为文件", file=name)
    resolved = str(p.resolve())
    if not stat.S_ISREG(info.st_mode) or any(resolved == t or resolved.startswith(t + "/") for t in _SYSTEM_TREES):
        raise UnreadableFileError(f"{name}：不是普通的数据文件（而是设备、管道或系统文件），未读取；请给出导出的表格文件",
                                  file=name)


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
