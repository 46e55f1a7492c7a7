"""``casplan history append``: next year's history, closing the loop.

The report run writes ``本年度资助项目.xlsx``: this year's selected projects in the history file's format,
with 是否举办 / 是否实施 / 是否完成 / 已支出 / 统计截止日期 left empty — it is also the template the units'
spending report fills in. ``append`` joins it to the history file (and, when given, the filled-in
spending report), checks that nothing is lost or doubled, and writes a new history file for next
year's check; the input files are never changed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from casplan.errors import CasplanError, InputError

__all__ = ["add_parser", "run", "append_history"]

_KEY = ("unit", "year", "train_name")
_SPENDING = ("held", "implemented", "completed", "spent", "rate", "as_of")


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("history", help="把本年度资助项目写入往年项目（供下一年度审查）",
                              description="把报告生成的「本年度资助项目.xlsx」并入往年项目文件；给出执行情况时，"
                                          "按单位、年度、培训名称填入是否实施、已支出与统计截止日期。输入文件不被修改。")
    p.add_argument("action", choices=["append"], metavar="append", help="append：并入")
    p.add_argument("--history", metavar="文件", help="现有的往年项目文件（没有则只写本年度的）")
    p.add_argument("--add", required=True, metavar="文件", help="报告目录中的 本年度资助项目.xlsx")
    p.add_argument("--spending", metavar="文件", help="填好的执行情况（同一格式：是否实施、已支出(万元)、统计截止日期）")
    p.add_argument("--out", required=True, metavar="文件", help="写出的新往年项目文件（.xlsx 或 .csv，不能是输入文件）")
    p.set_defaults(run=run)


def _read(path: str, what: str):
    from casplan.intake import read_history

    intake = read_history(path)
    if intake.errors:
        raise intake.errors[0]
    if intake.rows_set_aside:
        lines = "；".join(intake.set_aside["message"].head(5).to_list())
        raise InputError(f"{what} {path} 有 {intake.rows_set_aside} 行无法读取（{lines}）；请先修正，"
                         "否则这些行会从新的往年项目中丢失", file=path)
    return intake.frame


def append_history(history: str | None, add: str, spending: str | None):
    """The merged history frame (canonical columns) and Chinese lines saying what was done.

    Raises :class:`InputError` when a row of ``add`` is already in ``history`` or a spending row
    matches no project (nothing is guessed)."""
    import polars as pl

    added = _read(add, "本年度资助项目")
    lines = [f"本年度资助项目 {added.height} 行"]
    keep = ["unit", "year", "train_name", "track", "held", "funded", "implemented", "completed", "granted",
            "spent", "rate", "as_of"]
    frames = [added]
    if history:
        old = _read(history, "往年项目")
        clash = old.join(added, on=list(_KEY), how="semi")
        if clash.height:
            r = clash.row(0, named=True)
            raise InputError(f"往年项目 {history} 已有 {r['unit']} {r['year']} 年「{r['train_name']}」"
                             f"（共 {clash.height} 项重复）；不重复并入", file=history)
        frames.insert(0, old)
        lines.insert(0, f"往年项目 {old.height} 行")
    merged = pl.concat([f.select([c for c in keep if c in f.columns]) for f in frames], how="diagonal_relaxed")
    if spending:
        report = _read(spending, "执行情况")
        unmatched = report.join(merged, on=list(_KEY), how="anti")
        if unmatched.height:
            r = unmatched.row(0, named=True)
            raise InputError(f"执行情况 {spending} 中 {r['unit']} {r['year']} 年「{r['train_name']}」在往年项目中找不到"
                             f"（共 {unmatched.height} 行）；请核对单位名称、年度与培训名称", file=spending)
        cols = [c for c in _SPENDING if c in report.columns]
        update = report.select(*_KEY, *[pl.col(c).alias(f"_{c}") for c in cols])
        merged = merged.join(update, on=list(_KEY), how="left").with_columns(
            [pl.coalesce(f"_{c}", c).alias(c) if c in merged.columns else pl.col(f"_{c}").alias(c) for c in cols]
        ).drop([f"_{c}" for c in cols])
        lines.append(f"执行情况 {report.height} 行，已填入")
    return merged.sort("year", "unit", "train_name"), lines


def run(args: argparse.Namespace) -> int:
    from casplan.io import write_frame

    try:
        out = Path(args.out).resolve()
        inputs = [Path(p).resolve() for p in (args.history, args.add, args.spending) if p]
        if out in inputs:
            raise InputError(f"--out {args.out} 是输入文件之一；输入文件不被修改，请写到新文件", file=args.out)
        merged, lines = append_history(args.history, args.add, args.spending)
        from casplan.intake.fields import HISTORY_FIELDS

        labels = {f.name: f.label for f in HISTORY_FIELDS}
        frame = merged.rename({c: labels[c] for c in merged.columns if c in labels})
        write_frame(frame, out, sheet="往年项目")
    except CasplanError as exc:
        print(" ".join(str(exc).split()), file=sys.stderr)
        return exc.exit_code
    print("；".join(lines) + f"；共 {merged.height} 行，已写入 {out}")
    return 0
