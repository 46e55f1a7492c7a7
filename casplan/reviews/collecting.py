"""Collecting the returned scoring workbooks: every file identified, every row checked, nothing lost silently.

A returned packet is recognised by the expert id in its hidden sheet (or, failing that, by its file
name). Each row must be one that was sent to that expert, with its title unchanged; each score must
be a number in the form's range. What does not fit is set aside with a Chinese message naming the
file, the row as Excel shows it, the column, the value and what was expected; a deleted row, a
missing packet and an application with fewer valid reviews than the policy asks are reported. The
valid scores become the reviews table that scoring calibrates (申报编号, 评审专家, 评分).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from casplan.errors import InputError, UnreadableFileError
from casplan.reviews.packets import META_SHEET, PACKET_SHEET, packet_fingerprint

__all__ = ["Collected", "collect", "status", "REVIEWER_LABEL"]

_PROBLEM = {"file": pl.String, "row": pl.Int64, "column": pl.String, "value": pl.String, "message": pl.String}
_FILE_ID = re.compile(r"评审表-([^-]+)-")


def REVIEWER_LABEL(expert: dict) -> str:  # noqa: N802 - a label, used like a constant
    """How an expert appears in the reviews table: 「姓名（编号）」 (unique even when names repeat)."""
    return f"{expert['name']}（{expert['expert_id']}）"


@dataclass(frozen=True)
class Collected:
    """The valid reviews, the problems, and per file what was read."""

    reviews: pl.DataFrame    # app_id, reviewer, score, expert_id, source_file, source_row
    problems: pl.DataFrame   # file, row, column, value, message
    files: pl.DataFrame      # file, expert_id, rows_read, rows_accepted, rows_set_aside, note
    notes: tuple[str, ...] = ()  # what was done that the analyst should confirm (an expert known by the rows)

    @property
    def rows_read(self) -> int:
        return int(self.files["rows_read"].sum()) if self.files.height else 0


def _problem(rows: list, file: str, row: int | None, column: str | None, value, message: str) -> None:
    rows.append((file, row, column, None if value is None else str(value)[:80], message))


def _read_book(path: Path):
    import openpyxl

    from casplan.io import read_source

    data, _ = read_source(path, kind="评审表")
    try:
        return openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except Exception as exc:  # a damaged or foreign file: said, never a traceback
        raise UnreadableFileError(f"{path.name} 不是可读取的 xlsx 评审表（{type(exc).__name__}）", file=str(path)) from None


def _by_rows(book, experts: dict) -> tuple[str | None, str]:
    """The expert whose sent rows the visible 评审表 holds (a packet copied into a new workbook loses the
    hidden id): the one expert with at least 80 % of the ids in common, else None."""
    if PACKET_SHEET not in book.sheetnames:
        return None, ""
    rows = list(book[PACKET_SHEET].iter_rows(values_only=True))
    if not rows:
        return None, ""
    header = [("" if h is None else str(h)).strip() for h in rows[0]]
    if "申报编号" not in header:
        return None, ""
    j = header.index("申报编号")
    ids = {str(r[j]).strip() for r in rows[1:] if r and j < len(r) and r[j] is not None}
    best = []
    for eid, e in experts.items():
        sent = {a for a, _ in e["rows"]}
        share = len(ids & sent) / max(len(ids | sent), 1)
        if share >= 0.8:
            best.append((share, eid))
    if len(best) != 1:
        return None, ""
    share, eid = best[0]
    return eid, f"{share:.0%}"


def _meta(book) -> dict[str, str]:
    if META_SHEET not in book.sheetnames:
        return {}
    ws = book[META_SHEET]
    return {str(r[0]): str(r[1]) for r in ws.iter_rows(values_only=True) if r and r[0] is not None and r[1] is not None}


def collect(folder: str | Path, record: dict) -> Collected:
    """Read every ``*.xlsx`` under ``folder`` against the assignment ``record`` (评审分配.json)."""
    root = Path(folder)
    if not root.is_dir():
        raise InputError(f"找不到回收评审表的文件夹 {folder}", file=str(folder))
    experts = {e["expert_id"]: e for e in record["experts"]}
    low, high = record["scale"]
    criteria = record["criteria"]
    problems: list = []
    reviews: list = []
    files: list = []
    notes: list[str] = []
    taken: dict[str, str] = {}
    for path in sorted(p for p in root.rglob("*") if p.is_file() and p.suffix.lower() in (".xlsx", ".xlsm")
                       and not p.name.startswith(("~$", "."))):
        name = str(path.relative_to(root))
        try:
            book = _read_book(path)
        except UnreadableFileError as exc:
            _problem(problems, name, None, None, None, str(exc))
            files.append((name, None, 0, 0, 0, "无法读取"))
            continue
        meta = _meta(book)
        eid = meta.get("expert_id")
        if eid and eid not in experts:
            _problem(problems, name, None, None, eid,
                     f"{name}：评审表中记录的专家编号「{eid}」不在本次分配的专家中（可能是别的批次的评审表）；整份未读取")
            files.append((name, eid, 0, 0, 0, "未知专家"))
            continue
        if not eid:
            m = _FILE_ID.search(path.name)
            eid = m.group(1) if m and m.group(1) in experts else None
        if not eid:
            eid, share = _by_rows(book, experts)
            if eid:
                notes.append(f"{name}：文件中没有隐藏的专家编号（可能复制到了新工作簿），按表中的申报编号认定为"
                             f" {experts[eid]['name']}（{eid}）的评审表（与发出的申报相同 {share}）；请核对")
        if not eid:
            _problem(problems, name, None, None, None,
                     f"{name}：无法确定是哪位专家的评审表——没有隐藏的专家编号，文件名中没有本次分配的专家编号，"
                     "表中的申报编号也对不上任何一位专家；整份未读取（若是评审表，请让专家在原文件上填写后交回）")
            files.append((name, None, 0, 0, 0, "无法认定"))
            continue
        expert = experts[eid]
        if eid in taken:
            _problem(problems, name, None, None, eid,
                     f"{name}：专家 {expert['name']}（{eid}）的评审表已从 {taken[eid]} 读取，这是第二份；未读取，"
                     "请确认以哪一份为准（删去另一份后重新回收）")
            files.append((name, eid, 0, 0, 0, "重复交回"))
            continue
        taken[eid] = name
        if PACKET_SHEET not in book.sheetnames:
            _problem(problems, name, None, None, None, f"{name}：没有“{PACKET_SHEET}”工作表；整份未读取")
            files.append((name, eid, 0, 0, 0, "缺少评审表"))
            continue
        sent = {a: t for a, t in expert["rows"]}
        if meta.get("fingerprint") and meta["fingerprint"] != packet_fingerprint([tuple(r) for r in expert["rows"]]):
            _problem(problems, name, None, None, None,
                     f"{name}：与发给 {expert['name']} 的评审表不是同一版本（分配在发出后改过）；请按本次分配重新发送")
            files.append((name, eid, 0, 0, 0, "版本不符"))
            continue
        ws = book[PACKET_SHEET]
        rows = list(ws.iter_rows(values_only=True))
        header = [("" if h is None else str(h)).strip() for h in (rows[0] if rows else ())]
        def col_of(label: str) -> int | None:
            for j, h in enumerate(header):
                if h == label or h.split("（")[0] == label:
                    return j
            return None
        id_col, title_col = col_of("申报编号"), col_of("项目名称")
        crit_cols = [col_of(c) for c in criteria]
        comment_col = col_of("评语")
        if id_col is None or title_col is None or any(c is None for c in crit_cols):
            missing = [c for c, j in zip(["申报编号", "项目名称", *criteria], [id_col, title_col, *crit_cols]) if j is None]
            _problem(problems, name, 1, "、".join(missing), None,
                     f"{name} 第 1 行缺少列「{'、'.join(missing)}」（表头被改动）；整份未读取")
            files.append((name, eid, 0, 0, 0, "表头被改动"))
            continue
        seen: set[str] = set()
        read = accepted = aside = 0
        for i, r in enumerate(rows[1:], start=2):
            if r is None or all(v is None or str(v).strip() == "" for v in r):
                continue
            read += 1
            app = "" if r[id_col] is None else str(r[id_col]).strip()
            title = "" if r[title_col] is None else str(r[title_col]).strip()
            where = f"{name} 第 {i} 行"
            if app not in sent:
                _problem(problems, name, i, "申报编号", app,
                         f"{where}「申报编号」为「{app or '空'}」，不是发给 {expert['name']} 评审的申报（新增或改动的行）；未计入")
                aside += 1
                continue
            if app in seen:
                _problem(problems, name, i, "申报编号", app, f"{where}：申报 {app} 出现第二次；只计第一行")
                aside += 1
                continue
            seen.add(app)
            if title != sent[app].strip():
                _problem(problems, name, i, "项目名称", title,
                         f"{where}「项目名称」为「{title}」，与发出的「{sent[app]}」不符（行被改动或错位）；未计入")
                aside += 1
                continue
            comment = "" if comment_col is None or r[comment_col] is None else str(r[comment_col])
            scores, bad = [], None
            for c, j in zip(criteria, crit_cols):
                v = r[j]
                if v is None or (isinstance(v, str) and not v.strip()):
                    bad = (c, v, "为空")
                    break
                if isinstance(v, bool) or not isinstance(v, (int, float)):
                    bad = (c, v, f"不是数字，应为 {low:g}–{high:g} 的数字")
                    break
                if not low <= float(v) <= high:
                    bad = (c, v, f"超出范围，应为 {low:g}–{high:g} 的数字")
                    break
                scores.append(float(v))
            if bad is not None:
                if "回避" in comment and bad[2] == "为空":
                    _problem(problems, name, i, "评语", comment, f"{where}：{expert['name']} 对申报 {app} 声明回避，未打分")
                else:
                    shown = "为空" if bad[2] == "为空" else f"为「{bad[1]}」，{bad[2]}"
                    _problem(problems, name, i, bad[0], bad[1], f"{where}「{bad[0]}」{shown}；该行未计入")
                aside += 1
                continue
            reviews.append((app, REVIEWER_LABEL(expert), round(sum(scores) / len(scores), 4), eid, name, i))
            accepted += 1
        for app in [a for a, _ in expert["rows"] if a not in seen]:
            _problem(problems, name, None, "申报编号", app,
                     f"{name}：缺少申报 {app}「{sent[app]}」的评分（该行被删除）")
        files.append((name, eid, read, accepted, aside, ""))
    return Collected(
        reviews=pl.DataFrame(reviews, schema={"app_id": pl.String, "reviewer": pl.String, "score": pl.Float64,
                                              "expert_id": pl.String, "source_file": pl.String,
                                              "source_row": pl.Int64}, orient="row"),
        problems=pl.DataFrame(problems, schema=_PROBLEM, orient="row"),
        files=pl.DataFrame(files, schema={"file": pl.String, "expert_id": pl.String, "rows_read": pl.Int64,
                                          "rows_accepted": pl.Int64, "rows_set_aside": pl.Int64, "note": pl.String},
                           orient="row"),
        notes=tuple(notes))


def status(record: dict, collected: Collected | None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Who has returned and who has not; which applications have fewer valid reviews than asked.

    Returns (experts: 专家编号, 专家姓名, 分配项数, 有效评分, 状态; applications: 申报编号, 项目名称, 应评, 有效评分)."""
    valid = collected.reviews if collected is not None else pl.DataFrame(schema={"app_id": pl.String,
                                                                                  "expert_id": pl.String})
    returned = set(collected.files.filter(pl.col("rows_read") > 0)["expert_id"].to_list()) if collected else set()
    counts = dict(valid.group_by("expert_id").len().iter_rows()) if valid.height else {}
    rows = []
    for e in record["experts"]:
        n = len(e["rows"])
        got = counts.get(e["expert_id"], 0)
        state = "未交回" if e["expert_id"] not in returned else ("已交回" if got == n else f"已交回，{n - got} 项无有效评分")
        rows.append((e["expert_id"], e["name"], n, got, state))
    experts = pl.DataFrame(rows, schema={"专家编号": pl.String, "专家姓名": pl.String, "分配项数": pl.Int64,
                                         "有效评分": pl.Int64, "状态": pl.String}, orient="row")
    per_app = dict(valid.group_by("app_id").len().iter_rows()) if valid.height else {}
    k = record["per_application"]
    apps = [(a["app_id"], a["train_name"], k, per_app.get(a["app_id"], 0)) for a in record["applications"]]
    applications = pl.DataFrame(apps, schema={"申报编号": pl.String, "项目名称": pl.String, "应评": pl.Int64,
                                              "有效评分": pl.Int64}, orient="row").filter(pl.col("有效评分") < pl.col("应评"))
    return experts, applications
