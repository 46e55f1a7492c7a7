"""A sheet as a grid of text cells, and Excel's column letters."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

__all__ = ["Grid", "excel_column", "column_index"]


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


def column_index(letters: bytes | str) -> int:
    """0-based index of an Excel column name.

    >>> column_index("A"), column_index("Z"), column_index("AA"), column_index("XFD")
    (0, 25, 26, 16383)
    """
    if isinstance(letters, bytes):
        letters = letters.decode("ascii")
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - 64)
    return n - 1


@dataclass(frozen=True)
class Grid:
    """Every cell of one sheet (or CSV, or HTML table) as text, and where its columns are."""

    sheet: str | None
    frame: pl.DataFrame        # columns c0…cN, all Utf8; row i is Excel row i+1
    letters: tuple[str, ...]   # Excel letter of each column
    note: str | None = None
    merges: tuple[tuple[int, int, int, int], ...] = ()
