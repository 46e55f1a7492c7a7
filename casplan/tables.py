"""Presentation tables: frames with the analysts' Chinese headers, and a styled view for notebooks.

Functions take frames and return frames (or a pandas ``Styler`` for display);
nothing here reads or writes files.
"""

from __future__ import annotations

import polars as pl

__all__ = ["files_table", "set_aside_table", "counts_by", "styled", "FILE_LABELS", "PROBLEM_LABELS"]

FILE_LABELS = {
    "file": "文件", "sheet": "工作表", "header_row": "表头行", "rows_read": "读取行数",
    "rows_accepted": "接收", "rows_set_aside": "搁置", "blank_rows": "空行", "unknown_columns": "未识别的列",
    "notes": "说明",
}
PROBLEM_LABELS = {
    "file": "文件", "sheet": "工作表", "row": "行号", "column": "列", "value": "原值", "reason": "原因代码",
    "message": "说明",
}


def files_table(files: pl.DataFrame) -> pl.DataFrame:
    """Per-file counts with Chinese headers, and a total line that must add up.

    >>> import polars as pl
    >>> f = pl.DataFrame({"file": ["a.xlsx"], "sheet": ["计划"], "header_row": [3], "rows_read": [5],
    ...                   "rows_accepted": [4], "rows_set_aside": [1], "blank_rows": [0],
    ...                   "unknown_columns": [""], "notes": [""]})
    >>> files_table(f)["读取行数"].to_list()
    [5, 5]
    """
    total = files.select(
        pl.lit("合计").alias("file"), pl.lit(None, pl.Utf8).alias("sheet"), pl.lit(None, pl.Int64).alias("header_row"),
        pl.col("rows_read").sum(), pl.col("rows_accepted").sum(), pl.col("rows_set_aside").sum(),
        pl.col("blank_rows").sum(), pl.lit(None, pl.Utf8).alias("unknown_columns"), pl.lit(None, pl.Utf8).alias("notes"),
    )
    return pl.concat([files, total.cast(files.schema)]).rename(FILE_LABELS)


def set_aside_table(problems: pl.DataFrame) -> pl.DataFrame:
    """Set-aside problems sorted by place, with Chinese headers."""
    return problems.sort("file", "sheet", "row", nulls_last=True).rename(PROBLEM_LABELS)


def counts_by(frame: pl.DataFrame, rows: str, columns: str, *, labels: dict[str, str] | None = None) -> pl.DataFrame:
    """A count table: one line per value of ``rows``, one column per value of ``columns``, and totals.

    >>> import polars as pl
    >>> df = pl.DataFrame({"branch": ["北京分院", "北京分院", "上海分院"], "category": ["研修班", "讲坛", "研修班"]})
    >>> counts_by(df, "branch", "category").row(0)
    ('上海分院', 1, 0, 1)
    """
    labels = labels or {}
    data = frame.select(pl.col(rows).fill_null("（未填）"), pl.col(columns).fill_null("（未填）"))
    table = (data.group_by(rows, columns).len()
             .pivot(on=columns, index=rows, values="len", sort_columns=True)
             .fill_null(0).sort(rows))
    value_cols = [c for c in table.columns if c != rows]
    table = table.with_columns(pl.sum_horizontal(value_cols).alias("合计"))
    return table.rename({rows: labels.get(rows, rows)})


def styled(frame: pl.DataFrame, *, max_rows: int = 200, caption: str | None = None):
    """A pandas ``Styler`` of the frame for notebooks and the report: no index, numbers tidy.

    Text from the export stays text: pandas escapes HTML in cell values.
    """
    shown = frame.head(max_rows).to_pandas(use_pyarrow_extension_array=True)
    styler = shown.style.hide(axis="index").format(precision=1, na_rep="", escape="html")
    if caption:
        more = f"（共 {frame.height} 行，显示前 {max_rows} 行）" if frame.height > max_rows else ""
        styler = styler.set_caption(caption + more)
    return styler
