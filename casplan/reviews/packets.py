"""The experts' scoring workbooks (评审表) and the assignment workbook (评审分配.xlsx).

A packet is one xlsx per expert: a first sheet of instructions, a sheet 评审表 with the applications
assigned (申报编号, 单位, 项目名称, 类别, 培训目的, 培训内容, 匹配方向), one score column per criterion of the
policy's review form and a comment column. Only the score and comment cells can be edited (the sheet
is protected, without a password: the protection guards against slips, not against intent — the
collector checks every id and title anyway); the score cells accept only numbers in the form's
range. A very hidden sheet carries the expert's id, the year and a fingerprint of the rows sent, so a
returned file is recognised even when renamed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import math
import re

import polars as pl

__all__ = ["PACKET_SHEET", "META_SHEET", "packet_name", "packet_fingerprint", "packet_bytes", "assignment_sheets"]

PACKET_SHEET = "评审表"
META_SHEET = "casplan"
_FIXED = ("申报编号", "单位", "项目名称", "类别", "培训目的", "培训内容", "匹配方向")


def packet_name(expert: dict) -> str:
    """``评审表-<编号>-<姓名>.xlsx`` (no character a file system refuses)."""
    name = re.sub(r"[\\/:*?\"<>|\x00-\x1f\x7f\s]", "", str(expert["name"]))[:20] or "专家"
    return f"评审表-{expert['expert_id']}-{name}.xlsx"


def packet_fingerprint(rows: list[tuple[str, str]]) -> str:
    """A fingerprint of what was sent: the (申报编号, 项目名称) pairs in order."""
    text = "\n".join(f"{a}\t{t}" for a, t in rows)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def packet_bytes(expert: dict, rows: pl.DataFrame, *, year: int, criteria: tuple[str, ...],
                 scale: tuple[float, float], deadline: str = "") -> bytes:
    """One expert's workbook. ``rows``: app_id, unit, train_name, track_name, goal, content, directions."""
    import xlsxwriter

    from casplan.io import neutralise_formula

    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False,
                                      "strings_to_urls": False})
    wb.set_properties({"created": dt.datetime(2000, 1, 1), "title": f"{year}年度院级资助项目专家评审表"})
    low, high = scale
    title = wb.add_format({"bold": True, "font_size": 14})
    wrap = wb.add_format({"text_wrap": True, "valign": "top", "locked": True})
    head = wb.add_format({"bold": True, "bg_color": "#DDE7F0", "border": 1, "text_wrap": True, "valign": "top",
                          "locked": True})
    score_head = wb.add_format({"bold": True, "bg_color": "#FCE4B6", "border": 1, "text_wrap": True, "valign": "top",
                                "locked": True})
    editable = wb.add_format({"locked": False, "bg_color": "#FFF8E6", "border": 1, "valign": "top"})
    editable_text = wb.add_format({"locked": False, "bg_color": "#FFF8E6", "border": 1, "valign": "top",
                                   "text_wrap": True})

    guide = wb.add_worksheet("填写说明")
    guide.set_column(0, 0, 90)
    guide.set_paper(9)
    guide.fit_to_pages(1, 0)
    lines = [
        f"{year}年度继续教育与培训院级资助项目专家评审表",
        f"评审专家：{expert['name']}（编号 {expert['expert_id']}，{expert['unit']}）",
        f"本表共 {rows.height} 项申报，请在“{PACKET_SHEET}”工作表中为每项申报逐项打分。",
        f"评分准则：{'、'.join(criteria)}；每项 {low:g}–{high:g} 分（只能填数字），一项申报的评分为各准则分的平均。",
        "只需填写橙色单元格（各准则分与评语）；其他单元格已锁定，请不要增删行、改动申报编号或项目名称。",
        "如与某项申报存在利益关系（本单位、合作单位、亲属等），请不要打分，并在评语中写明“回避”。",
        "填好后保存本文件（可改文件名），发回继续教育与干部监督处" + (f"，截止 {deadline}" if deadline else "") + "。",
    ]
    for i, line in enumerate(lines):
        guide.write_string(i, 0, neutralise_formula(line), title if i == 0 else wrap)
        guide.set_row(i, 22 if i == 0 else 15 * max(1, math.ceil(len(line) * 2 / 88)))
    guide.protect()

    ws = wb.add_worksheet(PACKET_SHEET)
    headers = [*_FIXED, *(f"{c}（{low:g}–{high:g}）" for c in criteria), "评语"]
    widths = [10, 16, 24, 10, 30, 30, 14, *([9] * len(criteria)), 20]
    for j, (h, w) in enumerate(zip(headers, widths)):
        ws.write_string(0, j, h, score_head if j >= len(_FIXED) else head)
        ws.set_column(j, j, w)
    fixed_cols = ("app_id", "unit", "train_name", "track_name", "goal", "content", "directions")
    ws.set_row(0, 45)
    for i, r in enumerate(rows.select(fixed_cols).iter_rows(), start=1):
        for j, v in enumerate(r):
            ws.write_string(i, j, neutralise_formula("" if v is None else str(v)), wrap)
        # spreadsheet programs do not grow a row for wrapped text they did not type: size it here
        lines = max(math.ceil(len(str(v or "")) * 2 / max(widths[j] - 1, 1)) for j, v in enumerate(r))
        ws.set_row(i, 15 * min(max(lines, 1), 12))
        for j in range(len(_FIXED), len(_FIXED) + len(criteria)):
            ws.write_blank(i, j, None, editable)
        ws.write_blank(i, len(headers) - 1, None, editable_text)
    if rows.height:
        first, last = len(_FIXED), len(_FIXED) + len(criteria) - 1
        ws.data_validation(1, first, rows.height, last, {
            "validate": "decimal", "criteria": "between", "minimum": low, "maximum": high,
            "error_title": "评分超出范围", "error_message": f"请填 {low:g} 到 {high:g} 之间的数字"})
    ws.freeze_panes(1, 3)
    ws.protect("", {"format_columns": True, "format_rows": True, "select_locked_cells": True,
                    "select_unlocked_cells": True})
    ws.set_landscape()
    ws.set_paper(9)
    ws.repeat_rows(0)
    ws.fit_to_pages(1, 0)
    ws.activate()

    meta = wb.add_worksheet(META_SHEET)
    sent = list(rows.select("app_id", "train_name").iter_rows())
    for i, (k, v) in enumerate((("expert_id", expert["expert_id"]), ("year", str(year)),
                                ("fingerprint", packet_fingerprint(sent)), ("criteria", "\t".join(criteria)),
                                ("scale", f"{low:g}\t{high:g}"))):
        meta.write_string(i, 0, k)
        meta.write_string(i, 1, v)
    meta.very_hidden()
    wb.close()
    return buffer.getvalue()


def assignment_sheets(assignment, applications: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """评审分配.xlsx: per application (its experts and the fit) and per expert (load, applications)."""
    pairs = assignment.pairs.join(applications.select("app_id", "unit", "train_name", "track_name"), on="app_id",
                                  how="left")
    by_app = (pairs.sort("app_id", "expert_id").group_by("app_id", maintain_order=True).agg(
        pl.col("unit").first(), pl.col("train_name").first(), pl.col("track_name").first(),
        pl.col("name").str.join("、").alias("experts"), pl.col("fit").sum().round(2).alias("fit"),
        pl.col("shared_directions").filter(pl.col("shared_directions") != "").unique(maintain_order=True)
        .str.join("；").alias("shared")))
    by_expert = assignment.experts.join(
        pairs.group_by("expert_id").agg(pl.col("app_id").sort().str.join("、").alias("apps"),
                                        pl.col("fit").sum().round(2).alias("fit")), on="expert_id", how="left")
    return {
        "按申报": by_app.select(pl.col("app_id").alias("申报编号"), pl.col("unit").alias("单位"),
                              pl.col("train_name").alias("项目名称"), pl.col("track_name").alias("类别"),
                              pl.col("experts").alias("评审专家"), pl.col("fit").alias("匹配度"),
                              pl.col("shared").alias("共同的重点支持方向")),
        "按专家": by_expert.sort("expert_id").select(
            pl.col("expert_id").alias("专家编号"), pl.col("name").alias("专家姓名"), pl.col("unit").alias("单位"),
            pl.col("branch").alias("所属分院"), pl.col("load").alias("评审项数"), pl.col("max_load").alias("最多评审数"),
            pl.col("fit").fill_null(0.0).alias("匹配度合计"), pl.col("apps").fill_null("").alias("评审的申报")),
        "明细": pairs.sort("app_id", "expert_id").select(
            pl.col("app_id").alias("申报编号"), pl.col("expert_id").alias("专家编号"), pl.col("name").alias("专家姓名"),
            pl.col("fit").alias("匹配度"), pl.col("shared_directions").alias("共同的方向"),
            pl.col("shared_words").alias("共同的词")),
    }
